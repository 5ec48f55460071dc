// printmon scanner web UI: plain JavaScript, no build step, no third-party code.
// Every page calls the same JSON API a script would (/api/...). DOM is built with
// textContent only (never innerHTML with data), so device-provided strings cannot inject markup.
'use strict';

const state = { csrf: null, username: null, version: '' };

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

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

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
    throw new ApiError(0, 'network', 'The scanner is not reachable. Check the connection and try again.');
  }
  if (res.status === 401 && !path.startsWith('/api/auth/')) {
    location.href = '/login?next=' + encodeURIComponent(location.pathname);
    throw new ApiError(401, 'unauthenticated', 'Your session has ended. Please sign in again.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: 'http_' + res.status, message: 'Request failed (HTTP ' + res.status + ').' };
    if (res.status === 413) err.message = 'The request is too large.';
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

function flash(message, kind = 'ok') {
  const box = document.getElementById('flash');
  if (!box) return;
  const el = h('div', { class: 'alert ' + kind, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

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
  const errorBox = form.querySelector('.form-error') || form.querySelector('#form-error');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (errorBox) { errorBox.hidden = true; errorBox.textContent = ''; }
    if (button) button.disabled = true;
    try {
      await action(formData(form), form);
    } catch (e) {
      if (errorBox) { errorBox.textContent = sentence(e.message); errorBox.hidden = false; }
      else flash(sentence(e.message), 'error');
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** Server messages are terse ("address: give one address"): make them read as sentences. */
function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return 'Something went wrong.';
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?…]$/.test(t) ? '' : '.');
}

function errorBox() { return h('div', { class: 'alert error form-error', role: 'alert', hidden: true }); }

function relTime(iso) {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

function fullTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString();
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds % 86400 === 0) return (seconds / 86400) + (seconds === 86400 ? ' day' : ' days');
  if (seconds % 3600 === 0) return (seconds / 3600) + ' h';
  if (seconds % 60 === 0) return (seconds / 60) + ' min';
  return seconds + ' s';
}

function uptime(seconds) {
  const d = Math.floor(seconds / 86400), hr = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  return (d ? d + ' d ' : '') + (d || hr ? hr + ' h ' : '') + m + ' min';
}

const num = (n) => (n === null || n === undefined) ? '—' : Number(n).toLocaleString();

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 1 : 0) + ' ' + units[i];
}

function statusPill(status) {
  const label = { online: 'Online', offline: 'Offline', unknown: 'Not polled yet', disabled: 'Disabled' }[status] || status;
  return h('span', { class: 'pill ' + status }, label);
}

function supplyName(s) {
  if (s.color) return s.color.charAt(0).toUpperCase() + s.color.slice(1);
  return s.description || s.type || 'Supply';
}

function supplyBars(supplies, large) {
  if (!supplies || supplies.length === 0) return h('span', { class: 'muted small' }, '—');
  const box = h('div', { class: 'supplies' + (large ? ' large' : '') });
  for (const s of supplies) {
    const pct = s.level_percent;
    const fill = h('span', { class: (s.color || '') + (pct !== null && pct <= 10 ? ' low' : '') });
    // CSSOM, not a style attribute: the Content-Security-Policy forbids inline styles.
    fill.style.width = (pct === null ? 0 : Math.max(2, pct)) + '%';
    box.append(h('div', { class: 'supply', title: (s.description || '') + (pct === null ? '' : ': ' + pct + '%') },
      h('span', { class: 'name' }, large ? (s.description || supplyName(s)) : supplyName(s)),
      h('div', { class: 'bar' }, fill),
      h('span', { class: 'pct' }, pct === null ? 'n/a' : pct + '%')));
  }
  return box;
}

function deviceTitle(d) {
  const name = [d.vendor, d.model].filter(Boolean).join(' ');
  return name || d.sys_name || d.address || 'Unidentified device';
}

