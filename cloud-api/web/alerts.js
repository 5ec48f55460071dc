// Alerts (#/alerts), alert rules (#/rules), notification channels (#/channels) and the
// delivery log (#/deliveries): the API under /api/v1/alerting (docs/cloud-api.md, "Alerts and
// notifications"). Loaded after app.js; uses its helpers (h, t, api, table, dialogs...).
//
// Test hooks: nav-alerts, nav-alerts-count, alerts-tabs (tab-alerts, tab-rules, tab-channels,
// tab-deliveries), alerts-table, alert-row (data-alert-id, data-state), alert-ack, alert-snooze
// (a select of minutes), alert-device, al-state, al-site, al-severity, al-kind, al-count-<state>,
// alerts-empty; rules-table, rule-row (data-rule-id), add-rule, rule-name, rule-kind,
// rule-threshold, rule-forecast-days, rule-site, rule-vendor, rule-device, rule-repeat, rule-channel (checkboxes),
// rule-save, rule-edit, rule-delete; channels-table, channel-row, add-channel, channel-name,
// channel-kind, channel-address, channel-language, channel-digest, channel-hour,
// channel-max, channel-bot-token, channel-save, channel-edit, channel-test, channel-delete, webhook-secret;
// deliveries-table, delivery-row, dl-state; device page: device-rule-alerts.
'use strict';

const ALERT_KINDS = ['supply_low', 'device_error', 'device_silent', 'scanner_silent', 'counter_anomaly'];
const kindName = (k) => ({
  supply_low: t('ak_supply_low'), device_error: t('ak_device_error'), device_silent: t('ak_device_silent'),
  scanner_silent: t('ak_scanner_silent'), counter_anomaly: t('ak_counter_anomaly'),
})[k] || k;
// The threshold's unit and range per kind (routes.cpp kKinds).
const KIND_UNIT = { supply_low: [0, 100], device_error: [0, 10080], device_silent: [1, 8760], scanner_silent: [1, 8760], counter_anomaly: [1, 100000] };
const thresholdText = (k, n) => ({
  supply_low: t('thr_percent', { n }), device_error: t('thr_minutes', { count: n }), device_silent: t('thr_hours', { count: n }),
  scanner_silent: t('thr_hours', { count: n }), counter_anomaly: t('thr_ppm', { n }),
})[k] || String(n);
const unitName = (k) => ({ supply_low: t('unit_percent'), device_error: t('unit_minutes'), device_silent: t('unit_hours'), scanner_silent: t('unit_hours'), counter_anomaly: t('unit_ppm') })[k] || '';
const sevName = (s) => ({ critical: t('sev_critical'), warning: t('sev_warning'), info: t('sev_info') })[s] || s;
const sevCls = (s) => (s === 'critical' ? 'bad' : s === 'warning' ? 'warn' : 'info');
const stateName = (s) => ({ open: t('as_open'), pending: t('as_pending'), resolved: t('as_resolved'), acknowledged: t('as_acknowledged'), snoozed: t('as_snoozed'), all: t('as_all') })[s] || s;

// What an alert is about: the device (a link to its page) or the scanner.
function alertTarget(a) {
  if (a.device_id) {
    const name = [a.vendor, a.model].filter(Boolean).join(' ') || a.serial || a.device_id;
    return h('span', {}, h('a', { href: '#/devices/' + a.device_id, tid: 'alert-device' }, name),
      a.serial ? h('div', { class: 'muted small mono' }, a.serial) : null);
  }
  return h('span', {}, t('scanner'), ' ', h('span', { class: 'mono' }, a.scanner_id || a.target));
}

// The alert's subject in words ("supply:toner/black/Black Toner", "error:jammed").
function alertSubject(a) {
  const s = a.subject || '';
  if (s.startsWith('supply:')) {
    const parts = s.slice(7).split('/');
    const supply = parts.slice(2).join('/') || parts[1] || parts[0];
    // Without a level the printer's own word opened it: empty (critical) or low (a warning).
    const text = a.value == null ? (a.severity === 'critical' ? t('subject_supply_said_empty', { supply }) : t('subject_supply_said_low', { supply }))
      : t('subject_supply', { supply, value: num(a.value) });
    // Why it holds when the forecast fired it (forecast_days is set only then).
    return a.forecast_days == null ? text : text + ' · ' + t('forecast_why', { days: num(a.forecast_days), within: a.rule_forecast_days == null ? '—' : a.rule_forecast_days });
  }
  if (s.startsWith('error:')) return printerError(s.slice(6));
  return a.detail || kindName(a.kind);
}

