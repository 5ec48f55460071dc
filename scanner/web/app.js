// printmon scanner web UI: plain JavaScript, no build step, no third-party code.
// Every page calls the same JSON API a script would (/api/...). DOM is built with
// textContent only (never innerHTML with data), so device-provided strings cannot inject markup.
// Every user-visible text comes from the catalogues /static/i18n-<lang>.json through t() (here)
// and data-i18n* attributes (the HTML pages); tests/i18n/check_catalogues.mjs keeps them whole.
'use strict';

const state = { csrf: null, username: null, version: '' };

// ---------------------------------------------------------------------------------------------
// languages

const LANGS = ['ru', 'en'];
const LANG_STORAGE_KEY = 'printmon.lang';
const i18n = { lang: 'en', locale: 'en', messages: {}, plural: null };

function savedLang() {
  try { return localStorage.getItem(LANG_STORAGE_KEY); } catch (e) { return null; }
}

/** The user's saved choice, else the first browser language we speak (ru* → ru), else English. */
function chooseLang() {
  const saved = savedLang();
  if (LANGS.includes(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

/** Locale for dates and numbers: the browser's own variant of the language (en-GB) if it has one. */
function localeFor(lang) {
  for (const tag of navigator.languages || []) {
    if (String(tag).toLowerCase().split('-')[0] === lang) return tag;
  }
  return lang === 'ru' ? 'ru-RU' : lang;
}

async function loadLang(lang) {
  const res = await fetch('/static/i18n-' + lang + '.json', { credentials: 'same-origin' });
  if (!res.ok) throw new Error('catalogue ' + lang + ': HTTP ' + res.status);  // i18n-ignore: never shown
  const messages = await res.json();
  i18n.lang = lang;
  i18n.locale = localeFor(lang);
  i18n.messages = messages;
  i18n.plural = new Intl.PluralRules(i18n.locale);
  i18n.number = new Intl.NumberFormat(i18n.locale);
  i18n.dateTime = new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short' });
  i18n.relative = new Intl.RelativeTimeFormat(i18n.locale, { numeric: 'always' });
  document.documentElement.lang = lang;
}

/** Index of the '}' closing the '{' at `open`. */
function closingBrace(msg, open) {
  let depth = 0;
  for (let i = open; i < msg.length; i++) {
    if (msg[i] === '{') depth++;
    else if (msg[i] === '}' && --depth === 0) return i;
  }
  return msg.length;
}

function showValue(v) {
  if (typeof v === 'number') return i18n.number.format(v);
  return v === undefined || v === null ? '' : String(v);
}

/**
 * Fills a catalogue message: "{name}" is a value, "{n, plural, one {# file} other {# files}}"
 * picks the branch of n's plural category (Intl.PluralRules of the language; "=0" matches
 * exactly) with "#" as the formatted number. The subset of ICU MessageFormat translators know.
 */
function formatMessage(msg, vars) {
  let out = '';
  for (let i = 0; i < msg.length; i++) {
    if (msg[i] !== '{') { out += msg[i]; continue; }
    const end = closingBrace(msg, i);
    const body = msg.slice(i + 1, end);
    i = end;
    const parts = body.split(',');
    const name = parts[0].trim();
    if (parts.length < 3 || parts[1].trim() !== 'plural') { out += showValue(vars[name]); continue; }
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
    const branch = branches['=' + n] ?? branches[i18n.plural.select(n)] ?? branches.other ?? '';
    out += formatMessage(branch.replace(/#/g, showValue(n)), vars);
  }
  return out;
}

/** The catalogue text of `key` in the current language, with {placeholders} filled from vars. */
function t(key, vars) {
  const msg = i18n.messages[key];
  return typeof msg === 'string' ? formatMessage(msg, vars || {}) : key;
}

/** Static text of the HTML pages: data-i18n (text), data-i18n-placeholder, -title, -aria-label. */
function translateStatic(root = document) {
  // i18n-ignore on the lines below: the keys come from the pages' data-i18n* attributes, which
  // the catalogue checker reads from the HTML itself.
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);  // i18n-ignore
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);  // i18n-ignore
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);  // i18n-ignore
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));  // i18n-ignore
}

/** The RU / EN switch. The choice is kept in localStorage, so it also holds on the sign-in pages. */
function renderLangSwitch(onChange) {
  const box = document.getElementById('lang-switch');
  if (!box) return;
  const labels = { ru: [t('lang.ru'), t('lang.ru_name')], en: [t('lang.en'), t('lang.en_name')] };
  box.replaceChildren(...LANGS.map((lang) => h('button', {
    type: 'button', class: 'lang' + (lang === i18n.lang ? ' active' : ''), lang, title: labels[lang][1],
    'aria-pressed': String(lang === i18n.lang), dataset: { lang },
    onclick: async () => {
      if (lang === i18n.lang) return;
      try { localStorage.setItem(LANG_STORAGE_KEY, lang); } catch (e) { /* private mode: this page only */ }
      await loadLang(lang);
      translateStatic();
      renderLangSwitch(onChange);
      if (onChange) await onChange();
    },
  }, labels[lang][0])));
  box.setAttribute('aria-label', t('lang.switch'));
}

// ---------------------------------------------------------------------------------------------
// helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An error answer of the API: `code` (stable, English) picks the text the UI shows. */
class ApiError extends Error {
  constructor(status, code, message, correlationId) {
    super(message);
    this.status = status;
    this.code = code;
    this.correlationId = correlationId || '';
  }
}

/** A problem the UI found itself; its message is already translated. */
class UiError extends Error {}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method !== 'GET' && state.csrf) opts.headers['X-CSRF-Token'] = state.csrf;
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, 'network', String(e.message || e));
  }
  if (res.status === 401 && !path.startsWith('/api/auth/')) {
    location.href = '/login?next=' + encodeURIComponent(location.pathname);
    throw new ApiError(401, 'unauthenticated', 'session ended');  // i18n-ignore: errorText() has the text
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: 'http_' + res.status, message: 'HTTP ' + res.status };
    throw new ApiError(res.status, err.code, err.message, err.correlation_id);
  }
  return data;
}

// Server messages are English and terse; the UI shows its own text, chosen by error code and,
// for invalid_field, by the field the message starts with ("address: give one address...").
// Keys are spelled out, never built from the code, so the catalogue checker sees each one in use.

function fieldLabel(field) {
  const labels = {
    address: () => t('field.address'), port: () => t('field.port'), location: () => t('field.location'),
    interval_s: () => t('field.interval_s'), credential: () => t('field.credential'),
    credential_id: () => t('field.credential_id'), version: () => t('field.version'),
    community: () => t('field.community'), user: () => t('field.user'), context: () => t('field.context'),
    auth_protocol: () => t('field.auth_protocol'), auth_password: () => t('field.auth_password'),
    priv_protocol: () => t('field.priv_protocol'), priv_password: () => t('field.priv_password'),
    target: () => t('field.target'), exclude: () => t('field.exclude'), name: () => t('field.name'),
    credential_ids: () => t('field.credential_ids'),
    ordinal: () => t('field.ordinal'), password: () => t('field.password'),
    password_confirm: () => t('field.password_confirm'), username: () => t('field.username'),
    current_password: () => t('field.current_password'), new_password: () => t('field.new_password'),
    cloud_url: () => t('field.cloud_url'), scanner_key: () => t('field.scanner_key'), test: () => t('field.test'),
    discovery_interval_s: () => t('field.discovery_interval_s'),
    polling_interval_s: () => t('field.polling_interval_s'), discovery_port: () => t('field.discovery_port'),
    enabled: () => t('field.enabled'), forget_locally: () => t('field.forget_locally'),
  };
  return labels[field] ? labels[field]() : field;
}

/** Text for `field: detail` from invalid_field, or null when the UI has none. */
function fieldError(field, detail) {
  const label = fieldLabel(field);
  let m;
  // The checks every field shares (web_app.cpp opt_string, opt_int, opt_bool, req_string).
  if (detail === 'is required') return t('error.field.required', { field: label });
  if ((m = detail.match(/^longer than (\d+) characters$/))) return t('error.field.too_long', { field: label, max: Number(m[1]) });
  if ((m = detail.match(/^must be within (-?\d+)\.\.(-?\d+)$/))) return t('error.field.range', { field: label, min: Number(m[1]), max: Number(m[2]) });
  if (detail === 'must be a whole number') return t('error.field.number', { field: label });
  if (detail === 'is not valid UTF-8') return t('error.field.utf8', { field: label });
  if (detail === 'must not contain control characters') return t('error.field.control', { field: label });
  if (/^must be (a string|true or false|an object)$/.test(detail)) return t('error.field.type', { field: label });
  // Field-specific rules.
  switch (field) {
    case 'address': return t('error.field.address');
    case 'target': return t('error.field.target');
    case 'version': return t('error.field.version');
    case 'community': return t('error.field.community');
    case 'user': return t('error.field.user');
    case 'auth_protocol': return t('error.field.auth_protocol');
    case 'priv_protocol':
      return /authentication/.test(detail) ? t('error.field.priv_needs_auth') : t('error.field.priv_protocol');
    case 'auth_password': case 'priv_password': return t('error.field.v3_password', { field: label });
    case 'credential_id': return t('error.field.credential_id');
    case 'credential_ids':
      return /exclusion/.test(detail) ? t('error.field.exclusion_sets') : t('error.field.credential_ids');
    case 'context': return t('error.field.context');
    case 'password': case 'new_password':
      if ((m = detail.match(/at least (\d+)/))) return t('error.password.short', { min: Number(m[1]) });
      if ((m = detail.match(/at most (\d+)/))) return t('error.password.long', { max: Number(m[1]) });
      return null;
    case 'password_confirm': return t('error.password.differ');
    case 'cloud_url': return t('error.field.cloud_url');
    case 'scanner_key': return t('error.field.scanner_key');
    case 'discovery_interval_s': return t('error.field.discovery_interval');
    default: return null;
  }
}