function credentialFields(prefix) {
  // SNMP v1/v2c community or v3 user; fields shown for the chosen version.
  const version = h('select', { name: 'version' },
    h('option', { value: '2c' }, 'SNMP v2c'), h('option', { value: '1' }, 'SNMP v1'), h('option', { value: '3' }, 'SNMP v3'));
  const v2 = h('div', { class: 'row' },
    h('label', {}, 'Community', h('input', { name: 'community', value: 'public', autocomplete: 'off', maxlength: 200 })));
  const v3 = h('div', { hidden: true },
    h('div', { class: 'row' },
      h('label', {}, 'User', h('input', { name: 'user', autocomplete: 'off', maxlength: 200 })),
      h('label', {}, 'Context', h('input', { name: 'context', autocomplete: 'off', maxlength: 200, placeholder: 'optional' }))),
    h('div', { class: 'row' },
      h('label', {}, 'Authentication', h('select', { name: 'auth_protocol' },
        ...['', 'SHA', 'SHA-256', 'SHA-512', 'SHA-224', 'SHA-384', 'MD5'].map((p) => h('option', { value: p }, p || 'none')))),
      h('label', {}, 'Auth password', h('input', { name: 'auth_password', type: 'password', autocomplete: 'new-password', maxlength: 200 }))),
    h('div', { class: 'row' },
      h('label', {}, 'Privacy', h('select', { name: 'priv_protocol' },
        ...['', 'AES', 'AES-192', 'AES-256', 'DES'].map((p) => h('option', { value: p }, p || 'none')))),
      h('label', {}, 'Privacy password', h('input', { name: 'priv_password', type: 'password', autocomplete: 'new-password', maxlength: 200 }))));
  version.addEventListener('change', () => {
    const is3 = version.value === '3';
    v3.hidden = !is3;
    v2.hidden = is3;
    for (const el of v3.querySelectorAll('input,select')) el.disabled = !is3;
    for (const el of v2.querySelectorAll('input')) el.disabled = is3;
  });
  for (const el of v3.querySelectorAll('input,select')) el.disabled = true;
  return h('fieldset', {}, h('legend', {}, prefix || 'SNMP credentials'),
    h('label', {}, 'Version', version), v2, v3);
}

function credentialPayload(data) {
  const c = { version: data.version };
  for (const k of ['community', 'user', 'context', 'auth_protocol', 'auth_password', 'priv_protocol', 'priv_password']) {
    if (data[k] !== undefined && data[k] !== '') c[k] = data[k];
  }
  return c;
}

function intervalSelect(name, value, withDefault, defaultLabel) {
  const choices = [[60, '1 min'], [300, '5 min'], [900, '15 min'], [1800, '30 min'], [3600, '1 h'], [21600, '6 h'], [86400, '1 day']];
  const sel = h('select', { name });
  if (withDefault) sel.append(h('option', { value: '' }, defaultLabel));
  let found = false;
  for (const [v, label] of choices) {
    const opt = h('option', { value: v }, label);
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
  const low = devices.filter((d) => d.supplies.some((s) => s.level_percent !== null && s.level_percent <= 10)).length;

  const addPanel = h('div', { class: 'card', hidden: true, id: 'add-device' });
  const addButton = h('button', { class: 'btn primary', type: 'button', id: 'add-device-button', onclick: () => {
    addPanel.hidden = !addPanel.hidden;
    if (!addPanel.hidden) addPanel.querySelector('input').focus();
  } }, '+ Add device');

  const form = h('form', { novalidate: true },
    h('h2', {}, 'Add a device by address'),
    h('div', { class: 'row' },
      h('label', {}, 'IP address or host name', h('input', { name: 'address', required: true, placeholder: '10.0.0.25', maxlength: 253 })),
      h('label', {}, 'SNMP port', h('input', { name: 'port', type: 'number', min: 1, max: 65535, value: 161 })),
      h('label', {}, 'Location', h('input', { name: 'location', placeholder: 'e.g. 2nd floor, copy room', maxlength: 200 })),
      h('label', {}, 'Polling interval', intervalSelect('interval_s', null, true, 'Default (' + duration(data.default_interval_s) + ')'))),
    credentialFields(),
    errorBox(),
    h('div', { class: 'actions' },
      h('button', { class: 'btn primary', type: 'submit' }, 'Add device'),
      h('button', { class: 'btn', type: 'button', onclick: () => { addPanel.hidden = true; } }, 'Cancel')));
  bindForm(form, async (d) => {
    const body = { address: d.address, port: d.port, location: d.location, credential: credentialPayload(d) };
    if (d.interval_s) body.interval_s = Number(d.interval_s);
    const res = await api('POST', '/api/devices', body);
    flash('Device added. It is being polled now.');
    location.href = '/devices/' + res.device_id;
  });
  addPanel.append(form);

  const table = devices.length === 0
    ? h('div', { class: 'empty' }, h('p', {}, 'No devices yet.'),
        h('p', { class: 'small' }, 'Add a printer by its address, or set up ', h('a', { href: '/discovery' }, 'discovery'), ' to find them on the network.'))
    : h('div', { class: 'table-wrap' }, h('table', { id: 'device-table', class: 'cards-sm' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Status'), h('th', {}, 'Device'), h('th', {}, 'Address'), h('th', {}, 'Location'),
          h('th', {}, 'Supplies'), h('th', { class: 'num' }, 'Total pages'), h('th', { class: 'hide-sm' }, 'Last seen'), h('th', {}, ''))),
        h('tbody', {}, devices.map((d) => {
          const row = h('tr', { class: 'clickable', dataset: { id: d.device_id } },
            h('td', { class: 'c-status' }, statusPill(d.status)),
            h('td', { class: 'c-device' }, h('a', { class: 'dev-name', href: '/devices/' + d.device_id }, deviceTitle(d)),
              h('div', { class: 'dev-sub' }, d.serial ? 'S/N ' + d.serial : (d.manual ? 'added by hand' : ''))),
            h('td', { class: 'mono c-addr' }, (d.address || '—') + (d.port !== 161 ? ':' + d.port : '')),
            h('td', { class: 'c-loc' }, d.location || h('span', { class: 'muted' }, '—')),
            h('td', { class: 'c-supplies' }, supplyBars(d.supplies)),
            h('td', { class: 'num c-total' }, num(d.counters.total), h('span', { class: 'sm-only muted small' }, ' pages')),
            h('td', { class: 'c-seen', title: fullTime(d.last_seen) }, relTime(d.last_seen)),
            h('td', { class: 'c-act' }, h('button', { class: 'btn small', type: 'button', disabled: !d.enabled, onclick: async (ev) => {
              ev.stopPropagation();
              try { await api('POST', '/api/devices/' + d.device_id + '/poll'); flash('Poll requested for ' + deviceTitle(d) + '.'); }
              catch (e) { flash(e.message, 'error'); }
            } }, 'Poll now')));
          row.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') location.href = '/devices/' + d.device_id; });
          return row;
        }))));

  app.replaceChildren(
    pageHead('Devices', 'Printers monitored by this scanner.', addButton),
    addPanel,
    h('div', { class: 'stats' },
      h('div', { class: 'stat' }, h('div', { class: 'label' }, 'Devices'), h('div', { class: 'value' }, devices.length)),
      h('div', { class: 'stat ok' }, h('div', { class: 'label' }, 'Online'), h('div', { class: 'value' }, online)),
      h('div', { class: 'stat' + (offline ? ' bad' : '') }, h('div', { class: 'label' }, 'Offline'), h('div', { class: 'value' }, offline)),
      h('div', { class: 'stat' + (low ? ' warn' : '') }, h('div', { class: 'label' }, 'Supplies ≤ 10%'), h('div', { class: 'value' }, low))),
    h('div', { class: 'card flush' }, table));
}