// Acknowledge / snooze / open-state badges of one alert.
function alertBadges(a) {
  return [
    badge(a.state === 'resolved' ? 'ok' : a.state === 'pending' ? 'off' : sevCls(a.severity), stateName(a.state)),
    a.acknowledged_at ? badge('info', t('acknowledged_by', { who: a.acknowledged_by_name || a.acknowledged_by || '—' })) : null,
    a.snoozed_until && Date.parse(a.snoozed_until) > Date.now() ? badge('off', t('snoozed_until', { time: fmtTime(a.snoozed_until) })) : null,
  ];
}

// The tab bar shared by the four pages.
function alertTabs(current) {
  return h('nav', { class: 'tabs', tid: 'alerts-tabs', 'aria-label': t('nav_alerts') }, [
    ['alerts', t('tab_alerts')], ['rules', t('tab_rules')], ['channels', t('tab_channels')], ['deliveries', t('tab_deliveries')],  // i18n-ignore: route names
  ].map(([r, label]) => h('a', { href: '#/' + r, tid: 'tab-' + r, class: r === current ? 'on' : null, 'aria-current': r === current ? 'page' : null }, label)));
}

// The open-alert count in the navigation: read after every page change, at most every 20 s.
let openCountAt = 0;
async function refreshOpenCount(force) {
  if (!S.me || (!force && Date.now() - openCountAt < 20000)) return;
  openCountAt = Date.now();
  const el = $('[data-testid=nav-alerts-count]');
  try {
    const r = await api('GET', 'alerting/alerts?state=open&limit=1', undefined, { quiet: true });
    el.textContent = r.total ? num(r.total) : '';
    el.hidden = !r.total;
    el.title = t('open_alerts_count', { count: r.total });
  } catch (e) {
    el.hidden = true;
  }
}

async function snooze(a, minutes) {
  await api('POST', 'alerting/alerts/' + a.alert_id + '/snooze', { minutes: Number(minutes) });
}

