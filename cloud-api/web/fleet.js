// Fleet overview (#/fleet) and the device page (#/devices/<id>).
'use strict';

// ---------------------------------------------------------------------------------------------
// shared labels

function statusLabel(s) {
  return ({ running: t('st_running'), warning: t('st_warning'), down: t('st_down'), testing: t('st_testing'), unknown: t('st_unknown') })[s] || t('st_unknown');
}

function printerError(code) {
  return ({
    low_paper: t('perr_low_paper'), no_paper: t('perr_no_paper'), low_toner: t('perr_low_toner'), no_toner: t('perr_no_toner'),
    door_open: t('perr_door_open'), jammed: t('perr_jammed'), offline: t('perr_offline'), service_requested: t('perr_service_requested'),
    input_tray_missing: t('perr_input_tray_missing'), output_tray_missing: t('perr_output_tray_missing'),
    marker_supply_missing: t('perr_marker_supply_missing'), output_near_full: t('perr_output_near_full'), output_full: t('perr_output_full'),
    input_tray_empty: t('perr_input_tray_empty'), overdue_prevent_maint: t('perr_overdue_prevent_maint'),
  })[code] || code;
}

function counterName(n) {
  return ({
    total: t('cn_total'), mono: t('cn_mono'), color: t('cn_color'), print_total: t('cn_print_total'), print_mono: t('cn_print_mono'),
    print_color: t('cn_print_color'), copy_total: t('cn_copy_total'), copy_mono: t('cn_copy_mono'), copy_color: t('cn_copy_color'),
    scan_total: t('cn_scan_total'), scan_mono: t('cn_scan_mono'), scan_color: t('cn_scan_color'), fax_total: t('cn_fax_total'),
    duplex: t('cn_duplex'), since_power_on: t('cn_since_power_on'),
  })[n] || n;
}

const COUNTER_ORDER = ['total', 'mono', 'color', 'print_total', 'print_mono', 'print_color', 'copy_total', 'copy_mono', 'copy_color',
  'scan_total', 'scan_mono', 'scan_color', 'fax_total', 'duplex', 'since_power_on'];

function sortCounters(names) {
  const rank = (n) => { const i = COUNTER_ORDER.indexOf(n); return i < 0 ? 100 : i; };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function supplyState(s) {
  return ({ ok: t('ss_ok'), low: t('ss_low'), empty: t('ss_empty'), some_remaining: t('ss_some_remaining'), unknown: t('ss_unknown'),
    unrestricted: t('ss_unrestricted'), not_installed: t('ss_not_installed') })[s] || s;
}

function severityLabel(s) {
  return ({ critical: t('sev_critical'), warning: t('sev_warning'), info: t('sev_info') })[s] || s;
}

function offlineAfter() { return (S.summary && S.summary.offline_after_s) || 3600; }

function isOffline(lastSeen) { return !lastSeen || (Date.now() - Date.parse(lastSeen)) / 1000 > offlineAfter(); }

// One badge for a device: offline wins, then errors, then the host status.
function deviceBadge(d, tid) {
  if (isOffline(d.last_seen)) return badge('off', t('st_offline'), tid);
  const errors = d.errors || [];
  if (d.status === 'down') return badge('bad', statusLabel('down'), tid);
  if (errors.length || d.status === 'warning') return badge('warn', statusLabel('warning'), tid);
  if (d.status === 'running') return badge('ok', t('st_online'), tid);
  return badge(d.status === 'testing' ? 'info' : 'off', statusLabel(d.status), tid);
}

function levelClass(p) { return p === null || p === undefined ? 'none' : p <= 10 ? 'bad' : p <= 20 ? 'warn' : 'ok'; }

function levelBar(p, color) {
  const fill = h('span', { class: 'fill ' + (color && INK[color] ? 'ink-' + color : levelClass(p)) });
  fill.style.width = (p === null || p === undefined ? 0 : Math.max(2, p)) + '%';
  return h('span', { class: 'bar', role: 'img', 'aria-label': pct(p) }, fill);
}

function deviceName(d) { return [d.vendor, d.model].filter(Boolean).join(' ') || d.address || t('unnamed_device'); }

async function getSites() {
  if (!S.sites || Date.now() - S.sites.at > 60000) {
    const r = await api('GET', 'sites?limit=1000');
    S.sites = { at: Date.now(), items: r.items };
  }
  return S.sites.items;
}

function isoAgo(seconds) {
  const d = new Date(Date.now() - seconds * 1000);
  d.setUTCSeconds(0, 0); // stable URLs (and ETags) within a minute
  return d.toISOString().replace('.000Z', 'Z');
}

// ---------------------------------------------------------------------------------------------
// fleet

const SEEN = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };
const FLEET_KEYS = ['tile', 'q', 'site', 'vendor', 'model', 'status', 'low', 'seen', 'sort', 'order', 'page', 'per'];