function counterChart(readings) {
  const points = readings.filter((r) => r.snapshot.counters && r.snapshot.counters.total !== undefined)
    .map((r) => [Date.parse(r.polled_at), r.snapshot.counters.total]).reverse();
  if (points.length < 2) return h('p', { class: 'muted small' }, 'The page-count chart appears after two readings.');
  const ns = 'http://www.w3.org/2000/svg';
  const W = 600, H = 160, P = 28;
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (x) => P + (x1 === x0 ? 0 : (x - x0) / (x1 - x0)) * (W - 2 * P);
  const sy = (y) => H - P - (y1 === y0 ? 0.5 : (y - y0) / (y1 - y0)) * (H - 2 * P);
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'chart');
  const mk = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };
  svg.append(mk('line', { x1: P, y1: H - P, x2: W - P, y2: H - P, class: 'grid-line' }));
  svg.append(mk('line', { x1: P, y1: P, x2: W - P, y2: P, class: 'grid-line' }));
  const d = points.map((p, i) => (i ? 'L' : 'M') + sx(p[0]).toFixed(1) + ' ' + sy(p[1]).toFixed(1)).join(' ');
  svg.append(mk('path', { d: d + ` L${sx(x1)} ${H - P} L${sx(x0)} ${H - P} Z`, class: 'area' }));
  svg.append(mk('path', { d, class: 'line' }));
  const label = (x, y, text, anchor) => { const t = mk('text', { x, y, 'text-anchor': anchor }); t.textContent = text; svg.append(t); };
  label(P, P - 8, num(y1), 'start');
  label(P, H - 8, new Date(x0).toLocaleString(), 'start');
  label(W - P, H - 8, new Date(x1).toLocaleString(), 'end');
  return svg;
}

