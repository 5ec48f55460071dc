// Fleet overview (#/fleet) and the device page (#/devices/<id>).
'use strict';

// ---- shared labels

function statusLabel(s) {
  return ({ running: t('st_running'), warning: t('st_warning'), down: t('st_down'), testing: t('st_testing') })[s] || t('st_unknown');
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

// One device event as the branch scanner records it (scanner/src/storage/transitions.cpp): the
// kind says what happened, the code which condition, the detail the device's own name for it
// (a tray, a cover, the panel's text). A device-status event's detail is the state it left or
// entered, not a name, so it is never shown alone.
function eventText(x) {
  const code = x.code || '';
  if (x.kind === 'error') return printerError(code);
  if (x.kind === 'device_status') return code === 'offline' ? t('st_offline') : t('ev_device_status', { state: statusLabel(code) });
  if (x.kind === 'tray') return t('ev_tray_empty', { tray: x.detail || code.replace(/:empty$/, '') });
  if (x.kind === 'cover') return t('ev_cover_open', { cover: x.detail || code.replace(/:open$/, '') });
  if (x.kind === 'console') return t('ev_console', { text: x.detail || '' });
  if (x.kind === 'supply_change') return t('ev_supply_change', { detail: x.detail || code });
  if (x.kind === 'alert') {
    // The printer's own words (prtAlertDescription) after the severity the scanner puts first.
    const m = /^(?:critical|warning|warning_binary_change_event|other)(?:: ([^]*))?$/.exec(x.detail || '');
    return (m ? m[1] : x.detail) || code;
  }
  return x.detail || (x.kind + ': ' + code);
}

function counterName(n) {
  return ({
    total: t('cn_total'), mono: t('cn_mono'), color: t('cn_color'), print_total: t('cn_print_total'), print_mono: t('cn_print_mono'),
    print_color: t('cn_print_color'), copy_total: t('cn_copy_total'), copy_mono: t('cn_copy_mono'), copy_color: t('cn_copy_color'),
    scan_total: t('cn_scan_total'), scan_mono: t('cn_scan_mono'), scan_color: t('cn_scan_color'), fax_total: t('cn_fax_total'),
    duplex: t('cn_duplex'), since_power_on: t('cn_since_power_on'),
    // Vendor splits the collector emits (docs/accuracy.md): A3/A4 billing, scans by purpose.
    total_large: t('cn_total_large'), total_small: t('cn_total_small'), mono_large: t('cn_mono_large'),
    mono_small: t('cn_mono_small'), print_large: t('cn_print_large'), print_small: t('cn_print_small'),
    copy_large: t('cn_copy_large'), copy_small: t('cn_copy_small'), color_large: t('cn_color_large'), color_small: t('cn_color_small'),
    print_color_large: t('cn_print_color_large'), print_color_small: t('cn_print_color_small'),
    copy_color_large: t('cn_copy_color_large'), copy_color_small: t('cn_copy_color_small'), scan_large: t('cn_scan_large'),
    print_mono_large: t('cn_print_mono_large'), copy_mono_large: t('cn_copy_mono_large'),
    copy_mono_small: t('cn_copy_mono_small'), print_mono_small: t('cn_print_mono_small'), two_color: t('cn_two_color'),
    print_two_color: t('cn_print_two_color'), copy_two_color: t('cn_copy_two_color'), report_total: t('cn_report_total'),
    single_color: t('cn_single_color'), copy_single_color: t('cn_copy_single_color'), print_single_color: t('cn_print_single_color'),
    scan_small: t('cn_scan_small'), scan_mono_large: t('cn_scan_mono_large'), scan_mono_small: t('cn_scan_mono_small'),
    scan_color_large: t('cn_scan_color_large'), scan_color_small: t('cn_scan_color_small'),
    scan_copy: t('cn_scan_copy'), scan_fax: t('cn_scan_fax'), scan_send: t('cn_scan_send'), scan_network: t('cn_scan_network'), scan_email: t('cn_scan_email'), scan_other: t('cn_scan_other'),
    fax_mono: t('cn_fax_mono'), fax_color: t('cn_fax_color'), scan_flatbed: t('cn_scan_flatbed'), adf: t('cn_adf'),
    jams: t('cn_jams'), sheets: t('cn_sheets'), sheets_large: t('cn_sheets_large'), sheets_small: t('cn_sheets_small'),
  })[n] || n;
}

const COUNTER_ORDER = ['total', 'mono', 'color', 'print_total', 'print_mono', 'print_color', 'copy_total', 'copy_mono', 'copy_color',
  'scan_total', 'scan_mono', 'scan_color', 'fax_total', 'duplex', 'since_power_on',
  'total_large', 'total_small', 'print_large', 'print_small', 'copy_large', 'copy_small', 'mono_large', 'mono_small', 'color_large', 'color_small', 'print_color_large', 'print_color_small',
  'copy_color_large', 'copy_color_small', 'print_mono_large', 'print_mono_small', 'copy_mono_large', 'copy_mono_small', 'two_color', 'print_two_color', 'copy_two_color',
  'single_color', 'copy_single_color', 'print_single_color', 'report_total', 'fax_mono', 'fax_color', 'scan_copy', 'scan_fax', 'scan_send', 'scan_network', 'scan_email', 'scan_other', 'scan_large',
  'scan_small', 'scan_mono_large', 'scan_mono_small', 'scan_color_large', 'scan_color_small', 'scan_flatbed', 'adf', 'jams',
  'sheets', 'sheets_large', 'sheets_small'];

function sortCounters(names) {
  const rank = (n) => { const i = COUNTER_ORDER.indexOf(n); return i < 0 ? 100 : i; };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// A receptacle (waste toner, an inkjet's maintenance box) fills up: its "low" is nearly full,
// its "empty" full.
function supplyState(s, supply) {
  if (supply && supply.class === 'receptacle' && (s === 'low' || s === 'empty')) {
    return s === 'low' ? t('ss_near_full') : t('ss_full');
  }
  return ({ ok: t('ss_ok'), low: t('ss_low'), empty: t('ss_empty'), some_remaining: t('ss_some_remaining'), unknown: t('ss_unknown'),
    unrestricted: t('ss_unrestricted'), not_installed: t('ss_not_installed') })[s] || s;
}

// The server's rule for "offline", from the tenant read at sign-in (every page has it).
function offlineAfter() { return (S.tenant && S.tenant.offline_after_s) || (S.summary && S.summary.offline_after_s) || 3600; }

// One badge for a device: offline wins, then errors, then the host status.
function deviceBadge(d, tid) {
  if (d.retired_at) return badge('off', t('st_retired'), tid);
  if (!d.last_seen || (Date.now() - Date.parse(d.last_seen)) / 1000 > offlineAfter()) return badge('off', t('st_offline'), tid);
  if (d.status === 'down') return badge('bad', statusLabel('down'), tid);
  if ((d.errors || []).length || d.status === 'warning') return badge('warn', statusLabel('warning'), tid);
  if (d.status === 'running') return badge('ok', t('st_online'), tid);
  return badge(d.status === 'testing' ? 'info' : 'off', statusLabel(d.status), tid);
}

function levelClass(p) { return p == null ? 'none' : p <= 10 ? 'bad' : p <= 20 ? 'warn' : 'ok'; }

function levelBar(p, color, quiet) {
  const fill = h('span', { class: 'fill ' + (INK[color] ? 'ink-' + color : quiet ? 'off' : levelClass(p)) });
  fill.style.width = (p == null ? 0 : Math.max(2, p)) + '%';
  return h('span', { class: 'bar', role: 'img', 'aria-label': pct(p) }, fill);
}

// The scanner by the name its admin gave it (the id beside it on hover); an unnamed or unknown
// one (a reading from a scanner since deleted) by its id.
function scannerLabel(x) {
  if (!x.scanner_id) return null;
  return x.scanner_name && x.scanner_name !== x.scanner_id ? h('span', { title: x.scanner_id }, x.scanner_name) : h('span', { class: 'mono' }, x.scanner_id);
}

function deviceName(d) { return [d.vendor, d.model].filter(Boolean).join(' ') || d.address || t('unnamed_device'); }

async function getSites() {
  if (!S.sites || Date.now() - S.sites.at > 60000) S.sites = { at: Date.now(), items: (await api('GET', 'sites?limit=1000')).items };
  return S.sites.items;
}

// An instant `seconds` ago, to the minute: stable URLs (and ETags) within a minute.
function isoAgo(seconds) {
  const d = new Date(Date.now() - seconds * 1000);
  d.setUTCSeconds(0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

// ---- fleet

const SEEN = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };
const FLEET_KEYS = ['tile', 'q', 'site', 'vendor', 'model', 'status', 'low', 'seen', 'retired', 'sort', 'order', 'page', 'per'];
const defaultOrder = (key) => (key === 'last_seen' ? 'desc' : 'asc');

// The API query of the fleet filters (the hash keeps the short, relative form). A tile is the
// same filter as the summary's count: online = seen within offline_after_s, offline = not,
// errors = down or a critical error, low = a supply at or below the summary's percentage.
function fleetApiParams(f) {
  const p = { site: f.site, vendor: f.vendor, model: f.model, status: f.status, q: f.q, sort: f.sort || 'last_seen', order: f.order };
  if (f.low || f.tile === 'low') p.low_supplies = 'true';
  const since = Math.max(SEEN[f.seen] || 0, f.tile === 'offline' ? offlineAfter() : 0);
  if (since) p.not_seen_since = isoAgo(since);
  if (f.tile === 'online') p.seen_since = isoAgo(offlineAfter());
  if (f.tile === 'errors') p.with_errors = 'true';
  if (f.retired) p.retired = 'only';
  return p;
}

routes.fleet = async function fleetPage(view, r) {
  const f = {};
  for (const k of FLEET_KEYS) f[k] = r.query.get(k) || '';
  f.page = Math.max(1, parseInt(f.page, 10) || 1);
  f.per = Number(f.per) === 100 ? 100 : 50;

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
  const reload = () => { sync(); loadRows(); };
  const change = (k, v) => { f[k] = v; f.page = 1; reload(); drawTiles(); };

  // The tiles count /fleet/summary; a click filters the table by the same rule, another click
  // on the same tile (or on "devices") lifts it.
  const drawTiles = () => {
    const s = S.summary || {};
    const tile = (key, value, cls, label) => {
      const on = f.tile === key || (!f.tile && key === 'devices');
      return h('button', { class: 'tile ' + cls + (on ? ' on' : ''), tid: 'tile-' + key, 'aria-pressed': String(on),
        onclick: () => change('tile', key === 'devices' || f.tile === key ? '' : key) },
      h('span', { class: 'tile-label' }, label), h('span', { class: 'tile-value' }, num(value)));
    };
    clear(tiles, tile('devices', s.devices, 'all', t('tile_devices')), tile('online', s.online, 'ok', t('tile_online')),
      tile('offline', s.offline, 'off', t('tile_offline')), tile('errors', s.with_errors, 'bad', t('tile_errors')),
      tile('low', s.supplies_low, 'warn', t('tile_low')));
    // Retired devices (none of the tiles count them): their list, offered when there are some.
    retiredBox.hidden = !f.retired && !(s.retired > 0);
    retiredText.textContent = t('f_retired', { count: s.retired || 0 });
  };

  // filter bar
  const search = h('input', { type: 'search', class: 'search', value: f.q, tid: 'fleet-search', placeholder: t('search_placeholder'), 'aria-label': t('search_label'), maxlength: 200 });
  let timer = 0;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => change('q', search.value.trim()), 300); });
  const siteSel = select({ tid: 'filter-site', 'aria-label': t('f_site'), onchange: (e) => change('site', e.target.value) }, [['', t('all_sites')]]);
  // Every vendor and model of the tenant, from the summary; the models of the chosen vendor
  // (the API matches both case-insensitively).
  const vendorSel = h('select', { tid: 'filter-vendor', 'aria-label': t('f_vendor'), onchange: (e) => { f.model = ''; change('vendor', e.target.value); fillChoices(); } });
  const modelSel = h('select', { tid: 'filter-model', 'aria-label': t('f_model'), onchange: (e) => change('model', e.target.value) });
  const fillChoices = () => {
    const s = S.summary || {};
    const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
    const opts = (list, cur) => {
      const vals = [...new Set(list.filter(Boolean))];
      if (cur && !vals.some((v) => same(v, cur))) vals.push(cur);
      return vals.sort((a, b) => a.localeCompare(b)).map((v) => h('option', { value: v, selected: same(v, cur) }, v));
    };
    clear(vendorSel, h('option', { value: '' }, t('all_vendors')), opts((s.vendors || []).map((v) => v.vendor), f.vendor));
    clear(modelSel, h('option', { value: '' }, t('all_models')), opts((s.models || []).filter((m) => !f.vendor || same(m.vendor || '', f.vendor)).map((m) => m.model), f.model));
  };
  const statusSel = select({ tid: 'filter-status', 'aria-label': t('f_status'), onchange: (e) => change('status', e.target.value) },
    [['', t('all_statuses')], ...['running', 'warning', 'down', 'testing', 'unknown'].map((v) => [v, statusLabel(v)])], f.status);
  const seenSel = select({ tid: 'filter-seen', 'aria-label': t('f_not_seen'), onchange: (e) => change('seen', e.target.value) },
    [['', t('seen_any')], ['1h', t('seen_1h')], ['24h', t('seen_24h')], ['7d', t('seen_7d')], ['30d', t('seen_30d')]], f.seen);
  const low = h('input', { type: 'checkbox', tid: 'filter-low', checked: !!f.low, onchange: (e) => change('low', e.target.checked ? '1' : '') });
  const retiredText = h('span', {});
  const retiredBox = h('label', { class: 'check', hidden: true }, h('input', { type: 'checkbox', tid: 'filter-retired', checked: !!f.retired,
    onchange: (e) => change('retired', e.target.checked ? '1' : '') }), retiredText);
  const reset = btn(t('reset_filters'), () => { setQuery({}); render(); }, 'ghost small', 'filter-reset');
  const sorts = [['last_seen', t('col_last_seen')], ['model', t('col_model')], ['vendor', t('col_vendor')], ['serial', t('col_serial')],
    ['address', t('col_ip')], ['site', t('col_site')], ['location', t('col_location')], ['status', t('col_status')], ['supply', t('col_supply')]];
  const sortKey = () => f.sort || 'last_seen';
  const sortOrder = () => f.order || defaultOrder(sortKey());
  const sortSel = select({ class: 'phone-only', tid: 'fleet-sort', 'aria-label': t('sort_by'), onchange: (e) => {
    [f.sort, f.order] = e.target.value.split(':');
    f.page = 1;
    reload();
  } }, sorts.flatMap(([k, l]) => [[k + ':asc', t('sort_asc', { column: l })], [k + ':desc', t('sort_desc', { column: l })]]), sortKey() + ':' + sortOrder());
  bar.append(search, siteSel, vendorSel, modelSel, statusSel, seenSel, sortSel, h('label', { class: 'check' }, low, t('f_low_supply')), retiredBox, reset);

  let seq = 0;
  const loadRows = async () => {
    const mine = ++seq;
    exportLinks(exports, 'devices', fleetApiParams(f), 'devices', 'export-');
    result.classList.add('busy');
    try {
      const data = await apiGetEarly('devices' + qs(Object.assign(fleetApiParams(f), { limit: f.per, offset: (f.page - 1) * f.per })));
      if (mine === seq) drawRows(data);
    } catch (e) {
      if (mine === seq) clear(result, h('div', { class: 'pad' }, errorPanel(e, loadRows)));
    } finally {
      result.classList.remove('busy');
    }
  };

  const drawRows = (data) => {
    if (!data.items.length) {
      const filtered = FLEET_KEYS.some((k) => !['sort', 'order', 'page', 'per'].includes(k) && f[k]);
      clear(result, h('div', { tid: 'fleet-empty' }, S.summary && S.summary.devices === 0 && !filtered
        ? empty(t('fleet_empty_title'), t('fleet_empty_text'), h('a', { class: 'btn primary', href: '#/sites' }, t('go_to_sites')))
        : empty(t('fleet_nomatch_title'), t('fleet_nomatch_text'), btn(t('reset_filters'), () => reset.click()))));
      return;
    }
    const sort = { key: sortKey(), order: sortOrder(), set: (k) => {
      f.order = k === sortKey() ? (sortOrder() === 'asc' ? 'desc' : 'asc') : defaultOrder(k);
      f.sort = k;
      f.page = 1;
      reload();
    } };
    const link = (d, text) => h('a', { href: '#/devices/' + d.device_id }, text);
    const tbl = table([
      { label: t('col_device'), sort: 'model', sort2: ['vendor', t('col_vendor')], cls: 'device-cell', render: (d) => h('div', {},
        link(d, d.model || deviceName(d)), d.vendor ? h('div', { class: 'muted small' }, d.vendor) : null) },
      { label: t('col_serial'), sort: 'serial', cls: 'mono', render: (d) => d.serial },
      { label: t('col_ip'), sort: 'address', cls: 'mono', render: (d) => d.address },
      { label: t('col_site'), sort: 'site', sort2: ['location', t('col_location')], cls: 'site-cell', render: (d) => h('div', {},
        h('div', { class: 'clip', title: d.site }, d.site || '—'), d.location ? h('div', { class: 'muted small clip', title: d.location }, d.location) : null) },
      { label: t('col_status'), sort: 'status', render: (d) => h('div', { class: 'status-cell' }, deviceBadge(d),
        (d.errors || []).length ? h('span', { class: 'sub-err' }, printerError(d.errors[0]) + (d.errors.length > 1 ? ' +' + (d.errors.length - 1) : '')) : null) },
      { label: t('col_supply'), sort: 'supply', render: supplyCell },
      { label: t('col_total'), cls: 'num', render: (d) => (d.total == null ? null : num(d.total)) },
      { label: t('col_last_seen'), sort: 'last_seen', render: (d) => relTime(d.last_seen) },
    ], data.items, {
      tid: 'fleet-table', sort, cards: true, nowrap: true, caption: t('fleet_title'),
      row: (d) => ({ tid: 'fleet-row', 'data-device-id': d.device_id, class: 'clickable', onclick: (ev) => { if (!ev.target.closest('a')) location.hash = '#/devices/' + d.device_id; } }),
    });
    clear(result, tbl, pager(data, f, reload, { count: 'fleet-count', size: 'page-size', prev: 'page-prev', next: 'page-next' }));
  };

  drawTiles();
  fillChoices();
  const summary = apiGetEarly('fleet/summary').then((s) => { S.summary = s; drawTiles(); fillChoices(); }).catch(() => {});  // a 402 shows its own page
  getSites().then((sites) => {
    for (const s of sites) if (s.site) siteSel.append(h('option', { value: s.site, selected: f.site === s.site }, s.site));
  }).catch(() => {});
  // The online and offline tiles need offline_after_s: the tenant carries it (older servers
  // only in the summary: wait for that there); the rows load beside the summary.
  if ((f.tile === 'offline' || f.tile === 'online') && !(S.tenant && S.tenant.offline_after_s)) await summary;
  await loadRows();
};

