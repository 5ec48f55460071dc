// printmon cloud console: core (i18n, API, formatting, DOM helpers, dialogs), the shell
// (header, navigation, router), sign-in and the "trial ended" page. The pages live in fleet.js,
// reports.js, admin.js and alerts.js, loaded after this file (all `defer`, so they run before
// DOMContentLoaded, when boot() starts). Plain JavaScript, no build step, no third-party code
// except Chart.js, which is loaded only when a page draws a chart.
//
// Rules that keep it safe under the strict CSP and translatable:
// - DOM is built with createElement/textContent only (never innerHTML with data), so printer-
//   provided strings cannot inject markup; no inline styles or handlers (CSSOM is fine).
// - Every user-visible string comes from i18n-<lang>.json through t(name, vars); static HTML
//   uses data-i18n / data-i18n-placeholder / data-i18n-title.
//
// Stable test hooks (data-testid), for the browser tests:
//   shell:    nav-toggle, nav-fleet, nav-pages, nav-sites, nav-import, nav-users, nav-settings,
//             header-tenant, header-user, trial-banner, lang-switch, logout, logout-nav,
//             trial-ended, toast, dialog, dialog-ok, dialog-cancel, page-error
//   sign-in:  login-form, login-email, login-password, login-submit, login-error,
//             tenant-choice (one per tenant, data-tenant-id), tenant-back, forgot-link
//   forgot:   forgot-form, forgot-email, forgot-submit, forgot-sent, forgot-back
//   reset:    reset-form, reset-password, reset-repeat, reset-submit, reset-done, reset-error,
//             reset-sign-in, reset-new-link, reset-back
//   fleet:    tile-devices, tile-online, tile-offline, tile-errors, tile-low, fleet-search,
//             filter-site, filter-vendor, filter-model (selects), filter-status, filter-low, filter-seen,
//             fleet-sort (phone layout),
//             filter-reset, fleet-table, fleet-row (data-device-id), fleet-empty, fleet-count,
//             page-size, page-prev, page-next, export-csv, export-xlsx,
//             sort-<key> (column headers: vendor, model, serial, address, location, site,
//             status, supply, last_seen)
//   device:   device-title, device-status, device-identity, device-alerts, device-supplies,
//             device-counters, period-day, period-week, period-month, period-custom,
//             period-from, period-to, period-apply, counter-select, chart-pages,
//             chart-supplies, tz-note, device-readings, device-events, device-changes,
//             device-not-found
//   pages:    pv-group, pv-period, pv-date, pv-from, pv-to, pv-name, pv-show, pv-range,
//             pv-chart, pv-table, pv-export-csv, pv-export-xlsx, mr-date, mr-interpolate,
//             mr-show, mr-table, mr-more, mr-export-csv, mr-export-xlsx, tz-note (both cards)
//   sites:    sites-table, site-rename, scanners-table, scanner-row (data-scanner-id),
//             add-scanner, scanner-name, scanner-site, scanner-save, scanner-key, copy-key,
//             scanner-menu (opens the row's menu:) scanner-edit, scanner-replace-key,
//             scanner-revoke
//   import:   import-file, import-preview, import-apply, import-result, import-error,
//             import-register (register unknown scanners), import-nothing-new, import-reset
//   users:    users-table, user-row (data-user-id), add-user, user-email, user-role,
//             user-password, user-save, user-role-select, user-disable, user-enable,
//             user-reset, reset-password, tokens-table, token-row, add-token, token-name,
//             token-save, token-value, copy-token, token-revoke
//   audit:    nav-audit, audit-table, audit-row (data-action), audit-action, audit-search,
//             audit-from, audit-to, audit-count,
//             audit-size, audit-prev, audit-next, audit-export-csv, audit-export-xlsx
//   alerts:   see alerts.js (nav-alerts, nav-alerts-count, alerts-table, rules-table, ...)
//   settings: settings-tenant-name, settings-timezone, settings-save, settings-language,
//             pw-current, pw-new, pw-repeat, pw-save, logout-all, licence-status
'use strict';

const S = { lang: 'en', cat: {}, plural: null, me: null, tenant: null, csrf: null, summary: null, charts: [], sites: null, fmt: {}, route: '', next: '' };
const routes = {};

// ---- DOM

// h('tag', {class, tid (data-testid), onclick..., attr: value}, ...children). A button is
// type=button unless told otherwise, so only a form's submit button submits.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (tag === 'button') el.type = 'button';
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k === 'tid' ? 'data-testid' : k, v === true ? '' : String(v));
  }
  return clear(el, ...children);
}

const $ = (sel, root) => (root || document).querySelector(sel);
const clear = (el, ...kids) => {
  el.replaceChildren(...kids.flat(9).filter((k) => k != null && k !== false).map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return el;
};
const btn = (label, onclick, cls, tid) => h('button', { class: 'btn' + (cls ? ' ' + cls : ''), tid, onclick }, label);
const note = (text, cls) => h('p', { class: 'muted' + (cls ? ' ' + cls : '') }, text);
const alertBox = (text, cls, tid) => h('div', { class: 'alert ' + (cls || 'error'), role: 'alert', tid }, text);
// A <select> of [value, label] pairs.
const select = (attrs, options, value) => h('select', attrs, options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(value) }, l)));

// ---- i18n: flat catalogues, ICU {placeholders} and plurals

