// printmon cloud console: core (i18n, API, formatting, DOM helpers, dialogs), the shell
// (header, navigation, router), sign-in and the "trial ended" page. The pages live in fleet.js,
// reports.js and admin.js, loaded after this file (all `defer`, so they run before
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
//             tenant-choice (one per tenant, data-tenant-id), tenant-back
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
//             chart-supplies, device-readings, device-events, device-changes, device-not-found
//   pages:    pv-group, pv-period, pv-date, pv-from, pv-to, pv-name, pv-show, pv-range,
//             pv-chart, pv-table, pv-export-csv, pv-export-xlsx, mr-date, mr-interpolate,
//             mr-show, mr-table, mr-more, mr-export-csv, mr-export-xlsx
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
//   settings: settings-tenant-name, settings-timezone, settings-save, settings-language,
//             pw-current, pw-new, pw-repeat, pw-save, logout-all, licence-status
'use strict';

const S = {
  lang: 'en', cat: {}, plural: null, me: null, tenant: null, csrf: null, summary: null,
  charts: [], sites: null, fmt: {}, route: '', next: '',
};
const routes = {};
const LANGS = ['ru', 'en'];

// ---------------------------------------------------------------------------------------------
// DOM

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'tid') el.setAttribute('data-testid', v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (sel, root) => (root || document).querySelector(sel);
const clear = (el, ...kids) => { el.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false)); return el; };

// ---------------------------------------------------------------------------------------------
// i18n: flat catalogues, {placeholders}, plural keys "<key>.one|few|many|other".

function pickLang() {
  const saved = localStorage.getItem('pm_lang');
  if (LANGS.includes(saved)) return saved;
  const list = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
  return String(list[0] || '').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

async function loadLang(lang) {
  const res = await fetch('/console/i18n-' + lang + '.json', { credentials: 'same-origin' });
  S.cat = await res.json();
  S.lang = lang;
  S.plural = new Intl.PluralRules(lang);
  S.fmt = {};
  document.documentElement.lang = lang;
}

function showValue(v) {
  if (typeof v === 'number') return num(v);
  return v === undefined || v === null ? '' : String(v);
}

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
    const rest = body.slice(body.indexOf(',', body.indexOf(',') + 1) + 1);
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

// i18n-ignore on the lines below: the keys come from data-i18n* attributes of index.html, which
// the catalogue checker reads itself.
function applyI18n(root) {
  const r = root || document;
  for (const el of r.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);  // i18n-ignore
  for (const el of r.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);  // i18n-ignore
  for (const el of r.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);  // i18n-ignore
  for (const el of r.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));  // i18n-ignore
}

// ---------------------------------------------------------------------------------------------
// formatting: the chosen language, times in the tenant's time zone

function tz() { return (S.tenant && S.tenant.time_zone) || 'UTC'; }

function fmtr(name, make) {
  const k = name + '|' + S.lang + '|' + tz();
  return S.fmt[k] || (S.fmt[k] = make());
}

function num(n) {
  if (n === null || n === undefined || n === '') return '—';
  return fmtr('n', () => new Intl.NumberFormat(S.lang)).format(n);
}

function pct(n) { return n === null || n === undefined ? '—' : num(n) + '\u00a0%'; }

function fmtTime(iso) {
  if (!iso) return '—';
  return fmtr('dt', () => new Intl.DateTimeFormat(S.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: tz() })).format(new Date(iso));
}

function fmtHour(iso) {
  return fmtr('hm', () => new Intl.DateTimeFormat(S.lang, { hour: '2-digit', minute: '2-digit', timeZone: tz() })).format(new Date(iso));
}

// A calendar day "YYYY-MM-DD" (no time zone of its own).
function fmtDay(day, short) {
  if (!day) return '—';
  const f = short
    ? fmtr('ds', () => new Intl.DateTimeFormat(S.lang, { day: 'numeric', month: 'short', timeZone: 'UTC' }))
    : fmtr('dd', () => new Intl.DateTimeFormat(S.lang, { dateStyle: 'medium', timeZone: 'UTC' }));
  return f.format(new Date(day.slice(0, 10) + 'T00:00:00Z'));
}

function fmtRel(iso) {
  if (!iso) return t('never');
  const s = (Date.parse(iso) - Date.now()) / 1000;
  const rtf = fmtr('rel', () => new Intl.RelativeTimeFormat(S.lang, { numeric: 'auto' }));
  const a = Math.abs(s);
  if (a < 45) return t('just_now');
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  if (a < 86400 * 45) return rtf.format(Math.round(s / 86400), 'day');
  return fmtTime(iso);
}