async function devicePage(app, id) {
  const [d, history] = await Promise.all([api('GET', '/api/devices/' + id), api('GET', '/api/devices/' + id + '/history?limit=50')]);
  document.title = deviceTitle(d) + ' · printmon scanner';
  const snap = d.snapshot || null;

  const settings = h('form', { novalidate: true, id: 'device-settings' },
    h('label', {}, 'Location', h('input', { name: 'location', value: d.location, maxlength: 200, placeholder: 'e.g. 2nd floor, copy room' })),
    h('label', {}, 'Polling interval', intervalSelect('interval_s', d.interval_s, true, 'Default')),
    errorBox(),
    h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'submit' }, 'Save changes')));
  bindForm(settings, async (f) => {
    await api('PUT', '/api/devices/' + id, { location: f.location, interval_s: f.interval_s ? Number(f.interval_s) : null });
    flash('Saved.');
    route();
  });

  const identity = h('dl', { class: 'kv' },
    h('dt', {}, 'Vendor'), h('dd', {}, d.vendor || '—'),
    h('dt', {}, 'Model'), h('dd', {}, d.model || '—'),
    h('dt', {}, 'Serial number'), h('dd', { class: 'mono' }, d.serial || '—'),
    h('dt', {}, 'Address'), h('dd', { class: 'mono' }, (d.address || '—') + ':' + d.port),
    h('dt', {}, 'MAC'), h('dd', { class: 'mono' }, d.mac || '—'),
    h('dt', {}, 'Firmware'), h('dd', {}, d.firmware || '—'),
    h('dt', {}, 'Polling'), h('dd', {}, 'every ' + duration(d.effective_interval_s) + (d.interval_s ? '' : ' (default)')),
    h('dt', {}, 'Last seen'), h('dd', { title: fullTime(d.last_seen) }, relTime(d.last_seen)),
    h('dt', {}, 'First seen'), h('dd', {}, fullTime(d.first_seen)));

  const counters = Object.entries(d.counters);
  const counterList = counters.length === 0 ? h('p', { class: 'muted' }, 'No counters yet.')
    : h('dl', { class: 'kv' }, counters.flatMap(([k, v]) => [h('dt', {}, k.replace(/_/g, ' ')), h('dd', { class: 'mono' }, num(v))]));

  const problems = [];
  if (d.last_error && d.status !== 'online') problems.push(h('div', { class: 'alert warn' }, 'Last poll failed: ' + d.last_error));
  if (d.errors.length) problems.push(h('div', { class: 'alert warn' }, 'Printer reports: ' + d.errors.map((e) => e.replace(/_/g, ' ')).join(', ')));
  if (snap && snap.status && snap.status.console) problems.push(h('div', { class: 'alert info' }, 'Display: ' + snap.status.console));

  const readingsTable = history.readings.length === 0 ? h('div', { class: 'empty' }, 'No readings yet.')
    : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Polled at'), h('th', { class: 'num' }, 'Total'), h('th', { class: 'num' }, 'Mono'), h('th', { class: 'num' }, 'Colour'), h('th', {}, 'Supplies'), h('th', {}, 'Status'))),
        h('tbody', {}, history.readings.slice(0, 20).map((r) => h('tr', {},
          h('td', {}, fullTime(r.polled_at)),
          h('td', { class: 'num' }, num(r.snapshot.counters.total)),
          h('td', { class: 'num' }, num(r.snapshot.counters.mono)),
          h('td', { class: 'num' }, num(r.snapshot.counters.color)),
          h('td', { class: 'small' }, (r.snapshot.supplies || []).filter((s) => s.class !== 'receptacle' && s.level_percent !== undefined)
            .map((s) => supplyName(s) + ' ' + s.level_percent + '%').join(' · ') || '—'),
          h('td', { class: 'small' }, (r.snapshot.status.errors || []).join(', ') || r.snapshot.status.device))))));

  const eventsList = history.events.length === 0 ? h('p', { class: 'muted' }, 'No events.')
    : h('ul', { class: 'list' }, history.events.slice(0, 20).map((e) => h('li', {},
        h('span', {}, h('span', { class: 'badge ' + (e.action === 'appeared' ? 'warn' : '') }, e.action), ' ', e.code.replace(/_/g, ' '), e.detail ? h('span', { class: 'muted small' }, ' — ' + e.detail) : null),
        h('span', { class: 'muted small' }, fullTime(e.at)))));

  const toggle = h('button', { class: 'btn', type: 'button', id: 'toggle-enabled', onclick: async () => {
    try { await api('PUT', '/api/devices/' + id, { enabled: !d.enabled }); flash(d.enabled ? 'Polling disabled.' : 'Polling enabled.'); route(); }
    catch (e) { flash(e.message, 'error'); }
  } }, d.enabled ? 'Disable' : 'Enable');
  const del = h('button', { class: 'btn danger', type: 'button', id: 'delete-device', onclick: async () => {
    if (!confirm('Delete ' + deviceTitle(d) + '? Its readings stay in the database; discovery will not add it again.')) return;
    try { await api('DELETE', '/api/devices/' + id); flash('Device deleted.'); location.href = '/devices'; }
    catch (e) { flash(e.message, 'error'); }
  } }, 'Delete');
  const poll = h('button', { class: 'btn primary', type: 'button', id: 'poll-now', disabled: !d.enabled, onclick: async () => {
    try {
      await api('POST', '/api/devices/' + id + '/poll');
      flash('Poll requested. The page refreshes in a few seconds.');
      setTimeout(route, 3000);
    } catch (e) { flash(e.message, 'error'); }
  } }, 'Poll now');

  app.replaceChildren(
    h('div', { class: 'crumbs' }, h('a', { href: '/devices' }, '← All devices')),
    pageHead(deviceTitle(d), d.location || 'No location set', statusPill(d.status), poll, toggle, del),
    ...problems,
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, 'Supplies'), supplyBars(d.supplies, true)),
      h('div', { class: 'card' }, h('h2', {}, 'Counters'), counterList),
      h('div', { class: 'card' }, h('h2', {}, 'Settings'), settings)),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, 'Identity'), identity),
      h('div', { class: 'card', id: 'history' }, h('h2', {}, 'Page count'), counterChart(history.readings))),
    h('div', { class: 'card flush' }, h('h2', {}, 'Recent readings'), readingsTable),
    h('div', { class: 'card' }, h('h2', {}, 'Events'), eventsList));
}