// The API query of the fleet filters (the hash keeps the short, relative form).
function fleetApiParams(f) {
  const p = { site: f.site, vendor: f.vendor, model: f.model, status: f.status, q: f.q };
  if (f.low || f.tile === 'low') p.low_supplies = 'true';
  let since = f.seen && SEEN[f.seen] ? SEEN[f.seen] : 0;
  if (f.tile === 'offline') since = Math.max(since, offlineAfter());
  if (since) p.not_seen_since = isoAgo(since);
  if (f.tile === 'online') p.seen_since = isoAgo(offlineAfter());
  if (f.tile === 'errors') p.with_errors = 'true';
  p.sort = f.sort || 'last_seen';
  if (f.order) p.order = f.order;
  return p;
}

routes.fleet = async function fleetPage(view, r) {
  const f = {};
  for (const k of FLEET_KEYS) f[k] = r.query.get(k) || '';
  f.page = Math.max(1, parseInt(f.page, 10) || 1);
  f.per = [50, 100].includes(Number(f.per)) ? Number(f.per) : 50;

  const tiles = h('div', { class: 'tiles' });
  const bar = h('div', { class: 'filters', role: 'search' });
  const exports = h('div', { class: 'actions' });
  const result = h('div', { class: 'result' }, loading());
  view.append(pageHead(t('fleet_title'), t('fleet_sub'), exports), tiles, h('section', { class: 'card flush' }, bar, result));

  const sync = () => {
    const keep = {};
    for (const k of FLEET_KEYS) if (f[k] && !(k === 'page' && f[k] === 1) && !(k === 'per' && f[k] === 50)) keep[k] = f[k];
    setQuery(keep);
  };
  const change = (k, v) => { f[k] = v; f.page = 1; sync(); drawTiles(); loadRows(); };

  // tiles from /fleet/summary: a click filters the table
  const drawTiles = () => {
    const s = S.summary || {};
    const tile = (key, label, value, cls) => h('button', {
      type: 'button', class: 'tile ' + cls + (f.tile === key || (!f.tile && key === 'devices') ? ' on' : ''), tid: 'tile-' + key,
      'aria-pressed': String(f.tile === key || (!f.tile && key === 'devices')),
      onclick: () => change('tile', key === 'devices' || f.tile === key ? '' : key),
    }, h('span', { class: 'tile-label' }, label), h('span', { class: 'tile-value' }, num(value)));
    clear(tiles,
      tile('devices', t('tile_devices'), s.devices, 'all'),
      tile('online', t('tile_online'), s.online, 'ok'),
      tile('offline', t('tile_offline'), s.offline, 'off'),
      tile('errors', t('tile_errors'), s.with_errors, 'bad'),
      tile('low', t('tile_low'), s.supplies_low, 'warn'));
  };

  // filter bar
  const search = h('input', { type: 'search', class: 'search', value: f.q, tid: 'fleet-search', placeholder: t('search_placeholder'), 'aria-label': t('search_label'), maxlength: 200 });
  let timer = 0;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => change('q', search.value.trim()), 300); });
  const siteSel = h('select', { tid: 'filter-site', 'aria-label': t('f_site'), onchange: (e) => change('site', e.target.value) },
    h('option', { value: '' }, t('all_sites')));
  // Vendor and model choices: the summary's lists when the server gives them, else every vendor
  // and model seen on the pages loaded in this session (the API matches them exactly).
  const seenVM = S.seenVM || (S.seenVM = new Map());  // model -> vendor
  const vendorSel = h('select', { tid: 'filter-vendor', 'aria-label': t('f_vendor'), onchange: (e) => { f.model = ''; change('vendor', e.target.value); } });
  const modelSel = h('select', { tid: 'filter-model', 'aria-label': t('f_model'), onchange: (e) => change('model', e.target.value) });
  const fillChoices = () => {
    const pairs = new Map(seenVM);
    for (const m of (S.summary && S.summary.models) || []) if (m.model) pairs.set(m.model, m.vendor || '');
    const vendors = new Set([...pairs.values(), ...((S.summary && S.summary.vendors) || []).map((v) => (typeof v === 'string' ? v : v.vendor))].filter(Boolean));
    if (f.vendor) vendors.add(f.vendor);
    const models = new Set([...pairs].filter(([, v]) => !f.vendor || v.toLowerCase() === f.vendor.toLowerCase()).map(([m]) => m));
    if (f.model) models.add(f.model);
    const opts = (set, cur) => [...set].sort((a, b) => a.localeCompare(b)).map((v) => h('option', { value: v, selected: v === cur }, v));
    clear(vendorSel, h('option', { value: '' }, t('all_vendors')), opts(vendors, f.vendor));
    clear(modelSel, h('option', { value: '' }, t('all_models')), opts(models, f.model));
  };
  const statuses = [['', t('all_statuses')], ...['running', 'warning', 'down', 'testing', 'unknown'].map((v) => [v, statusLabel(v)])];
  const statusSel = h('select', { tid: 'filter-status', 'aria-label': t('f_status'), onchange: (e) => change('status', e.target.value) },
    statuses.map(([v, l]) => h('option', { value: v, selected: f.status === v }, l)));
  const seen = [['', t('seen_any')], ['1h', t('seen_1h')], ['24h', t('seen_24h')], ['7d', t('seen_7d')], ['30d', t('seen_30d')]];
  const seenSel = h('select', { tid: 'filter-seen', 'aria-label': t('f_not_seen'), onchange: (e) => change('seen', e.target.value) },
    seen.map(([v, l]) => h('option', { value: v, selected: f.seen === v }, l)));
  const low = h('input', { type: 'checkbox', tid: 'filter-low', checked: !!f.low, onchange: (e) => change('low', e.target.checked ? '1' : '') });
  const reset = h('button', { type: 'button', class: 'btn ghost small', tid: 'filter-reset', onclick: () => {
    for (const k of FLEET_KEYS) f[k] = '';
    f.page = 1; f.per = 50;
    sync();
    render();
  } }, t('reset_filters'));
  const sorts = [['last_seen', t('col_last_seen')], ['model', t('col_model')], ['vendor', t('col_vendor')], ['serial', t('col_serial')],
    ['address', t('col_ip')], ['site', t('col_site')], ['location', t('col_location')], ['status', t('col_status')], ['supply', t('col_supply')]];
  const sortSel = h('select', { class: 'phone-only', tid: 'fleet-sort', 'aria-label': t('sort_by'), onchange: (e) => {
    const [k, o] = e.target.value.split(':');
    f.sort = k; f.order = o; f.page = 1; sync(); loadRows();
  } }, sorts.flatMap(([k, l]) => ['asc', 'desc'].map((o) => h('option', { value: k + ':' + o,
    selected: (f.sort || 'last_seen') === k && (f.order || (k === 'last_seen' ? 'desc' : 'asc')) === o }, (o === 'asc' ? t('sort_asc', { column: l }) : t('sort_desc', { column: l }))))));
  bar.append(search, siteSel, vendorSel, modelSel, statusSel, seenSel, sortSel,
    h('label', { class: 'check' }, low, t('f_low_supply')), reset);
  fillChoices();

  const setExports = () => {
    const p = fleetApiParams(f);
    clear(exports, exportLinks('devices', p, 'devices', 'export-'));
  };

  let seq = 0;
  const loadRows = async () => {
    const mine = ++seq;
    setExports();
    result.classList.add('busy');
    let data;
    try {
      data = await api('GET', 'devices' + qs(Object.assign(fleetApiParams(f), { limit: f.per, offset: (f.page - 1) * f.per })));
    } catch (e) {
      if (mine === seq) clear(result, h('div', { class: 'pad' }, errorPanel(e, loadRows)));
      return;
    } finally {
      result.classList.remove('busy');
    }
    if (mine !== seq) return;
    for (const d of data.items) if (d.model) seenVM.set(d.model, d.vendor || '');
    fillChoices();
    drawRows(data);
  };

  const drawRows = (data) => {
    const filtered = FLEET_KEYS.some((k) => !['sort', 'order', 'page', 'per'].includes(k) && f[k]);
    if (!data.items.length) {
      const none = S.summary && S.summary.devices === 0 && !filtered;
      clear(result, h('div', { tid: 'fleet-empty' }, none
        ? empty(t('fleet_empty_title'), t('fleet_empty_text'), h('a', { class: 'btn primary', href: '#/sites' }, t('go_to_sites')))
        : empty(t('fleet_nomatch_title'), t('fleet_nomatch_text'), h('button', { class: 'btn', type: 'button', onclick: () => reset.click() }, t('reset_filters')))));
      return;
    }
    const sort = {
      key: f.sort || 'last_seen', order: f.order || ((f.sort || 'last_seen') === 'last_seen' ? 'desc' : 'asc'),
      set: (k) => {
        const cur = f.sort || 'last_seen';
        const curOrder = f.order || (cur === 'last_seen' ? 'desc' : 'asc');
        f.order = k === cur ? (curOrder === 'asc' ? 'desc' : 'asc') : (k === 'last_seen' ? 'desc' : 'asc');
        f.sort = k; f.page = 1; sync(); loadRows();
      },
    };
    const link = (d, text) => h('a', { href: '#/devices/' + d.device_id }, text);
    const cols = [
      { label: t('col_device'), sort: 'model', sort2: ['vendor', t('col_vendor')], cls: 'device-cell', render: (d) => h('div', {},
        link(d, d.model || deviceName(d)), d.vendor ? h('div', { class: 'muted small' }, d.vendor) : null) },
      { label: t('col_serial'), sort: 'serial', cls: 'mono', render: (d) => d.serial || null },
      { label: t('col_ip'), sort: 'address', cls: 'mono', render: (d) => d.address || null },
      { label: t('col_site'), sort: 'site', sort2: ['location', t('col_location')], cls: 'site-cell', render: (d) => h('div', {},
        h('div', { class: 'clip', title: d.site || null }, d.site || '—'), d.location ? h('div', { class: 'muted small clip', title: d.location }, d.location) : null) },
      { label: t('col_status'), sort: 'status', render: (d) => h('div', { class: 'status-cell' }, deviceBadge(d),
        (d.errors || []).length ? h('span', { class: 'sub-err' }, printerError(d.errors[0]) + (d.errors.length > 1 ? ' +' + (d.errors.length - 1) : '')) : null) },
      { label: t('col_supply'), sort: 'supply', render: (d) => d.min_supply_percent === null || d.min_supply_percent === undefined ? null
        : h('div', { class: 'supply-cell ' + levelClass(d.min_supply_percent) }, levelBar(d.min_supply_percent), h('span', {}, pct(d.min_supply_percent))) },
      { label: t('col_total'), cls: 'num', render: (d) => (d.total === null || d.total === undefined ? null : num(d.total)) },
      { label: t('col_last_seen'), sort: 'last_seen', render: (d) => relTime(d.last_seen) },
    ];
    const tbl = table(cols, data.items, {
      tid: 'fleet-table', sort, cards: true, nowrap: true, caption: t('fleet_title'),
      row: (d) => ({ tid: 'fleet-row', 'data-device-id': d.device_id, class: 'clickable', onclick: (ev) => { if (!ev.target.closest('a')) location.hash = '#/devices/' + d.device_id; } }),
    });
    const total = data.total === null || data.total === undefined ? null : data.total;
    const from = data.offset + 1;
    const to = data.offset + data.items.length;
    const pages = total === null ? null : Math.max(1, Math.ceil(total / f.per));
    const go = (p) => { f.page = p; sync(); loadRows(); main().scrollTo(0, 0); window.scrollTo(0, 0); };
    const pager = h('div', { class: 'pager' },
      h('span', { class: 'muted', tid: 'fleet-count' }, total === null ? t('rows_range', { from, to }) : t('rows_range_of', { from, to, total })),
      h('label', { class: 'per' }, t('per_page'), h('select', { tid: 'page-size', onchange: (e) => { f.per = Number(e.target.value); f.page = 1; sync(); loadRows(); } },
        [50, 100].map((n) => h('option', { value: n, selected: f.per === n }, num(n))))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn small', tid: 'page-prev', disabled: f.page <= 1, onclick: () => go(f.page - 1) }, t('prev')),
        pages ? h('span', { class: 'muted' }, t('page_of', { page: f.page, pages })) : null,
        h('button', { type: 'button', class: 'btn small', tid: 'page-next', disabled: data.next_offset === null || data.next_offset === undefined, onclick: () => go(f.page + 1) }, t('next'))));
    clear(result, tbl, pager);
  };

  drawTiles();
  const summary = api('GET', 'fleet/summary').then((s) => { S.summary = s; drawTiles(); fillChoices(); }).catch(() => {});  // a 402 shows its own page
  getSites().then((sites) => {
    for (const s of sites) if (s.site) siteSel.append(h('option', { value: s.site, selected: f.site === s.site }, s.site));
  }).catch(() => {});
  // The offline/online tiles need offline_after_s: wait for the summary only for those.
  if (f.tile === 'offline' || f.tile === 'online' || !S.summary) await summary;
  await loadRows();
};