/** What to show for a failed action, in the UI's language. */
function errorText(e) {
  if (e instanceof UiError) return e.message;
  if (!(e instanceof ApiError)) return t('error.unexpected', { detail: String(e && e.message || e) });
  const msg = String(e.message || '');
  let m;
  switch (e.code) {
    case 'invalid_field': {
      const field = (m = msg.match(/^([a-z_]+): (.*)$/)) ? m[1] : '';
      const text = field ? fieldError(field, m[2]) : null;
      if (text) return text;
      break;
    }
    case 'network': return t('error.network');
    case 'unauthenticated': return t('error.unauthenticated');
    case 'bad_credentials': return e.status === 401 ? t('error.bad_credentials') : t('error.wrong_current_password');
    case 'too_many_attempts':
      return t('error.too_many_attempts', { minutes: (m = msg.match(/(\d+) minute/)) ? Number(m[1]) : 15 });
    case 'csrf_failed': return t('error.csrf_failed');
    case 'cross_origin': return t('error.cross_origin');
    case 'already_set_up': return t('error.already_set_up');
    case 'bad_setup_code': return t('error.bad_setup_code');
    case 'setup_code_required': return t('error.setup_code_required');
    case 'not_found': return t('error.not_found');
    case 'duplicate':
      return (m = msg.match(/^(.+) is already monitored$/)) ? t('error.duplicate', { address: m[1] }) : t('error.duplicate_any');
    case 'disabled': return t('error.disabled');
    case 'in_use': return t('error.credential_in_use');
    case 'discovery_running': return t('error.discovery_running');
    case 'invalid_query': return t('error.invalid_query');
    case 'export_too_large': return t('error.export_too_large');
    case 'database_unavailable': return t('error.database_unavailable');
    case 'cloud_unreachable': return t('error.cloud_unreachable');
    case 'cloud_unhealthy': return t('error.cloud_unhealthy', { status: (m = msg.match(/HTTP (\d+)/)) ? m[1] : '?' });
    case 'cloud_error': return t('error.cloud_error', { status: (m = msg.match(/HTTP (\d+)/)) ? m[1] : '?' });
    case 'not_enrolled': return t('error.not_enrolled');
    case 'no_cloud_url': return t('error.no_cloud_url');
    case 'payload_too_large': return t('error.payload_too_large');
    case 'overloaded': return t('error.overloaded');
    case 'internal': return t('error.internal', { id: e.correlationId || '—' });
    case 'invalid_json': case 'unsupported_media_type': case 'bad_request': case 'bad_encoding':
    case 'unsupported_encoding': case 'header_too_large': case 'method_not_allowed':
      return t('error.bad_request');
    default: break;
  }
  if (/^http_\d+$/.test(e.code)) return t('error.http', { status: e.status });
  return sentence(msg);
}

/** Fills an error box: our text, and the server's own words as a tooltip for support. */
function showError(box, e) {
  box.textContent = errorText(e);
  box.title = e instanceof ApiError ? e.message : '';
  box.hidden = false;
}

function flash(message, kind = 'ok') {
  const box = document.getElementById('flash');
  if (!box) return;
  const el = h('div', { class: 'alert ' + kind, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

const flashError = (e) => flash(errorText(e), 'error');

function formData(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
    else out[el.name] = el.value.trim();
  }
  return out;
}

/** Runs an async form action with the button disabled and errors shown in the form. */
function bindForm(form, action) {
  const box = form.querySelector('.form-error') || form.querySelector('#form-error');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (box) { box.hidden = true; box.textContent = ''; }
    if (button) button.disabled = true;
    try {
      await action(formData(form), form);
    } catch (e) {
      if (box) showError(box, e);
      else flashError(e);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** A server message with no translation: at least make it read as a sentence. */
function sentence(text) {
  const s = String(text || '').trim();
  if (!s) return t('error.generic');
  return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?…]$/.test(s) ? '' : '.');
}

function errorBox() { return h('div', { class: 'alert error form-error', role: 'alert', hidden: true }); }

function relTime(iso) {
  if (!iso) return t('time.never');
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 45) return t('time.just_now');
  if (s < 3600) return i18n.relative.format(-Math.round(s / 60), 'minute');
  if (s < 86400) return i18n.relative.format(-Math.round(s / 3600), 'hour');
  return i18n.relative.format(-Math.round(s / 86400), 'day');
}

function fullTime(iso) {
  if (!iso) return '—';
  return i18n.dateTime.format(new Date(iso));
}

function unit(n, name, display = 'long') {
  return new Intl.NumberFormat(i18n.locale, { style: 'unit', unit: name, unitDisplay: display }).format(n);
}

/** "15 minutes", "1 day", "90 seconds" in the UI's language. */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds % 86400 === 0) return unit(seconds / 86400, 'day');
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** "every 15 minutes"; one whole unit has its own words (Russian: каждую минуту, каждый час). */
function every(seconds) {
  if (seconds === 60) return t('every.minute');
  if (seconds === 3600) return t('every.hour');
  if (seconds === 86400) return t('every.day');
  return t('every.interval', { interval: duration(seconds) });
}

function uptime(seconds) {
  const d = Math.floor(seconds / 86400), hr = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  return [d ? unit(d, 'day', 'short') : null, d || hr ? unit(hr, 'hour', 'short') : null, unit(m, 'minute', 'short')]
    .filter(Boolean).join(' ');
}

const num = (n) => (n === null || n === undefined) ? '—' : i18n.number.format(Number(n));
// A percentage as the console writes it: the sign apart, never on a line of its own.
const pctText = (n) => n + '\u00a0%';

function bytes(n) {
  let i = 0;
  while (n >= 1024 && i < 4) { n /= 1024; i++; }
  const v = Number(n.toFixed(i ? 1 : 0));
  return [() => t('size.bytes', { n: v }), () => t('size.kib', { n: v }), () => t('size.mib', { n: v }),
    () => t('size.gib', { n: v }), () => t('size.tib', { n: v })][i]();
}

function statusLabel(status) {
  const labels = { online: () => t('status.online'), offline: () => t('status.offline'),
    unknown: () => t('status.unknown'), disabled: () => t('status.disabled') };
  return labels[status] ? labels[status]() : status;
}

function statusPill(status) {
  return h('span', { class: 'pill ' + status }, statusLabel(status));
}

function colorName(color) {
  const names = { black: () => t('color.black'), cyan: () => t('color.cyan'), magenta: () => t('color.magenta'),
    yellow: () => t('color.yellow'), red: () => t('color.red'), green: () => t('color.green'), blue: () => t('color.blue'),
    gray: () => t('color.gray'), grey: () => t('color.gray'), white: () => t('color.white') };
  return names[color] ? names[color]() : color.charAt(0).toUpperCase() + color.slice(1).replace(/_/g, ' ');
}

function supplyTypeName(type) {
  const names = { toner: () => t('supply.toner'), opc: () => t('supply.opc'), drum: () => t('supply.opc'),
    waste_toner: () => t('supply.waste_toner'), fuser: () => t('supply.fuser'), developer: () => t('supply.developer'),
    ink: () => t('supply.ink'), staples: () => t('supply.staples'), transfer_unit: () => t('supply.transfer_unit'),
    cleaner_unit: () => t('supply.cleaner_unit'), waste_ink: () => t('supply.waste_ink'),
    maintenance_kit: () => t('supply.maintenance_kit') };
  return names[type] ? names[type]() : (type ? type.replace(/_/g, ' ') : t('supply.any'));
}

function supplyName(s) {
  if (s.color) return colorName(s.color);
  return s.description || supplyTypeName(s.type);
}

/** Counter names with a fixed meaning (docs/protocol.md) and the vendor splits the collector emits; others stay as they are. */
function counterName(name) {
  const names = { total: () => t('counter.total'), mono: () => t('counter.mono'), color: () => t('counter.color'),
    print_total: () => t('counter.print_total'), print_mono: () => t('counter.print_mono'),
    print_color: () => t('counter.print_color'), copy_total: () => t('counter.copy_total'),
    copy_mono: () => t('counter.copy_mono'), copy_color: () => t('counter.copy_color'),
    scan_total: () => t('counter.scan_total'), scan_mono: () => t('counter.scan_mono'),
    scan_color: () => t('counter.scan_color'), fax_total: () => t('counter.fax_total'),
    duplex: () => t('counter.duplex'), since_power_on: () => t('counter.since_power_on'),
    // Vendor splits the collector emits (docs/accuracy.md): A3/A4 billing, scans by purpose.
    total_large: () => t('counter.total_large'), total_small: () => t('counter.total_small'),
    print_large: () => t('counter.print_large'), print_small: () => t('counter.print_small'),
    copy_large: () => t('counter.copy_large'), copy_small: () => t('counter.copy_small'),
    mono_large: () => t('counter.mono_large'), mono_small: () => t('counter.mono_small'),
    color_large: () => t('counter.color_large'), color_small: () => t('counter.color_small'),
    print_color_large: () => t('counter.print_color_large'), print_color_small: () => t('counter.print_color_small'),
    copy_color_large: () => t('counter.copy_color_large'), copy_color_small: () => t('counter.copy_color_small'),
    print_mono_large: () => t('counter.print_mono_large'), copy_mono_large: () => t('counter.copy_mono_large'),
    copy_mono_small: () => t('counter.copy_mono_small'), print_mono_small: () => t('counter.print_mono_small'),
    two_color: () => t('counter.two_color'), print_two_color: () => t('counter.print_two_color'),
    copy_two_color: () => t('counter.copy_two_color'), report_total: () => t('counter.report_total'),
    single_color: () => t('counter.single_color'), copy_single_color: () => t('counter.copy_single_color'),
    print_single_color: () => t('counter.print_single_color'),
    scan_large: () => t('counter.scan_large'), scan_small: () => t('counter.scan_small'),
    scan_mono_large: () => t('counter.scan_mono_large'), scan_mono_small: () => t('counter.scan_mono_small'),
    scan_color_large: () => t('counter.scan_color_large'), scan_color_small: () => t('counter.scan_color_small'),
    scan_copy: () => t('counter.scan_copy'), scan_fax: () => t('counter.scan_fax'),
    scan_send: () => t('counter.scan_send'), scan_network: () => t('counter.scan_network'),
    scan_email: () => t('counter.scan_email'), scan_other: () => t('counter.scan_other'),
    fax_mono: () => t('counter.fax_mono'), fax_color: () => t('counter.fax_color'), adf: () => t('counter.adf'),
    scan_flatbed: () => t('counter.scan_flatbed'),
    jams: () => t('counter.jams'), sheets: () => t('counter.sheets'),
    sheets_large: () => t('counter.sheets_large'), sheets_small: () => t('counter.sheets_small') };
  return names[name] ? names[name]() : name.replace(/_/g, ' ');
}

