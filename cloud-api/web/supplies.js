// Supplies (#/supplies): every consumable across the sites, lowest first, with the days it has
// left (GET /supplies, then ?forecast=true for the days): the list a dealer orders from. Filters: site, kind,
// colour, a level to stay below; CSV/XLSX of the same rows with the forecast.
'use strict';

const SUPPLY_KEYS = ['site', 'type', 'color', 'below', 'page', 'per'];
// The kinds worth a filter (Printer-MIB types as the scanner names them); the API matches one.
const SUPPLY_TYPES = ['toner', 'ink', 'opc', 'developer', 'fuser', 'transfer_unit', 'waste_toner', 'waste_ink'];
const SUPPLY_COLORS = ['black', 'cyan', 'magenta', 'yellow'];
const BELOW = [50, 20, 10, 5];

function supplyTypeName(type) {
  return ({ toner: t('sty_toner'), toner_cartridge: t('sty_toner'), ink: t('sty_ink'), ink_cartridge: t('sty_ink'), opc: t('sty_opc'),
    developer: t('sty_developer'), fuser: t('sty_fuser'), transfer_unit: t('sty_transfer_unit'), waste_toner: t('sty_waste_toner'),
    waste_ink: t('sty_waste_ink') })[type] || type || '—';
}

function colorName(color) {
  return ({ black: t('c_black'), cyan: t('c_cyan'), magenta: t('c_magenta'), yellow: t('c_yellow') })[color] || color;
}

// A row's forecast: "≈ N days" with its range as a tooltip, "Empty", or why there is none;
// nothing for receptacles (they fill up, they do not run out).
function forecastCell(x) {
  if (!x.forecast_status) return null;
  if (x.forecast_status === 'empty') return h('span', { class: 'badge bad', tid: 'supply-days' }, t('forecast_empty'));
  if (x.forecast_status !== 'ok') return h('span', { class: 'muted small', tid: 'supply-days' }, t('forecast_na'));
  const days = Math.round(x.days_to_empty);
  const cls = days <= 7 ? 'bad' : days <= 21 ? 'warn' : 'ok';
  return h('span', { class: 'days ' + cls, tid: 'supply-days', title: t('forecast_range', { low: num(Math.floor(x.days_low)), high: num(Math.ceil(x.days_high)) }) },
    t('forecast_about', { count: days }));
}

// The forecast and, under it, the pages the unit itself says it has left (Brother's drums,
// belt and fuser count them): what a dealer orders by when there is no percentage.
function forecastAndPages(x) {
  const cell = forecastCell(x);
  if (x.pages_remaining == null) return cell;
  return h('span', { class: 'days-pages' }, cell,
    h('span', { class: 'spages small muted', tid: 'supply-pages', title: t('pages_left', { pages: num(x.pages_remaining) }) },
      t('pages_left_short', { pages: num(x.pages_remaining) })));
}

// The level: bar and percentage, or the printer's own word when it gives no number.
function supplyLevelCell(x) {
  const said = x.state === 'low' || x.state === 'empty';
  const word = supplyState(x.state, { class: x.supply_class });
  if (x.level_percent == null) {
    return said ? badge(x.state === 'empty' ? 'bad' : 'warn', word, 'supply-claim') : h('span', { class: 'muted small' }, word);
  }
  return h('div', { class: 'supply-cell ' + levelClass(x.level_percent) },
    h('span', { class: 'supply-level' }, levelBar(x.level_percent, x.color), h('span', {}, pct(x.level_percent))),
    said && x.supply_class === 'receptacle' ? badge(x.state === 'empty' ? 'bad' : 'warn', word) : null);
}