routes.alerts = async function alertsPage(view, r) {
  const q = r.query;
  const f = { state: q.get('state') || 'open', site: q.get('site') || '', severity: q.get('severity') || '', kind: q.get('kind') || '' };
  const filters = { site: f.site, severity: f.severity, kind: f.kind };
  const states = ['open', 'acknowledged', 'snoozed', 'resolved', 'all'];
  const [list, sites, ...counts] = await Promise.all([
    api('GET', 'alerting/alerts' + qs(Object.assign({ state: f.state, limit: 200 }, filters))),
    api('GET', 'sites?limit=1000').catch(() => ({ items: [] })),
    ...states.slice(0, 4).map((s) => api('GET', 'alerting/alerts' + qs(Object.assign({ state: s, limit: 1 }, filters)))),
  ]);
  const set = (k, v) => { const next = Object.assign({}, f, { [k]: v }); location.hash = '#/alerts' + qs(next); };
  const ctl = (label, tid, options, value, key) => h('label', { class: 'ctl' }, label,
    select({ tid, onchange: (e) => set(key, e.target.value) }, options, value));
  const controls = h('div', { class: 'controls' },
    ctl(t('f_state'), 'al-state', states.map((s) => [s, stateName(s)]), f.state, 'state'),
    ctl(t('f_site'), 'al-site', [['', t('all_sites')], ...sites.items.filter((s) => s.site).map((s) => [s.site, s.site])], f.site, 'site'),
    ctl(t('f_severity'), 'al-severity', [['', t('all_severities')], ...['critical', 'warning', 'info'].map((s) => [s, sevName(s)])], f.severity, 'severity'),
    ctl(t('f_kind'), 'al-kind', [['', t('all_kinds')], ...ALERT_KINDS.map((k) => [k, kindName(k)])], f.kind, 'kind'));
  const chips = h('div', { class: 'chips counts' }, states.slice(0, 4).map((s, i) => h('a', {
    class: 'chip ' + (s === 'open' ? 'bad' : s === 'resolved' ? 'ok' : s === 'acknowledged' ? 'info' : 'off') + (s === f.state ? ' on' : ''),
    href: '#/alerts' + qs(Object.assign({}, f, { state: s })), tid: 'al-count-' + s,
  }, stateName(s) + ': ' + num(counts[i].total))));

  const actions = (a) => {
    if (a.state === 'resolved') return null;
    const snoozeSel = select({ tid: 'alert-snooze', class: 'small', 'aria-label': t('snooze'), onchange: async (e) => {
      if (e.target.value === '') return;
      try { await snooze(a, e.target.value); toast(e.target.value === '0' ? t('snooze_ended') : t('snoozed')); render(); } catch (err) { toastErr(err); }
    } }, [['', t('snooze') + '…'], ['60', t('snooze_hours', { count: 1 })], ['240', t('snooze_hours', { count: 4 })],
      ['1440', t('snooze_days', { count: 1 })], ['10080', t('snooze_days', { count: 7 })], ['0', t('snooze_end')]], '');
    return h('div', { class: 'inline' },
      a.acknowledged_at ? null : btn(t('acknowledge'), async (e) => {
        e.target.disabled = true;
        try { await api('POST', 'alerting/alerts/' + a.alert_id + '/acknowledge'); toast(t('acknowledged')); refreshOpenCount(true); render(); } catch (err) { toastErr(err); e.target.disabled = false; }
      }, 'small', 'alert-ack'),
      snoozeSel);
  };

  const body = list.items.length === 0 ? empty(t('no_alerts'), t('no_alerts_text'), btn(t('tab_rules'), () => { location.hash = '#/rules'; }))
    : table([
      { label: t('col_severity'), render: (a) => badge(sevCls(a.severity), sevName(a.severity)) },
      { label: t('col_alert'), cls: 'subject', render: (a) => h('div', {}, h('div', { class: 'strong' }, alertSubject(a)), h('div', { class: 'muted small' }, kindName(a.kind) + ' · ' + ruleName(a.rule_name))) },
      { label: t('col_target'), render: alertTarget },
      { label: t('col_site'), render: (a) => a.site },
      { label: t('col_since'), render: (a) => relTime(a.opened_at || a.since) },
      { label: t('col_status'), render: (a) => h('div', { class: 'chips tight' }, alertBadges(a)) },
      { label: t('col_actions'), render: actions },
    ], list.items, { tid: 'alerts-table', cards: true, row: (a) => ({ tid: 'alert-row', 'data-alert-id': a.alert_id, 'data-state': a.state }) });
  clear(view, pageHead(t('alerts_title'), t('alerts_sub')), alertTabs('alerts'),
    h('section', { class: 'card' }, controls, chips,
      list.total > list.items.length ? note(t('shown_of', { shown: list.items.length, total: list.total }), 'small') : null, body));
  if (list.items.length === 0) view.querySelector('.empty').setAttribute('data-testid', 'alerts-empty');
  refreshOpenCount(true);
};