function pickLang() {
  const saved = localStorage.getItem('pm_lang');
  if (saved === 'ru' || saved === 'en') return saved;
  const list = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
  return String(list[0] || '').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

async function loadLang(lang) {
  const early = EARLY.cat && EARLY.cat.lang === lang ? EARLY.cat.json : null;
  EARLY.cat = null;
  S.cat = await (early || fetch('/console/i18n-' + lang + '.json', { credentials: 'same-origin' }).then((r) => r.json()));
  S.lang = lang;
  S.plural = new Intl.PluralRules(lang);
  S.fmt = {};
  document.documentElement.lang = lang;
}

const showValue = (v) => (typeof v === 'number' ? num(v) : v == null ? '' : String(v));

function closingBrace(s, open) {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return s.length;
}

// Fills a catalogue message: "{name}" is a value; "{n, plural, one {# день} few {# дня} ...}"
// picks the branch of n's plural category (Intl.PluralRules; "=0" matches exactly) with "#" as
// the formatted number. The ICU MessageFormat subset of the scanner's UI and the checker.
function formatMessage(msg, vars) {
  let out = '';
  for (let i = 0; i < msg.length; i++) {
    if (msg[i] !== '{') { out += msg[i]; continue; }
    const end = closingBrace(msg, i);
    const body = msg.slice(i + 1, end);
    i = end;
    const parts = body.split(',');
    const name = parts[0].trim();
    if (parts.length < 3 || parts[1].trim() !== 'plural') { out += name in vars ? showValue(vars[name]) : '{' + body + '}'; continue; }
    const n = Number(vars[name]);
    const branches = {};
    const rest = parts.slice(2).join(',');
    for (let j = 0; j < rest.length;) {
      const open = rest.indexOf('{', j);
      if (open < 0) break;
      const close = closingBrace(rest, open);
      branches[rest.slice(j, open).trim()] = rest.slice(open + 1, close);
      j = close + 1;
    }
    const branch = branches['=' + n] ?? branches[S.plural.select(n)] ?? branches.other ?? '';
    out += formatMessage(branch.replace(/#/g, showValue(n)), vars);
  }
  return out;
}

function t(key, vars) {
  const msg = S.cat[key];
  return typeof msg === 'string' ? formatMessage(msg, vars || {}) : key;
}

// i18n-ignore below: the keys come from data-i18n* attributes of index.html, which the catalogue
// checker reads itself.
function applyI18n() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);  // i18n-ignore
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);  // i18n-ignore
  for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));  // i18n-ignore
}

// ---- formatting: the chosen language; times and dates in the tenant's time zone, which is also the
// zone of the API's dates (from=2026-12-01 is that day's local midnight) and daily counters.

function tz() { return (S.tenant && S.tenant.time_zone) || 'UTC'; }

// Intl formatters are slow to make: one per kind, language and zone.
function fmtr(name, make) {
  const k = name + '|' + S.lang + '|' + tz();
  return S.fmt[k] || (S.fmt[k] = make());
}
const dtf = (name, opts, locale) => fmtr(name, () => new Intl.DateTimeFormat(locale || S.lang, Object.assign({ timeZone: tz() }, opts)));

function num(n) { return n == null || n === '' ? '—' : fmtr('n', () => new Intl.NumberFormat(S.lang)).format(n); }
function pct(n) { return n == null ? '—' : num(n) + '\u00a0%'; }
function fmtTime(at) { return at ? dtf('dt', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)) : '—'; }
function fmtHour(at) { return dtf('hm', { hour: '2-digit', minute: '2-digit' }).format(new Date(at)); }

// A calendar day "YYYY-MM-DD" as is, or the tenant's local day of an instant (a longer string or
// a number).
function fmtDay(day, short) {
  if (!day) return '—';
  const date = typeof day === 'string' && day.length === 10;
  const f = fmtr('d' + !!short + date, () => new Intl.DateTimeFormat(S.lang,
    Object.assign({ timeZone: date ? 'UTC' : tz() }, short ? { day: 'numeric', month: 'short' } : { dateStyle: 'medium' })));
  return f.format(date ? new Date(day + 'T00:00:00Z') : new Date(day));
}

function fmtRel(iso) {
  if (!iso) return t('never');
  const s = (Date.parse(iso) - Date.now()) / 1000;
  const a = Math.abs(s);
  if (a < 45) return t('just_now');
  if (a > 86400 * 45) return fmtTime(iso);
  const [n, unit] = a < 3600 ? [s / 60, 'minute'] : a < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  return fmtr('rel', () => new Intl.RelativeTimeFormat(S.lang, { numeric: 'auto' })).format(Math.round(n), unit);
}

function relTime(iso) { return h('time', { datetime: iso, title: iso ? fmtTime(iso) : null }, fmtRel(iso)); }

// The tenant's UTC offset at an instant, in ms: its wall clock read as UTC minus the instant.
function tzOffset(ms) {
  const p = {};
  for (const x of dtf('off', { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }, 'en-US').formatToParts(ms)) p[x.type] = Number(x.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(ms / 60000) * 60000;
}

// Today as "YYYY-MM-DD" in the tenant's zone, and the instant (ms) a local day begins.
function today() { return new Date(Date.now() + tzOffset(Date.now())).toISOString().slice(0, 10); }
function dayStart(day) {
  const wall = Date.parse(day + 'T00:00:00Z');
  return wall - tzOffset(wall - tzOffset(wall));
}

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// "Dates are in the organisation's time zone: Asia/Vladivostok (GMT+10:00)", where dates are chosen.
function zoneNote() {
  const off = dtf('zn', { timeZoneName: 'longOffset' }).formatToParts(Date.now()).find((x) => x.type === 'timeZoneName');
  return h('p', { class: 'muted small zone', tid: 'tz-note' }, t('tz_note', { zone: tz().replace(/_/g, ' '), offset: off ? off.value : '' }));
}

const chars = (s) => [...String(s || '')].length;

// ---- API

class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code);
    Object.assign(this, { status, code, retryAfter });
  }
}

// opts.public: a 401 is an answer, not the end of the session; opts.quiet: a 402 does not
// replace the page.
async function api(method, path, body, opts) {
  const o = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    o.headers['Content-Type'] = 'application/json';
    o.body = body instanceof ArrayBuffer ? body : JSON.stringify(body);
  }
  if (method !== 'GET' && S.csrf) o.headers['X-CSRF-Token'] = S.csrf;
  let res;
  try {
    res = await fetch('/api/v1/' + path, o);
  } catch (e) {
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (res.ok) return data;
  const e = (data && data.error) || {};
  const err = new ApiError(res.status, e.code || 'http_' + res.status, e.message || '', res.headers.get('Retry-After'));
  if (res.status === 401 && !(opts && opts.public)) sessionEnded();
  if (res.status === 402 && !(opts && opts.quiet)) showBlocked(err);
  throw err;
}

