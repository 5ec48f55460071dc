// Page volume (#/pages): pages per tenant, site or device for a period, split by counter name,
// and meter reads for billing (counter values at a date). Dates are the tenant's local days.
'use strict';

routes.pages = async function pagesPage(view, r) {
  const q = r.query;
  const pick = (k, list, dflt) => (list.includes(q.get(k)) ? q.get(k) : dflt);
  const f = {
    group: pick('group', ['tenant', 'site', 'device'], 'site'),
    period: pick('period', ['day', 'week', 'month', 'custom'], 'month'),
    date: q.get('date') || today(),
    from: q.get('from') || addDays(today(), -29),
    to: q.get('to') || today(),
    name: q.get('name') || 'total',
    at: q.get('at') || today(),
    interp: q.get('interp') === '1',
  };
  const custom = () => f.period === 'custom';
  const sync = () => setQuery({ group: f.group, period: f.period, date: custom() ? '' : f.date, from: custom() ? f.from : '', to: custom() ? f.to : '',
    name: f.name, at: f.at, interp: f.interp ? '1' : '' });

  const ctl = (label, input, hidden) => h('label', { class: 'ctl', hidden }, h('span', {}, label), input);
  const sel = (tid, label, value, options, on) => ctl(label, select({ tid, onchange: (e) => on(e.target.value) }, options, value));
  const dateIn = (tid, label, value, on, hidden) => ctl(label, h('input', { type: 'date', tid, value, max: today(), onchange: (e) => on(e.target.value) }), hidden);

  const controls = h('div', { class: 'controls' });
  const range = h('p', { class: 'muted', tid: 'pv-range' });
  const chartBox = h('div', { class: 'chart-box tall' });
  const tableBox = h('div', {});
  const exports = h('div', { class: 'actions' });

  const drawControls = () => clear(controls,
    sel('pv-group', t('group_by'), f.group, [['tenant', t('g_tenant')], ['site', t('g_site')], ['device', t('g_device')]], (v) => { f.group = v; load(); }),
    sel('pv-period', t('period'), f.period, [['day', t('p_day')], ['week', t('p_week')], ['month', t('p_month')], ['custom', t('p_custom')]], (v) => { f.period = v; drawControls(); load(); }),
    dateIn('pv-date', t('f_date'), f.date, (v) => { if (v) { f.date = v; load(); } }, custom()),
    dateIn('pv-from', t('f_from'), f.from, (v) => { f.from = v; load(); }, !custom()),
    dateIn('pv-to', t('f_to'), f.to, (v) => { f.to = v; load(); }, !custom()),
    sel('pv-name', t('counter'), f.name, [['all', t('all_counters')], ...COUNTER_ORDER.map((n) => [n, counterName(n)])], (v) => { f.name = v; load(); }),
    btn(t('show'), () => load(), 'primary', 'pv-show'));

  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    sync();
    if (custom() && (!f.from || !f.to || f.from > f.to)) { clear(tableBox, alertBox(t('v_period'))); return; }
    const p = Object.assign({ group_by: f.group, period: f.period, name: f.name === 'all' ? '' : f.name }, custom() ? { from: f.from, to: f.to } : { date: f.date });
    exportLinks(exports, 'page-volume', p, 'page-volume', 'pv-export-');
    tableBox.classList.add('busy');
    let res;
    try {
      res = await api('GET', 'page-volume' + qs(Object.assign({ limit: 1000 }, p)));
    } catch (e) {
      if (mine === seq) clear(tableBox, errorPanel(e, load));
      return;
    } finally {
      tableBox.classList.remove('busy');
    }
    if (mine !== seq) return;
    // The period as the server computed it: local dates, `to` exclusive.
    range.textContent = res.from ? t('period_range', { from: fmtDay(res.from), to: fmtDay(addDays(res.to, -1)) }) : '';

    // pivot: one row per group, one column per counter name
    const groups = new Map();
    const names = new Set();
    for (const x of res.items) {
      const key = f.group === 'device' ? x.device_id : f.group === 'site' ? x.site : '';
      if (!groups.has(key)) groups.set(key, { item: x, pages: {} });
      groups.get(key).pages[x.name] = x.pages;
      names.add(x.name);
    }
    const cols = sortCounters(names);
    const lead = cols.includes('total') ? 'total' : cols[0];
    const rows = [...groups.values()].sort((a, b) => (b.pages[lead] || 0) - (a.pages[lead] || 0));
    const label = (g) => (f.group === 'tenant' ? t('all_sites') : f.group === 'site' ? (g.item.site || t('no_site'))
      : [g.item.vendor, g.item.model].filter(Boolean).join(' ') + (g.item.serial ? ' · ' + g.item.serial : ''));

    if (!rows.length) {
      dropChart($('canvas', chartBox));
      chartBox.hidden = true;
      clear(tableBox, empty(t('pv_empty_title'), t('pv_empty_text')));
      return;
    }
    chartBox.hidden = false;
    const canvas = h('canvas', { tid: 'pv-chart', role: 'img', 'aria-label': t('chart_page_volume') });
    dropChart($('canvas', chartBox));
    clear(chartBox, canvas);
    // The whole organisation: one bar per counter. Groups: the top 25, B&W and colour stacked
    // when every counter is asked for; horizontal bars when there are many.
    const tenantBars = f.group === 'tenant';
    const headline = f.name === 'all' && cols.includes('mono') && cols.includes('color') ? ['mono', 'color'] : [lead];
    const top = tenantBars ? rows : rows.slice(0, 25);
    const many = !tenantBars && top.length > 8;
    const bars = (o) => Object.assign({ borderRadius: 3, maxBarThickness: 40 }, o);
    chartBox.style.height = many ? Math.min(900, 40 + top.length * 26) + 'px' : '';
    makeChart(canvas, {
      type: 'bar',
      data: tenantBars
        ? { labels: cols.map(counterName), datasets: [bars({ label: t('pages'), data: cols.map((n) => rows[0].pages[n] || 0), backgroundColor: '#3b82f6' })] }
        : { labels: top.map(label), datasets: headline.map((n, i) => bars({ label: counterName(n), data: top.map((g) => g.pages[n] || 0), backgroundColor: n === 'color' ? '#db2777' : n === 'mono' ? '#334155' : PALETTE[i] })) },
      options: {
        indexAxis: many ? 'y' : 'x',
        plugins: { legend: { display: headline.length > 1 && !tenantBars, position: 'bottom' } },
        scales: { x: { stacked: true, grid: { display: false }, ticks: { autoSkip: false, callback(v) { const l = String(this.getLabelForValue(v)); return l.length > 28 ? l.slice(0, 27) + '…' : l; } } },
          y: { stacked: true, beginAtZero: true, grid: { display: !many } } },
      },
    }).catch((e) => clear(chartBox, errorPanel(e)));

    const groupLabel = f.group === 'device' ? t('g_device') : f.group === 'site' ? t('col_site') : t('g_tenant');
    const tbl = table([
      { label: groupLabel, cls: 'strong', render: (g) => (f.group === 'device' ? h('a', { href: '#/devices/' + g.item.device_id }, label(g)) : label(g)) },
      f.group === 'device' ? { label: t('col_site'), render: (g) => g.item.site } : null,
      ...cols.map((n) => ({ label: counterName(n), cls: 'num', render: (g) => num(g.pages[n] || 0) })),
    ].filter(Boolean), rows, { tid: 'pv-table', cards: true, caption: t('nav_pages') });
    if (rows.length > 1) {
      $('tbody', tbl).append(h('tr', { class: 'total-row' }, h('td', { 'data-label': groupLabel }, t('total_row')), f.group === 'device' ? h('td', {}) : null,
        cols.map((n) => h('td', { class: 'num', 'data-label': counterName(n) }, num(rows.reduce((s, g) => s + (g.pages[n] || 0), 0))))));
    }
    clear(tableBox, tbl, res.next_offset != null ? note(t('pv_truncated'), 'small pad') : null);
  };

  // ---- meter reads: the counters of every device at the end of the chosen local day (`at` as
  // a date is that day's local midnight, so the end of a day is the next date).
  const mrBox = h('div', {});
  const mrExports = h('div', { class: 'actions' });
  const atIn = h('input', { type: 'date', tid: 'mr-date', value: f.at, max: today() });
  const interp = h('input', { type: 'checkbox', tid: 'mr-interpolate', checked: f.interp });
  const SHOWN = ['total', 'mono', 'color', 'print_total', 'copy_total', 'scan_total', 'fax_total', 'duplex'];
  const has = (x) => x && x.value != null;
  let mrOffset = 0;
  let mrRows = null;
  const loadReads = async (more) => {
    if (!atIn.value) { clear(mrBox, alertBox(t('v_required'))); return; }
    f.at = atIn.value;
    f.interp = interp.checked;
    sync();
    const p = { at: addDays(f.at, 1), interpolate: f.interp ? 'true' : '' };
    exportLinks(mrExports, 'meter-reads', p, 'meter-reads-' + f.at, 'mr-export-');
    if (!more) { mrOffset = 0; mrRows = new Map(); clear(mrBox, loading()); }
    let res;
    try {
      res = await api('GET', 'meter-reads' + qs(Object.assign({ limit: 1000, offset: mrOffset }, p)));
    } catch (e) {
      clear(mrBox, errorPanel(e));
      return;
    }
    // One row per device, one cell per counter; the items name the machine (vendor, model, serial).
    for (const x of res.items) {
      if (!mrRows.has(x.device_id)) mrRows.set(x.device_id, { item: x, v: {} });
      mrRows.get(x.device_id).v[x.name] = x;
    }
    mrOffset = res.next_offset;
    if (!mrRows.size) { clear(mrBox, empty(t('mr_empty_title'), t('mr_empty_text'))); return; }
    const rows = [...mrRows.values()];
    for (const g of rows) g.has = Object.values(g.v).some(has);
    rows.sort((a, b) => Number(b.has) - Number(a.has));
    const cell = (x) => (has(x) ? h('span', {
      class: x.interpolated ? 'interp' : null,
      title: x.interpolated ? t('mr_interpolated_title', { from: fmtTime(x.reading_at), to: fmtTime(x.next_reading_at) }) : t('mr_read_at', { time: fmtTime(x.reading_at) }),
    }, x.interpolated ? '≈ ' : '', num(x.value)) : null);
    const tbl = table([
      { label: t('g_device'), cls: 'strong', render: (g) => h('a', { href: '#/devices/' + g.item.device_id }, [g.item.vendor, g.item.model].filter(Boolean).join(' ') || g.item.device_id.slice(0, 8)) },
      { label: t('col_serial'), cls: 'mono', render: (g) => g.item.serial },
      { label: t('col_site'), render: (g) => g.item.site },
      { label: t('col_read_at'), render: (g) => { const x = g.v.total || Object.values(g.v).find((v) => v.reading_at); return x && x.reading_at ? fmtTime(x.reading_at) : t('mr_no_reading'); } },
      ...SHOWN.filter((n) => rows.some((g) => has(g.v[n]))).map((n) => ({ label: counterName(n), cls: 'num', render: (g) => cell(g.v[n]) })),
    ], rows, { tid: 'mr-table', cards: true, nowrap: true, caption: t('meter_reads'), row: (g) => ({ class: g.has ? null : 'dim' }) });
    const at = rows[0].item.at;
    clear(mrBox, at ? note(t('mr_values_at', { time: fmtTime(at) }), 'small') : null, tbl,
      note([f.interp ? t('mr_interp_note') + ' ' : '', t('mr_export_note')], 'small pad'),
      mrOffset != null ? h('div', { class: 'pager' }, btn(t('load_more'), () => loadReads(true), 'small', 'mr-more')) : null);
  };

  drawControls();
  view.append(
    pageHead(t('pv_title'), t('pv_sub'), exports),
    h('section', { class: 'card' }, controls, zoneNote(), range, chartBox),
    h('section', { class: 'card flush' }, tableBox),
    headCard(t('meter_reads'), t('mr_sub'), mrExports, false,
      h('div', { class: 'controls' }, ctl(t('mr_at_end_of'), atIn), h('label', { class: 'check' }, interp, t('mr_interpolate')),
        btn(t('show'), () => loadReads(false), 'primary', 'mr-show')),
      zoneNote(), mrBox));
  await load();
  if (q.get('at')) loadReads(false);
};