function relTime(iso) {
  return h('time', { datetime: iso || null, title: iso ? fmtTime(iso) : null }, fmtRel(iso));
}

// Today as "YYYY-MM-DD" in the tenant's time zone (periods are the tenant's days).
function today() {
  return fmtr('ymd', () => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: tz() })).format(new Date());
}

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const chars = (s) => [...String(s || '')].length;

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

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
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || 'http_' + res.status, e.message || '', res.headers.get('Retry-After'));
    if (res.status === 401 && !(opts && opts.public)) sessionEnded();
    if (res.status === 402 && !(opts && opts.quiet)) showBlocked(err);
    throw err;
  }
  return data;
}

function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '' && v !== false) p.set(k, String(v));
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
    time_zone: t('f_time_zone'), to: t('f_new_name'),
  })[f] || f;
}

// A translated sentence for an API failure, chosen by its code.
function errText(e) {
  if (!(e instanceof ApiError)) return t('err_unexpected');
  const f = fieldOf(e);
  switch (e.code) {
    case 'network': return t('err_network');
    case 'login_failed': return t('err_login_failed');
    case 'too_many_attempts': return t('err_too_many_attempts', { count: Math.max(1, Math.ceil((Number(e.retryAfter) || 60) / 60)) });
    case 'csrf_failed': return t('err_csrf');
    case 'unauthorized': return t('err_session_ended');
    case 'wrong_password': return t('err_wrong_password');
    case 'forbidden': return t('err_forbidden');
    case 'not_found': return t('err_not_found');
    case 'conflict': return f === 'email' || /email/i.test(e.message) ? t('err_email_taken') : t('err_conflict');
    case 'unknown_scanner': return t('err_unknown_scanner');
    case 'invalid_export': return t('err_invalid_export');
    case 'invalid_json': return t('err_invalid_body');
    case 'payload_too_large': return t('err_too_large');
    case 'query_timeout': return t('err_query_timeout');
    case 'refreshing': return t('err_refreshing');
    case 'overloaded': return t('err_overloaded');
    case 'invalid_parameter': case 'unknown_parameter': return t('err_invalid_parameter');
    case 'invalid_body':
      if (/password/.test(f) && /short|least/i.test(e.message)) return t('err_password_short', { count: 10 });
      if (f === 'time_zone') return t('err_time_zone');
      return f ? t('err_invalid_field', { field: fieldLabel(f) }) : t('err_invalid_body');
    default:
      if (e.status === 413) return t('err_too_large');
      if (e.status >= 500) return t('err_server');
      return e.message ? t('err_other', { message: e.message }) : t('err_unexpected');
  }
}

// ---------------------------------------------------------------------------------------------
// small widgets

function toast(message, kind) {
  const box = $('#toasts');
  const el = h('div', { class: 'toast ' + (kind || 'ok'), role: kind === 'error' ? 'alert' : 'status', tid: 'toast' }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

// CSV and XLSX links of a list: plain links, the session cookie authenticates the GET. The file
// name is a hint (a Content-Disposition of the server wins).
function exportLinks(path, params, name, prefix) {
  return ['csv', 'xlsx'].map((fmt) => h('a', {
    class: 'btn', href: '/api/v1/' + path + qs(Object.assign({}, params, { format: fmt, lang: S.lang })),
    download: 'printmon-' + name + '-' + today() + '.' + fmt, tid: prefix + fmt,
  }, fmt === 'csv' ? t('export_csv') : t('export_xlsx')));
}

function badge(cls, text, tid) { return h('span', { class: 'badge ' + cls, tid }, text); }

function pageHead(title, sub, ...actions) {
  document.title = title + ' · ' + t('brand');
  return h('div', { class: 'page-head' },
    h('div', {}, h('h1', {}, title), sub ? h('p', { class: 'sub' }, sub) : null),
    h('div', { class: 'actions' }, ...actions));
}

function card(title, tid, ...body) {
  return h('section', { class: 'card', tid }, title ? h('h2', {}, title) : null, ...body);
}

function empty(title, text, ...actions) {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }),
    h('p', { class: 'empty-title' }, title), text ? h('p', { class: 'muted' }, text) : null,
    actions.length ? h('div', { class: 'actions center' }, ...actions) : null);
}