// The fleet's supply column: the lowest level with its bar, and a badge when the printer itself
// calls a supply low or empty without giving a percentage (supply_claim): such a device counts
// as "supplies low" too, and a bare dash would hide why. The badge wraps under the bar when the
// table is short of width (the Russian headers are longer), so no column is pushed off screen.
function supplyCell(d) {
  const claim = d.supply_claim ? badge(d.supply_claim === 'empty' ? 'bad' : 'warn', supplyState(d.supply_claim), 'supply-claim') : null;
  if (d.min_supply_percent == null) return claim;
  return h('div', { class: 'supply-cell ' + levelClass(d.min_supply_percent) },
    h('span', { class: 'supply-level' }, levelBar(d.min_supply_percent), h('span', {}, pct(d.min_supply_percent))), claim);
}

// A reading's supply column as the fleet's: the lowest level of what the printer consumes (a
// waste box's fill is no remaining level) and the printer's own low/empty word on a supply
// without a level, as device_latest keeps them for the latest reading (V0018's
// pm_supply_claim), so an older reading of a printer that said "toner low" is not a bare dash.
function snapshotSupply(snapshot) {
  const consumed = ((snapshot && snapshot.supplies) || []).filter((s) => (s.class || 'consumed') === 'consumed');
  const levels = consumed.map((s) => s.level_percent).filter((p) => typeof p === 'number');
  const said = consumed.filter((s) => typeof s.level_percent !== 'number').map((s) => s.state);
  return {
    min_supply_percent: levels.length ? Math.min(...levels) : null,
    supply_claim: said.includes('empty') ? 'empty' : said.includes('low') ? 'low' : null,
  };
}