async function discoveryPage(app) {
  const data = await api('GET', '/api/discovery');
  const s = data.settings;

  const progressBar = h('span', {});
  const progressText = h('p', { class: 'muted small', id: 'discovery-status' });
  const runButton = h('button', { class: 'btn primary', type: 'button', id: 'discover-now' }, 'Discover now');
  const showProgress = (p) => {
    const pct = p.hosts_total ? Math.round(100 * p.hosts_done / p.hosts_total) : (p.running ? 0 : 100);
    progressBar.style.width = pct + '%';
    runButton.disabled = p.running;
    if (p.running) progressText.textContent = `Scanning… ${p.hosts_done} of ${p.hosts_total} hosts, ${p.printers_found} printers found.`;
    else if (p.runs_completed) progressText.textContent = `Last run: ${p.hosts_total} hosts scanned, ${p.printers_found} printers found.`;
    else progressText.textContent = 'No discovery has run since the scanner started.';
    if (p.last_error) progressText.textContent += ' ' + p.last_error;
  };
  let timer = null;
  let awaitRun = 0;  // runs_completed must pass this before "Discover now" counts as done
  const watch = async () => {
    try {
      const p = await api('GET', '/api/discovery/progress');
      const pending = !p.running && p.runs_completed <= awaitRun;
      if (pending) { runButton.disabled = true; progressText.textContent = 'Starting…'; }
      else showProgress(p);
      if (p.running || pending) timer = setTimeout(watch, p.running ? 1000 : 300);
    } catch (e) { flash(e.message, 'error'); }
  };
  runButton.addEventListener('click', async () => {
    try {
      // The request is asynchronous: the service starts the run after re-reading its settings.
      const before = await api('GET', '/api/discovery/progress');
      await api('POST', '/api/discovery/run');
      awaitRun = before.runs_completed;
      clearTimeout(timer);
      await watch();
    } catch (e) { flash(e.message, 'error'); }
  });
  showProgress(data.progress);
  if (data.progress.running) watch();

  const schedule = h('form', { novalidate: true, id: 'schedule-form' },
    h('label', {}, 'Automatic discovery', (() => {
      const sel = h('select', { name: 'discovery_interval_s' });
      for (const [v, l] of [[0, 'Off'], [21600, 'Every 6 hours'], [43200, 'Every 12 hours'], [86400, 'Daily'], [604800, 'Weekly']]) {
        sel.append(h('option', { value: v, selected: v === s.discovery_interval_s }, l));
      }
      if (![0, 21600, 43200, 86400, 604800].includes(s.discovery_interval_s)) sel.append(h('option', { value: s.discovery_interval_s, selected: true }, 'Every ' + duration(s.discovery_interval_s)));
      return sel;
    })()),
    h('label', {}, 'Default polling interval', intervalSelect('polling_interval_s', s.polling_interval_s, false),
      h('small', { class: 'hint' }, 'Devices without their own interval are polled this often.')),
    h('label', {}, 'SNMP port probed by discovery', h('input', { name: 'discovery_port', type: 'number', min: 1, max: 65535, value: s.discovery_port })),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, 'Save schedule'));
  bindForm(schedule, async (f) => {
    await api('PUT', '/api/settings', { discovery_interval_s: Number(f.discovery_interval_s), polling_interval_s: Number(f.polling_interval_s), discovery_port: f.discovery_port });
    flash('Schedule saved.');
  });

  const rangeForm = h('form', { novalidate: true, id: 'range-form' },
    h('label', {}, 'Network, range or address', h('input', { name: 'target', placeholder: '10.0.0.0/24 or 10.0.0.10-10.0.0.90', maxlength: 253, required: true })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'exclude' }), 'Exclude (never scan these addresses)'),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, 'Add'));
  bindForm(rangeForm, async (f) => {
    await api('POST', '/api/discovery/ranges', { target: f.target, exclude: f.exclude });
    flash(f.exclude ? 'Exclusion added.' : 'Range added.');
    route();
  });
  const ranges = data.ranges.length === 0 ? h('p', { class: 'muted' }, 'No ranges yet: discovery has nothing to scan.')
    : h('ul', { class: 'list', id: 'range-list' }, data.ranges.map((r) => h('li', {},
        h('span', {}, h('span', { class: 'badge ' + (r.exclude ? 'exclude' : 'include') }, r.exclude ? 'exclude' : 'scan'), ' ', h('code', {}, r.target)),
        h('button', { class: 'btn small danger', type: 'button', onclick: async () => {
          try { await api('DELETE', '/api/discovery/ranges/' + r.range_id); route(); } catch (e) { flash(e.message, 'error'); }
        } }, 'Remove'))));

  const credForm = h('form', { novalidate: true, id: 'credential-form' },
    h('label', {}, 'Name', h('input', { name: 'name', placeholder: 'e.g. Office printers', maxlength: 80, required: true })),
    credentialFields('Credentials'),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, 'Add credential set'));
  bindForm(credForm, async (f) => {
    await api('POST', '/api/discovery/credentials', Object.assign({ name: f.name }, credentialPayload(f)));
    flash('Credential set added.');
    route();
  });
  const creds = h('ul', { class: 'list' }, data.credentials.map((c) => h('li', {},
    h('span', {}, h('b', {}, c.name), ' ', h('span', { class: 'badge' }, 'v' + c.version),
      c.version === '3' ? h('span', { class: 'muted small' }, ` user ${c.user}${c.auth_protocol ? ', ' + c.auth_protocol : ''}${c.priv_protocol ? ' / ' + c.priv_protocol : ''}`) : null),
    h('button', { class: 'btn small danger', type: 'button', onclick: async () => {
      if (!confirm('Remove the credential set "' + c.name + '"?')) return;
      try { await api('DELETE', '/api/discovery/credentials/' + c.credential_id); route(); } catch (e) { flash(e.message, 'error'); }
    } }, 'Remove'))));

  app.replaceChildren(
    pageHead('Discovery', 'Find printers on the network with SNMP.', runButton),
    h('div', { class: 'card' }, h('h2', {}, 'Progress'), h('div', { class: 'progress' }, progressBar), progressText),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, 'Ranges and exclusions'), ranges, h('h3', {}, 'Add'), rangeForm),
      h('div', { class: 'card' }, h('h2', {}, 'Schedule'), schedule)),
    h('div', { class: 'card' }, h('h2', {}, 'Credential sets'),
      h('p', { class: 'muted small' }, 'Tried in this order on every address; secrets are never shown again.'), creds,
      h('h3', {}, 'Add'), credForm));
}