function loading() { return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')); }

function errorPanel(e, retry) {
  return h('div', { class: 'alert error', role: 'alert', tid: 'page-error' }, errText(e),
    retry ? h('button', { class: 'btn small', type: 'button', onclick: retry }, t('retry')) : null);
}

// A table: columns [{key, label, cls, render(row), sort}], rows. Cells carry data-label so the
// "cards" layout shows them as labelled lines on a phone.
function table(columns, rows, opts) {
  const o = opts || {};
  const head = h('tr', {}, columns.map((c) => {
    const th = h('th', { scope: 'col', class: c.cls || null }, c.label);
    if (o.sort && c.sort) {
      const active = o.sort.key === c.sort;
      th.setAttribute('aria-sort', active ? (o.sort.order === 'desc' ? 'descending' : 'ascending') : 'none');
      const btn = (key, label) => h('button', { type: 'button', class: 'sort' + (o.sort.key === key ? ' on ' + o.sort.order : ''), tid: 'sort-' + key, onclick: () => o.sort.set(key) }, label, h('span', { class: 'arrow', 'aria-hidden': 'true' }));
      clear(th, btn(c.sort, c.label), c.sort2 ? [h('span', { class: 'sep' }, '/'), btn(c.sort2[0], c.sort2[1])] : null);
      if (c.sort2 && o.sort.key === c.sort2[0]) th.setAttribute('aria-sort', o.sort.order === 'desc' ? 'descending' : 'ascending');
    }
    return th;
  }));
  const body = h('tbody', {}, rows.map((r) => {
    const tr = h('tr', o.row ? o.row(r) : {}, columns.map((c) => {
      const v = c.render ? c.render(r) : r[c.key];
      const clip = c.cls && c.cls.includes('clip') ? (typeof v === 'string' ? v : v && v.textContent) : null;
      return h('td', { class: c.cls || null, 'data-label': c.label, title: clip || null }, v === null || v === undefined || v === '' ? '—' : v);
    }));
    return tr;
  }));
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
document.addEventListener('click', (e) => {
  for (const m of document.querySelectorAll('details.menu[open]')) if (!m.contains(e.target)) m.open = false;
});
for (const ev of ['scroll', 'resize']) {
  window.addEventListener(ev, () => { for (const m of document.querySelectorAll('details.menu[open]')) placeMenu(m); }, true);
}

// Chart.js is loaded on the first chart, not with the page (it is most of the bytes).
let chartLib = null;
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLib) {
    chartLib = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/console/chart.js';
      s.onload = () => {
        const C = window.Chart;
        C.defaults.font.family = getComputedStyle(document.body).fontFamily;
        C.defaults.font.size = 12;
        C.defaults.color = '#64748b';
        C.defaults.plugins.legend.labels.boxWidth = 12;
        C.defaults.maintainAspectRatio = false;
        C.defaults.animation = false;
        resolve(C);
      };
      s.onerror = () => { chartLib = null; reject(new ApiError(0, 'network', '')); };
      document.head.append(s);
    });
  }
  return chartLib;
}

async function makeChart(canvas, config) {
  const C = await loadChart();
  if (!canvas.isConnected) return null;
  const chart = new C(canvas, config);
  S.charts.push(chart);
  return chart;
}

function destroyCharts() {
  for (const c of S.charts) c.destroy();
  S.charts = [];
}

const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#db2777', '#7c3aed', '#0891b2', '#ea580c', '#64748b', '#65a30d', '#dc2626'];
const INK = { black: '#1f2937', cyan: '#06b6d4', magenta: '#d946ef', yellow: '#eab308' };

// ---------------------------------------------------------------------------------------------
// forms: our own validation (novalidate), so messages are in the user's language

// A labelled control. o: {name, label, type, value, required, max, min, tid, options, hint,
// autocomplete, list, placeholder}
function field(o) {
  const id = 'f-' + o.name + '-' + Math.random().toString(36).slice(2, 7);
  let input;
  if (o.options) {
    input = h('select', { id, name: o.name, tid: o.tid, required: o.required }, o.options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(o.value) }, label)));
  } else {
    input = h('input', {
      id, name: o.name, type: o.type || 'text', value: o.value, tid: o.tid, autocomplete: o.autocomplete || 'off',
      list: o.list, placeholder: o.placeholder, 'data-required': o.required, 'data-max': o.max, 'data-min': o.min, spellcheck: 'false',
    });
  }
  const err = h('div', { class: 'field-error form-error', id: id + '-err', hidden: true });
  input.setAttribute('aria-describedby', id + '-err');
  return h('div', { class: 'field' }, h('label', { for: id }, o.label), input, o.hint ? h('div', { class: 'hint' }, o.hint) : null, err);
}