function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '' && v !== false) p.set(k, String(v));
  const s = p.toString();
  return s ? '?' + s : '';
}

// The field a server message names ("name: longer than 200 characters").
function fieldOf(e) {
  const m = /^([a-z_]+):/.exec((e && e.message) || '');
  return m ? m[1] : '';
}

function fieldLabel(f) {
  return ({
    name: t('f_name'), site: t('f_site'), email: t('f_email'), password: t('f_password'),
    new_password: t('f_new_password'), current_password: t('f_current_password'), role: t('f_role'),
    time_zone: t('f_time_zone'), to: t('f_new_name'), threshold: t('f_threshold'), kind: t('f_kind'),
    vendor: t('f_vendor'), device_id: t('f_device_id'), repeat_minutes: t('f_repeat_minutes'), channel_ids: t('f_channels'),
    forecast_days: t('f_forecast_days'), raw_retention_months: t('f_raw_retention'), audit_retention_months: t('f_audit_retention'),
    address: t('f_address'), language: t('f_msg_language'), digest: t('f_digest'), digest_hour: t('f_digest_hour'),
    max_per_hour: t('f_max_per_hour'), bot_token: t('f_bot_token'), note: t('f_retire_note'),
  })[f] || f;
}

// A translated sentence for an API failure, chosen by its code (the server's English message
// only as a last resort).
function errText(e) {
  if (!(e instanceof ApiError)) return t('err_unexpected');
  const f = fieldOf(e);
  const byCode = {
    network: t('err_network'), login_failed: t('err_login_failed'), csrf_failed: t('err_csrf'), unauthorized: t('err_session_ended'),
    wrong_password: t('err_wrong_password'), forbidden: t('err_forbidden'), not_found: t('err_not_found'),
    unknown_scanner: t('err_unknown_scanner'), invalid_export: t('err_invalid_export'), invalid_json: t('err_invalid_body'),
    payload_too_large: t('err_too_large'), query_timeout: t('err_query_timeout'), refreshing: t('err_refreshing'),
    overloaded: t('err_overloaded'), busy: t('err_busy'), invalid_parameter: t('err_invalid_parameter'), unknown_parameter: t('err_invalid_parameter'),
  };
  if (byCode[e.code]) return byCode[e.code];
  if (e.code === 'telegram_refused') return t('err_telegram_refused', { message: String(e.message || '').replace(/^Telegram: /, '') });
  if (e.code === 'telegram_unreachable') return t('err_telegram_unreachable');
  if (e.code === 'secret_unreadable') return t('bot_token_reenter');
  if (e.code === 'too_many_resets') return t('err_too_many_resets', { count: Math.max(1, Math.ceil((Number(e.retryAfter) || 60) / 60)) });
  if (e.code === 'too_many_attempts') return t('err_too_many_attempts', { count: Math.max(1, Math.ceil((Number(e.retryAfter) || 60) / 60)) });
  if (e.code === 'conflict') return f === 'email' || /email/i.test(e.message) ? t('err_email_taken') : t('err_conflict');
  if (e.code === 'invalid_body') {
    if (/password/.test(f) && /short|least/i.test(e.message)) return t('err_password_short', { count: 10 });
    if (f === 'time_zone') return t('err_time_zone');
    if (f === 'address' && /Telegram chat/.test(e.message)) return t('err_telegram_chat');
    if (f === 'bot_token' && /not a bot token/.test(e.message)) return t('err_bot_token');
    const range = /must be between (-?\d+) and (-?\d+)/.exec(e.message);
    if (f && range) return t('err_range', { field: fieldLabel(f), min: Number(range[1]), max: Number(range[2]) });
    if (f && /must be an integer/.test(e.message)) return t('err_integer', { field: fieldLabel(f) });
    return f ? t('err_invalid_field', { field: fieldLabel(f) }) : t('err_invalid_body');
  }
  if (e.status === 413) return t('err_too_large');
  if (e.status >= 500) return t('err_server');
  return e.message ? t('err_other', { message: e.message }) : t('err_unexpected');
}

// ---- small widgets

function toast(message, kind) {
  const el = h('div', { class: 'toast ' + (kind || 'ok'), role: kind === 'error' ? 'alert' : 'status', tid: 'toast' }, message);
  $('#toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}
const toastErr = (e) => toast(errText(e), 'error');

// CSV and XLSX links of a list: plain links, the session cookie authenticates the GET. The file
// name is a hint (a Content-Disposition of the server wins).
function exportLinks(box, path, params, name, prefix) {
  clear(box, ['csv', 'xlsx'].map((fmt) => h('a', {
    class: 'btn', href: '/api/v1/' + path + qs(Object.assign({}, params, { format: fmt, lang: S.lang })),
    download: 'printmon-' + name + '-' + today() + '.' + fmt, tid: prefix + fmt,
  }, fmt === 'csv' ? t('export_csv') : t('export_xlsx'))));
}

function badge(cls, text, tid) { return h('span', { class: 'badge ' + cls, tid }, text); }

function pageHead(title, sub, ...actions) {
  document.title = title + ' · ' + t('brand');
  return h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, title), sub ? h('p', { class: 'sub' }, sub) : null), h('div', { class: 'actions' }, actions));
}

function card(title, tid, ...body) { return h('section', { class: 'card', tid }, title ? h('h2', {}, title) : null, body); }

// A card with a head: the title (and a line under it) on the left, actions on the right; flush:
// the table inside touches the edges.
function headCard(title, sub, actions, flush, ...body) {
  return h('section', { class: 'card' + (flush ? ' flush' : '') },
    h('div', { class: 'card-head' + (flush ? ' pad' : '') }, h('div', {}, h('h2', {}, title), sub ? note(sub, 'small') : null), actions), body);
}