// ---- device page

function dl(pairs) {
  return h('dl', { class: 'props' }, pairs.filter(Boolean).map(([k, v, cls]) => [h('dt', {}, k), h('dd', { class: cls }, v == null || v === '' ? '—' : v)]));
}

// hrPrinterStatus "other" means nothing to a user alone; with the device's status it does
// (RFC 3805's status table, vendors' MIB notes): running and "other" is standby (power saving),
// down and "other" is off-line or a critical alert (the errors beside it say which).
function printerState(s, device) {
  if (s === 'other' && device === 'running') return t('ps_standby');
  if (s === 'other' && device === 'down') return t('ps_not_ready');
  return ({ idle: t('ps_idle'), printing: t('ps_printing'), warmup: t('ps_warmup'), other: t('ps_other'), unknown: t('ps_unknown') })[s] || s;
}

// Supplies and trays: name, level bar, percentage (or the state when there is no level), a
// badge when low or empty; then the forecast and the pages the printer says the unit has left.
// A tray fed by hand (bypass, multi-purpose: `sheet_feed_manual`) is empty most of the day by
// design: it says so, and its emptiness is shown without alarm.
function levelList(items, name, state) {
  const low = (s) => s.state === 'low' || s.state === 'empty';
  const byHand = (s) => s.type === 'sheet_feed_manual';
  return h('ul', { class: 'supplies' }, items.map((s) => h('li', {},
    h('span', { class: 'sname' }, inkDot(s.color), name(s), byHand(s) ? h('span', { class: 'muted small', 'data-testid': 'tray-by-hand' }, ' · ' + t('tray_by_hand')) : null),
    levelBar(s.level_percent, s.color, byHand(s)),
    h('span', { class: 'spct ' + (byHand(s) ? 'none' : s.state === 'empty' ? 'bad' : levelClass(s.level_percent)) }, s.level_percent != null ? pct(s.level_percent) : low(s) ? '' : state(s.state, s)),
    low(s) ? badge(byHand(s) ? 'off' : s.state === 'empty' ? 'bad' : 'warn', state(s.state, s)) : h('span', {}),
    s.forecast !== undefined ? forecastLine(s.forecast) : null,
    s.pages_remaining != null ? h('span', { class: 'spages small muted', 'data-testid': 'supply-pages' }, t('pages_left', { pages: num(s.pages_remaining) })) : null)));
}