async function exportPage(app) {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86400e3).toISOString().slice(0, 10);
  const from = h('input', { type: 'date', name: 'from', value: monthAgo, disabled: true });
  const to = h('input', { type: 'date', name: 'to', value: today, disabled: true });
  const scopeRadio = (value, label, checked) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'scope', value, checked, onchange: () => { from.disabled = to.disabled = value !== 'range'; } }), label);
  const form = h('form', { novalidate: true, id: 'export-form' },
    h('h2', {}, 'Readings'),
    h('div', { class: 'radios' },
      scopeRadio('unsent', 'Not yet uploaded', true), scopeRadio('all', 'All readings', false), scopeRadio('range', 'Date range', false)),
    h('div', { class: 'row' }, h('label', {}, 'From', from), h('label', {}, 'To (inclusive)', to)),
    h('h2', {}, 'Format'),
    h('div', { class: 'radios' },
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'format', value: 'json', checked: true }), 'printmon export file (JSON) — import it in the cloud'),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'format', value: 'csv' }), 'CSV — for spreadsheets')),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit', id: 'download' }, 'Download'));
  bindForm(form, async (f) => {
    const q = new URLSearchParams({ scope: f.scope, format: f.format });
    if (f.scope === 'range') {
      if (!f.from || !f.to) throw new Error('Choose both dates.');
      q.set('from', f.from); q.set('to', f.to);
    }
    const url = '/api/export?' + q.toString();
    // Fetch first so errors show here; then hand the file to the browser.
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) {
      let msg = 'Export failed (HTTP ' + res.status + ').';
      try { msg = (await res.json()).error.message; } catch (e) { /* keep the generic text */ }
      throw new Error(msg);
    }
    const blob = await res.blob();
    const name = (res.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
    const a = h('a', { href: URL.createObjectURL(blob), download: name ? name[1] : 'printmon-export.' + f.format });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    flash(`Exported ${res.headers.get('X-Export-Readings') || 0} readings.`);
  });
  app.replaceChildren(
    pageHead('Export', 'Download readings for offline transfer when this site has no internet access.'),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, form),
      h('div', { class: 'card' }, h('h2', {}, 'Offline transfer'),
        h('ol', { class: 'small' },
          h('li', {}, 'Download the printmon export file here.'),
          h('li', {}, 'Carry it to a computer with internet access.'),
          h('li', {}, 'In the printmon cloud, open Import and upload the file.')),
        h('p', { class: 'muted small' }, 'Exporting does not mark readings as uploaded: the cloud recognises readings it already has, so nothing is counted twice.'))));
}