/** The printer's error conditions (status.errors, the 15 codes of docs/protocol.md). */
function printerErrorName(code) {
  const names = { low_paper: () => t('printer_error.low_paper'), no_paper: () => t('printer_error.no_paper'),
    low_toner: () => t('printer_error.low_toner'), no_toner: () => t('printer_error.no_toner'),
    door_open: () => t('printer_error.door_open'), jammed: () => t('printer_error.jammed'),
    offline: () => t('printer_error.offline'), service_requested: () => t('printer_error.service_requested'),
    input_tray_missing: () => t('printer_error.input_tray_missing'),
    output_tray_missing: () => t('printer_error.output_tray_missing'),
    marker_supply_missing: () => t('printer_error.marker_supply_missing'),
    output_near_full: () => t('printer_error.output_near_full'), output_full: () => t('printer_error.output_full'),
    input_tray_empty: () => t('printer_error.input_tray_empty'),
    overdue_prevent_maint: () => t('printer_error.overdue_prevent_maint') };
  return names[code] ? names[code]() : code.replace(/_/g, ' ');
}

function deviceStateName(s) {
  const names = { running: () => t('device_state.running'), warning: () => t('device_state.warning'),
    down: () => t('device_state.down'), testing: () => t('device_state.testing'), unknown: () => t('device_state.unknown') };
  return names[s] ? names[s]() : (s || '—');
}

/** The description in an alert event's detail ("critical: Paper jam"), without the severity. */
function alertWords(detail) {
  const m = /^(?:critical|warning|warning_binary_change_event|other)(?:: ([^]*))?$/.exec(detail || '');
  return m ? (m[1] || '') : (detail || '');
}

/** One history event (storage/transitions.cpp): printer errors, offline/online, cartridge changes. */
function eventText(e) {
  if (e.kind === 'error') return printerErrorName(e.code);
  if (e.kind === 'device_status' && e.code === 'offline') return e.action === 'appeared' ? t('event.offline') : t('event.online');
  if (e.kind === 'supply_change') return t('event.supply_change');
  if (e.kind === 'device_status') return t('event.device_status', { state: deviceStateName(e.code) });
  if (e.kind === 'cover') return t('event.cover_open', { cover: e.detail || e.code.replace(/:open$/, '') });
  if (e.kind === 'console') return t('event.console', { text: e.detail });
  if (e.kind === 'tray') return t('alerts.tray_empty', { tray: e.detail || e.code.replace(/:empty$/, '') });
  // An alert-table row: the printer's own words for it (prtAlertDescription, after the
  // severity transitions.cpp puts first), else its code.
  if (e.kind === 'alert') return alertWords(e.detail) || e.code;
  return e.kind + ': ' + e.code.replace(/_/g, ' ');
}

/** The printer itself calls the supply low or empty, whatever its level says. */
function saysLow(s) { return s.state === 'low' || s.state === 'empty'; }

/**
 * A supply's state in words (docs/protocol.md `state`). A receptacle (waste toner, an inkjet's
 * maintenance box) fills up: its "low" is nearly full and its "empty" full.
 */
function supplyStateName(s) {
  if (s.class === 'receptacle' && saysLow(s)) {
    return s.state === 'low' ? t('supply.state_near_full') : t('supply.state_full');
  }
  const names = { ok: () => t('supply.state_ok'), low: () => t('supply.state_low'), empty: () => t('supply.state_empty'),
    some_remaining: () => t('supply.state_some_remaining'), unrestricted: () => t('supply.state_unrestricted'),
    not_installed: () => t('supply.state_not_installed') };
  return names[s.state] ? names[s.state]() : t('supply.no_level');
}

/** Level bars. The list passes consumables only; a device's page passes every supply it reported. */
function supplyBars(supplies, large) {
  if (!supplies || supplies.length === 0) return h('span', { class: 'muted small' }, '—');
  const box = h('div', { class: 'supplies' + (large ? ' large' : '') });
  for (const s of supplies) {
    const pct = s.level_percent === undefined ? null : s.level_percent;
    const alarm = saysLow(s) || (pct !== null && pct <= 10);
    // A level says it all, unless the printer itself calls the supply low or empty (a coarse
    // gauge can read 30 % on a box the printer calls nearly full): then its words come too.
    // Without a level the list's narrow column says "low" or "empty" when the printer does (red),
    // else "n/a"; the title and the device page say more.
    const narrowNoLevel = () => (s.state === 'empty' ? t('supply.short_empty') : s.state === 'low' ? t('supply.short_low') : t('supply.no_level'));
    const words = pct === null ? (large ? supplyStateName(s) : narrowNoLevel())
      : large && saysLow(s) ? pctText(pct) + ' · ' + supplyStateName(s) : pctText(pct);
    box.append(levelRow({ class: 'supply' + (s.class === 'receptacle' ? ' receptacle' : ''), 'data-class': s.class || 'consumed',
      title: (s.description || supplyName(s)) + ': ' + (pct === null ? supplyStateName(s) : pctText(pct)) },
    large ? (s.description || supplyName(s)) : supplyName(s), pct, alarm, words, s.color || ''));
  }
  return box;
}

/** One row of level bars (a supply or a tray): name, bar filled to pct (null: empty), words. */
function levelRow(attrs, name, pct, alarm, words, colour) {
  const fill = h('span', { class: colour + (alarm ? ' low' : '') });
  // CSSOM, not a style attribute: the Content-Security-Policy forbids inline styles.
  fill.style.width = (pct === null ? 0 : Math.max(2, pct)) + '%';
  return h('div', attrs, h('span', { class: 'name' }, name), h('div', { class: 'bar' }, fill),
    h('span', { class: 'pct' + (alarm ? ' alarm' : '') }, words));
}

// Paper trays on a device's page: level and state; a tray fed by hand (bypass, multi-purpose)
// says so, and its emptiness is no alarm: it is empty most of the day by design.
function trayBars(trays) {
  const box = h('div', { class: 'supplies large', id: 'device-trays' });
  for (const tr of trays) {
    const byHand = tr.type === 'sheet_feed_manual';
    const pct = tr.level_percent === undefined ? null : tr.level_percent;
    const short = tr.state === 'empty' || tr.state === 'low';
    const alarm = short && !byHand;
    const state = ({ ok: () => t('tray.state_ok'), low: () => t('tray.state_low'), empty: () => t('tray.state_empty') })[tr.state];
    const words = pct === null ? (state ? state() : t('supply.no_level')) : short && state ? pctText(pct) + ' · ' + state() : pctText(pct);
    box.append(levelRow({ class: 'supply tray', 'data-tray-type': tr.type || '' },
      [tr.description || tr.name, byHand ? h('span', { class: 'by-hand' }, ' · ' + t('tray.by_hand')) : null], pct, alarm, words, ''));
  }
  return box;
}

function deviceTitle(d) {
  const name = [d.vendor, d.model].filter(Boolean).join(' ');
  return name || d.sys_name || d.address || t('device.unidentified');
}

function credentialFields(legend) {
  // SNMP v1/v2c community or v3 user; fields shown for the chosen version.
  const none = t('credential.none');
  const version = h('select', { name: 'version' },
    h('option', { value: '2c' }, t('credential.snmp_v2c')), h('option', { value: '1' }, t('credential.snmp_v1')),
    h('option', { value: '3' }, t('credential.snmp_v3')));
  const v2 = h('div', { class: 'row' },
    h('label', {}, t('field.community'), h('input', { name: 'community', value: 'public', autocomplete: 'off', maxlength: 200 })));
  const v3 = h('div', { hidden: true },
    h('div', { class: 'row' },
      h('label', {}, t('field.user'), h('input', { name: 'user', autocomplete: 'off', maxlength: 200 })),
      h('label', {}, t('field.context'), h('input', { name: 'context', autocomplete: 'off', maxlength: 32, placeholder: t('credential.optional') }),
        h('small', { class: 'hint' }, t('credential.context_hint')))),
    h('div', { class: 'row' },
      h('label', {}, t('field.auth_protocol'), h('select', { name: 'auth_protocol' },
        ...['', 'SHA', 'SHA-256', 'SHA-512', 'SHA-224', 'SHA-384', 'MD5'].map((p) => h('option', { value: p }, p || none)))),
      h('label', {}, t('field.auth_password'), h('input', { name: 'auth_password', type: 'password', autocomplete: 'new-password', maxlength: 200 }))),
    h('div', { class: 'row' },
      h('label', {}, t('field.priv_protocol'), h('select', { name: 'priv_protocol' },
        ...['', 'AES', 'AES-192', 'AES-256', 'DES'].map((p) => h('option', { value: p }, p || none)))),
      h('label', {}, t('field.priv_password'), h('input', { name: 'priv_password', type: 'password', autocomplete: 'new-password', maxlength: 200 }))));
  version.addEventListener('change', () => {
    const is3 = version.value === '3';
    v3.hidden = !is3;
    v2.hidden = is3;
    for (const el of v3.querySelectorAll('input,select')) el.disabled = !is3;
    for (const el of v2.querySelectorAll('input')) el.disabled = is3;
  });
  for (const el of v3.querySelectorAll('input,select')) el.disabled = true;
  return h('fieldset', {}, h('legend', {}, legend || t('credential.legend')),
    h('label', {}, t('field.version'), version), v2, v3);
}

function credentialPayload(data) {
  const c = { version: data.version };
  for (const k of ['community', 'user', 'context', 'auth_protocol', 'auth_password', 'priv_protocol', 'priv_password']) {
    if (data[k] !== undefined && data[k] !== '') c[k] = data[k];
  }
  return c;
}

function intervalSelect(name, value, withDefault, defaultLabel) {
  const choices = [60, 300, 900, 1800, 3600, 21600, 86400];
  const sel = h('select', { name });
  if (withDefault) sel.append(h('option', { value: '' }, defaultLabel));
  let found = false;
  for (const v of choices) {
    const opt = h('option', { value: v }, duration(v));
    if (value === v) { opt.selected = true; found = true; }
    sel.append(opt);
  }
  if (value && !found) {
    const opt = h('option', { value, selected: true }, duration(value));
    sel.append(opt);
  }
  return sel;
}

function pageHead(title, sub, ...actions) {
  return h('div', { class: 'page-head' },
    h('div', {}, h('h1', {}, title), sub ? h('p', { class: 'sub muted' }, sub) : null),
    h('div', { class: 'actions' }, ...actions));
}

// ---------------------------------------------------------------------------------------------
// pages