// A supply's days-to-empty forecast (GET /devices/{id}: supplies[].forecast): whole days with the
// range, "empty", or "not enough data"; nothing for receptacles (forecast null).
function forecastLine(f) {
  if (!f) return null;
  let text = t('forecast_none');
  if (f.status === 'ok') text = t('forecast_days', { days: num(Math.round(f.days_to_empty)), low: num(Math.floor(f.days_low)), high: num(Math.ceil(f.days_high)) });
  if (f.status === 'empty') text = t('forecast_empty');
  return h('span', { class: 'sforecast small' + (f.status === 'ok' ? '' : ' muted'), 'data-testid': 'supply-forecast', title: f.reason || '' }, text);
}

const trayState = (s) => ({ ok: t('ss_ok'), low: t('tray_low'), empty: t('tray_empty'), not_installed: t('ss_not_installed') })[s] || t('ss_unknown');

routes.devices = async function devicePage(view, r) {
  const id = r.parts[1] || '';
  view.append(loading());
  const dev = 'devices/' + encodeURIComponent(id);
  let d;
  try {
    d = await apiGetEarly(dev);
  } catch (e) {
    if (e.status !== 404) throw e;
    clear(view, h('div', { tid: 'device-not-found' }, empty(t('device_not_found'), t('device_not_found_text'), h('a', { class: 'btn', href: '#/fleet' }, t('back_to_fleet')))));
    return;
  }
  const ident = d.identity || {};
  const st = d.device_state || {};
  const errors = st.errors || [];
  const counters = d.counters || {};
  const names = sortCounters(Object.keys(counters));
  const status = (tid) => deviceBadge({ last_seen: d.last_seen, status: d.status, errors, retired_at: d.retired_at }, tid);
  const head = pageHead(deviceName(d), [d.serial, d.address, d.site].filter(Boolean).join(' · '), status('device-status'),
    isAdmin() && !d.retired_at ? btn(t('retire_device'), () => retireDevice(dev), 'small', 'device-retire') : null);
  $('h1', head).setAttribute('data-testid', 'device-title');
  const box = () => h('div', {}, loading());
  const [alertsBox, readingsBox, eventsBox, changesBox] = [box(), box(), box(), box()];

  clear(view,
    h('nav', { class: 'crumbs', 'aria-label': t('breadcrumbs') }, h('a', { href: '#/fleet' }, t('nav_fleet')), h('span', { 'aria-hidden': 'true' }, ' / '), deviceName(d)),
    head,
    d.retired_at ? retiredNotice(d, dev) : null,
    h('div', { class: 'grid two' },
      card(t('identity'), 'device-identity', dl([
        [t('col_vendor'), d.vendor], [t('col_model'), d.model], [t('col_serial'), d.serial, 'mono'], [t('mac'), d.mac, 'mono'],
        [t('firmware'), d.firmware || ident.firmware], [t('col_ip'), d.address, 'mono'], [t('col_location'), d.location],
        [t('col_site'), d.site], [t('scanner'), scannerLabel(d)], [t('first_seen'), fmtTime(d.first_seen)],
        [t('col_last_seen'), relTime(d.last_seen)], ident.sys_name ? [t('sys_name'), ident.sys_name, 'mono'] : null,
      ])),
      card(t('status_and_alerts'), 'device-alerts',
        dl([[t('col_status'), status()], [t('printer_state'), st.printer ? printerState(st.printer, st.device) : null], [t('panel'), st.console, 'mono small'],
          [t('polled_at'), d.polled_at ? fmtTime(d.polled_at) : null]]),
        errors.length ? h('div', { class: 'chips' }, errors.map((c) => h('span', { class: 'chip bad' }, printerError(c)))) : null,
        alertsBox, deviceRuleAlerts(id))),
    h('div', { class: 'grid two' },
      card(t('supplies'), 'device-supplies', (d.supplies || []).length ? levelList(d.supplies, (s) => s.description || supplyTypeName(s.type), supplyState) : note(t('no_supplies')),
        (d.trays || []).length ? [h('h3', { class: 'sub-head' }, t('trays')), levelList(d.trays, (x) => x.description || x.name, trayState)] : null),
      card(t('counters'), 'device-counters', names.length ? h('div', { class: 'counters' }, names.map((n) => h('div', { class: 'counter' + (n === 'total' ? ' main' : '') },
        h('span', { class: 'counter-name' }, counterName(n)), h('span', { class: 'counter-value' }, num(counters[n]))))) : note(t('no_counters')))),
    deviceHistory(dev, r.query, names),
    card(t('recent_readings'), 'device-readings', readingsBox),
    h('div', { class: 'grid two' }, card(t('events'), 'device-events', eventsBox), card(t('cartridge_changes'), 'device-changes', changesBox)));

  // The lists of the page, each in its box: a table, or a line when there is nothing.
  const fill = (box, path, none, draw) => api('GET', path).then((res) => clear(box, res.items.length ? draw(res.items) : none))
    .catch((e) => clear(box, errorPanel(e)));
  const q = (path, p) => path + qs(Object.assign({ device: id, limit: 20 }, p));
  const sevClass = (s) => (s === 'critical' ? 'bad' : s === 'warning' ? 'warn' : 'info');

  fill(alertsBox, q('alerts', { state: 'open' }), note(t('no_open_alerts'), 'ok-line'), (items) => h('ul', { class: 'alerts' }, items.map((a) => h('li', {},
    badge(sevClass(a.severity), ({ critical: t('sev_critical'), warning: t('sev_warning'), info: t('sev_info') })[a.severity] || a.severity),
    h('span', {}, a.kind === 'error' ? printerError(a.code) : (a.detail || a.code)), h('span', { class: 'muted small' }, t('since', { time: fmtTime(a.started_at) }))))));

  fill(readingsBox, dev + '/readings?limit=10', note(t('no_readings')), (items) => table([
    { label: t('col_time'), render: (x) => fmtTime(x.polled_at) },
    { label: t('col_total'), cls: 'num', render: (x) => num(x.total) },
    { label: t('col_status'), render: (x) => { const s = (x.snapshot && x.snapshot.status) || {}; return statusLabel(s.device) + ((s.errors || []).length ? ' · ' + s.errors.map(printerError).join(', ') : ''); } },
    { label: t('col_supply'), render: (x) => supplyCell(snapshotSupply(x.snapshot)) },
    { label: t('scanner'), render: scannerLabel },
  ], items, { cards: true }));

  fill(eventsBox, q('events'), note(t('no_events')), (items) => table([
    { label: t('col_time'), render: (x) => fmtTime(x.at) },
    { label: t('col_event'), render: eventText },
    { label: t('col_action'), render: (x) => (x.action === 'appeared' ? badge(x.severity === 'critical' ? 'bad' : 'warn', t('appeared')) : badge('ok', t('cleared'))) },
  ], items));

  // The cartridge log: each change and the pages that cartridge printed (so far, for the one in use).
  fill(changesBox, dev + '/cartridges?limit=20', note(t('no_changes')), (items) => table([
    { label: t('col_time'), render: (x) => fmtTime(x.installed_at) },
    { label: t('col_supply_name'), render: (x) => h('span', {}, inkDot(x.color), x.description || supplyTypeName(x.type), x.current ? [' ', badge('ok', t('in_use'))] : null) },
    { label: t('col_level_change'), cls: 'num', render: (x) => pct(x.previous_percent) + ' → ' + pct(x.level_percent) },
    { label: t('col_pages_printed'), cls: 'num', render: (x) => (x.pages == null ? null : num(x.pages)) },
    { label: t('col_days'), cls: 'num', render: (x) => (x.days == null ? null : num(Math.round(x.days))) },
  ], items));
};