routes.rules = async function rulesPage(view) {
  const admin = isAdmin();
  const [rules, channels, sites] = await Promise.all([api('GET', 'alerting/rules'), api('GET', 'alerting/channels'),
    api('GET', 'sites?limit=1000').catch(() => ({ items: [] }))]);
  const channelName = (id) => { const c = channels.items.find((x) => x.channel_id === id); return c ? (c.name || c.address) : id; };
  const scope = (x) => [x.site && t('scope_site', { site: x.site }), x.vendor && t('scope_vendor', { vendor: x.vendor }), x.device_id && t('scope_device')]
    .filter(Boolean).join(', ') || t('scope_all');

  const ruleForm = (title, x, okLabel, action) => {
    const dlg = formDialog(title, [
      field({ name: 'name', label: t('f_name'), required: true, max: 200, value: ruleName(x.name), tid: 'rule-name' }),
      field({ name: 'kind', label: t('f_kind'), options: ALERT_KINDS.map((k) => [k, kindName(k)]), value: x.kind || 'supply_low', tid: 'rule-kind' }),
      field({ name: 'threshold', label: t('f_threshold'), type: 'number', required: true, value: x.threshold, tid: 'rule-threshold', hint: t('threshold_hint') }),
      field({ name: 'forecast_days', label: t('f_forecast_days'), type: 'number', value: x.forecast_days, tid: 'rule-forecast-days', hint: t('forecast_days_hint') }),
      h('div', { class: 'grid two tight' },
        field({ name: 'site', label: t('f_site'), max: 200, value: x.site, tid: 'rule-site', list: 'dl-rule-sites', hint: t('scope_hint') }),
        field({ name: 'vendor', label: t('f_vendor'), max: 100, value: x.vendor, tid: 'rule-vendor' })),
      h('datalist', { id: 'dl-rule-sites' }, sites.items.map((s) => h('option', { value: s.site }))),
      field({ name: 'device_id', label: t('f_device_id'), value: x.device_id, tid: 'rule-device', hint: t('device_id_hint') }),
      field({ name: 'repeat_minutes', label: t('f_repeat_minutes'), type: 'number', value: x.repeat_minutes == null ? 60 : x.repeat_minutes, tid: 'rule-repeat', hint: t('repeat_hint') }),
      h('fieldset', { class: 'checks' }, h('legend', {}, t('f_channels')),
        channels.items.length ? channels.items.map((c) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', name: 'ch_' + c.channel_id, tid: 'rule-channel', checked: (x.channel_ids || []).includes(c.channel_id) }),
          (c.name || c.address) + ' (' + channelKindName(c.kind) + ')')) : note(t('no_channels_yet'), 'small')),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'notify_resolved', checked: x.notify_resolved !== false }), t('f_notify_resolved')),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'enabled', checked: x.enabled !== false }), t('f_enabled')),
    ], okLabel, async (v) => {
      // The server checks everything (unit and range per kind); its 400 names the field.
      const body = { name: v.name, kind: v.kind, threshold: v.threshold === '' ? null : Number(v.threshold),
        // Only supply rules have the forecast condition; empty switches it off.
        forecast_days: v.kind !== 'supply_low' || v.forecast_days === '' ? null : Number(v.forecast_days),
        site: v.site || null, vendor: v.vendor || null, device_id: v.device_id || null,
        repeat_minutes: v.repeat_minutes === '' ? 60 : Number(v.repeat_minutes), notify_resolved: v.notify_resolved, enabled: v.enabled,
        channel_ids: Object.keys(v).filter((k) => k.startsWith('ch_') && v[k]).map((k) => k.slice(3)) };
      // The server's own wording, so errText() translates it like the server's answer.
      if (!Number.isInteger(body.threshold)) throw new ApiError(400, 'invalid_body', 'threshold: must be an integer');  // i18n-ignore: parsed, not shown
      if (body.forecast_days !== null && !Number.isInteger(body.forecast_days)) throw new ApiError(400, 'invalid_body', 'forecast_days: must be an integer');  // i18n-ignore: parsed, not shown
      await action(body);
    }, 'rule-save');
    const kindSel = dlg.querySelector('[name=kind]');
    const hint = dlg.querySelector('[name=threshold]').parentElement.querySelector('.hint');
    const forecastField = dlg.querySelector('[name=forecast_days]').parentElement;
    const showUnit = () => {
      const [lo, hi] = KIND_UNIT[kindSel.value];
      hint.textContent = t('threshold_range', { unit: unitName(kindSel.value), min: lo, max: hi });
      forecastField.hidden = kindSel.value !== 'supply_low';
    };
    kindSel.addEventListener('change', showUnit);
    showUnit();
  };

  const add = () => ruleForm(t('add_rule'), {}, t('create'), async (b) => { await api('POST', 'alerting/rules', b); toast(t('saved')); render(); });
  const edit = (x) => ruleForm(t('edit_rule'), x, t('save'), async (b) => { await api('PUT', 'alerting/rules/' + x.rule_id, b); toast(t('saved')); render(); });
  const del = async (x) => {
    if (!(await confirmDialog(t('delete_rule'), t('delete_rule_text', { name: ruleName(x.name) }), t('delete')))) return;
    try { await api('DELETE', 'alerting/rules/' + x.rule_id); toast(t('deleted')); render(); } catch (e) { toastErr(e); }
  };

  clear(view, pageHead(t('rules_title'), t('rules_sub'), admin ? btn(t('add_rule'), add, 'primary', 'add-rule') : null), alertTabs('rules'),
    h('section', { class: 'card flush' }, table([
      { label: t('f_name'), render: (x) => h('span', { class: 'strong' }, ruleName(x.name)) },
      { label: t('f_kind'), render: (x) => kindName(x.kind) },
      { label: t('f_threshold'), render: (x) => thresholdText(x.kind, x.threshold) + (x.forecast_days ? ' ' + t('thr_forecast', { count: x.forecast_days }) : '') },
      { label: t('col_scope'), render: scope },
      { label: t('f_channels'), render: (x) => (x.channel_ids.length ? x.channel_ids.map(channelName).join(', ') : h('span', { class: 'muted' }, t('no_channels'))) },
      { label: t('col_open'), cls: 'num', render: (x) => num(x.open_alerts) },
      { label: t('col_status'), render: (x) => (x.enabled ? badge('ok', t('enabled')) : badge('off', t('disabled'))) },
      { label: t('col_actions'), render: (x) => (admin ? h('div', { class: 'inline' }, btn(t('edit'), () => edit(x), 'small', 'rule-edit'), btn(t('delete'), () => del(x), 'small danger-ghost', 'rule-delete')) : null) },
    ], rules.items, { tid: 'rules-table', cards: true, row: (x) => ({ tid: 'rule-row', 'data-rule-id': x.rule_id }) })));
};