async function devicesPage(app) {
  const data = await api('GET', '/api/devices');
  const devices = data.devices;
  const online = devices.filter((d) => d.status === 'online').length;
  const offline = devices.filter((d) => d.status === 'offline').length;
  // At or below 10 %, or called low or empty by a printer that gives no percentage (Ricoh's
  // "almost empty", Brother's coded levels).
  const isLow = (s) => (s.level_percent !== null ? s.level_percent <= 10 : saysLow(s));
  const low = devices.filter((d) => d.supplies.some(isLow)).length;

  const addPanel = h('div', { class: 'card', hidden: true, id: 'add-device' });
  const addButton = h('button', { class: 'btn primary', type: 'button', id: 'add-device-button', onclick: () => {
    addPanel.hidden = !addPanel.hidden;
    if (!addPanel.hidden) addPanel.querySelector('input').focus();
  } }, t('devices.add_button'));

  const form = h('form', { novalidate: true },
    h('h2', {}, t('devices.add_title')),
    h('div', { class: 'row' },
      h('label', {}, t('devices.address_label'), h('input', { name: 'address', required: true, placeholder: '10.0.0.25', maxlength: 253 })),
      h('label', {}, t('field.port'), h('input', { name: 'port', type: 'number', min: 1, max: 65535, value: 161 })),
      h('label', {}, t('field.location'), h('input', { name: 'location', placeholder: t('device.location_placeholder'), maxlength: 200 })),
      h('label', {}, t('field.interval_s'), intervalSelect('interval_s', null, true, t('interval.default_with', { interval: duration(data.default_interval_s) })))),
    credentialFields(),
    errorBox(),
    h('div', { class: 'actions' },
      h('button', { class: 'btn primary', type: 'submit' }, t('devices.add_submit')),
      h('button', { class: 'btn', type: 'button', onclick: () => { addPanel.hidden = true; } }, t('common.cancel'))));
  bindForm(form, async (d) => {
    const body = { address: d.address, port: d.port, location: d.location, credential: credentialPayload(d) };
    if (d.interval_s) body.interval_s = Number(d.interval_s);
    const res = await api('POST', '/api/devices', body);
    flash(t('devices.added'));
    location.href = '/devices/' + res.device_id;
  });
  addPanel.append(form);

  const table = devices.length === 0
    ? h('div', { class: 'empty' }, h('p', {}, t('devices.empty')),
        h('p', { class: 'small' }, t('devices.empty_hint_before'), h('a', { href: '/discovery' }, t('devices.empty_hint_link')), t('devices.empty_hint_after')))
    : h('div', { class: 'table-wrap' }, h('table', { id: 'device-table', class: 'cards-sm' },
        h('thead', {}, h('tr', {},
          h('th', {}, t('devices.col_status')), h('th', {}, t('devices.col_device')), h('th', {}, t('devices.col_address')),
          h('th', {}, t('devices.col_location')), h('th', {}, t('devices.col_supplies')),
          h('th', { class: 'num' }, t('devices.col_total')), h('th', { class: 'hide-sm' }, t('devices.col_last_seen')), h('th', {}, ''))),
        h('tbody', {}, devices.map((d) => {
          const row = h('tr', { class: 'clickable', dataset: { id: d.device_id } },
            h('td', { class: 'c-status' }, statusPill(d.status)),
            h('td', { class: 'c-device' }, h('a', { class: 'dev-name', href: '/devices/' + d.device_id }, deviceTitle(d)),
              h('div', { class: 'dev-sub' }, d.serial ? t('devices.serial', { serial: d.serial }) : (d.manual ? t('devices.manual') : ''))),
            h('td', { class: 'mono c-addr' }, (d.address || '—') + (d.port !== 161 ? ':' + d.port : '')),
            h('td', { class: 'c-loc' }, d.location || h('span', { class: 'muted' }, '—')),
            h('td', { class: 'c-supplies' }, supplyBars(d.supplies)),
            h('td', { class: 'num c-total' }, num(d.counters.total), h('span', { class: 'sm-only muted small' }, ' ' + t('devices.pages_suffix'))),
            h('td', { class: 'c-seen', title: fullTime(d.last_seen) }, relTime(d.last_seen)),
            h('td', { class: 'c-act' }, h('button', { class: 'btn small', type: 'button', disabled: !d.enabled, onclick: async (ev) => {
              ev.stopPropagation();
              try { await api('POST', '/api/devices/' + d.device_id + '/poll'); flash(t('devices.poll_requested', { device: deviceTitle(d) })); }
              catch (e) { flashError(e); }
            } }, t('device.poll_now'))));
          row.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') location.href = '/devices/' + d.device_id; });
          return row;
        }))));

  app.replaceChildren(
    pageHead(t('devices.title'), t('devices.subtitle'), addButton),
    addPanel,
    h('div', { class: 'stats' },
      h('div', { class: 'stat' }, h('div', { class: 'label' }, t('devices.stat_devices')), h('div', { class: 'value' }, num(devices.length))),
      h('div', { class: 'stat ok' }, h('div', { class: 'label' }, t('status.online')), h('div', { class: 'value' }, num(online))),
      h('div', { class: 'stat' + (offline ? ' bad' : '') }, h('div', { class: 'label' }, t('status.offline')), h('div', { class: 'value' }, num(offline))),
      h('div', { class: 'stat' + (low ? ' warn' : '') }, h('div', { class: 'label' }, t('devices.stat_low')), h('div', { class: 'value' }, num(low)))),
    h('div', { class: 'card flush' }, table));
}

function counterChart(readings) {
  const points = readings.filter((r) => r.snapshot.counters && r.snapshot.counters.total !== undefined)
    .map((r) => [Date.parse(r.polled_at), r.snapshot.counters.total]).reverse();
  if (points.length < 2) return h('p', { class: 'muted small' }, t('device.chart_needs_two'));
  const ns = 'http://www.w3.org/2000/svg';
  const W = 600, H = 160, P = 28;
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (x) => P + (x1 === x0 ? 0 : (x - x0) / (x1 - x0)) * (W - 2 * P);
  const sy = (y) => H - P - (y1 === y0 ? 0.5 : (y - y0) / (y1 - y0)) * (H - 2 * P);
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('device.chart_label'));
  const mk = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };
  svg.append(mk('line', { x1: P, y1: H - P, x2: W - P, y2: H - P, class: 'grid-line' }));
  svg.append(mk('line', { x1: P, y1: P, x2: W - P, y2: P, class: 'grid-line' }));
  const d = points.map((p, i) => (i ? 'L' : 'M') + sx(p[0]).toFixed(1) + ' ' + sy(p[1]).toFixed(1)).join(' ');
  svg.append(mk('path', { d: d + ` L${sx(x1)} ${H - P} L${sx(x0)} ${H - P} Z`, class: 'area' }));
  svg.append(mk('path', { d, class: 'line' }));
  const label = (x, y, text, anchor) => { const e = mk('text', { x, y, 'text-anchor': anchor }); e.textContent = text; svg.append(e); };
  label(P, P - 8, num(y1), 'start');
  label(P, H - 8, i18n.dateTime.format(new Date(x0)), 'start');
  label(W - P, H - 8, i18n.dateTime.format(new Date(x1)), 'end');
  return svg;
}