// Retiring a device (POST /devices/{id}/retire): out of the fleet, the tiles, the supplies list
// and the alert rules; its history stays. The note says why, on its page and in the audit log.
function retireDevice(dev) {
  formDialog(t('retire_device_title'), [
    note(t('retire_device_text')),
    field({ name: 'note', label: t('f_retire_note'), max: 500, tid: 'retire-note', hint: t('retire_note_hint') }),
  ], t('retire_device'), async (v) => {
    await api('POST', dev + '/retire', v.note ? { note: v.note } : {});
    S.summary = null;
    toast(t('device_retired_toast'));
    render();
  }, 'retire-confirm');
}

// A retired device's page says so first: when, why, whether it still answers, and (for admins)
// the way back.
function retiredNotice(d, dev) {
  const still = d.last_seen && Date.parse(d.last_seen) > Date.parse(d.retired_at);
  const restore = isAdmin() ? btn(t('restore_device'), async () => {
    try {
      await api('POST', dev + '/restore');
      S.summary = null;
      toast(t('device_restored_toast'));
      render();
    } catch (e) { toastErr(e); }
  }, 'small', 'device-restore') : null;
  return h('div', { class: 'alert warn retired', role: 'status', tid: 'device-retired' },
    h('div', {}, h('strong', {}, t('device_retired_on', { time: fmtTime(d.retired_at) })),
      d.retired_note ? h('div', { tid: 'device-retired-note' }, d.retired_note) : null,
      h('div', { class: 'small' }, still ? t('retired_still_reporting', { time: fmtTime(d.last_seen) }) : t('retired_history_kept'))),
    restore);
}

