// Page volume (#/pages): pages per tenant, site or device for a period, split by counter name,
// and meter reads for billing (counter values at a date).
'use strict';

routes.pages = async function pagesPage(view, r) {
  const q = r.query;
  const f = {
    group: ['tenant', 'site', 'device'].includes(q.get('group')) ? q.get('group') : 'site',
    period: ['day', 'week', 'month', 'custom'].includes(q.get('period')) ? q.get('period') : 'month',
    date: q.get('date') || today(),
    from: q.get('from') || addDays(today(), -29),
    to: q.get('to') || today(),
    name: q.get('name') || 'total',
    at: q.get('at') || today(),
    interp: q.get('interp') === '1',
  };
  const sync = () => setQuery({ group: f.group, period: f.period, date: f.period === 'custom' ? '' : f.date,
    from: f.period === 'custom' ? f.from : '', to: f.period === 'custom' ? f.to : '', name: f.name, at: f.at, interp: f.interp ? '1' : '' });

  const sel = (tid, label, value, options, on) => h('label', { class: 'ctl' }, h('span', {}, label),
    h('select', { tid, onchange: (e) => on(e.target.value) }, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l))));
  const dateIn = (tid, label, value, on, hidden) => h('label', { class: 'ctl', hidden }, h('span', {}, label),
    h('input', { type: 'date', tid, value, max: today(), onchange: (e) => on(e.target.value) }));

  const controls = h('div', { class: 'controls' });
  const range = h('p', { class: 'muted', tid: 'pv-range' });
  const chartBox = h('div', { class: 'chart-box tall' });
  const tableBox = h('div', {});
  const exports = h('div', { class: 'actions' });

  const drawControls = () => clear(controls,
    sel('pv-group', t('group_by'), f.group, [['tenant', t('g_tenant')], ['site', t('g_site')], ['device', t('g_device')]], (v) => { f.group = v; load(); }),
    sel('pv-period', t('period'), f.period, [['day', t('p_day')], ['week', t('p_week')], ['month', t('p_month')], ['custom', t('p_custom')]], (v) => { f.period = v; drawControls(); load(); }),
    dateIn('pv-date', t('f_date'), f.date, (v) => { if (v) { f.date = v; load(); } }, f.period === 'custom'),
    dateIn('pv-from', t('f_from'), f.from, (v) => { f.from = v; load(); }, f.period !== 'custom'),
    dateIn('pv-to', t('f_to'), f.to, (v) => { f.to = v; load(); }, f.period !== 'custom'),
    sel('pv-name', t('counter'), f.name, [['all', t('all_counters')], ...COUNTER_ORDER.slice(0, 15).map((n) => [n, counterName(n)])], (v) => { f.name = v; load(); }),
    h('button', { class: 'btn primary', type: 'button', tid: 'pv-show', onclick: () => load() }, t('show')));

  const params = () => Object.assign({ group_by: f.group, period: f.period, name: f.name === 'all' ? '' : f.name },
    f.period === 'custom' ? { from: f.from, to: f.to } : { date: f.date });

  let seq = 0;
  let chart = null;
  const load = async () => {
    const mine = ++seq;
    sync();
    if (f.period === 'custom' && (!f.from || !f.to || f.from > f.to)) { clear(tableBox, h('div', { class: 'alert error', role: 'alert' }, t('v_period'))); return; }
    const p = params();
    clear(exports, exportLinks('page-volume', p, 'page-volume', 'pv-export-'));
    tableBox.classList.add('busy');
    let res;
    try {
      res = await api('GET', 'page-volume' + qs(Object.assign({}, p, { limit: 1000 })));
    } catch (e) {
      if (mine === seq) clear(tableBox, errorPanel(e, load));
      return;
    } finally {
      tableBox.classList.remove('busy');
    }
    if (mine !== seq) return;
    range.textContent = res.from ? t('period_range', { from: fmtDay(res.from), to: fmtDay(addDays(res.to.slice(0, 10), -1)) }) : '';

    // pivot: one row per group, one column per counter name
    const groups = new Map();
    const names = new Set();
    for (const x of res.items) {
      const key = f.group === 'device' ? x.device_id : f.group === 'site' ? x.site : '';
      if (!groups.has(key)) groups.set(key, { key, item: x, pages: {} });
      groups.get(key).pages[x.name] = x.pages;
      names.add(x.name);
    }
    const cols = sortCounters(names);
    const lead = cols.includes('total') ? 'total' : cols[0];
    const rows = [...groups.values()].sort((a, b) => (b.pages[lead] || 0) - (a.pages[lead] || 0));
    const label = (g) => (f.group === 'tenant' ? t('all_sites') : f.group === 'site' ? (g.item.site || t('no_site'))
      : [g.item.vendor, g.item.model].filter(Boolean).join(' ') + (g.item.serial ? ' · ' + g.item.serial : ''));

    if (chart) { chart.destroy(); S.charts = S.charts.filter((c) => c !== chart); chart = null; }
    if (!rows.length) {
      clear(chartBox);
      chartBox.hidden = true;
      clear(tableBox, empty(t('pv_empty_title'), t('pv_empty_text')));
      return;
    }
    chartBox.hidden = false;
    const canvas = h('canvas', { tid: 'pv-chart', role: 'img', 'aria-label': t('chart_page_volume') });
    clear(chartBox, canvas);
    const headline = f.name !== 'all' ? [lead] : cols.includes('mono') && cols.includes('color') ? ['mono', 'color'] : [lead];
    const top = f.group === 'tenant' ? rows : rows.slice(0, 25);
    const tenantBars = f.group === 'tenant';
    makeChart(canvas, {
      type: 'bar',
      data: tenantBars
        ? { labels: cols.map(counterName), datasets: [{ label: t('pages'), data: cols.map((n) => rows[0].pages[n] || 0), backgroundColor: '#3b82f6', borderRadius: 3, maxBarThickness: 40 }] }
        : { labels: top.map(label), datasets: headline.map((n, i) => ({ label: counterName(n), data: top.map((g) => g.pages[n] || 0), backgroundColor: n === 'color' ? '#db2777' : n === 'mono' ? '#334155' : PALETTE[i], borderRadius: 3, maxBarThickness: 40 })) },
      options: {
        indexAxis: !tenantBars && top.length > 8 ? 'y' : 'x',
        plugins: { legend: { display: headline.length > 1 && !tenantBars, position: 'bottom' } },
        scales: { x: { stacked: true, grid: { display: false }, ticks: { autoSkip: false, callback(v) { const l = this.getLabelForValue(v); return String(l).length > 28 ? String(l).slice(0, 27) + '…' : l; } } }, y: { stacked: true, beginAtZero: true, grid: { display: tenantBars || top.length <= 8 } } },
      },
    }).then((c) => { chart = c; }).catch((e) => clear(chartBox, errorPanel(e)));
    if (top.length > 8) chartBox.style.height = Math.min(900, 40 + top.length * 26) + 'px'; else chartBox.style.height = '';

    const groupCol = { label: f.group === 'device' ? t('g_device') : f.group === 'site' ? t('col_site') : t('g_tenant'), cls: 'strong',
      render: (g) => (f.group === 'device' ? h('a', { href: '#/devices/' + g.item.device_id }, label(g)) : label(g)) };
    const extra = f.group === 'device' ? [{ label: t('col_site'), render: (g) => g.item.site || null }] : [];
    const totals = {};
    for (const n of cols) totals[n] = rows.reduce((s, g) => s + (g.pages[n] || 0), 0);
    const tbl = table([groupCol, ...extra, ...cols.map((n) => ({ label: counterName(n), cls: 'num', render: (g) => num(g.pages[n] || 0) }))],
      rows, { tid: 'pv-table', cards: true, caption: t('nav_pages') });
    if (rows.length > 1) {
      $('tbody', tbl).append(h('tr', { class: 'total-row' }, h('td', { 'data-label': groupCol.label }, t('total_row')),
        extra.map(() => h('td', {})), cols.map((n) => h('td', { class: 'num', 'data-label': counterName(n) }, num(totals[n])))));
    }
    clear(tableBox, tbl, res.next_offset !== null && res.next_offset !== undefined ? h('p', { class: 'muted small pad' }, t('pv_truncated')) : null);
  };

  // ---- meter reads: the counters of every device at the end of the chosen day (the API's
  // `at` is an instant; a date alone is its midnight, so the end of a day is the next date).
  const mrBox = h('div', {});
  const mrExports = h('div', { class: 'actions' });
  const atIn = h('input', { type: 'date', tid: 'mr-date', value: f.at, max: today() });
  const interp = h('input', { type: 'checkbox', tid: 'mr-interpolate', checked: f.interp });
  const SHOWN = ['total', 'mono', 'color', 'print_total', 'copy_total', 'scan_total', 'fax_total', 'duplex'];
  let mrOffset = 0;
  let mrRows = null;
  let names = null;  // device id -> {vendor, model, serial}, when the meter reads lack them
  const loadReads = async (more) => {
    if (!atIn.value) { clear(mrBox, h('div', { class: 'alert error', role: 'alert' }, t('v_required'))); return; }
    f.at = atIn.value; f.interp = interp.checked; sync();
    const p = { at: addDays(f.at, 1), interpolate: f.interp ? 'true' : '' };
    clear(mrExports, exportLinks('meter-reads', p, 'meter-reads-' + f.at, 'mr-export-'));
    if (!more) { mrOffset = 0; mrRows = new Map(); clear(mrBox, loading()); }
    let res;
    try {
      res = await api('GET', 'meter-reads' + qs(Object.assign({}, p, { limit: 1000, offset: mrOffset })));
      if (!names && res.items.length && res.items[0].model === undefined) {
        // Stopgap until meter reads carry the device's identity: the first 1,000 devices.
        const devs = await api('GET', 'devices?limit=1000');
        names = new Map(devs.items.map((d) => [d.device_id, d]));
      }
    } catch (e) {
      clear(mrBox, errorPanel(e));
      return;
    }
    for (const x of res.items) {
      if (!mrRows.has(x.device_id)) mrRows.set(x.device_id, { item: Object.assign({}, names && names.get(x.device_id), x), v: {} });
      mrRows.get(x.device_id).v[x.name] = x;
    }
    mrOffset = res.next_offset;
    if (!mrRows.size) { clear(mrBox, empty(t('mr_empty_title'), t('mr_empty_text'))); return; }
    const present = new Set();
    for (const g of mrRows.values()) for (const [n, x] of Object.entries(g.v)) if (x.value !== null && x.value !== undefined) present.add(n);
    const cols = SHOWN.filter((n) => present.has(n));
    const rows = [...mrRows.values()].map((g) => Object.assign(g, { has: Object.values(g.v).some((x) => x.value !== null && x.value !== undefined) }))
      .sort((a, b) => Number(b.has) - Number(a.has));
    const cell = (x) => {
      if (!x || x.value === null || x.value === undefined) return null;
      return h('span', { class: x.interpolated ? 'interp' : null, title: x.interpolated ? t('mr_interpolated_title', { from: fmtTime(x.reading_at), to: fmtTime(x.next_reading_at) }) : t('mr_read_at', { time: fmtTime(x.reading_at) }) },
        x.interpolated ? '≈ ' : '', num(x.value));
    };
    const label = (d) => [d.vendor, d.model].filter(Boolean).join(' ') || d.device_id.slice(0, 8);
    const tbl = table([
      { label: t('g_device'), cls: 'strong', render: (g) => h('a', { href: '#/devices/' + g.item.device_id }, label(g.item)) },
      { label: t('col_serial'), cls: 'mono', render: (g) => g.item.serial || null },
      { label: t('col_site'), render: (g) => g.item.site || null },
      { label: t('col_read_at'), render: (g) => { const x = g.v.total || Object.values(g.v).find((v) => v.reading_at); return x && x.reading_at ? fmtTime(x.reading_at) : t('mr_no_reading'); } },
      ...cols.map((n) => ({ label: counterName(n), cls: 'num', render: (g) => cell(g.v[n]) })),
    ], rows, { tid: 'mr-table', cards: true, nowrap: true, caption: t('meter_reads'), row: (g) => ({ class: g.has ? null : 'dim' }) });
    clear(mrBox, tbl, h('p', { class: 'muted small pad' }, f.interp ? t('mr_interp_note') + ' ' : '', t('mr_export_note')),
      mrOffset !== null && mrOffset !== undefined ? h('div', { class: 'pager' }, h('button', { class: 'btn small', type: 'button', tid: 'mr-more', onclick: () => loadReads(true) }, t('load_more'))) : null);
  };

  drawControls();
  view.append(
    pageHead(t('pv_title'), t('pv_sub'), exports),
    h('section', { class: 'card' }, controls, range, chartBox),
    h('section', { class: 'card flush' }, tableBox),
    h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('div', {}, h('h2', {}, t('meter_reads')), h('p', { class: 'muted small' }, t('mr_sub'))), mrExports),
      h('div', { class: 'controls' },
        h('label', { class: 'ctl' }, h('span', {}, t('mr_at_end_of')), atIn),
        h('label', { class: 'check' }, interp, t('mr_interpolate')),
        h('button', { class: 'btn primary', type: 'button', tid: 'mr-show', onclick: () => loadReads(false) }, t('show'))),
      mrBox));
  await load();
  if (q.get('at')) loadReads(false);
};