// A channel kind for people (the API's kinds: email, webhook, telegram).
function channelKindName(k) {
  return ({ email: t('kind_email'), webhook: t('kind_webhook'), telegram: t('kind_telegram') })[k] || k;
}

routes.channels = async function channelsPage(view) {
  const admin = isAdmin();
  const channels = await api('GET', 'alerting/channels');
  const showSecret = (secret) => secretDialog(t('webhook_secret_title'), t('webhook_secret_intro'), secret, 'webhook-secret', 'copy-secret');

  const chatKind = (type) => ({ group: t('chat_kind_group'), supergroup: t('chat_kind_group'), channel: t('chat_kind_channel'), private: t('chat_kind_private') })[type] || type;
  const channelForm = (title, x, okLabel, action) => {
    const editing = !!x.channel_id;
    const chatsBox = h('div', { class: 'chat-list', tid: 'channel-chats' });
    // The token as typed, else (editing) the stored one, which the server opens itself.
    const findChats = async () => {
      const typed = dlg.querySelector('[name=bot_token]').value.trim();
      const body = typed ? { bot_token: typed } : editing && !x.secret_unreadable ? { channel_id: x.channel_id } : null;
      if (!body) { clear(chatsBox, note(t('find_chats_need_token'), 'small')); return; }
      clear(chatsBox, note(t('loading'), 'small'));
      try {
        const res = await api('POST', 'alerting/telegram-chats', body);
        if (!res.items.length) { clear(chatsBox, note(t('find_chats_none'), 'small')); return; }
        clear(chatsBox, res.items.map((c) => btn(h('span', {}, h('b', {}, c.title || c.chat_id), ' · ' + chatKind(c.type) + ' · ', h('span', { class: 'mono' }, c.chat_id)), () => {
          const address = dlg.querySelector('[name=address]');
          address.value = c.chat_id;
          address.dispatchEvent(new Event('input', { bubbles: true }));
          if (!dlg.querySelector('[name=name]').value) dlg.querySelector('[name=name]').value = c.title;
        }, 'small chat-pick', 'chat-pick')));
      } catch (e) {
        // A lookup brake says "too many attempts", which reads as failed sign-ins: say requests.
        if (e.code === 'too_many_attempts') e.code = 'too_many_resets';
        clear(chatsBox, alertBox(errText(e), 'error', 'channel-chats-error'));
      }
    };
    const dlg = formDialog(title, [
      field({ name: 'name', label: t('f_name'), max: 200, value: x.name, tid: 'channel-name' }),
      editing ? null : field({ name: 'kind', label: t('f_channel_kind'), options: ['email', 'telegram', 'webhook'].map((k) => [k, channelKindName(k)]), value: 'email', tid: 'channel-kind' }),
      // The bot's token goes to the server once and never comes back (the API answers only
      // secret_set): an edit leaves it empty to keep the stored one.
      field({ name: 'bot_token', label: t('f_bot_token'), type: 'password', autocomplete: 'new-password', max: 128, tid: 'channel-bot-token',
        hint: !editing ? t('bot_token_hint') : x.secret_unreadable ? t('bot_token_reenter') : t('bot_token_keep') }),
      field({ name: 'address', label: t('f_address'), required: true, max: 2048, value: x.address, tid: 'channel-address', hint: t('address_hint') }),
      // Telegram: the chats the bot has seen, so nobody has to dig a group's id out of the API.
      h('div', { class: 'field tg-only' }, btn(t('find_chats'), () => findChats(), 'small', 'channel-find-chats'),
        h('p', { class: 'hint' }, t('find_chats_hint')), chatsBox),
      field({ name: 'language', label: t('f_msg_language'), options: [['ru', t('lang_ru')], ['en', t('lang_en')]], value: x.language || S.lang, tid: 'channel-language' }),
      h('label', { class: 'check digest-only' }, h('input', { type: 'checkbox', name: 'digest', tid: 'channel-digest', checked: !!x.digest }), t('f_digest')),
      field({ name: 'digest_hour', label: t('f_digest_hour'), options: Array.from({ length: 24 }, (_, i) => [i, String(i).padStart(2, '0') + ':00']), value: x.digest_hour == null ? 8 : x.digest_hour, tid: 'channel-hour', hint: t('digest_hint') }),
      field({ name: 'max_per_hour', label: t('f_max_per_hour'), type: 'number', value: x.max_per_hour || 30, tid: 'channel-max' }),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'enabled', checked: x.enabled !== false }), t('f_enabled')),
      editing && x.kind === 'webhook' ? h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'rotate_secret' }), t('f_rotate_secret')) : null,
    ], okLabel, async (v) => {
      const kind = editing ? x.kind : v.kind;
      const body = { name: v.name, address: v.address, language: v.language, digest: kind !== 'webhook' && v.digest,
        digest_hour: Number(v.digest_hour), max_per_hour: v.max_per_hour === '' ? 30 : Number(v.max_per_hour), enabled: v.enabled };
      if (!editing) body.kind = kind;
      if (v.rotate_secret) body.rotate_secret = true;
      if (kind === 'telegram' && v.bot_token) body.bot_token = v.bot_token;
      await action(body);
    }, 'channel-save');
    // Digests for e-mail and Telegram; the token and the chat's wording for Telegram only.
    const kindSel = dlg.querySelector('[name=kind]');
    const token = dlg.querySelector('[name=bot_token]');
    const address = dlg.querySelector('[name=address]').closest('.field');
    const sync = () => {
      const kind = kindSel ? kindSel.value : x.kind;
      for (const el of dlg.querySelectorAll('.digest-only, [name=digest_hour]')) (el.closest('.field') || el).hidden = kind === 'webhook';
      token.closest('.field').hidden = kind !== 'telegram';
      dlg.querySelector('.tg-only').hidden = kind !== 'telegram';
      // Required on create, and when the stored one can no longer be read (a lost server key).
      if (kind === 'telegram' && (!editing || x.secret_unreadable)) token.dataset.required = ''; else delete token.dataset.required;
      address.querySelector('label').textContent = kind === 'telegram' ? t('f_chat') : t('f_address');
      address.querySelector('.hint').textContent = kind === 'telegram' ? t('chat_hint') : t('address_hint');
    };
    if (kindSel) kindSel.addEventListener('change', sync);
    sync();
  };

  const done = (res) => { toast(t('saved')); render(); if (res && res.secret) setTimeout(() => showSecret(res.secret), 0); };
  const add = () => channelForm(t('add_channel'), {}, t('create'), async (b) => done(await api('POST', 'alerting/channels', b)));
  const edit = (x) => channelForm(t('edit_channel'), x, t('save'), async (b) => done(await api('PUT', 'alerting/channels/' + x.channel_id, b)));
  const test = async (x) => {
    try { await api('POST', 'alerting/channels/' + x.channel_id + '/test'); toast(t('test_queued')); } catch (e) { toastErr(e); }
  };
  const del = async (x) => {
    if (!(await confirmDialog(t('delete_channel'), t('delete_channel_text', { name: x.name || x.address }), t('delete')))) return;
    try { await api('DELETE', 'alerting/channels/' + x.channel_id); toast(t('deleted')); render(); } catch (e) { toastErr(e); }
  };

  clear(view, pageHead(t('channels_title'), t('channels_sub'), admin ? btn(t('add_channel'), add, 'primary', 'add-channel') : null), alertTabs('channels'),
    channels.items.some((c) => c.secret_unreadable) ? alertBox(t('secret_unreadable_hint'), 'warn', 'channels-secret-lost') : null,
    h('section', { class: 'card flush' }, channels.items.length === 0 ? empty(t('no_channels_yet'), t('channels_empty_text'))
      : table([
        { label: t('f_name'), render: (x) => x.name || '—' },
        { label: t('f_channel_kind'), render: (x) => channelKindName(x.kind) },
        { label: t('f_address'), cls: 'mono clip', render: (x) => x.address },
        { label: t('f_msg_language'), render: (x) => (x.language === 'ru' ? t('lang_ru') : t('lang_en')) },
        { label: t('f_digest'), render: (x) => (x.digest ? t('digest_at', { hour: String(x.digest_hour).padStart(2, '0') + ':00' }) : t('digest_off')) },
        { label: t('f_max_per_hour'), cls: 'num', render: (x) => num(x.max_per_hour) },
        { label: t('col_status'), render: (x) => h('div', { class: 'inline' }, x.enabled ? badge('ok', t('enabled')) : badge('off', t('disabled')),
          x.secret_unreadable ? badge('bad', t('secret_unreadable'), 'channel-secret-lost') : null) },
        { label: t('col_actions'), render: (x) => (admin ? h('div', { class: 'inline' }, btn(t('send_test'), () => test(x), 'small', 'channel-test'),
          btn(t('edit'), () => edit(x), 'small', 'channel-edit'), btn(t('delete'), () => del(x), 'small danger-ghost', 'channel-delete')) : null) },
      ], channels.items, { tid: 'channels-table', cards: true, row: (x) => ({ tid: 'channel-row', 'data-channel-id': x.channel_id }) })));
};