// The chart periods. Day: the last 24 hours by the tenant's local hour (bounds as instants).
// Otherwise whole local days of the tenant up to today, as dates (the API reads a date as that
// day's local midnight and counts daily pages on local days): 7 for a week, 30 for a month, or
// the custom dates; `to` exclusive.
function periodRange(p, from, to) {
  if (p === 'day') {
    // An hour's bucket starts on a local full hour (zones at +05:30 too); one hour more before
    // the first bucket gives its first reading a previous value.
    const now = Date.now();
    const frac = tzOffset(now) % 3600e3;
    const last = Math.floor((now + frac) / 3600e3) * 3600e3 - frac;
    return { from: new Date(last - 24 * 3600e3).toISOString(), to: new Date(now).toISOString(), first: last - 23 * 3600e3, last };
  }
  if (p === 'custom' && from && to) return { from, to: addDays(to, 1), days: true };
  return { from: addDays(today(), p === 'month' ? -29 : -6), to: addDays(today(), 1), days: true };
}

// Pages per hour (day) or per local day, and the supply levels over the same period.
function deviceHistory(dev, query, names) {
  let period = query.get('period') || 'week';
  let from = query.get('from') || addDays(today(), -13);
  let to = query.get('to') || today();
  let name = query.get('counter') || (names.includes('total') ? 'total' : names[0] || 'total');
  const pagesCanvas = h('canvas', { tid: 'chart-pages', role: 'img', 'aria-label': t('chart_pages') });
  const supCanvas = h('canvas', { tid: 'chart-supplies', role: 'img', 'aria-label': t('chart_supplies') });
  const pagesNote = note('', 'small');
  const supNote = note('', 'small');
  const fromIn = h('input', { type: 'date', value: from, tid: 'period-from', 'aria-label': t('f_from') });
  const toIn = h('input', { type: 'date', value: to, tid: 'period-to', 'aria-label': t('f_to') });
  const custom = h('div', { class: 'inline', hidden: period !== 'custom' }, fromIn, toIn, btn(t('apply'), () => {
    if (!fromIn.value || !toIn.value || fromIn.value > toIn.value) { toast(t('v_period'), 'error'); return; }
    from = fromIn.value; to = toIn.value; draw();
  }, 'small', 'period-apply'));
  const periods = [['day', t('p_day')], ['week', t('p_week')], ['month', t('p_month')], ['custom', t('p_custom')]];
  const seg = h('div', { class: 'seg', role: 'group', 'aria-label': t('period') }, periods.map(([v, l]) => h('button', {
      tid: 'period-' + v, 'aria-pressed': String(period === v), onclick: (e) => {
        period = v;
        for (const b of seg.children) b.setAttribute('aria-pressed', String(b === e.currentTarget));
        custom.hidden = v !== 'custom';
        if (v !== 'custom') draw();
      } }, l)));
  const counterSel = select({ tid: 'counter-select', 'aria-label': t('counter'), onchange: (e) => { name = e.target.value; draw(); } },
    (names.length ? names : ['total']).map((n) => [n, counterName(n)]), name);

  let seq = 0;
  const draw = async () => {
    const mine = ++seq;
    setQuery(Object.assign(Object.fromEntries(parseHash().query), { period, counter: name }, period === 'custom' ? { from, to } : { from: '', to: '' }));
    pagesNote.textContent = supNote.textContent = t('loading');
    const range = periodRange(period, from, to);
    const span = { from: range.from, to: range.to };
    // Both requests at once; each chart draws when its data is there.
    const pages = api('GET', dev + '/counters' + qs(Object.assign({ name, interval: range.days ? 'day' : '', limit: 1000 }, span)));
    const levels = api('GET', dev + '/supply-levels' + qs(Object.assign({ points: 240 }, span)));
    levels.catch(() => {});  // handled below, or dropped when a newer draw took over
    try {
      const res = await pages;
      const labels = [];
      const values = [];
      if (range.days) {
        const byDay = new Map(res.items.map((x) => [x.day, x.pages]));
        for (let day = range.from; day < range.to; day = addDays(day, 1)) { labels.push(fmtDay(day, true)); values.push(byDay.get(day) || 0); }
      } else {
        // Raw values of one counter: each increase counts in the hour of the later reading.
        const hours = new Map();
        let prev = null;
        for (const x of res.items) {
          const at = Date.parse(x.polled_at);
          const hour = range.last - Math.ceil((range.last - at) / 3600e3) * 3600e3;
          if (prev !== null && x.value >= prev) hours.set(hour, (hours.get(hour) || 0) + x.value - prev);
          prev = x.value;
        }
        for (let hr = range.first; hr <= range.last; hr += 3600e3) { labels.push(fmtHour(hr)); values.push(hours.get(hr) || 0); }
      }
      if (mine !== seq) return;
      pagesNote.textContent = t('pages_in_period', { count: values.reduce((a, b) => a + b, 0) });
      await makeChart(pagesCanvas, {
        type: 'bar',
        data: { labels, datasets: [{ label: counterName(name), data: values, backgroundColor: '#3b82f6', borderRadius: 3, maxBarThickness: 28 }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } } } },
      });
    } catch (e) {
      if (mine === seq) pagesNote.textContent = errText(e);
    }
    try {
      const res = await levels;
      if (mine !== seq) return;
      await drawLevels(supCanvas, supNote, res.items, range);
    } catch (e) {
      if (mine === seq) supNote.textContent = errText(e);
    }
  };
  draw();
  return h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', {}, t('history')), h('div', { class: 'actions' }, seg, custom, counterSel)),
    h('div', { class: 'grid two tight' },
      h('div', {}, h('h3', {}, t('chart_pages')), h('div', { class: 'chart-box' }, pagesCanvas), pagesNote),
      h('div', {}, h('h3', {}, t('chart_supplies')), h('div', { class: 'chart-box' }, supCanvas), supNote)),
    zoneNote());
}