async function cloudPage(app) {
  const c = await api('GET', '/api/cloud');
  const u = c.uploader;
  const status = h('dl', { class: 'kv', id: 'upload-status' },
    h('dt', {}, 'Scanner key'), h('dd', {}, c.enrolled ? h('code', {}, c.key_hint) : h('span', { class: 'badge' }, 'not enrolled')),
    h('dt', {}, 'Cloud URL'), h('dd', {}, c.cloud_url || '—'),
    h('dt', {}, 'Last upload'), h('dd', { title: fullTime(u.last_success_at) }, u.last_success_at ? relTime(u.last_success_at) : 'never'),
    h('dt', {}, 'Last attempt'), h('dd', {}, u.last_attempt_at ? relTime(u.last_attempt_at) : 'never'),
    h('dt', {}, 'Queue'), h('dd', {}, num(u.queue_length) + ' batches, ' + num(u.unsent_readings) + ' readings not uploaded'),
    h('dt', {}, 'Last error'), h('dd', {}, u.last_error ? h('span', { class: 'badge exclude' }, u.last_error) : 'none'));

  const form = h('form', { novalidate: true, id: 'enrol-form' },
    h('label', {}, 'Cloud URL', h('input', { name: 'cloud_url', type: 'url', value: c.cloud_url, placeholder: 'https://printmon.example.com', maxlength: 500, required: true })),
    h('label', {}, 'Scanner key', h('input', { name: 'scanner_key', type: 'password', autocomplete: 'off', placeholder: 'pmk.…', maxlength: 500, required: true }),
      h('small', { class: 'hint' }, 'Create a scanner in the cloud console and paste its key. It is stored on this scanner only.')),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'test', checked: true }), 'Test the connection first'),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, c.enrolled ? 'Replace key' : 'Enrol'));
  bindForm(form, async (f) => {
    await api('PUT', '/api/cloud', { cloud_url: f.cloud_url, scanner_key: f.scanner_key, test: f.test });
    flash('Scanner enrolled.');
    route();
  });

  const deactivateBox = h('div', { id: 'deactivate-box' });
  const deactivate = async (forget) => {
    deactivateBox.replaceChildren();
    try {
      const r = await api('POST', '/api/cloud/deactivate', forget ? { forget_locally: true } : {});
      flash(r.revoked ? 'Key deactivated in the cloud and removed here.' : 'Key removed from this scanner.');
      route();
    } catch (e) {
      deactivateBox.append(h('div', { class: 'alert error', role: 'alert' }, e.message));
      if (e.code === 'cloud_unreachable' || e.code === 'cloud_error') {
        deactivateBox.append(h('p', { class: 'small' }, 'If the cloud cannot be reached, you can remove the key from this scanner only. Revoke it in the cloud console later.'),
          h('button', { class: 'btn danger', type: 'button', id: 'forget-key', onclick: () => deactivate(true) }, 'Forget key locally'));
      }
    }
  };
  const danger = c.enrolled ? h('div', { class: 'card' }, h('h2', {}, 'Deactivate key'),
    h('p', { class: 'small muted' }, 'Revokes this scanner\'s key in the cloud and removes it here. Uploads stop until a new key is entered.'),
    deactivateBox,
    h('button', { class: 'btn danger solid', type: 'button', id: 'deactivate', onclick: () => {
      if (confirm('Deactivate the scanner key? Uploads stop until a new key is entered.')) deactivate(false);
    } }, 'Deactivate key')) : null;

  app.replaceChildren(
    pageHead('Cloud connection', 'Readings are uploaded to the printmon cloud by the uploader service.'),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, 'Upload status'), status),
      h('div', { class: 'card' }, h('h2', {}, c.enrolled ? 'Change connection' : 'Enrol this scanner'), form)),
    danger);
}