function setFieldError(input, message) {
  const err = document.getElementById(input.id + '-err');
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  if (err) { err.textContent = message || ''; err.hidden = !message; }
}

// Checks required, length in characters and e-mail shape; marks the first bad field.
function validate(form) {
  let first = null;
  for (const el of form.querySelectorAll('input[name]')) {
    const v = el.value.trim();
    let msg = '';
    if (el.dataset.required !== undefined && !v) msg = t('v_required');
    else if (v && el.dataset.max && chars(v) > Number(el.dataset.max)) msg = t('v_max_chars', { count: Number(el.dataset.max) });
    else if (v && el.dataset.min && chars(el.value) < Number(el.dataset.min)) msg = t('v_min_chars', { count: Number(el.dataset.min) });
    else if (v && el.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) msg = t('v_email');
    else if (el.dataset.same && el.value !== form.elements[el.dataset.same].value) msg = t('v_passwords_differ');
    setFieldError(el, msg);
    if (msg && !first) first = el;
  }
  if (first) first.focus();
  return !first;
}

function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.type === 'password' ? el.value : el.value.trim();
  }
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
      const name = fieldOf(e) || (e.code === 'wrong_password' ? 'current_password' : '');
      const input = name && form.elements[name];
      if (input && input.id) { setFieldError(input, errText(e)); input.focus(); } else { box.textContent = errText(e); box.className = 'alert error'; box.hidden = false; }
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
  return form;
}

// ---------------------------------------------------------------------------------------------
// dialogs (<dialog>: focus trap, Esc and the top layer for free)

function dialog(title, body, actions, opts) {
  const dlg = h('dialog', { class: 'dlg' + (opts && opts.wide ? ' wide' : ''), tid: 'dialog', 'aria-labelledby': 'dlg-title' },
    h('div', { class: 'dlg-head' }, h('h2', { id: 'dlg-title' }, title),
      h('button', { class: 'icon-btn close', type: 'button', 'aria-label': t('close'), title: t('close'), onclick: () => dlg.close() })),
    h('div', { class: 'dlg-body' }, body),
    actions ? h('div', { class: 'dlg-foot' }, actions) : null);
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

// A form in a dialog: closes when `action` succeeds; errors stay in the form.
function formDialog(title, fields, okLabel, action, tid) {
  let dlg;
  const form = h('form', { class: 'form' }, fields,
    h('div', { class: 'dlg-foot' },
      h('button', { class: 'btn', type: 'button', tid: 'dialog-cancel', onclick: () => dlg.close() }, t('cancel')),
      h('button', { class: 'btn primary', type: 'submit', tid: tid || 'dialog-ok' }, okLabel)));
  onSubmit(form, async (v) => { await action(v); dlg.close(); });
  dlg = dialog(title, form);
  const first = form.querySelector('input,select');
  if (first) first.focus();
  return dlg;
}

function confirmDialog(title, text, okLabel, danger) {
  return new Promise((resolve) => {
    let ok = false;
    const dlg = dialog(title, h('p', {}, text), [
      h('button', { class: 'btn', type: 'button', tid: 'dialog-cancel', onclick: () => dlg.close() }, t('cancel')),
      h('button', { class: 'btn ' + (danger ? 'danger' : 'primary'), type: 'button', tid: 'dialog-ok', onclick: () => { ok = true; dlg.close(); } }, okLabel),
    ]);
    dlg.addEventListener('close', () => resolve(ok));
  });
}

// A secret shown once (scanner key, API token) with a copy button.
function secretBox(value, tid, copyTid) {
  const input = h('input', { class: 'secret mono', readonly: true, value, tid, 'aria-label': t('secret_value'), onfocus: (e) => e.target.select() });
  const btn = h('button', { class: 'btn primary', type: 'button', tid: copyTid, onclick: async () => {
    let ok = false;
    try { await navigator.clipboard.writeText(value); ok = true; } catch (e) {
      input.select();
      ok = document.execCommand && document.execCommand('copy');
    }
    btn.textContent = ok ? t('copied') : t('copy_failed');
    setTimeout(() => { btn.textContent = t('copy'); }, 2500);
  } }, t('copy'));
  return h('div', { class: 'secret-row' }, input, btn);
}

// ---------------------------------------------------------------------------------------------
// session, header, navigation

function isAdmin() { return S.me && S.me.role === 'admin'; }

function sessionEnded() {
  if (!S.me) return;
  S.me = null;
  S.csrf = null;
  S.next = S.route && S.route !== 'login' ? location.hash : '';
  toast(t('err_session_ended'), 'error');
  location.hash = '#/login';
}

const langSelect = h('select', { class: 'lang', tid: 'lang-switch', onchange: async (e) => {
  localStorage.setItem('pm_lang', e.target.value);
  await loadLang(e.target.value);
  applyI18n();
  renderHeader();
  render();
} });

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
  $('[data-testid=header-user]').textContent = S.me.email || '';
  $('#side-user').textContent = S.me.email || '';
  const banner = $('[data-testid=trial-banner]');
  const tn = S.tenant;
  banner.hidden = !tn || (tn.status !== 'trial' && tn.status !== 'expired' && tn.status !== 'over_limit');
  if (tn && tn.status === 'trial') {
    banner.className = 'badge ' + (tn.days_left !== null && tn.days_left <= 7 ? 'warn' : 'info');
    banner.textContent = t('trial_days_left', { count: Math.max(0, tn.days_left || 0) });
  } else if (tn && (tn.status === 'expired' || tn.status === 'over_limit')) {
    banner.className = 'badge bad';
    banner.textContent = tn.status === 'expired' ? t('trial_over') : t('over_limit_badge');
  }
  for (const el of document.querySelectorAll('[data-admin]')) el.hidden = !isAdmin();
}