async function devicePage(app, id) {
  const [d, history] = await Promise.all([api('GET', '/api/devices/' + id), api('GET', '/api/devices/' + id + '/history?limit=50')]);
  document.title = t('page.title', { page: deviceTitle(d) });
  const snap = d.snapshot || null;

  const settings = h('form', { novalidate: true, id: 'device-settings' },
    h('label', {}, t('field.location'), h('input', { name: 'location', value: d.location, maxlength: 200, placeholder: t('device.location_placeholder') })),
    h('label', {}, t('field.interval_s'), intervalSelect('interval_s', d.interval_s, true, t('interval.default'))),
    errorBox(),
    h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('common.save_changes'))));
  bindForm(settings, async (f) => {
    await api('PUT', '/api/devices/' + id, { location: f.location, interval_s: f.interval_s ? Number(f.interval_s) : null });
    flash(t('common.saved'));
    route();
  });

  const polling = d.interval_s ? every(d.effective_interval_s) : t('device.polling_default', { every: every(d.effective_interval_s) });
  const identity = h('dl', { class: 'kv' },
    h('dt', {}, t('device.vendor')), h('dd', {}, d.vendor || '—'),
    h('dt', {}, t('device.model')), h('dd', {}, d.model || '—'),
    h('dt', {}, t('device.serial')), h('dd', { class: 'mono' }, d.serial || '—'),
    h('dt', {}, t('field.address')), h('dd', { class: 'mono' }, (d.address || '—') + ':' + d.port),
    h('dt', {}, t('device.mac')), h('dd', { class: 'mono' }, d.mac || '—'),
    h('dt', {}, t('device.firmware')), h('dd', {}, d.firmware || '—'),
    // Only for an SNMPv1-only agent found with a v2c set: why its polls are not over v2c.
    d.snmp_version === '1' ? [h('dt', {}, t('device.protocol')), h('dd', { id: 'device-snmp-v1' }, t('device.snmp_v1_only'))] : null,
    h('dt', {}, t('device.polling')), h('dd', { id: 'device-polling' }, polling),
    h('dt', {}, t('devices.col_last_seen')), h('dd', { title: fullTime(d.last_seen) }, relTime(d.last_seen)),
    h('dt', {}, t('device.first_seen')), h('dd', {}, fullTime(d.first_seen)));

  const counters = Object.entries(d.counters);
  const counterList = counters.length === 0 ? h('p', { class: 'muted' }, t('device.no_counters'))
    : h('dl', { class: 'kv' }, counters.flatMap(([k, v]) => [
        // A vendor's own counter name has no translation: it is a name, not text (translate=no).
        h('dt', { title: k, translate: counterName(k) === k.replace(/_/g, ' ') ? 'no' : null }, counterName(k)),
        h('dd', { class: 'mono' }, num(v))]));

  const problems = [];
  if (d.last_error && d.status !== 'online') problems.push(h('div', { class: 'alert warn' }, t('device.last_poll_failed', { error: d.last_error })));
  if (d.errors.length) problems.push(h('div', { class: 'alert warn' }, t('device.printer_reports', { errors: d.errors.map(printerErrorName).join(', ') })));
  if (snap && snap.status && snap.status.console) problems.push(h('div', { class: 'alert info' }, t('device.display', { text: snap.status.console })));

  const readingsTable = history.readings.length === 0 ? h('div', { class: 'empty' }, t('device.no_readings'))
    : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, t('device.col_polled_at')), h('th', { class: 'num' }, t('counter.total')),
          h('th', { class: 'num' }, t('counter.mono')), h('th', { class: 'num' }, t('counter.color')),
          h('th', {}, t('devices.col_supplies')), h('th', {}, t('devices.col_status')))),
        h('tbody', {}, history.readings.slice(0, 20).map((r) => h('tr', {},
          h('td', {}, fullTime(r.polled_at)),
          h('td', { class: 'num' }, num(r.snapshot.counters.total)),
          h('td', { class: 'num' }, num(r.snapshot.counters.mono)),
          h('td', { class: 'num' }, num(r.snapshot.counters.color)),
          h('td', { class: 'small' }, (r.snapshot.supplies || []).filter((s) => s.class !== 'receptacle' && s.level_percent !== undefined)
            .map((s) => supplyName(s) + ' ' + (s.level_percent === null ? supplyStateName(s).toLowerCase() : pctText(s.level_percent))).join(' · ') || '—'),
          h('td', { class: 'small' }, (r.snapshot.status.errors || []).map(printerErrorName).join(', ') || deviceStateName(r.snapshot.status.device)))))));

  const eventsList = history.events.length === 0 ? h('p', { class: 'muted' }, t('device.no_events'))
    : h('ul', { class: 'list' }, history.events.slice(0, 20).map((e) => h('li', {},
        h('span', { title: e.detail || null }, h('span', { class: 'badge ' + (e.action === 'appeared' ? 'warn' : '') },
          e.action === 'appeared' ? t('event.appeared') : t('event.cleared')), ' ', eventText(e),
          e.detail && e.kind === 'supply_change' ? h('span', { class: 'muted small' }, ' — ' + e.detail) : null),
        h('span', { class: 'muted small' }, fullTime(e.at)))));

  const toggle = h('button', { class: 'btn', type: 'button', id: 'toggle-enabled', onclick: async () => {
    try {
      await api('PUT', '/api/devices/' + id, { enabled: !d.enabled });
      flash(d.enabled ? t('device.polling_disabled') : t('device.polling_enabled'));
      route();
    } catch (e) { flashError(e); }
  } }, d.enabled ? t('device.disable') : t('device.enable'));
  const del = h('button', { class: 'btn danger', type: 'button', id: 'delete-device', onclick: async () => {
    if (!confirm(t('device.delete_confirm', { device: deviceTitle(d) }))) return;
    try { await api('DELETE', '/api/devices/' + id); flash(t('device.deleted')); location.href = '/devices'; }
    catch (e) { flashError(e); }
  } }, t('common.delete'));
  const poll = h('button', { class: 'btn primary', type: 'button', id: 'poll-now', disabled: !d.enabled, onclick: async () => {
    try {
      await api('POST', '/api/devices/' + id + '/poll');
      flash(t('device.poll_requested'));
      setTimeout(route, 3000);
    } catch (e) { flashError(e); }
  } }, t('device.poll_now'));

  const captureCard = supportCapture(id, d.enabled);

  app.replaceChildren(
    h('div', { class: 'crumbs' }, h('a', { href: '/devices' }, t('device.back'))),
    pageHead(h('span', { translate: 'no' }, deviceTitle(d)), d.location || t('device.no_location'), statusPill(d.status), poll, toggle, del),
    ...problems,
    h('div', { class: 'grid' },
      h('div', { class: 'card', id: 'device-supplies' }, h('h2', {}, t('device.supplies')), supplyBars(snap && snap.supplies ? snap.supplies : d.supplies, true),
        snap && snap.trays && snap.trays.length ? [h('h3', {}, t('device.trays')), trayBars(snap.trays)] : null),
      h('div', { class: 'card' }, h('h2', {}, t('device.counters')), counterList),
      h('div', { class: 'card' }, h('h2', {}, t('device.settings')), settings)),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('device.identity')), identity),
      h('div', { class: 'card', id: 'history' }, h('h2', {}, t('device.page_count')), counterChart(history.readings))),
    h('div', { class: 'card flush' }, h('h2', {}, t('device.recent_readings')), readingsTable),
    h('div', { class: 'card' }, h('h2', {}, t('device.events')), eventsList),
    captureCard);
}

// One kind of data a support capture left out (RedactReport::kKinds), in the UI's language.
function redactedText(item) {
  const n = { count: item.count };
  switch (item.kind) {
    case 'arp': return t('capture.kind_arp', n);
    case 'neighbours': return t('capture.kind_neighbours', n);
    case 'addresses': return t('capture.kind_addresses', n);
    case 'routes': return t('capture.kind_routes', n);
    case 'connections': return t('capture.kind_connections', n);
    case 'jobs': return t('capture.kind_jobs', n);
    case 'contact': return t('capture.kind_contact');
    case 'location': return t('capture.kind_location');
    case 'people': return t('capture.kind_people', n);
    case 'ip_values': return t('capture.kind_ip_values', n);
    case 'emails': return t('capture.kind_emails', n);
    case 'secrets': return t('capture.kind_secrets', n);
    default: return item.kind + ': ' + item.count;  // i18n-ignore: a kind a newer scanner added
  }
}

// The support capture card: record the device's SNMP data for support (redacted by the
// scanner), watch it, download it. The last capture of the device is shown on load.
function supportCapture(id, enabled) {
  const status = h('p', { class: 'muted small', id: 'capture-status' });
  const removed = h('ul', { class: 'list small', id: 'capture-redacted' });
  const link = h('a', { class: 'btn', id: 'capture-download', hidden: true, download: '',
    href: '/api/devices/' + id + '/capture/file' }, t('capture.download'));
  const start = h('button', { class: 'btn', type: 'button', id: 'capture-start', disabled: !enabled },
    t('capture.start'));
  let timer = null;
  let polls = 0;
  const show = (c) => {
    start.disabled = !enabled || c.state === 'running';
    link.hidden = c.state !== 'done';
    removed.replaceChildren(...(c.state === 'done' ? c.redacted : []).map((item) => h('li', {}, redactedText(item))));
    if (c.state === 'running') status.textContent = t('capture.running');
    else if (c.state === 'done') {
      const vars = { values: c.values, at: fullTime(c.finished_at) };
      status.textContent = c.redacted.length ? t('capture.done', vars) : t('capture.done_nothing', vars);
    }
    else if (c.state === 'failed') status.textContent = t('capture.failed', { error: c.error });
    else status.textContent = '';
  };
  const watch = async () => {
    timer = null;
    if (!document.body.contains(start)) return;  // the page changed
    try {
      const c = await api('GET', '/api/devices/' + id + '/capture');
      show(c);
      // Bounded: a walk of a large MFP takes seconds; give up watching after ten minutes.
      if (c.state === 'running' && ++polls < 600) timer = setTimeout(watch, 1000);
    } catch (e) { flashError(e); }
  };
  start.onclick = async () => {
    try {
      show(await api('POST', '/api/devices/' + id + '/capture'));
      polls = 0;
      if (!timer) timer = setTimeout(watch, 1000);
    } catch (e) { flashError(e); }
  };
  watch();
  return h('div', { class: 'card', id: 'support-capture' }, h('h2', {}, t('capture.title')),
    h('p', { class: 'muted small' }, t('capture.about')), h('div', { class: 'actions' }, start, ' ', link),
    status, removed);
}