// The pager under a paged list (data: the API's list answer): the rows shown of the total, the
// page size (50 or 100) and previous/next. `f` holds page (1-based) and per; `reload` shows f's
// page again; `tids` names the test hooks of the count, size, prev and next.
function pager(data, f, reload, tids) {
  const total = data.total;
  const from = data.offset + 1;
  const to = data.offset + data.items.length;
  const go = (p) => { f.page = p; reload(); window.scrollTo(0, 0); };
  const prev = btn(t('prev'), () => go(f.page - 1), 'small', tids.prev);
  const next = btn(t('next'), () => go(f.page + 1), 'small', tids.next);
  prev.disabled = f.page <= 1;
  next.disabled = data.next_offset == null;
  return h('div', { class: 'pager' },
    h('span', { class: 'muted', tid: tids.count }, total == null ? t('rows_range', { from, to }) : t('rows_range_of', { from, to, total })),
    h('label', { class: 'per' }, t('per_page'), select({ tid: tids.size, onchange: (e) => { f.per = Number(e.target.value); f.page = 1; reload(); } }, [[50, num(50)], [100, num(100)]], f.per)),
    h('div', { class: 'actions' }, prev,
      total == null ? null : h('span', { class: 'muted' }, t('page_of', { page: f.page, pages: Math.max(1, Math.ceil(total / f.per)) })),
      next));
}

function empty(title, text, ...actions) {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
    h('p', { class: 'empty-title' }, title), text ? note(text) : null, actions.length ? h('div', { class: 'actions center' }, actions) : null);
}