// ---------------------------------------------------------------------------------------------
// device page

function dl(pairs) {
  return h('dl', { class: 'props' }, pairs.filter((p) => p).flatMap(([k, v, cls]) => [h('dt', {}, k), h('dd', { class: cls || null }, v === null || v === undefined || v === '' ? '—' : v)]));
}

// The chart periods: the last 24 hours by the hour, or whole UTC days (the daily counters are
// UTC days) up to and including today: 7 for a week, 30 for a month, or the custom dates.
function periodRange(p, from, to) {
  const iso = (day) => day + 'T00:00:00Z';  // i18n-ignore: an RFC 3339 time
  if (p === 'day') return { from: new Date(Date.now() - 86400e3).toISOString(), to: new Date().toISOString(), days: false };
  const utcToday = new Date().toISOString().slice(0, 10);
  if (p === 'custom' && from && to) return { from: iso(from), to: iso(addDays(to, 1)), days: true };
  return { from: iso(addDays(utcToday, p === 'month' ? -29 : -6)), to: iso(addDays(utcToday, 1)), days: true };
}

routes.devices = async function devicePage(view, r) {
  const id = r.parts[1] || '';
  view.append(loading());
  let d;
  try {
    d = await api('GET', 'devices/' + encodeURIComponent(id));
  } catch (e) {
    if (e.status === 404) {
      clear(view, h('div', { tid: 'device-not-found' }, empty(t('device_not_found'), t('device_not_found_text'), h('a', { class: 'btn', href: '#/fleet' }, t('back_to_fleet')))));
      return;
    }
    throw e;
  }
  if (!S.summary) await api('GET', 'fleet/summary').then((s) => { S.summary = s; }).catch(() => {});
  const ident = d.identity || {};
  const st = d.device_state || {};
  const errors = st.errors || [];
  const supplies = d.supplies || [];
  const counters = d.counters || {};

  const alertsBox = h('div', {}, loading());
  const historyBox = h('div', {});
  const readingsBox = h('div', {}, loading());
  const eventsBox = h('div', {}, loading());
  const changesBox = h('div', {}, loading());

  clear(view,
    h('nav', { class: 'crumbs', 'aria-label': t('breadcrumbs') }, h('a', { href: '#/fleet' }, t('nav_fleet')), h('span', { 'aria-hidden': 'true' }, ' / '), deviceName(d)),
    pageHead(deviceName(d), [d.serial, d.address, d.site].filter(Boolean).join(' · '), deviceBadge({ last_seen: d.last_seen, status: d.status, errors }, 'device-status')),
    h('div', { class: 'grid two' },
      card(t('identity'), 'device-identity', dl([
        [t('col_vendor'), d.vendor], [t('col_model'), d.model], [t('col_serial'), d.serial, 'mono'], [t('mac'), d.mac, 'mono'],
        [t('firmware'), d.firmware || ident.firmware], [t('col_ip'), d.address, 'mono'], [t('col_location'), d.location],
        [t('col_site'), d.site], [t('scanner'), d.scanner_id, 'mono'], [t('first_seen'), fmtTime(d.first_seen)],
        [t('col_last_seen'), relTime(d.last_seen)], ident.sys_name ? [t('sys_name'), ident.sys_name, 'mono'] : null,
      ])),
      card(t('status_and_alerts'), 'device-alerts',
        dl([[t('col_status'), deviceBadge({ last_seen: d.last_seen, status: d.status, errors })],
          [t('printer_state'), st.printer ? printerState(st.printer) : null], [t('panel'), st.console, 'mono small'],
          [t('polled_at'), d.polled_at ? fmtTime(d.polled_at) : null]]),
        errors.length ? h('div', { class: 'chips' }, errors.map((c) => h('span', { class: 'chip bad' }, printerError(c)))) : null,
        alertsBox)),
    h('div', { class: 'grid two' },
      card(t('supplies'), 'device-supplies', supplyList(supplies), trayList(d.trays || [])),
      card(t('counters'), 'device-counters', counterTiles(counters))),
    historyBox,
    card(t('recent_readings'), 'device-readings', readingsBox),
    h('div', { class: 'grid two' }, card(t('events'), 'device-events', eventsBox), card(t('cartridge_changes'), 'device-changes', changesBox)));

  const q = (p) => qs(Object.assign({ device: id }, p));
  const fill = (box, promise, draw) => promise.then((res) => clear(box, draw(res.items))).catch((e) => clear(box, errorPanel(e)));

  fill(alertsBox, api('GET', 'alerts' + q({ state: 'open', limit: 20 })), (items) => items.length
    ? h('ul', { class: 'alerts' }, items.map((a) => h('li', { class: 'sev-' + a.severity },
      badge(a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'info', severityLabel(a.severity)),
      h('span', {}, a.kind === 'error' ? printerError(a.code) : (a.detail || a.code)), h('span', { class: 'muted small' }, t('since', { time: fmtTime(a.started_at) })))))
    : h('p', { class: 'muted ok-line' }, t('no_open_alerts')));

  fill(readingsBox, api('GET', 'devices/' + encodeURIComponent(id) + '/readings?limit=10'), (items) => items.length ? table([
    { label: t('col_time'), render: (x) => fmtTime(x.polled_at) },
    { label: t('col_total'), cls: 'num', render: (x) => num(x.total) },
    { label: t('col_status'), render: (x) => { const s = (x.snapshot && x.snapshot.status) || {}; return statusLabel(s.device) + ((s.errors || []).length ? ' · ' + s.errors.map(printerError).join(', ') : ''); } },
    { label: t('col_supply'), render: (x) => { const ls = ((x.snapshot && x.snapshot.supplies) || []).map((s) => s.level_percent).filter((p) => p !== null && p !== undefined); return ls.length ? pct(Math.min(...ls)) : null; } },
    { label: t('scanner'), cls: 'mono', render: (x) => x.scanner_id },
  ], items, { cards: true }) : h('p', { class: 'muted' }, t('no_readings')));

  fill(eventsBox, api('GET', 'events' + q({ limit: 20 })), (items) => items.length ? table([
    { label: t('col_time'), render: (x) => fmtTime(x.at) },
    { label: t('col_event'), render: (x) => (x.kind === 'error' ? printerError(x.code) : x.detail || (x.kind + ': ' + x.code)) },
    { label: t('col_action'), render: (x) => (x.action === 'appeared' ? badge(x.severity === 'critical' ? 'bad' : 'warn', t('appeared')) : badge('ok', t('cleared'))) },
  ], items) : h('p', { class: 'muted' }, t('no_events')));

  fill(changesBox, api('GET', 'supply-changes' + q({ limit: 20 })), (items) => items.length ? table([
    { label: t('col_time'), render: (x) => fmtTime(x.at) },
    { label: t('col_supply_name'), render: (x) => h('span', {}, x.color && INK[x.color] ? h('span', { class: 'dot ink-' + x.color }) : null, x.description || x.type) },
    { label: t('col_level_change'), cls: 'num', render: (x) => pct(x.previous_percent) + ' → ' + pct(x.level_percent) },
  ], items) : h('p', { class: 'muted' }, t('no_changes')));

  deviceHistory(historyBox, id, r.query, Object.keys(counters));
};