async function loadSession() {
  S.me = await api('GET', 'auth/me', undefined, { public: true });
  S.csrf = S.me.csrf_token || S.csrf;
  S.tenant = await api('GET', 'tenant');
  S.tenantAt = Date.now();
}

async function signOut(everywhere) {
  try { await api('POST', everywhere ? 'auth/logout-all' : 'auth/logout'); } catch (e) { /* the cookie may be gone already */ }
  S.me = null; S.csrf = null; S.tenant = null; S.summary = null; S.sites = null; S.next = '';
  location.hash = '#/login';
}

// ---------------------------------------------------------------------------------------------
// router

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'fleet', parts, query: new URLSearchParams(query || '') };
}

// Rewrites the query of the current route without a navigation (filters, paging).
function setQuery(params) {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0] || 'fleet';
  history.replaceState(null, '', '#/' + name + qs(params));
}

function main() { return $('#main'); }

function newView() {
  destroyCharts();
  const view = h('div', { class: 'view' });
  clear(main(), view);
  return view;
}

async function render() {
  const r = parseHash();
  if (!location.hash.startsWith('#/')) { history.replaceState(null, '', '#/fleet'); }
  S.route = r.name;
  document.body.classList.remove('nav-open');
  if (r.name === 'login' || !S.me) {
    if (S.me) { location.hash = S.next || '#/fleet'; return; }
    if (r.name !== 'login') S.next = location.hash;
    return renderLogin();
  }
  $('#login').hidden = true;
  $('#shell').hidden = false;
  renderHeader();
  // Trial days, licence and name change under us (an extension ends a 402 block): re-read the
  // tenant after a block or once a minute, in the background.
  if (S.blocked || Date.now() - (S.tenantAt || 0) > 60000) {
    S.blocked = false;
    api('GET', 'tenant').then((tn) => { S.tenant = tn; S.tenantAt = Date.now(); renderHeader(); }).catch(() => {});
  }
  for (const a of document.querySelectorAll('.nav a')) {
    const on = a.dataset.nav === r.name || (r.name === 'devices' && a.dataset.nav === 'fleet');
    a.classList.toggle('active', on);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const page = routes[r.name] || routes.fleet;
  const view = newView();
  if (page.admin && !isAdmin()) {
    view.append(empty(t('admin_only'), t('admin_only_text')));
    return;
  }
  try {
    await page(view, r);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 402 || e.status === 401)) return;
    if (view.isConnected) clear(view, errorPanel(e, render));
    if (!(e instanceof ApiError)) console.error(e);
  }
}