function loading() { return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')); }

function errorPanel(e, retry) {
  return h('div', { class: 'alert error', role: 'alert', tid: 'page-error' }, errText(e), retry ? btn(t('retry'), retry, 'small') : null);
}

// A table: columns [{label, cls, render(row), sort, sort2: [key, label]}], rows. Cells carry
// data-label so the "cards" layout shows them as labelled lines on a phone. opts: {tid, sort:
// {key, order, set(key)}, cards, nowrap, caption, row(r) -> attributes of its <tr>}.
function table(columns, rows, opts) {
  const o = opts || {};
  const head = h('tr', {}, columns.map((c) => {
    const th = h('th', { scope: 'col', class: c.cls }, c.label);
    if (!o.sort || !c.sort) return th;
    th.setAttribute('aria-sort', 'none');
    const sortBtn = (key, label) => {
      if (o.sort.key === key) th.setAttribute('aria-sort', o.sort.order === 'desc' ? 'descending' : 'ascending');
      return h('button', { class: 'sort' + (o.sort.key === key ? ' on ' + o.sort.order : ''), tid: 'sort-' + key, onclick: () => o.sort.set(key) }, label, h('span', { class: 'arrow', 'aria-hidden': 'true' }));
    };
    return clear(th, sortBtn(c.sort, c.label), c.sort2 ? [h('span', { class: 'sep' }, '/'), sortBtn(...c.sort2)] : null);
  }));
  const body = h('tbody', {}, rows.map((r) => h('tr', o.row ? o.row(r) : {}, columns.map((c) => {
    const v = c.render(r);
    const clip = c.cls && c.cls.includes('clip') ? (typeof v === 'string' ? v : v && v.textContent) : null;
    return h('td', { class: c.cls, 'data-label': c.label, title: clip }, v == null || v === '' ? '—' : v);
  }))));
  return h('div', { class: 'table-wrap' + (o.cards ? ' cards' : '') + (o.nowrap ? ' nowrap' : '') },
    h('table', { class: 'table', tid: o.tid }, o.caption ? h('caption', { class: 'sr' }, o.caption) : null, h('thead', {}, head), body));
}

// A row's actions behind one button (<details>: keyboard and screen readers for free); a click
// on an item or anywhere else closes it.
function rowMenu(tid, ...items) {
  const menu = h('details', { class: 'menu' },
    h('summary', { class: 'btn small', tid, 'aria-label': t('col_actions'), title: t('col_actions') }, h('span', { class: 'dots', 'aria-hidden': 'true' })),
    h('div', { class: 'menu-list', role: 'menu' }, items));
  menu.addEventListener('click', (e) => { if (e.target.closest('.menu-list button')) menu.open = false; });
  menu.addEventListener('toggle', () => { if (menu.open) placeMenu(menu); });
  return menu;
}

// Fixed to the viewport, so the table's scroll box does not clip it; below its button, or above
// when there is no room.
function placeMenu(menu) {
  const r = menu.firstChild.getBoundingClientRect();
  const list = menu.lastChild;
  list.style.right = Math.max(8, window.innerWidth - r.right) + 'px';
  list.style.top = (r.bottom + 4) + 'px';
  if (list.offsetHeight > window.innerHeight - r.bottom - 8) list.style.top = Math.max(8, r.top - 4 - list.offsetHeight) + 'px';
}
const openMenus = () => document.querySelectorAll('details.menu[open]');
document.addEventListener('click', (e) => { for (const m of openMenus()) if (!m.contains(e.target)) m.open = false; });
for (const ev of ['scroll', 'resize']) window.addEventListener(ev, () => { for (const m of openMenus()) placeMenu(m); }, true);

// ---- charts: Chart.js is loaded on the first chart, not with the page (it is most of the bytes)

let chartLib = null;
function loadChart() {
  chartLib = chartLib || new Promise((resolve, reject) => {
    document.head.append(h('script', { src: '/console/chart.js', onload: () => {
      const d = window.Chart.defaults;
      d.font.family = getComputedStyle(document.body).fontFamily;
      d.font.size = 12;
      d.color = '#64748b';
      d.plugins.legend.labels.boxWidth = 12;
      d.maintainAspectRatio = false;
      d.animation = false;
      resolve(window.Chart);
    }, onerror: () => { chartLib = null; reject(new ApiError(0, 'network', '')); } }));
  });
  return chartLib;
}

// Draws a chart on `canvas` in place of the one there, unless the page moved on meanwhile.
async function makeChart(canvas, config) {
  const C = await loadChart();
  dropChart(canvas);
  if (!canvas.isConnected) return null;
  const chart = new C(canvas, config);
  S.charts.push(chart);
  return chart;
}

function dropChart(canvas) {
  const c = window.Chart && window.Chart.getChart(canvas);
  if (c) { c.destroy(); S.charts = S.charts.filter((x) => x !== c); }
}

function destroyCharts() {
  for (const c of S.charts) c.destroy();
  S.charts = [];
}

const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#db2777', '#7c3aed', '#0891b2', '#ea580c', '#64748b', '#65a30d', '#dc2626'];
const INK = { black: '#1f2937', cyan: '#06b6d4', magenta: '#d946ef', yellow: '#eab308' };
const inkDot = (color) => (INK[color] ? h('span', { class: 'dot ink-' + color }) : null);

// ---- forms: our own validation (novalidate), so messages are in the user's language

// A labelled control. o: {name, label, type, value, required, max, min, tid, options ([value,
// label] pairs: a select), hint, autocomplete, list}
function field(o) {
  const id = 'f-' + o.name + '-' + Math.random().toString(36).slice(2, 7);
  const input = o.options ? select({ id, name: o.name, tid: o.tid }, o.options, o.value) : h('input', {
    id, name: o.name, type: o.type || 'text', value: o.value, tid: o.tid, autocomplete: o.autocomplete || 'off',
    list: o.list, 'data-required': o.required, 'data-max': o.max, 'data-min': o.min, spellcheck: 'false',
    min: o.lo, max: o.hi, step: o.lo != null ? 1 : undefined, 'data-lo': o.lo, 'data-hi': o.hi,
  });
  input.setAttribute('aria-describedby', id + '-err');
  return h('div', { class: 'field' }, h('label', { for: id }, o.label), input, o.hint ? h('div', { class: 'hint' }, o.hint) : null,
    h('div', { class: 'field-error form-error', id: id + '-err', hidden: true }));
}

function setFieldError(input, message) {
  const err = document.getElementById(input.id + '-err');
  input.setAttribute('aria-invalid', String(!!message));
  if (err) { err.textContent = message || ''; err.hidden = !message; }
}

// Checks required, length in characters and e-mail shape; marks the first bad field.
function validate(form) {
  let first = null;
  for (const el of form.querySelectorAll('input[name]')) {
    const v = el.value.trim();
    const d = el.dataset;
    let msg = '';
    if (d.required !== undefined && !v) msg = t('v_required');
    else if (v && d.max && chars(v) > Number(d.max)) msg = t('v_max_chars', { count: Number(d.max) });
    else if (v && d.min && chars(el.value) < Number(d.min)) msg = t('v_min_chars', { count: Number(d.min) });
    else if (v && d.lo !== undefined && !(/^\d+$/.test(v) && Number(v) >= Number(d.lo) && Number(v) <= Number(d.hi))) msg = t('v_whole_range', { lo: d.lo, hi: d.hi });
    else if (v && el.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) msg = t('v_email');
    else if (d.same && el.value !== form.elements[d.same].value) msg = t('v_passwords_differ');
    setFieldError(el, msg);
    first = first || (msg && el);
  }
  if (first) first.focus();
  return !first;
}

// The form's values by name; text trimmed, passwords as typed.
function values(form) {
  const out = {};
  for (const el of form.elements) if (el.name) out[el.name] = el.type === 'checkbox' ? el.checked : el.type === 'password' ? el.value : el.value.trim();
  return out;
}

// Submit: validate, one request, errors shown in the form (on the field the server names).
function onSubmit(form, action) {
  form.noValidate = true;
  // Class "error" only while shown: tests (and styles) look for a visible ".error".
  const box = h('div', { class: 'alert', role: 'alert', hidden: true });
  form.prepend(box);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    box.hidden = true;
    if (!validate(form)) return;
    const buttons = form.querySelectorAll('button');
    for (const b of buttons) b.disabled = true;
    try {
      await action(values(form));
    } catch (e) {
      const input = form.elements[fieldOf(e) || (e.code === 'wrong_password' ? 'current_password' : '')];
      if (input && input.id) { setFieldError(input, errText(e)); input.focus(); } else { box.textContent = errText(e); box.className = 'alert error'; box.hidden = false; }
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
  return form;
}

// ---- dialogs (<dialog>: focus trap, Esc and the top layer for free)

function dialog(title, body, actions, wide) {
  const dlg = h('dialog', { class: 'dlg' + (wide ? ' wide' : ''), tid: 'dialog', 'aria-labelledby': 'dlg-title' },
    h('div', { class: 'dlg-head' }, h('h2', { id: 'dlg-title' }, title),
      h('button', { class: 'icon-btn close', 'aria-label': t('close'), title: t('close'), onclick: () => dlg.close() })),
    h('div', { class: 'dlg-body' }, body),
    actions ? h('div', { class: 'dlg-foot' }, actions) : null);
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

const closeButton = (label, tid) => btn(label, (e) => e.target.closest('dialog').close(), 'primary', tid || 'dialog-ok');

// A form in a dialog: closes when `action` succeeds; errors stay in the form.
function formDialog(title, fields, okLabel, action, tid) {
  const form = h('form', { class: 'form' }, fields,
    h('div', { class: 'dlg-foot' }, btn(t('cancel'), () => dlg.close(), '', 'dialog-cancel'),
      h('button', { class: 'btn primary', type: 'submit', tid: tid || 'dialog-ok' }, okLabel)));
  onSubmit(form, async (v) => { await action(v); dlg.close(); });
  const dlg = dialog(title, form);
  const first = form.querySelector('input,select');
  if (first) first.focus();
  return dlg;
}

function confirmDialog(title, text, okLabel) {
  return new Promise((resolve) => {
    let ok = false;
    const dlg = dialog(title, h('p', {}, text), [btn(t('cancel'), () => dlg.close(), '', 'dialog-cancel'),
      btn(okLabel, () => { ok = true; dlg.close(); }, 'danger', 'dialog-ok')]);
    dlg.addEventListener('close', () => resolve(ok));
  });
}

// A secret shown once (scanner key, API token) with a copy button, in a dialog.
function secretDialog(title, intro, value, tid, copyTid, ...more) {
  const input = h('input', { class: 'secret mono', readonly: true, value, tid, 'aria-label': t('secret_value'), onfocus: (e) => e.target.select() });
  const copy = btn(t('copy'), async () => {
    let ok = false;
    try { await navigator.clipboard.writeText(value); ok = true; } catch (e) {
      input.select();
      ok = document.execCommand && document.execCommand('copy');
    }
    copy.textContent = ok ? t('copied') : t('copy_failed');
    setTimeout(() => { copy.textContent = t('copy'); }, 2500);
  }, 'primary', copyTid);
  dialog(title, [h('p', {}, intro), h('div', { class: 'secret-row' }, input, copy), more, alertBox(t('key_once'), 'warn')],
    [closeButton(t('done'))], true);
}

// ---- session, header, navigation

function isAdmin() { return S.me && S.me.role === 'admin'; }

function sessionEnded() {
  if (!S.me) return;
  S.me = S.csrf = null;
  S.next = S.route && S.route !== 'login' ? location.hash : '';
  toast(t('err_session_ended'), 'error');
  location.hash = '#/login';
}

async function setLang(lang) {
  localStorage.setItem('pm_lang', lang);
  await loadLang(lang);
  applyI18n();
  render();
  saveUserLang(lang);
}

// A signed-in user's language is theirs, not the browser's: kept by the cloud (it follows them
// to another computer and the e-mails written for them use it). At sign-in the stored choice
// wins over this browser's; a user who never chose keeps the language shown, which is stored.
function saveUserLang(lang) {
  if (!S.me || S.me.kind !== 'user' || S.me.language === lang) return;
  api('PUT', 'auth/language', { language: lang }, { quiet: true })
    .then(() => { if (S.me) S.me.language = lang; })
    .catch(() => { /* kept in this browser; stored at the next change or sign-in */ });
}

async function adoptUserLang() {
  if (!S.me || S.me.kind !== 'user') return;
  const mine = S.me.language;
  if ((mine === 'ru' || mine === 'en') && mine !== S.lang) {
    localStorage.setItem('pm_lang', mine);
    await loadLang(mine);
    applyI18n();
    fillLangSelect();
  } else if (!mine) {
    saveUserLang(S.lang);
  }
}

const langSelect = h('select', { class: 'lang', tid: 'lang-switch', onchange: (e) => setLang(e.target.value) });

function fillLangSelect() {
  clear(langSelect, h('option', { value: 'ru' }, t('lang_ru')), h('option', { value: 'en' }, t('lang_en')));
  langSelect.value = S.lang;
  langSelect.setAttribute('aria-label', t('language'));
  langSelect.title = t('language');
}

function renderHeader() {
  fillLangSelect();
  $('.nav').setAttribute('aria-label', t('nav_label'));
  if (!S.me) return;
  $('#hdr-tools').prepend(langSelect);
  $('[data-testid=header-tenant]').textContent = (S.tenant && S.tenant.name) || '';
  $('[data-testid=header-user]').textContent = $('#side-user').textContent = S.me.email || '';
  const banner = $('[data-testid=trial-banner]');
  const tn = S.tenant || {};
  banner.hidden = !['trial', 'expired', 'over_limit'].includes(tn.status);
  if (tn.status === 'trial') {
    banner.className = 'badge ' + (tn.days_left != null && tn.days_left <= 7 ? 'warn' : 'info');
    banner.textContent = t('trial_days_left', { count: Math.max(0, tn.days_left || 0) });
  } else {
    banner.className = 'badge bad';
    banner.textContent = tn.status === 'expired' ? t('trial_over') : t('over_limit_badge');
  }
  for (const el of document.querySelectorAll('[data-admin]')) el.hidden = !isAdmin();
}

// Trial days, licence and name change under us (an extension ends a 402 block).
async function loadTenant() {
  S.tenant = await api('GET', 'tenant');
  S.tenantAt = Date.now();
  renderHeader();
  return S.tenant;
}

async function loadSession() {
  const early = EARLY.session;
  EARLY.session = null;
  const me = early ? await early.me : await api('GET', 'auth/me', undefined, { public: true });
  if (me instanceof Error) throw me;
  S.me = me;
  S.csrf = S.me.csrf_token || S.csrf;
  await adoptUserLang();
  const tenant = early ? await early.tenant : null;
  if (tenant && !(tenant instanceof Error)) {
    S.tenant = tenant;
    S.tenantAt = Date.now();
    renderHeader();
  } else {
    await loadTenant();
  }
}

async function signOut(everywhere) {
  try { await api('POST', everywhere ? 'auth/logout-all' : 'auth/logout'); } catch (e) { /* the cookie may be gone already */ }
  Object.assign(S, { me: null, csrf: null, tenant: null, summary: null, sites: null, next: '' });
  location.hash = '#/login';
}

// ---- router

function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'fleet', parts, query: new URLSearchParams(query || '') };
}

// Rewrites the query of the current route without a navigation (filters, paging).
function setQuery(params) {
  history.replaceState(null, '', '#/' + (location.hash.replace(/^#\/?/, '').split('?')[0] || 'fleet') + qs(params));
}

function main() { return $('#main'); }

async function render() {
  const r = parseHash();
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/fleet');
  S.route = r.name;
  document.body.classList.remove('nav-open');
  // "Forgot password" and the reset link's page: public, signed in or not (the link may be
  // opened in a browser where someone else is signed in).
  if (r.name === 'forgot') return renderForgot();
  if (r.name === 'reset') return renderReset(r);
  if (r.name === 'login' || !S.me) {
    if (S.me) { location.hash = S.next || '#/fleet'; return; }
    if (r.name !== 'login') S.next = location.hash;
    return renderLogin();
  }
  $('#login').hidden = true;
  $('#shell').hidden = false;
  renderHeader();
  // Re-read the tenant after a block or once a minute, in the background.
  if (S.blocked || Date.now() - (S.tenantAt || 0) > 60000) {
    S.blocked = false;
    loadTenant().catch(() => {});
  }
  for (const a of document.querySelectorAll('.nav a')) {
    const on = a.dataset.nav === r.name || (r.name === 'devices' && a.dataset.nav === 'fleet') ||
      (['rules', 'channels', 'deliveries'].includes(r.name) && a.dataset.nav === 'alerts');
    a.classList.toggle('active', on);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const page = routes[r.name] || routes.fleet;
  refreshOpenCount(false);  // alerts.js: the open-alert count beside "Alerts"
  destroyCharts();
  const view = h('div', { class: 'view' });
  clear(main(), view);
  if (page.admin && !isAdmin()) return view.append(empty(t('admin_only'), t('admin_only_text')));
  try {
    await page(view, r);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 402 || e.status === 401)) return;
    if (view.isConnected) clear(view, errorPanel(e, render));
    if (!(e instanceof ApiError)) console.error(e);
  }
}

// 402 from any read: the tenant's trial or licence is over. Data is still collected; the page
// says so instead of showing an error, drawn again with the tenant read afresh (the dates). The
// header keeps working.
function showBlocked(err) {
  if (!S.me) return;
  S.blocked = true;
  destroyCharts();
  const view = clear(main(), h('div', { class: 'view' })).firstChild;
  const draw = () => {
    const tn = S.tenant || {};
    let title, text;
    if (err.code === 'device_limit') {
      title = t('blocked_limit_title');
      text = t('blocked_limit_text', { devices: tn.devices || 0, limit: tn.device_limit || 0 });
    } else if (err.code === 'licence_expired') {
      title = t('blocked_licence_title');
      text = tn.licensed_until ? t('blocked_licence_text_on', { date: fmtTime(tn.licensed_until) }) : t('blocked_licence_text');
    } else {
      title = t('blocked_trial_title');
      text = tn.trial_ends_at ? t('blocked_trial_text_on', { date: fmtTime(tn.trial_ends_at) }) : t('blocked_trial_text');
    }
    clear(view, h('section', { class: 'blocked', tid: 'trial-ended', role: 'alert' },
      h('div', { class: 'blocked-icon', 'aria-hidden': 'true' }),
      h('h1', {}, title),
      h('p', { class: 'lead' }, text),
      h('ul', { class: 'blocked-list' }, [t('blocked_kept'), t('blocked_collecting'), isAdmin() ? t('blocked_contact_admin') : t('blocked_contact_viewer')].map((x) => h('li', {}, x))),
      note(t('blocked_code', { code: err.code }))));
  };
  draw();
  loadTenant().then(() => { if (view.isConnected) draw(); }).catch(() => {});
}

// ---- sign-in

function renderLogin(choices, creds) {
  const err = h('div', { class: 'alert error', role: 'alert', tid: 'login-error', hidden: true });
  const fail = (e) => { err.textContent = errText(e); err.hidden = false; };

  const signIn = async (body) => {
    const r = await api('POST', 'auth/login', Object.assign({ cookie: true }, body), { public: true });
    if (r.choose_tenant) return renderLogin(r.choose_tenant, body);
    S.csrf = r.csrf_token;
    await loadSession();
    const next = S.next && !S.next.startsWith('#/login') ? S.next : '#/fleet';
    S.next = '';
    if (location.hash === next) render(); else location.hash = next;
  };

  let content;
  if (choices) {
    content = h('div', { class: 'tenant-pick' },
      h('h1', {}, t('choose_tenant')), note(t('choose_tenant_text')), err,
      h('ul', { class: 'choices' }, choices.map((c) => h('li', {}, h('button', {
        class: 'choice', tid: 'tenant-choice', 'data-tenant-id': c.tenant_id,
        onclick: async (ev) => {
          const b = ev.currentTarget;
          b.disabled = true;
          try { await signIn(Object.assign({}, creds, { tenant_id: c.tenant_id })); } catch (e) { fail(e); b.disabled = false; }
        },
      }, h('span', { class: 'choice-name' }, c.name), h('span', { class: 'chev', 'aria-hidden': 'true' }))))),
      btn(t('back'), () => renderLogin(), 'ghost', 'tenant-back'));
  } else {
    content = h('form', { class: 'form', tid: 'login-form', method: 'post', action: '#' },
      h('h1', {}, t('sign_in_title')), note(t('sign_in_text')),
      field({ name: 'email', label: t('f_email'), type: 'email', required: true, max: 254, tid: 'login-email', autocomplete: 'username' }),
      field({ name: 'password', label: t('f_password'), type: 'password', required: true, max: 256, tid: 'login-password', autocomplete: 'current-password' }),
      h('button', { class: 'btn primary block', type: 'submit', tid: 'login-submit' }, t('sign_in')),
      h('p', { class: 'login-alt' }, h('a', { href: '#/forgot', tid: 'forgot-link' }, t('forgot_password'))));
    onSubmit(content, async (v) => {
      err.hidden = true;
      try { await signIn({ email: v.email, password: v.password }); } catch (e) { if (e.code === 'login_failed' || e.code === 'too_many_attempts') { fail(e); return; } throw e; }
    });
    // Errors under the title, not above it.
    content.querySelector('p').after(content.querySelector('.alert'), err);
  }
  loginCard(content);
}

// The card of the pages before sign-in (sign-in, forgot password, reset), focus on its first input.
function loginCard(content) {
  $('#shell').hidden = true;
  const box = $('#login');
  box.hidden = false;
  fillLangSelect();
  clear(box, h('div', { class: 'login-card' },
    h('div', { class: 'login-top' }, h('div', { class: 'brand' }, h('img', { src: '/console/logo.svg', alt: '', width: 32, height: 32 }), h('span', {}, t('brand'))), langSelect),
    content),
  h('p', { class: 'login-foot muted' }, t('login_footer')));
  const first = box.querySelector('input');
  if (first) first.focus();
}

// ---- forgot password: ask for a link by e-mail; the link opens #/reset?token=...

const backToSignIn = (tid) => h('p', { class: 'login-alt' }, h('a', { href: '#/login', tid }, t('back_to_sign_in')));

// The server answers the same whether or not the address has an account, and so does the page.
function renderForgot() {
  const form = h('form', { class: 'form', tid: 'forgot-form', method: 'post', action: '#' },
    h('h1', {}, t('forgot_title')), note(t('forgot_text')),
    field({ name: 'email', label: t('f_email'), type: 'email', required: true, max: 254, tid: 'forgot-email', autocomplete: 'username' }),
    h('button', { class: 'btn primary block', type: 'submit', tid: 'forgot-submit' }, t('forgot_send')),
    backToSignIn('forgot-back'));
  onSubmit(form, async (v) => {
    try {
      await api('POST', 'auth/password-reset', { email: v.email, language: S.lang }, { public: true });
    } catch (e) {
      if (e.code === 'too_many_attempts') throw new ApiError(e.status, 'too_many_resets', e.message, e.retryAfter);
      throw e;
    }
    loginCard(h('div', { class: 'form' }, h('h1', {}, t('forgot_title')),
      alertBox(t('forgot_sent', { email: v.email }), 'info', 'forgot-sent'), backToSignIn('forgot-back')));
  });
  form.querySelector('p').after(form.querySelector('.alert'));
  loginCard(form);
}

// The token is taken out of the address bar at once (history, a shared screen) and kept here.
function renderReset(r) {
  const fromLink = r.query.get('token');
  if (fromLink) {
    S.resetToken = fromLink;
    history.replaceState(null, '', '#/reset');
  }
  const token = S.resetToken || '';
  const newLink = () => h('p', { class: 'login-alt' }, h('a', { href: '#/forgot', tid: 'reset-new-link' }, t('request_new_link')));
  const refused = (text) => loginCard(h('div', { class: 'form' }, h('h1', {}, t('reset_title')),
    alertBox(text, 'error', 'reset-error'), newLink(), backToSignIn('reset-back')));
  if (!token) return refused(t('reset_no_token'));
  const form = h('form', { class: 'form', tid: 'reset-form', method: 'post', action: '#' },
    h('h1', {}, t('reset_title')), note(t('reset_text')),
    field({ name: 'password', label: t('f_new_password'), type: 'password', required: true, min: 10, max: 256, tid: 'reset-password', autocomplete: 'new-password', hint: t('password_hint') }),
    field({ name: 'repeat', label: t('f_repeat_password'), type: 'password', required: true, tid: 'reset-repeat', autocomplete: 'new-password' }),
    h('button', { class: 'btn primary block', type: 'submit', tid: 'reset-submit' }, t('reset_save')));
  form.elements.repeat.dataset.same = 'password';
  onSubmit(form, async (v) => {
    try {
      await api('POST', 'auth/password-reset/confirm', { token, password: v.password }, { public: true });
    } catch (e) {
      const gone = { invalid_token: t('err_invalid_token'), token_expired: t('err_token_expired'), token_used: t('err_token_used') };
      if (gone[e.code]) { S.resetToken = null; return refused(gone[e.code]); }
      throw e;
    }
    S.resetToken = null;
    // The account's sessions have ended (this browser's, if it was signed in as that user):
    // start again from the sign-in.
    Object.assign(S, { me: null, csrf: null, tenant: null, summary: null, sites: null, next: '' });
    loginCard(h('div', { class: 'form' }, h('h1', {}, t('reset_title')),
      alertBox(t('reset_done'), 'info', 'reset-done'),
      h('a', { class: 'btn primary block', href: '#/login', tid: 'reset-sign-in' }, t('sign_in'))));
  });
  form.querySelector('p').after(form.querySelector('.alert'));
  loginCard(form);
}

// ---- boot

async function boot() {
  await loadLang(pickLang());
  applyI18n();
  fillLangSelect();
  const toggle = $('#nav-toggle');
  toggle.addEventListener('click', () => toggle.setAttribute('aria-expanded', String(document.body.classList.toggle('nav-open'))));
  $('#scrim').addEventListener('click', () => document.body.classList.remove('nav-open'));
  for (const b of document.querySelectorAll('[data-action=logout]')) b.addEventListener('click', () => signOut(false));
  // A link to the page already shown (the same URL) fires only popstate; a new hash fires both.
  let queued = false;
  const schedule = () => { if (!queued) { queued = true; setTimeout(() => { queued = false; render(); }, 0); } };
  window.addEventListener('hashchange', schedule);
  window.addEventListener('popstate', schedule);
  try {
    await loadSession();
  } catch (e) {
    S.me = null;
  }
  document.body.classList.remove('booting');
  render();
}

// Requests the first render needs, started as soon as this script runs and all at once: the
// catalogue, who is signed in, the tenant and (on the fleet page) the fleet summary. One after
// another they were the most of the fleet page's first second (docs/benchmarks.md). Each is
// used once; later reads go to the API as usual.
// Marks a promise's failure as handled (its consumer, if any, still sees it): an early request
// nobody ends up using must not log an unhandled rejection.
function handled(p) {
  p.catch(() => {});
  return p;
}
const EARLY = (() => {
  const quiet = { public: true, quiet: true };
  const lang = pickLang();
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/');
  const route = parts[0];
  const get = {};
  const start = (p) => { get[p] = handled(api('GET', p, undefined, quiet)); };
  if (route === '' || route === 'fleet') {
    start('fleet/summary');
    if (!query) start('devices?sort=last_seen&limit=50&offset=0');  // the unfiltered first page
  } else if (route === 'devices' && parts[1] && /^[0-9a-fA-F-]{1,64}$/.test(parts[1])) {
    start('devices/' + parts[1]);
  }
  return {
    cat: { lang, json: handled(fetch('/console/i18n-' + lang + '.json', { credentials: 'same-origin' }).then((r) => r.json())) },
    session: {
      me: api('GET', 'auth/me', undefined, quiet).catch((e) => e),
      tenant: api('GET', 'tenant', undefined, quiet).catch((e) => e),
    },
    get,
    at: Date.now(),
  };
})();
// GET `path` of the API: the answer of the same request started early when there is one (each
// is used once), else a new request. An early one that failed (no session yet at script start:
// the user signed in since) is asked for again, so errors show as for any other request.
function apiGetEarly(path) {
  const p = EARLY.get[path];
  delete EARLY.get[path];
  // Only for the first render: an answer left unused that long is not shown as current.
  if (!p || Date.now() - EARLY.at > 15000) return api('GET', path);
  return p.catch(() => api('GET', path));
}

document.addEventListener('DOMContentLoaded', boot);