async function discoveryPage(app) {
  const data = await api('GET', '/api/discovery');
  const s = data.settings;

  const progressBar = h('span', {});
  const progressText = h('p', { class: 'muted small', id: 'discovery-status' });
  const runButton = h('button', { class: 'btn primary', type: 'button', id: 'discover-now' }, t('discovery.run'));
  const showProgress = (p) => {
    const pct = p.hosts_total ? Math.round(100 * p.hosts_done / p.hosts_total) : (p.running ? 0 : 100);
    progressBar.style.width = pct + '%';
    runButton.disabled = p.running;
    const vars = { done: p.hosts_done, hosts: p.hosts_total, printers: p.printers_found };
    if (p.running) progressText.textContent = t('discovery.scanning', vars);
    else if (p.runs_completed) progressText.textContent = t('discovery.last_run', vars);
    else progressText.textContent = t('discovery.not_run');
    // Without ranges the ranges card says so (discovery.no_ranges); bad ones are named here.
    if (p.error_code === 'bad_ranges') progressText.textContent += ' ' + t('discovery.bad_ranges', { error: p.last_error });
    if (p.hosts_unasked) progressText.textContent += ' ' + t('discovery.hosts_unasked', { count: p.hosts_unasked, reason: p.unasked_reason });
  };
  let timer = null;
  let awaitRun = 0;  // runs_completed must pass this before "Discover now" counts as done
  const watch = async () => {
    try {
      const p = await api('GET', '/api/discovery/progress');
      const pending = !p.running && p.runs_completed <= awaitRun;
      if (pending) { runButton.disabled = true; progressText.textContent = t('discovery.starting'); }
      else showProgress(p);
      if (p.running || pending) timer = setTimeout(watch, p.running ? 1000 : 300);
    } catch (e) { flashError(e); }
  };
  runButton.addEventListener('click', async () => {
    try {
      // The request is asynchronous: the service starts the run after re-reading its settings.
      const before = await api('GET', '/api/discovery/progress');
      await api('POST', '/api/discovery/run');
      awaitRun = before.runs_completed;
      clearTimeout(timer);
      await watch();
    } catch (e) { flashError(e); }
  });
  showProgress(data.progress);
  if (data.progress.running) watch();

  const schedule = h('form', { novalidate: true, id: 'schedule-form' },
    h('label', {}, t('discovery.automatic'), (() => {
      const sel = h('select', { name: 'discovery_interval_s' });
      const choices = [[0, t('discovery.off')], [21600, t('discovery.every', { interval: duration(21600) })],
        [43200, t('discovery.every', { interval: duration(43200) })], [86400, t('discovery.daily')], [604800, t('discovery.weekly')]];
      for (const [v, l] of choices) {
        sel.append(h('option', { value: v, selected: v === s.discovery_interval_s }, l));
      }
      if (!choices.some(([v]) => v === s.discovery_interval_s)) {
        sel.append(h('option', { value: s.discovery_interval_s, selected: true }, t('discovery.every', { interval: duration(s.discovery_interval_s) })));
      }
      return sel;
    })()),
    h('label', {}, t('field.polling_interval_s'), intervalSelect('polling_interval_s', s.polling_interval_s, false),
      h('small', { class: 'hint' }, t('discovery.default_interval_hint'))),
    h('label', {}, t('field.discovery_port'), h('input', { name: 'discovery_port', type: 'number', min: 1, max: 65535, value: s.discovery_port })),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, t('discovery.save_schedule')));
  bindForm(schedule, async (f) => {
    await api('PUT', '/api/settings', { discovery_interval_s: Number(f.discovery_interval_s), polling_interval_s: Number(f.polling_interval_s), discovery_port: f.discovery_port });
    flash(t('discovery.schedule_saved'));
  });

  // Credential sets a range tries: ticked ones in the global order; none ticked = all of them.
  // translate="no": the labels are the sets' own names (user data), not UI text.
  const setChoices = (chosen) => h('div', { class: 'set-choices', translate: 'no' }, data.credentials.map((c) =>
    h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'set_' + c.credential_id, 'data-credential-id': c.credential_id, checked: chosen.includes(c.credential_id) }),
      c.name)));
  const chosenSets = (form) => [...form.querySelectorAll('input[data-credential-id]')]
    .filter((el) => el.checked).map((el) => el.dataset.credentialId);
  const setNames = (ids) => ids.map((id) => (data.credentials.find((c) => c.credential_id === id) || { name: id }).name).join(', ');

  const rangeSets = h('fieldset', { class: 'range-sets' }, h('legend', {}, t('discovery.range_sets_label')),
    data.credentials.length ? setChoices([]) : null,
    h('small', { class: 'hint' }, t('discovery.range_sets_hint')));
  const excludeBox = h('input', { type: 'checkbox', name: 'exclude' });
  excludeBox.addEventListener('change', () => { rangeSets.hidden = excludeBox.checked; });
  const rangeForm = h('form', { novalidate: true, id: 'range-form' },
    h('label', {}, t('field.target'), h('input', { name: 'target', placeholder: t('discovery.target_placeholder'), maxlength: 253, required: true })),
    h('label', { class: 'check' }, excludeBox, t('discovery.exclude_label')),
    rangeSets,
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, t('common.add')));
  bindForm(rangeForm, async (f, form) => {
    const body = { target: f.target, exclude: f.exclude };
    if (!f.exclude) body.credential_ids = chosenSets(form);
    await api('POST', '/api/discovery/ranges', body);
    flash(f.exclude ? t('discovery.exclusion_added') : t('discovery.range_added'));
    route();
  });
  const rangeItem = (r) => {
    const editor = h('form', { novalidate: true, class: 'range-edit', hidden: true },
      setChoices(r.credential_ids),
      h('small', { class: 'hint' }, t('discovery.range_sets_hint')),
      errorBox(),
      h('button', { class: 'btn small primary', type: 'submit' }, t('common.save_changes')));
    bindForm(editor, async (f, form) => {
      await api('PUT', '/api/discovery/ranges/' + r.range_id, { credential_ids: chosenSets(form) });
      flash(t('discovery.range_updated'));
      route();
    });
    return h('li', { 'data-range-id': r.range_id },
      h('span', {}, h('span', { class: 'badge ' + (r.exclude ? 'exclude' : 'include') }, r.exclude ? t('discovery.badge_exclude') : t('discovery.badge_scan')), ' ', h('code', {}, r.target),
        r.exclude ? null : h('span', { class: 'muted small range-sets-summary' }, ' ',
          r.credential_ids.length ? t('discovery.range_sets', { names: setNames(r.credential_ids) }) : t('discovery.range_sets_all'))),
      h('span', {},
        r.exclude || !data.credentials.length ? null : h('button', { class: 'btn small', type: 'button', onclick: () => { editor.hidden = !editor.hidden; } }, t('discovery.change_sets')),
        ' ',
        h('button', { class: 'btn small danger', type: 'button', onclick: async () => {
          try { await api('DELETE', '/api/discovery/ranges/' + r.range_id); route(); } catch (e) { flashError(e); }
        } }, t('common.remove'))),
      editor);
  };
  const ranges = data.ranges.length === 0 ? h('p', { class: 'muted' }, t('discovery.no_ranges'))
    : h('ul', { class: 'list', id: 'range-list' }, data.ranges.map(rangeItem));

  const credForm = h('form', { novalidate: true, id: 'credential-form' },
    h('label', {}, t('field.name'), h('input', { name: 'name', placeholder: t('discovery.credential_name_placeholder'), maxlength: 200, required: true })),
    credentialFields(t('discovery.credentials_legend')),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, t('discovery.add_credential')));
  bindForm(credForm, async (f) => {
    await api('POST', '/api/discovery/credentials', Object.assign({ name: f.name }, credentialPayload(f)));
    flash(t('discovery.credential_added'));
    route();
  });
  const v3Summary = (c) => t('discovery.v3_summary', { user: c.user }) + (c.auth_protocol ? ', ' + c.auth_protocol : '') + (c.priv_protocol ? ' / ' + c.priv_protocol : '')
    + (c.context ? ', ' + t('discovery.context_summary', { context: c.context }) : '');
  const creds = h('ul', { class: 'list', id: 'credential-list' }, data.credentials.map((c) => h('li', { 'data-credential-id': c.credential_id },
    h('span', {}, h('b', {}, c.name), ' ', h('span', { class: 'badge' }, 'v' + c.version),
      c.secrets_readable === false ? h('span', { class: 'badge warn', title: t('discovery.secrets_unreadable_hint') }, t('discovery.secrets_unreadable')) : null,
      c.version === '3' ? h('span', { class: 'muted small' }, ' ' + v3Summary(c)) : null),
    h('button', { class: 'btn small danger', type: 'button', onclick: async () => {
      if (!confirm(t('discovery.remove_credential_confirm', { name: c.name }))) return;
      try { await api('DELETE', '/api/discovery/credentials/' + c.credential_id); route(); } catch (e) { flashError(e); }
    } }, t('common.remove')))));

  app.replaceChildren(
    pageHead(t('discovery.title'), t('discovery.subtitle'), runButton),
    h('div', { class: 'card' }, h('h2', {}, t('discovery.progress')), h('div', { class: 'progress' }, progressBar), progressText),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('discovery.ranges')), ranges, h('h3', {}, t('common.add')), rangeForm),
      h('div', { class: 'card' }, h('h2', {}, t('discovery.schedule')), schedule)),
    h('div', { class: 'card' }, h('h2', {}, t('discovery.credential_sets')),
      h('p', { class: 'muted small' }, t('discovery.credential_sets_hint')), creds,
      h('h3', {}, t('common.add')), credForm));
}

async function exportPage(app) {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86400e3).toISOString().slice(0, 10);
  const from = h('input', { type: 'date', name: 'from', value: monthAgo, disabled: true });
  const to = h('input', { type: 'date', name: 'to', value: today, disabled: true });
  const scopeRadio = (value, label, checked) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'scope', value, checked, onchange: () => { from.disabled = to.disabled = value !== 'range'; } }), label);
  const form = h('form', { novalidate: true, id: 'export-form' },
    h('h2', {}, t('export.readings')),
    h('div', { class: 'radios' },
      scopeRadio('unsent', t('export.scope_unsent'), true), scopeRadio('all', t('export.scope_all'), false),
      scopeRadio('range', t('export.scope_range'), false)),
    h('div', { class: 'row' }, h('label', {}, t('export.from'), from), h('label', {}, t('export.to'), to)),
    h('h2', {}, t('export.format')),
    h('div', { class: 'radios' },
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'format', value: 'json', checked: true }), t('export.format_json')),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'format', value: 'csv' }), t('export.format_csv'))),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit', id: 'download' }, t('export.download')));
  bindForm(form, async (f) => {
    const q = new URLSearchParams({ scope: f.scope, format: f.format });
    if (f.scope === 'range') {
      if (!f.from || !f.to) throw new UiError(t('export.choose_dates'));
      if (f.to < f.from) throw new UiError(t('export.end_before_start'));
      q.set('from', f.from); q.set('to', f.to);
    }
    const url = '/api/export?' + q.toString();
    // Fetch first so errors show here; then hand the file to the browser.
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) {
      let err = { code: 'http_' + res.status, message: 'HTTP ' + res.status };
      try { err = (await res.json()).error; } catch (e) { /* keep the generic error */ }
      throw new ApiError(res.status, err.code, err.message);
    }
    const blob = await res.blob();
    const name = (res.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
    const a = h('a', { href: URL.createObjectURL(blob), download: name ? name[1] : 'printmon-export.' + f.format });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    flash(t('export.done', { count: Number(res.headers.get('X-Export-Readings') || 0) }));
  });
  app.replaceChildren(
    pageHead(t('export.title'), t('export.subtitle')),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, form),
      h('div', { class: 'card' }, h('h2', {}, t('export.offline_title')),
        h('ol', { class: 'small' },
          h('li', {}, t('export.offline_step1')),
          h('li', {}, t('export.offline_step2')),
          h('li', {}, t('export.offline_step3'))),
        h('p', { class: 'muted small' }, t('export.offline_note')))));
}