routes.supplies = async function suppliesPage(view, r) {
  const f = {};
  for (const k of SUPPLY_KEYS) f[k] = r.query.get(k) || '';
  f.page = Math.max(1, parseInt(f.page, 10) || 1);
  f.per = Number(f.per) === 100 ? 100 : 50;
  if (f.below && !BELOW.includes(Number(f.below))) f.below = '';

  const bar = h('div', { class: 'filters', role: 'search' });
  const exports = h('div', { class: 'actions' });
  const result = h('div', { class: 'result' }, loading());
  view.append(pageHead(t('supplies_title'), t('supplies_sub'), exports), h('section', { class: 'card flush' }, bar, result));

  const sync = () => {
    const keep = {};
    for (const k of SUPPLY_KEYS) if (f[k] && !(k === 'page' && f[k] === 1) && !(k === 'per' && f[k] === 50)) keep[k] = f[k];
    setQuery(keep);
  };
  const reload = () => { sync(); load(); };
  const change = (k, v) => { f[k] = v; f.page = 1; reload(); };
  const apiParams = () => ({ site: f.site, type: f.type, color: f.color, below: f.below });

  const siteSel = select({ tid: 'supplies-site', 'aria-label': t('f_site'), onchange: (e) => change('site', e.target.value) }, [['', t('all_sites')]]);
  const typeSel = select({ tid: 'supplies-type', 'aria-label': t('f_supply_type'), onchange: (e) => change('type', e.target.value) },
    [['', t('all_supply_types')], ...SUPPLY_TYPES.map((v) => [v, supplyTypeName(v)])], f.type);
  const colorSel = select({ tid: 'supplies-color', 'aria-label': t('f_color'), onchange: (e) => change('color', e.target.value) },
    [['', t('all_colors')], ...SUPPLY_COLORS.map((v) => [v, colorName(v)])], f.color);
  const belowSel = select({ tid: 'supplies-below', 'aria-label': t('f_below'), onchange: (e) => change('below', e.target.value) },
    [['', t('below_any')], ...BELOW.map((n) => [String(n), t('below_n', { n })])], f.below);
  const reset = btn(t('reset_filters'), () => { setQuery({}); render(); }, 'ghost small', 'supplies-reset');
  bar.append(siteSel, typeSel, colorSel, belowSel, reset);

  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    // A file holds the forecast too: at most 1,000 rows (the API's limit with forecast=true).
    exportLinks(exports, 'supplies', Object.assign(apiParams(), { forecast: 'true', limit: 1000 }), 'supplies', 'supplies-export-');
    result.classList.add('busy');
    const page = { limit: f.per, offset: (f.page - 1) * f.per };
    try {
      // The levels at once, the forecasts when they come: they read each device's history
      // (tenths of a second for a page), the list alone is an index read.
      const data = await api('GET', 'supplies' + qs(Object.assign(apiParams(), page)));
      if (mine !== seq) return;
      const slots = draw(data);
      api('GET', 'supplies' + qs(Object.assign(apiParams(), page, { forecast: 'true' })))
        .then((withDays) => { if (mine === seq) fillForecasts(slots, withDays.items); })
        .catch(() => { if (mine === seq) fillForecasts(slots, []); });
    } catch (e) {
      if (mine === seq) clear(result, h('div', { class: 'pad' }, errorPanel(e, load)));
    } finally {
      result.classList.remove('busy');
    }
  };

  // The forecast cells of the rows drawn, by supply; filled in when the forecasts come (a row
  // the second answer does not have, or a failed one, shows none).
  const keyOf = (x) => [x.device_id, x.type, x.color, x.description].join('\u0000');
  const fillForecasts = (slots, items) => {
    const byKey = new Map(items.map((x) => [keyOf(x), x]));
    for (const [key, slot] of slots) {
      const x = byKey.get(key);
      clear(slot, x ? forecastAndPages(x) : null);
      slot.removeAttribute('aria-busy');
    }
  };
  const draw = (data) => {
    const slots = new Map();
    if (!data.items.length) {
      const filtered = ['site', 'type', 'color', 'below'].some((k) => f[k]);
      clear(result, h('div', { tid: 'supplies-empty' }, filtered
        ? empty(t('supplies_nomatch_title'), t('supplies_nomatch_text'), btn(t('reset_filters'), () => reset.click()))
        : empty(t('supplies_empty_title'), t('supplies_empty_text'))));
      return slots;
    }
    const device = (x) => h('div', {}, h('a', { href: '#/devices/' + x.device_id, class: 'strong' }, x.model || x.serial || t('unnamed_device')),
      x.vendor ? h('div', { class: 'muted small' }, x.vendor) : null);
    const tbl = table([
      { label: t('col_supply_name'), render: (x) => h('div', {}, h('div', { class: 'sname strong' }, inkDot(x.color), x.description || supplyTypeName(x.type)),
        h('div', { class: 'muted small' }, supplyTypeName(x.type))) },
      { label: t('col_device'), render: device },
      { label: t('col_serial'), cls: 'mono', render: (x) => x.serial },
      { label: t('col_site'), cls: 'site-cell', render: (x) => h('div', {}, h('div', { class: 'clip', title: x.site }, x.site || '—'),
        x.location ? h('div', { class: 'muted small clip', title: x.location }, x.location) : null) },
      { label: t('col_level'), render: supplyLevelCell },
      { label: t('col_forecast'), render: (x) => {
        const slot = h('span', { class: 'days-slot', 'aria-busy': 'true' }, h('span', { class: 'muted' }, '…'));
        slots.set(keyOf(x), slot);
        return slot;
      } },
      { label: t('col_reading'), render: (x) => relTime(x.polled_at) },
    ], data.items, {
      tid: 'supplies-table', cards: true, nowrap: true, caption: t('supplies_title'),
      row: (x) => ({ tid: 'supplies-row', 'data-device-id': x.device_id, 'data-type': x.type, 'data-level': x.level_percent == null ? '' : String(x.level_percent), 'data-state': x.state }),
    });
    clear(result, tbl, pager(data, f, reload, { count: 'supplies-count', size: 'supplies-page-size', prev: 'supplies-prev', next: 'supplies-next' }));
    return slots;
  };

  getSites().then((sites) => {
    for (const s of sites) if (s.site) siteSel.append(h('option', { value: s.site, selected: f.site === s.site }, s.site));
  }).catch(() => {});
  await load();
};