function printerState(s) {
  return ({ idle: t('ps_idle'), printing: t('ps_printing'), warmup: t('ps_warmup'), other: t('ps_other'), unknown: t('ps_unknown') })[s] || s;
}

function supplyList(supplies) {
  if (!supplies.length) return h('p', { class: 'muted' }, t('no_supplies'));
  return h('ul', { class: 'supplies' }, supplies.map((s) => h('li', {},
    h('span', { class: 'sname' }, s.color && INK[s.color] ? h('span', { class: 'dot ink-' + s.color }) : null, s.description || s.type),
    levelBar(s.level_percent, s.color),
    h('span', { class: 'spct ' + levelClass(s.level_percent) }, s.level_percent === null || s.level_percent === undefined ? supplyState(s.state) : pct(s.level_percent)),
    s.state === 'low' || s.state === 'empty' ? badge(s.state === 'empty' ? 'bad' : 'warn', supplyState(s.state)) : h('span', {}))));
}

function trayList(trays) {
  if (!trays.length) return null;
  const state = (s) => ({ ok: t('ss_ok'), low: t('tray_low'), empty: t('tray_empty'), not_installed: t('ss_not_installed') })[s] || t('ss_unknown');
  return [h('h3', { class: 'sub-head' }, t('trays')), h('ul', { class: 'supplies' }, trays.map((x) => h('li', {},
    h('span', { class: 'sname' }, x.description || x.name), levelBar(x.level_percent),
    h('span', { class: 'spct ' + (x.state === 'empty' ? 'bad' : x.level_percent === null || x.level_percent === undefined ? 'none' : '') }, x.level_percent === null || x.level_percent === undefined ? state(x.state) : pct(x.level_percent)),
    x.state === 'empty' || x.state === 'low' ? badge(x.state === 'empty' ? 'bad' : 'warn', state(x.state)) : h('span', {}))))];
}