routes.deliveries = async function deliveriesPage(view, r) {
  const state = r.query.get('state') || '';
  const offset = Math.max(0, Number(r.query.get('offset')) || 0);
  const res = await api('GET', 'alerting/deliveries' + qs({ state, limit: 50, offset }));
  const dstates = ['queued', 'sending', 'sent', 'failed', 'suppressed'];
  const dName = (s) => ({ queued: t('ds_queued'), sending: t('ds_sending'), sent: t('ds_sent'), failed: t('ds_failed'), suppressed: t('ds_suppressed') })[s] || s;
  const dCls = (s) => (s === 'sent' ? 'ok' : s === 'failed' ? 'bad' : s === 'suppressed' ? 'off' : 'info');
  const evName = (e) => ({ opened: t('ev_opened'), resolved: t('ev_resolved'), digest: t('ev_digest'), test: t('ev_test') })[e] || e;
  const attempts = (x) => (x.log.length ? h('details', { class: 'attempts' }, h('summary', {}, t('attempts_n', { count: x.attempts })),
    h('ol', {}, x.log.map((l) => h('li', {}, fmtTime(l.at) + ' · ' + l.outcome + (l.detail ? ' · ' + l.detail : '') + ' · ' + t('duration_ms', { n: l.duration_ms }))))) : num(x.attempts));
  const page = (o) => { location.hash = '#/deliveries' + qs({ state, offset: o }); };
  clear(view, pageHead(t('deliveries_title'), t('deliveries_sub')), alertTabs('deliveries'),
    h('section', { class: 'card' },
      h('div', { class: 'controls' }, h('label', { class: 'ctl' }, t('f_state'),
        select({ tid: 'dl-state', onchange: (e) => { location.hash = '#/deliveries' + qs({ state: e.target.value }); } },
          [['', t('all_states')], ...dstates.map((s) => [s, dName(s)])], state))),
      res.items.length === 0 ? empty(t('no_deliveries'), t('no_deliveries_text')) : table([
        { label: t('col_time'), render: (x) => fmtTime(x.created_at) },
        { label: t('col_channel'), render: (x) => h('div', {}, channelKindName(x.channel_kind), h('div', { class: 'mono small muted' }, x.address)) },
        { label: t('col_event'), render: (x) => evName(x.event) },
        { label: t('col_subject'), cls: 'clip', render: (x) => x.subject },
        { label: t('f_state'), render: (x) => badge(dCls(x.state), dName(x.state)) },
        { label: t('col_attempts'), render: attempts },
        { label: t('col_error'), cls: 'clip', render: (x) => x.last_error },
      ], res.items, { tid: 'deliveries-table', cards: true, row: (x) => ({ tid: 'delivery-row', 'data-state': x.state, 'data-event': x.event }) }),
      res.total > 50 ? h('div', { class: 'actions' }, btn(t('prev'), () => page(Math.max(0, offset - 50)), 'small', 'dl-prev'),
        note(t('shown_range', { from: offset + 1, to: Math.min(res.total, offset + 50), total: res.total }), 'small'),
        btn(t('next'), () => page(offset + 50), 'small', 'dl-next')) : null));
  if (offset === 0) view.querySelector('[data-testid=dl-prev]')?.setAttribute('disabled', '');
};