async function cloudPage(app) {
  const c = await api('GET', '/api/cloud');
  const u = c.uploader;
  const status = h('dl', { class: 'kv', id: 'upload-status' },
    h('dt', {}, t('field.scanner_key')), h('dd', {}, c.enrolled ? h('code', {}, c.key_hint) : h('span', { class: 'badge', id: 'not-enrolled' }, t('cloud.not_enrolled'))),
    h('dt', {}, t('field.cloud_url')), h('dd', {}, c.cloud_url || '—'),
    h('dt', {}, t('cloud.last_upload')), h('dd', { title: fullTime(u.last_success_at) }, relTime(u.last_success_at)),
    h('dt', {}, t('cloud.last_attempt')), h('dd', {}, relTime(u.last_attempt_at)),
    h('dt', {}, t('cloud.queue')), h('dd', {}, t('cloud.queue_value', { batches: u.queue_length, readings: u.unsent_readings })),
    h('dt', {}, t('cloud.last_error')), h('dd', {}, u.last_error ? h('span', { class: 'badge exclude' }, u.last_error) : t('cloud.no_error')));

  const form = h('form', { novalidate: true, id: 'enrol-form' },
    h('label', {}, t('field.cloud_url'), h('input', { name: 'cloud_url', type: 'url', value: c.cloud_url, placeholder: 'https://printmon.example.com', maxlength: 500, required: true })),
    h('label', {}, t('field.scanner_key'), h('input', { name: 'scanner_key', type: 'password', autocomplete: 'off', placeholder: 'pmk.…', maxlength: 500, required: true }),
      h('small', { class: 'hint' }, t('cloud.key_hint'))),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'test', checked: true }), t('cloud.test_first')),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, c.enrolled ? t('cloud.replace_key') : t('cloud.enrol')));
  bindForm(form, async (f) => {
    await api('PUT', '/api/cloud', { cloud_url: f.cloud_url, scanner_key: f.scanner_key, test: f.test });
    flash(t('cloud.enrolled'));
    route();
  });

  const deactivateBox = h('div', { id: 'deactivate-box' });
  const deactivate = async (forget) => {
    deactivateBox.replaceChildren();
    try {
      const r = await api('POST', '/api/cloud/deactivate', forget ? { forget_locally: true } : {});
      flash(r.revoked ? t('cloud.deactivated') : t('cloud.forgotten'));
      route();
    } catch (e) {
      const box = h('div', { class: 'alert error', role: 'alert' });
      showError(box, e);
      deactivateBox.append(box);
      if (e.code === 'cloud_unreachable' || e.code === 'cloud_error') {
        deactivateBox.append(h('p', { class: 'small' }, t('cloud.forget_hint')),
          h('button', { class: 'btn danger', type: 'button', id: 'forget-key', onclick: () => deactivate(true) }, t('cloud.forget')));
      }
    }
  };
  const danger = c.enrolled ? h('div', { class: 'card' }, h('h2', {}, t('cloud.deactivate_title')),
    h('p', { class: 'small muted' }, t('cloud.deactivate_text')),
    deactivateBox,
    h('button', { class: 'btn danger solid', type: 'button', id: 'deactivate', onclick: () => {
      if (confirm(t('cloud.deactivate_confirm'))) deactivate(false);
    } }, t('cloud.deactivate'))) : null;

  app.replaceChildren(
    pageHead(t('cloud.title'), t('cloud.subtitle')),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('cloud.status')), status),
      h('div', { class: 'card' }, h('h2', {}, c.enrolled ? t('cloud.change') : t('cloud.enrol_title')), form)),
    danger);
}

/** The retention settings (scanner.toml [retention]) and what the last pruning pass did. */
function retentionRows(rt) {
  if (!rt) return null;
  const policy = rt.enabled
    ? t('system.retention_value', { raw: duration(rt.raw_age_s), daily: duration(rt.daily_age_s),
      events: duration(rt.events_age_s), batches: duration(rt.batches_age_s) })
    : t('system.retention_off');
  const p = rt.last_pass;
  let last;
  if (rt.last_error) last = h('span', { class: 'pill offline', title: rt.last_error }, t('system.prune_failed'));
  else if (rt.running) last = t('system.prune_running');
  else if (!p) last = t('system.prune_never');
  else {
    last = h('span', { title: fullTime(p.finished_at) }, t('system.prune_value', {
      when: relTime(p.finished_at), readings: num(p.readings_deleted + p.daily_deleted),
      events: num(p.events_deleted), batches: num(p.batches_deleted), daily: num(p.readings_kept_daily),
      ms: num(p.duration_ms) }));
  }
  return [h('dt', {}, t('system.retention')), h('dd', { id: 'retention-policy' }, policy),
    h('dt', {}, t('system.last_prune')), h('dd', { id: 'retention-last' }, last)];
}

async function systemPage(app) {
  const [s, tokens] = await Promise.all([api('GET', '/api/status'), api('GET', '/api/tokens')]);
  const db = s.database;
  const info = h('dl', { class: 'kv', id: 'scanner-status' },
    h('dt', {}, t('system.version')), h('dd', {}, s.version),
    h('dt', {}, t('system.scanner_id')), h('dd', { class: 'mono' }, s.scanner_id),
    h('dt', {}, t('system.uptime')), h('dd', { title: fullTime(s.started_at) }, uptime(s.uptime_s)),
    h('dt', {}, t('system.database')), h('dd', {}, db.ok ? h('span', { class: 'pill online', id: 'db-healthy' }, t('system.healthy'))
      : h('span', { class: 'pill offline', title: db.error || null }, t('system.unavailable'))),
    db.ok ? [h('dt', {}, t('system.postgresql')), h('dd', {}, db.server_version), h('dt', {}, t('system.database_size')), h('dd', {}, bytes(db.size_bytes))] : null,
    h('dt', {}, t('system.polls')), h('dd', {}, t('system.polls_value', { answered: s.service.polls_answered, failed: s.service.polls_failed })),
    h('dt', {}, t('system.scheduled_devices')), h('dd', {}, num(s.service.scheduled_devices)),
    retentionRows(s.retention));

  const pw = h('form', { novalidate: true, id: 'password-form' },
    h('label', {}, t('field.current_password'), h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password', required: true })),
    h('label', {}, t('field.new_password'), h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', minlength: 10, required: true }),
      h('small', { class: 'hint' }, t('system.new_password_hint'))),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, t('system.change_password')));
  bindForm(pw, async (f, form) => {
    await api('POST', '/api/account/password', f);
    form.reset();
    flash(t('system.password_changed'));
  });

  const newToken = h('div', {});
  const tokenForm = h('form', { novalidate: true, id: 'token-form' },
    h('label', {}, t('system.token_name'), h('input', { name: 'name', placeholder: t('system.token_name_placeholder'), maxlength: 200, required: true })),
    errorBox(),
    h('button', { class: 'btn', type: 'submit' }, t('system.create_token')));
  bindForm(tokenForm, async (f) => {
    const created = await api('POST', '/api/tokens', { name: f.name });
    await systemPage(app);
    document.getElementById('new-token').replaceChildren(h('div', { class: 'alert ok' },
      t('system.token_created'), h('code', { class: 'secret' }, created.token)));
  });
  newToken.id = 'new-token';
  const tokenList = tokens.tokens.length === 0 ? h('p', { class: 'muted small' }, t('system.no_tokens'))
    : h('ul', { class: 'list' }, tokens.tokens.map((tok) => h('li', {},
        h('span', {}, h('b', {}, tok.name), h('span', { class: 'muted small' }, ' ' + t('system.token_used', { created: relTime(tok.created_at), used: relTime(tok.last_used_at) }))),
        h('button', { class: 'btn small danger', type: 'button', onclick: async () => {
          try { await api('DELETE', '/api/tokens/' + tok.token_id); systemPage(app); } catch (e) { flashError(e); }
        } }, t('system.revoke')))));

  app.replaceChildren(
    pageHead(t('system.title'), t('system.subtitle')),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('system.status')), info),
      h('div', { class: 'card' }, h('h2', {}, t('system.change_password')), pw)),
    h('div', { class: 'card' }, h('h2', {}, t('system.tokens')),
      h('p', { class: 'muted small' }, t('system.tokens_hint')),
      newToken, tokenList, tokenForm),
    auditCard());
}

// ---------------------------------------------------------------------------------------------
// audit log: who changed this scanner's settings, from where (GET /api/audit), newest first

// The actions the server records (scanner/src/web/routes_*.cpp), in the filter's order.
const AUDIT_ACTIONS = {
  setup_done: () => t('audit.a_setup_done'),
  signed_in: () => t('audit.a_signed_in'),
  sign_in_failed: () => t('audit.a_sign_in_failed'),
  password_changed: () => t('audit.a_password_changed'),
  token_created: () => t('audit.a_token_created'),
  token_revoked: () => t('audit.a_token_revoked'),
  device_added: () => t('audit.a_device_added'),
  device_updated: () => t('audit.a_device_updated'),
  device_deleted: () => t('audit.a_device_deleted'),
  capture_started: () => t('audit.a_capture_started'),
  range_added: () => t('audit.a_range_added'),
  range_updated: () => t('audit.a_range_updated'),
  range_deleted: () => t('audit.a_range_deleted'),
  exclusion_added: () => t('audit.a_exclusion_added'),
  exclusion_deleted: () => t('audit.a_exclusion_deleted'),
  credential_added: () => t('audit.a_credential_added'),
  credential_deleted: () => t('audit.a_credential_deleted'),
  settings_changed: () => t('audit.a_settings_changed'),
  discovery_started: () => t('audit.a_discovery_started'),
  cloud_key_set: () => t('audit.a_cloud_key_set'),
  cloud_key_deactivated: () => t('audit.a_cloud_key_deactivated'),
  data_exported: () => t('audit.a_data_exported'),
};
function auditActionName(a) { return AUDIT_ACTIONS[a] ? AUDIT_ACTIONS[a]() : a; }

function auditActor(e) {
  if (e.actor_kind === 'anonymous') return t('audit.anonymous');
  if (e.actor_kind === 'token') return t('audit.token', { name: e.actor });
  return e.actor;
}

function auditCard() {
  const per = 20;
  const f = { action: '', offset: 0 };
  const body = h('div', {});
  const actionSel = h('select', { id: 'audit-action', 'aria-label': t('audit.col_action'), onchange: () => { f.action = actionSel.value; f.offset = 0; load(); } },
    h('option', { value: '' }, t('audit.all_actions')), Object.keys(AUDIT_ACTIONS).map((a) => h('option', { value: a }, auditActionName(a))));
  async function load() {
    let res;
    try {
      res = await api('GET', '/api/audit?limit=' + per + '&offset=' + f.offset + (f.action ? '&action=' + f.action : ''));
    } catch (e) {
      body.replaceChildren(h('div', { class: 'alert error' }, errorText(e)));
      return;
    }
    if (res.items.length === 0) { body.replaceChildren(h('p', { class: 'muted small', id: 'audit-empty' }, t('audit.empty'))); return; }
    const pager = h('div', { class: 'actions' },
      h('span', { class: 'muted small', id: 'audit-count' }, t('audit.shown', { from: f.offset + 1, to: f.offset + res.items.length, total: res.total })),
      h('button', { class: 'btn small', type: 'button', id: 'audit-prev', disabled: f.offset === 0, onclick: () => { f.offset = Math.max(0, f.offset - per); load(); } }, t('audit.newer')),
      h('button', { class: 'btn small', type: 'button', id: 'audit-next', disabled: f.offset + res.items.length >= res.total, onclick: () => { f.offset += per; load(); } }, t('audit.older')));
    body.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { id: 'audit-table', class: 'cards-sm' },
      h('thead', {}, h('tr', {}, h('th', {}, t('audit.col_at')), h('th', {}, t('audit.col_actor')), h('th', {}, t('audit.col_action')),
        h('th', {}, t('audit.col_target')), h('th', {}, t('audit.col_detail')), h('th', {}, t('audit.col_address')))),
      h('tbody', {}, res.items.map((e) => h('tr', { class: 'audit-row', dataset: { action: e.action } },
        h('td', { title: fullTime(e.at), class: 'nowrap' }, relTime(e.at)),
        h('td', {}, h('b', {}, auditActor(e))),
        h('td', {}, auditActionName(e.action)),
        h('td', { class: 'mono small' }, e.target || '—'),
        h('td', { class: 'small muted' }, e.detail || '—'),
        h('td', { class: 'mono small' }, e.address || '—')))))), pager);
  }
  load();
  return h('div', { class: 'card', id: 'audit-card' }, h('h2', {}, t('audit.title')),
    h('p', { class: 'muted small' }, t('audit.hint')), h('div', { class: 'row' }, h('label', {}, t('audit.col_action'), actionSel)), body);
}