function counterTiles(counters) {
  const names = sortCounters(Object.keys(counters));
  if (!names.length) return h('p', { class: 'muted' }, t('no_counters'));
  return h('div', { class: 'counters' }, names.map((n) => h('div', { class: 'counter' + (n === 'total' ? ' main' : '') },
    h('span', { class: 'counter-name' }, counterName(n)), h('span', { class: 'counter-value' }, num(counters[n])))));
}

// Page count per hour (day) or per day, and supply levels sampled over the same period.
function deviceHistory(box, id, query, names) {
  let period = query.get('period') || 'week';
  let from = query.get('from') || addDays(today(), -13);
  let to = query.get('to') || today();
  let name = query.get('counter') || (names.includes('total') ? 'total' : sortCounters(names)[0] || 'total');
  const pagesCanvas = h('canvas', { tid: 'chart-pages', role: 'img', 'aria-label': t('chart_pages') });
  const supCanvas = h('canvas', { tid: 'chart-supplies', role: 'img', 'aria-label': t('chart_supplies') });
  const pagesNote = h('p', { class: 'muted small' });
  const supNote = h('p', { class: 'muted small' });
  const fromIn = h('input', { type: 'date', value: from, tid: 'period-from', 'aria-label': t('f_from') });
  const toIn = h('input', { type: 'date', value: to, tid: 'period-to', 'aria-label': t('f_to') });
  const custom = h('div', { class: 'inline', hidden: period !== 'custom' }, fromIn, toIn,
    h('button', { class: 'btn small', type: 'button', tid: 'period-apply', onclick: () => {
      if (!fromIn.value || !toIn.value || fromIn.value > toIn.value) { toast(t('v_period'), 'error'); return; }
      from = fromIn.value; to = toIn.value; draw();
    } }, t('apply')));
  const periods = [['day', t('p_day')], ['week', t('p_week')], ['month', t('p_month')], ['custom', t('p_custom')]];
  const seg = h('div', { class: 'seg', role: 'group', 'aria-label': t('period') }, periods.map(([v, l]) => h('button', { type: 'button', tid: 'period-' + v, 'aria-pressed': String(period === v), onclick: (e) => {
      period = v;
      for (const b of seg.children) b.setAttribute('aria-pressed', String(b === e.currentTarget));
      custom.hidden = v !== 'custom';
      if (v !== 'custom') draw();
    } }, l)));
  const counterSel = h('select', { tid: 'counter-select', 'aria-label': t('counter'), onchange: (e) => { name = e.target.value; draw(); } },
    sortCounters(names.length ? names : ['total']).map((n) => h('option', { value: n, selected: n === name }, counterName(n))));
  box.append(h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', {}, t('history')), h('div', { class: 'actions' }, seg, custom, counterSel)),
    h('div', { class: 'grid two tight' },
      h('div', {}, h('h3', {}, t('chart_pages')), h('div', { class: 'chart-box' }, pagesCanvas), pagesNote),
      h('div', {}, h('h3', {}, t('chart_supplies')), h('div', { class: 'chart-box' }, supCanvas), supNote))));

  let charts = [];
  let seq = 0;
  const draw = async () => {
    const mine = ++seq;
    setQuery(Object.assign(Object.fromEntries(parseHash().query), { period, counter: name }, period === 'custom' ? { from, to } : { from: '', to: '' }));
    for (const c of charts) { c.destroy(); S.charts = S.charts.filter((x) => x !== c); }
    charts = [];
    pagesNote.textContent = t('loading');
    supNote.textContent = t('loading');
    const range = periodRange(period, from, to);
    const dev = 'devices/' + encodeURIComponent(id);
    try {
      let labels, values;
      if (!range.days) {
        // raw values of one counter over 24 h: the increase per hour
        const res = await api('GET', dev + '/counters' + qs({ name, from: range.from, to: range.to, limit: 1000 }));
        const hours = new Map();
        let prev = null;
        for (const x of res.items) {
          if (prev !== null && x.value >= prev) {
            const k = x.polled_at.slice(0, 13);
            hours.set(k, (hours.get(k) || 0) + x.value - prev);
          }
          prev = x.value;
        }
        labels = []; values = [];
        for (let t0 = Date.parse(range.from) + 3600e3; t0 <= Date.parse(range.to) + 3599e3; t0 += 3600e3) {
          const k = new Date(t0).toISOString().slice(0, 13);
          labels.push(fmtHour(k + ':00:00Z'));
          values.push(hours.get(k) || 0);
        }
      } else {
        const res = await api('GET', dev + '/counters' + qs({ name, interval: 'day', from: range.from, to: range.to, limit: 1000 }));
        const byDay = new Map(res.items.map((x) => [x.day, x.pages]));
        labels = []; values = [];
        const first = range.from.slice(0, 10);
        const last = addDays(range.to.slice(0, 10), -1);
        for (let day = first; day <= last; day = addDays(day, 1)) { labels.push(fmtDay(day, true)); values.push(byDay.get(day) || 0); }
      }
      if (mine !== seq) return;
      const sum = values.reduce((a, b) => a + b, 0);
      pagesNote.textContent = t('pages_in_period', { count: sum });
      const c = await makeChart(pagesCanvas, {
        type: 'bar',
        data: { labels, datasets: [{ label: counterName(name), data: values, backgroundColor: '#3b82f6', borderRadius: 3, maxBarThickness: 28 }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } } },
      });
      if (c) charts.push(c);
    } catch (e) {
      if (mine === seq) pagesNote.textContent = errText(e);
    }
    try {
      await drawSupplies(mine);
    } catch (e) {
      if (mine === seq) supNote.textContent = errText(e);
    }
  };

  // Sampled: the last reading in each of up to 30 slots of the period (a reading is a whole
  // snapshot; a month of 5-minute polls would be thousands of them).
  const drawSupplies = async (mine) => {
    const range = periodRange(period, from, to);
    const a = Date.parse(range.from);
    const b = Math.min(Date.parse(range.to), Date.now());
    const slots = Math.min(30, Math.max(2, range.days ? Math.round((b - a) / 86400e3) : 24));
    const step = (b - a) / slots;
    const bounds = [];
    for (let i = 0; i < slots; i++) bounds.push([new Date(a + i * step).toISOString(), new Date(a + (i + 1) * step).toISOString()]);
    const results = new Array(slots).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < slots && mine === seq) {
        const i = next++;
        const res = await api('GET', 'devices/' + encodeURIComponent(id) + '/readings' + qs({ from: bounds[i][0], to: bounds[i][1], limit: 1 }));
        results[i] = res.items[0] || null;
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (mine !== seq) return;
    const series = new Map();
    results.forEach((x, i) => {
      for (const s of (x && x.snapshot && x.snapshot.supplies) || []) {
        if (s.level_percent === null || s.level_percent === undefined) continue;
        const key = s.description || s.type;
        if (!series.has(key)) series.set(key, { color: s.color, data: new Array(slots).fill(null) });
        series.get(key).data[i] = s.level_percent;
      }
    });
    if (!series.size) { supNote.textContent = t('no_supply_history'); return; }
    supNote.textContent = t('supply_history_note', { count: results.filter(Boolean).length });
    let k = 0;
    const c = await makeChart(supCanvas, {
      type: 'line',
      data: {
        labels: bounds.map(([, e]) => (range.days ? fmtDay(new Date(Date.parse(e) - 1).toISOString(), true) : fmtHour(e))),
        datasets: [...series].map(([label, s]) => {
          const color = INK[s.color] || PALETTE[k++ % PALETTE.length];
          return { label, data: s.data, borderColor: color, backgroundColor: color, spanGaps: true, tension: 0.2, pointRadius: 2, borderWidth: 2 };
        }),
      },
      options: { scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + '%' } }, x: { grid: { display: false } } }, plugins: { legend: { position: 'bottom' } } },
    });
    if (c) charts.push(c);
  };
  draw();
}