// 402 from any read: the tenant's trial or licence is over. Data is still collected; the page
// says so instead of showing an error. The header keeps working.
function showBlocked(err) {
  if (!S.me) return;
  S.blocked = true;
  api('GET', 'tenant').then((tn) => { S.tenant = tn; renderHeader(); }).catch(() => {});
  const tn = S.tenant || {};
  const title = err.code === 'device_limit' ? t('blocked_limit_title') : err.code === 'licence_expired' ? t('blocked_licence_title') : t('blocked_trial_title');
  let text;
  if (err.code === 'device_limit') text = t('blocked_limit_text', { devices: tn.devices || 0, limit: tn.device_limit || 0 });
  else if (err.code === 'licence_expired') text = tn.licensed_until ? t('blocked_licence_text_on', { date: fmtTime(tn.licensed_until) }) : t('blocked_licence_text');
  else text = tn.trial_ends_at ? t('blocked_trial_text_on', { date: fmtTime(tn.trial_ends_at) }) : t('blocked_trial_text');
  destroyCharts();
  clear(main(), h('div', { class: 'view' }, h('section', { class: 'blocked', tid: 'trial-ended', role: 'alert' },
    h('div', { class: 'blocked-icon', 'aria-hidden': 'true' }),
    h('h1', {}, title),
    h('p', { class: 'lead' }, text),
    h('ul', { class: 'blocked-list' },
      h('li', {}, t('blocked_kept')),
      h('li', {}, t('blocked_collecting')),
      h('li', {}, isAdmin() ? t('blocked_contact_admin') : t('blocked_contact_viewer'))),
    h('p', { class: 'muted' }, t('blocked_code', { code: err.code })))));
}

// ---------------------------------------------------------------------------------------------
// sign-in

function renderLogin(choices, creds) {
  $('#shell').hidden = true;
  const box = $('#login');
  box.hidden = false;
  fillLangSelect();
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
      h('h1', {}, t('choose_tenant')), h('p', { class: 'muted' }, t('choose_tenant_text')), err,
      h('ul', { class: 'choices' }, choices.map((c) => h('li', {}, h('button', {
        class: 'choice', type: 'button', tid: 'tenant-choice', 'data-tenant-id': c.tenant_id,
        onclick: async (ev) => {
          ev.currentTarget.disabled = true;
          try { await signIn(Object.assign({}, creds, { tenant_id: c.tenant_id })); } catch (e) { fail(e); ev.target.disabled = false; }
        },
      }, h('span', { class: 'choice-name' }, c.name), h('span', { class: 'chev', 'aria-hidden': 'true' }))))),
      h('button', { class: 'btn ghost', type: 'button', tid: 'tenant-back', onclick: () => renderLogin() }, t('back')));
  } else {
    const form = h('form', { class: 'form', tid: 'login-form', method: 'post', action: '#' },
      h('h1', {}, t('sign_in_title')), h('p', { class: 'muted' }, t('sign_in_text')),
      field({ name: 'email', label: t('f_email'), type: 'email', required: true, max: 254, tid: 'login-email', autocomplete: 'username' }),
      field({ name: 'password', label: t('f_password'), type: 'password', required: true, max: 256, tid: 'login-password', autocomplete: 'current-password' }),
      h('button', { class: 'btn primary block', type: 'submit', tid: 'login-submit' }, t('sign_in')));
    onSubmit(form, async (v) => {
      err.hidden = true;
      try { await signIn({ email: v.email, password: v.password }); } catch (e) { if (e.code === 'login_failed' || e.code === 'too_many_attempts') { fail(e); return; } throw e; }
    });
    form.querySelector('p').after(form.querySelector('.alert'), err);
    content = form;
  }
  clear(box, h('div', { class: 'login-card' },
    h('div', { class: 'login-top' }, h('div', { class: 'brand' }, h('img', { src: '/console/logo.svg', alt: '', width: 32, height: 32 }), h('span', {}, t('brand'))), langSelect),
    content),
  h('p', { class: 'login-foot muted' }, t('login_footer')));
  const first = box.querySelector('input');
  if (first) first.focus();
}

// ---------------------------------------------------------------------------------------------
// boot

async function boot() {
  await loadLang(pickLang());
  applyI18n();
  fillLangSelect();
  $('#nav-toggle').addEventListener('click', () => {
    const open = document.body.classList.toggle('nav-open');
    $('#nav-toggle').setAttribute('aria-expanded', String(open));
  });
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

document.addEventListener('DOMContentLoaded', boot);