/** What one local alert is about, in words. */
function localAlertText(a) {
  if (a.kind === 'offline') return t('alerts.offline');
  if (a.kind === 'error') return printerErrorName(a.code);
  if (a.kind === 'supply_low') {
    const [type, color] = a.code.split('/');
    const name = color ? colorName(color) + ' · ' + supplyTypeName(type) : (a.detail || supplyTypeName(type));
    if (a.level_percent === null) {
      return a.state === 'low' ? t('alerts.supply_low_no_level', { supply: name }) : t('alerts.supply_empty', { supply: name });
    }
    return t('alerts.supply_low', { supply: name, percent: a.level_percent });
  }
  if (a.kind === 'tray') return t('alerts.tray_empty', { tray: a.detail || a.code.replace(/:empty$/, '') });
  if (a.kind === 'cover') return t('alerts.cover_open', { cover: a.detail || a.code.replace(/:open$/, '') });
  return t('alerts.printer_alert', { detail: a.detail || a.code });
}

// The branch's own alerts: what is wrong with its devices now, from this database alone (it
// works without the cloud). Read-only: rules and notifications are the cloud's.
async function alertsPage(app) {
  const params = new URLSearchParams(location.search);
  const percent = /^\d{1,3}$/.test(params.get('supply_percent') || '') ? Math.min(100, Number(params.get('supply_percent'))) : 10;
  const data = await api('GET', '/api/alerts?supply_percent=' + percent);
  const alerts = data.alerts;
  const critical = alerts.filter((a) => a.severity === 'critical').length;
  const devices = new Set(alerts.map((a) => a.device_id)).size;
  const kinds = ['offline', 'error', 'cover', 'alert', 'tray', 'supply_low'];
  const kindLabel = { offline: () => t('alerts.kind_offline'), error: () => t('alerts.kind_error'), alert: () => t('alerts.kind_alert'),
    cover: () => t('alerts.kind_cover'), tray: () => t('alerts.kind_tray'), supply_low: () => t('alerts.kind_supply_low') };
  const threshold = h('select', { id: 'alerts-threshold', onchange: (e) => { history.replaceState(null, '', '/alerts?supply_percent=' + e.target.value); route(); } },
    [...new Set([0, 5, 10, 15, 20, 30, 50, 100, data.supply_percent])].sort((x, y) => x - y)
      .map((n) => h('option', { value: n, selected: n === data.supply_percent }, pctText(n))));
  const summary = h('p', { class: 'muted', id: 'alerts-summary' },
    alerts.length ? t('alerts.summary', { count: alerts.length, devices, critical }) : t('alerts.none'));
  const list = alerts.length === 0 ? h('div', { class: 'empty', id: 'alerts-empty' }, t('alerts.empty'))
    : h('div', { class: 'table-wrap' }, h('table', { id: 'alerts-table', class: 'cards-sm' },
      h('thead', {}, h('tr', {}, h('th', {}, t('alerts.col_severity')), h('th', {}, t('alerts.col_problem')),
        h('th', {}, t('alerts.col_device')), h('th', {}, t('devices.col_location')), h('th', {}, t('alerts.col_since')))),
      h('tbody', {}, alerts.map((a) => h('tr', { class: 'alert-row', dataset: { kind: a.kind, deviceId: a.device_id } },
        h('td', {}, h('span', { class: 'pill ' + (a.severity === 'critical' ? 'offline' : 'warning') },
          a.severity === 'critical' ? t('alerts.critical') : t('alerts.warning'))),
        h('td', {}, h('div', {}, localAlertText(a)), h('div', { class: 'muted small' }, kindLabel[a.kind] ? kindLabel[a.kind]() : a.kind)),
        h('td', {}, h('a', { href: '/devices/' + a.device_id }, deviceTitle(a)), h('div', { class: 'mono small muted' }, a.address || '')),
        h('td', {}, a.location || h('span', { class: 'muted' }, '—')),
        h('td', { title: fullTime(a.since) }, relTime(a.since)))))));
  const counts = h('div', { class: 'chips', id: 'alerts-counts' }, kinds.map((k) => {
    const n = alerts.filter((a) => a.kind === k).length;
    return n ? h('span', { class: 'badge' }, (kindLabel[k])() + ': ' + num(n)) : null;
  }));
  app.replaceChildren(
    pageHead(t('alerts.title'), t('alerts.subtitle')),
    h('div', { class: 'card' },
      h('div', { class: 'row' }, h('label', {}, t('alerts.threshold_label'), threshold)),
      summary, counts, list,
      h('p', { class: 'muted small' }, t('alerts.cloud_hint'))));
}

// ---------------------------------------------------------------------------------------------
// boot

async function route() {
  const app = document.getElementById('app');
  const path = location.pathname.replace(/\/+$/, '') || '/devices';
  const section = path.split('/')[1];
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === section);
  const titles = { devices: () => t('nav.devices'), alerts: () => t('nav.alerts'), discovery: () => t('nav.discovery'), export: () => t('nav.export'),
    cloud: () => t('nav.cloud'), system: () => t('nav.system') };
  document.title = titles[section] ? t('page.title', { page: titles[section]() }) : t('app.name');
  try {
    const m = path.match(/^\/devices\/([0-9a-f-]{36})$/);
    if (m) await devicePage(app, m[1]);
    else if (section === 'devices') await devicesPage(app);
    else if (section === 'alerts') await alertsPage(app);
    else if (section === 'discovery') await discoveryPage(app);
    else if (section === 'export') await exportPage(app);
    else if (section === 'cloud') await cloudPage(app);
    else if (section === 'system') await systemPage(app);
    else app.replaceChildren(h('div', { class: 'empty' }, t('page.not_found') + ' ', h('a', { href: '/devices' }, t('page.back_to_devices'))));
  } catch (e) {
    if (e.status === 401) return;
    const box = h('div', { class: 'alert error', role: 'alert' });
    showError(box, e);
    app.replaceChildren(box, h('a', { href: '/devices' }, '← ' + t('page.back_to_devices')));
  }
}

function safeNext() {
  const next = new URLSearchParams(location.search).get('next') || '';
  // Only paths on this server: never "//host", "/\host" or "https://...". Browsers drop tabs
  // and newlines inside a URL and read "\" as "/", so "/<tab>/host" would leave it too:
  // control characters and backslashes are refused outright, then the URL the browser would
  // resolve must still be this origin's.
  if (!/^\/(?![\/\\])/.test(next) || /[\u0000-\u001f\u007f\\]/.test(next)) return '/devices';
  let url;
  try { url = new URL(next, location.origin); } catch { return '/devices'; }
  return url.origin === location.origin ? url.pathname + url.search + url.hash : '/devices';
}

async function bootAuthPage(kind) {
  const s = await api('GET', '/api/auth/state');
  document.getElementById('version').textContent = t('app.version', { version: s.version });
  if (kind === 'login' && s.setup_required) { location.replace('/setup'); return; }
  if (kind === 'setup' && !s.setup_required) { location.replace('/login'); return; }
  if (s.authenticated) { location.replace(safeNext()); return; }
  const form = document.getElementById(kind + '-form');
  // The one-time setup code, when the scanner asks for one (it listens beyond loopback).
  const codeField = kind === 'setup' && s.setup_code_required ? document.getElementById('setup-code-field') : null;
  const codeHint = () => {
    if (codeField) document.getElementById('setup-code-hint').textContent = t('setup.code_hint', { file: s.setup_code_file || '' });
  };
  if (codeField) {
    codeField.hidden = false;
    codeField.querySelector('input').disabled = false;
    codeHint();
  }
  renderLangSwitch(() => {
    document.getElementById('version').textContent = t('app.version', { version: s.version });
    codeHint();
    const box = document.getElementById('form-error');
    box.hidden = true;
  });
  bindForm(form, async (f) => {
    if (kind === 'setup' && f.password !== f.password_confirm) throw new UiError(t('error.password.differ'));
    await api('POST', '/api/auth/' + kind, f);
    location.replace(safeNext());
  });
}

async function bootApp() {
  const s = await api('GET', '/api/auth/state');
  if (s.setup_required) { location.replace('/setup'); return; }
  if (!s.authenticated) { location.replace('/login?next=' + encodeURIComponent(location.pathname)); return; }
  state.csrf = s.csrf_token;
  state.username = s.username;
  document.getElementById('username').textContent = s.username;
  const foot = () => { document.getElementById('foot').textContent = t('app.version', { version: s.version }); };
  foot();
  renderLangSwitch(async () => { foot(); await route(); });
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api('POST', '/api/auth/logout'); } finally { location.replace('/login'); }
  });
  await route();
}

document.addEventListener('DOMContentLoaded', async () => {
  const page = document.body.dataset.page;
  const root = document.documentElement;
  try {
    try {
      await loadLang(chooseLang());
    } catch (e) {
      await loadLang('en');  // a broken catalogue must not lock anyone out
    }
    translateStatic();
  } finally {
    // The pages stay hidden until translated (app.css), so Russian users see no English flash.
    root.classList.remove('i18n-pending');
  }
  try {
    await (page === 'app' ? bootApp() : bootAuthPage(page));
  } catch (e) {
    const box = document.getElementById('form-error') || document.getElementById('app');
    if (box) showError(box, e);
  }
});