async function systemPage(app) {
  const [s, tokens] = await Promise.all([api('GET', '/api/status'), api('GET', '/api/tokens')]);
  const db = s.database;
  const info = h('dl', { class: 'kv', id: 'scanner-status' },
    h('dt', {}, 'Version'), h('dd', {}, s.version),
    h('dt', {}, 'Scanner id'), h('dd', { class: 'mono' }, s.scanner_id),
    h('dt', {}, 'Uptime'), h('dd', { title: fullTime(s.started_at) }, uptime(s.uptime_s)),
    h('dt', {}, 'Database'), h('dd', {}, db.ok ? h('span', { class: 'pill online' }, 'Healthy') : h('span', { class: 'pill offline' }, db.error || 'Unavailable')),
    db.ok ? [h('dt', {}, 'PostgreSQL'), h('dd', {}, db.server_version), h('dt', {}, 'Database size'), h('dd', {}, bytes(db.size_bytes))] : null,
    h('dt', {}, 'Polls'), h('dd', {}, `${num(s.service.polls_answered)} answered, ${num(s.service.polls_failed)} failed since start`),
    h('dt', {}, 'Scheduled devices'), h('dd', {}, num(s.service.scheduled_devices)));

  const pw = h('form', { novalidate: true, id: 'password-form' },
    h('label', {}, 'Current password', h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password', required: true })),
    h('label', {}, 'New password', h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', minlength: 10, required: true }),
      h('small', { class: 'hint' }, 'At least 10 characters. Other sessions are signed out.')),
    errorBox(),
    h('button', { class: 'btn primary', type: 'submit' }, 'Change password'));
  bindForm(pw, async (f, form) => {
    await api('POST', '/api/account/password', f);
    form.reset();
    flash('Password changed.');
  });

  const newToken = h('div', {});
  const tokenForm = h('form', { novalidate: true, id: 'token-form' },
    h('label', {}, 'Token name', h('input', { name: 'name', placeholder: 'e.g. inventory script', maxlength: 80, required: true })),
    errorBox(),
    h('button', { class: 'btn', type: 'submit' }, 'Create API token'));
  bindForm(tokenForm, async (f) => {
    const t = await api('POST', '/api/tokens', { name: f.name });
    await systemPage(app);
    document.getElementById('new-token').replaceChildren(h('div', { class: 'alert ok' },
      'Copy this token now; it is not shown again. Send it as "Authorization: Bearer <token>".', h('code', { class: 'secret' }, t.token)));
  });
  newToken.id = 'new-token';
  const tokenList = tokens.tokens.length === 0 ? h('p', { class: 'muted small' }, 'No API tokens.')
    : h('ul', { class: 'list' }, tokens.tokens.map((t) => h('li', {},
        h('span', {}, h('b', {}, t.name), h('span', { class: 'muted small' }, ' created ' + relTime(t.created_at) + ', last used ' + relTime(t.last_used_at))),
        h('button', { class: 'btn small danger', type: 'button', onclick: async () => {
          try { await api('DELETE', '/api/tokens/' + t.token_id); systemPage(app); } catch (e) { flash(e.message, 'error'); }
        } }, 'Revoke'))));

  app.replaceChildren(
    pageHead('System', 'Scanner status and your account.'),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, 'Scanner status'), info),
      h('div', { class: 'card' }, h('h2', {}, 'Change password'), pw)),
    h('div', { class: 'card' }, h('h2', {}, 'API tokens'),
      h('p', { class: 'muted small' }, 'Everything this UI does is available under /api/ for scripts.'),
      newToken, tokenList, tokenForm));
}

// ---------------------------------------------------------------------------------------------
// boot

async function route() {
  const app = document.getElementById('app');
  const path = location.pathname.replace(/\/+$/, '') || '/devices';
  const section = path.split('/')[1];
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === section);
  const titles = { devices: 'Devices', discovery: 'Discovery', export: 'Export', cloud: 'Cloud', system: 'System' };
  document.title = (titles[section] || 'printmon') + ' · printmon scanner';
  try {
    const m = path.match(/^\/devices\/([0-9a-f-]{36})$/);
    if (m) await devicePage(app, m[1]);
    else if (section === 'devices') await devicesPage(app);
    else if (section === 'discovery') await discoveryPage(app);
    else if (section === 'export') await exportPage(app);
    else if (section === 'cloud') await cloudPage(app);
    else if (section === 'system') await systemPage(app);
    else app.replaceChildren(h('div', { class: 'empty' }, 'Page not found. ', h('a', { href: '/devices' }, 'Back to devices')));
  } catch (e) {
    if (e.status === 401) return;
    app.replaceChildren(h('div', { class: 'alert error', role: 'alert' }, e.status === 404 ? 'Not found: ' + e.message : e.message),
      h('a', { href: '/devices' }, '← Back to devices'));
  }
}

function safeNext() {
  const next = new URLSearchParams(location.search).get('next') || '/devices';
  // Only paths on this server: never "//host" or "https://...".
  return /^\/(?![\/\\])/.test(next) ? next : '/devices';
}

async function bootAuthPage(kind) {
  const s = await api('GET', '/api/auth/state');
  document.getElementById('version').textContent = 'printmon scanner ' + s.version;
  if (kind === 'login' && s.setup_required) { location.replace('/setup'); return; }
  if (kind === 'setup' && !s.setup_required) { location.replace('/login'); return; }
  if (s.authenticated) { location.replace(safeNext()); return; }
  const form = document.getElementById(kind + '-form');
  bindForm(form, async (f) => {
    if (kind === 'setup' && f.password !== f.password_confirm) throw new Error('The two passwords differ.');
    try {
      await api('POST', '/api/auth/' + kind, f);
    } catch (e) {
      if (e.code === 'bad_credentials') throw new Error('Wrong user name or password.');
      throw e;
    }
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
  document.getElementById('foot').textContent = 'printmon scanner ' + s.version;
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api('POST', '/api/auth/logout'); } finally { location.replace('/login'); }
  });
  await route();
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page;
  const run = page === 'app' ? bootApp() : bootAuthPage(page);
  run.catch((e) => {
    const box = document.getElementById('form-error') || document.getElementById('app');
    if (box) { box.hidden = false; box.textContent = e.message; }
  });
});