// The device page's card "Status and alerts" lists the device's open rule alerts too.
// The rules every tenant starts with are stored with English names (V0011,
// pm_seed_alert_rules): the console says them in the user's language until someone renames
// them (the e-mails do the same, alerts/render.cpp rule_title).
const SEEDED_RULES = {
  'Supply at or below 10 %': () => t('rule_seed_supply_low'), 'Device error for 15 minutes': () => t('rule_seed_device_error'),
  'Device not polled for 24 hours': () => t('rule_seed_device_silent'), 'Scanner not uploading for 4 hours': () => t('rule_seed_scanner_silent'),
  'Page counter anomaly': () => t('rule_seed_counter_anomaly'),
};
function ruleName(name) { return Object.hasOwn(SEEDED_RULES, name) ? SEEDED_RULES[name]() : name; }

function deviceRuleAlerts(id) {
  const box = h('div', { tid: 'device-rule-alerts' }, loading());
  api('GET', 'alerting/alerts' + qs({ device: id, state: 'open', limit: 50 })).then((res) => clear(box,
    h('h3', { class: 'sub-head' }, t('rule_alerts')),
    res.items.length ? h('ul', { class: 'alerts' }, res.items.map((a) => h('li', {},
      // The rule's name too: two rules may watch one supply (a low mark and a forecast).
      badge(sevCls(a.severity), sevName(a.severity)), h('span', {}, alertSubject(a) + ' · ' + kindName(a.kind) + (a.rule_name ? ' · ' + ruleName(a.rule_name) : '')),
      a.acknowledged_at ? badge('info', t('as_acknowledged')) : null,
      h('span', { class: 'muted small' }, t('since', { time: fmtTime(a.opened_at || a.since) })))))
      : note(t('no_rule_alerts'), 'ok-line'),
    h('a', { class: 'small', href: '#/alerts' }, t('all_alerts_link')))).catch((e) => clear(box, errorPanel(e)));
  return box;
}