// Supply levels over time on a time axis (x: ms): one line per supply, ticks at the tenant's
// local midnights (days) or full hours (the last 24 hours).
function drawLevels(canvas, noteEl, items, range) {
  const series = new Map();
  for (const x of items) {
    const at = Date.parse(x.polled_at);
    for (const s of x.levels || []) {
      if (s.level_percent == null) continue;
      const key = s.description || supplyTypeName(s.type);
      if (!series.has(key)) series.set(key, { color: s.color, data: [] });
      series.get(key).data.push({ x: at, y: s.level_percent });
    }
  }
  dropChart(canvas);
  if (!series.size) { noteEl.textContent = t('no_supply_history'); return null; }
  noteEl.textContent = t('supply_history_note', { count: items.length });
  const min = range.days ? dayStart(range.from) : range.first - 3600e3;
  const max = range.days ? dayStart(range.to) : Date.now();
  let ticks = [];
  if (range.days) for (let day = range.from; day < range.to; day = addDays(day, 1)) ticks.push(dayStart(day));
  else for (let hr = range.first; hr <= range.last; hr += 3600e3) ticks.push(hr);
  // As many as fit the width (Chart.js's own thinning misjudges ticks it did not make), the
  // last one (today, this hour) always.
  const every = Math.ceil(ticks.length * (range.days ? 56 : 72) / Math.max(200, canvas.parentNode.clientWidth - 60));
  ticks = ticks.filter((_, i) => (ticks.length - 1 - i) % every === 0);
  let k = 0;
  return makeChart(canvas, {
    type: 'line',
    data: { datasets: [...series].map(([label, s]) => {
      const color = INK[s.color] || PALETTE[k++ % PALETTE.length];
      return { label, data: s.data, borderColor: color, backgroundColor: color, tension: 0.2, pointRadius: s.data.length > 60 ? 0 : 2.5, borderWidth: 2 };
    }) },
    options: {
      parsing: false,
      scales: {
        y: { min: 0, max: 100, ticks: { callback: (v) => v + '%' } },
        x: { type: 'linear', min, max, grid: { display: false }, afterBuildTicks: (axis) => { axis.ticks = ticks.map((value) => ({ value })); },
          ticks: { callback: (v) => (range.days ? fmtDay(v, true) : fmtHour(v)), maxRotation: 0, autoSkip: false } },
      },
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { title: (c) => fmtTime(c[0].parsed.x) } } },
    },
  });
}
