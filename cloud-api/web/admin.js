// Sites & scanners (#/sites), offline import (#/import), users & API tokens (#/users) and
// settings (#/settings).
'use strict';

// "pmk.<tenant uuid>.AbCd…" shown as "pmk.…AbCd…": the tenant part is the same on every row.
function keyPrefix(p) {
  return p ? h('span', { title: p }, p.replace(/^(pm[a-z])\.[0-9a-f-]{36}\./, '$1.…')) : null;
}

// Runs a row action: a toast when it is done (and the page again), or the error.
async function act(fn, ok) {
  try {
    await fn();
    toast(ok);
    render();
  } catch (e) {
    toastErr(e);
  }
}

// ---- sites and scanners

// A site's or a scanner's upload health (a scanner waits for its first upload after enrolment).
function healthBadge(s) {
  if (s.revoked_at) return badge('off', t('scanner_revoked'));
  if (s.enrolled === false) return badge('info', t('scanner_waiting'));
  return s.health === 'stale' ? badge('warn', t('health_stale')) : s.health === 'ok' ? badge('ok', t('health_ok')) : badge('info', t('health_never'));
}

function showKey(key, intro) {
  secretDialog(t('scanner_key_title'), intro, key, 'scanner-key', 'copy-key',
    h('ol', { class: 'steps' }, [t('key_step_open'), t('key_step_paste'), t('key_step_wait')].map((x) => h('li', {}, x))));
}

routes.sites = async function sitesPage(view) {
  const admin = isAdmin();
  const [sites, scanners] = await Promise.all([api('GET', 'sites?limit=1000'), api('GET', 'scanners?limit=1000')]);
  S.sites = { at: Date.now(), items: sites.items };
  const reload = () => { S.sites = null; render(); };
  const named = (s) => ({ name: s.name || s.scanner_id });
  const path = (s) => 'scanners/' + encodeURIComponent(s.scanner_id);

  // Name and site of a scanner; the site from a list of the known ones, or a new one.
  const scannerForm = (title, s, okLabel, action) => formDialog(title, [
    field({ name: 'name', label: t('f_scanner_name'), required: true, max: 200, value: s.name, tid: 'scanner-name', hint: s.name ? null : t('scanner_name_hint') }),
    field({ name: 'site', label: t('f_site'), required: true, max: 200, value: s.site, tid: 'scanner-site', list: 'dl-sites', hint: s.name ? null : t('site_hint') }),
    h('datalist', { id: 'dl-sites' }, sites.items.map((x) => h('option', { value: x.site }))),
  ], okLabel, action, 'scanner-save');

  const addScanner = () => scannerForm(t('add_scanner'), {}, t('create_key'), async (v) => {
    const res = await api('POST', 'scanners', { name: v.name, site: v.site });
    setTimeout(() => showKey(res.key, t('scanner_key_intro', { name: v.name })), 0);
    reload();
  });

  const editScanner = (s) => scannerForm(t('edit_scanner'), s, t('save'), async (v) => {
    await api('PUT', path(s), { name: v.name, site: v.site });
    toast(t('saved'));
    reload();
  });

  const replaceKey = async (s) => {
    if (!await confirmDialog(t('replace_key'), t('replace_key_confirm', named(s)), t('replace_key'))) return;
    try {
      showKey((await api('POST', path(s) + '/key')).key, t('scanner_key_replaced', named(s)));
      render();
    } catch (e) { toastErr(e); }
  };

  const revoke = async (s) => {
    if (await confirmDialog(t('revoke_key'), t('revoke_key_confirm', named(s)), t('revoke_key'))) act(() => api('DELETE', path(s)), t('key_revoked'));
  };

  const renameSite = (site) => formDialog(t('rename_site'), [
    note(t('rename_site_text', { site: site.site || t('no_site') })),
    field({ name: 'to', label: t('f_new_name'), required: true, max: 200, value: site.site, tid: 'site-name' }),
  ], t('save'), async (v) => {
    const res = await api('POST', 'sites/rename', { from: site.site, to: v.to });
    toast(t('site_renamed', { count: (res && res.scanners) || 0 }));
    reload();
  }, 'site-save');

  const addBtn = (tid) => (admin ? btn(t('add_scanner'), addScanner, 'primary', tid) : null);
  view.append(pageHead(t('sites_title'), t('sites_sub'), addBtn('add-scanner')));
  if (!scanners.items.length) {
    view.append(h('section', { class: 'card' }, empty(t('scanners_empty_title'), t('scanners_empty_text'), addBtn())));
    return;
  }
  const count = (text) => h('span', { class: 'muted' }, text);
  view.append(
    headCard(t('sites'), null, count(t('sites_count', { count: sites.total || sites.items.length })), true, table([
      { label: t('col_site'), cls: 'strong', render: (s) => (s.site ? h('a', { href: '#/fleet?site=' + encodeURIComponent(s.site) }, s.site) : t('no_site')) },
      { label: t('col_scanners'), cls: 'num', render: (s) => num(s.scanners) },
      { label: t('col_devices'), cls: 'num', render: (s) => num(s.devices) },
      { label: t('col_with_errors'), cls: 'num', render: (s) => (s.with_errors ? h('span', { class: 'err-count' }, num(s.with_errors)) : num(s.with_errors)) },
      { label: t('col_last_upload'), render: (s) => relTime(s.last_seen) },
      { label: t('col_health'), render: healthBadge },
      admin ? { label: t('col_actions'), cls: 'act', render: (s) => btn(t('rename'), () => renameSite(s), 'small', 'site-rename') } : null,
    ].filter(Boolean), sites.items, { tid: 'sites-table', cards: true, caption: t('sites') })),
    headCard(t('scanners'), null, count(t('scanners_count', { count: scanners.total || scanners.items.length })), true, table([
      { label: t('col_name'), cls: 'strong wrap', render: (s) => h('div', {}, s.name || s.scanner_id,
        s.enrolled !== false && s.name && s.name !== s.scanner_id ? h('div', { class: 'muted small mono clip', title: s.scanner_id }, s.scanner_id) : null) },
      { label: t('col_site'), render: (s) => s.site },
      { label: t('col_status'), render: healthBadge },
      { label: t('col_version'), cls: 'mono', render: (s) => s.last_version },
      { label: t('col_last_upload'), render: (s) => relTime(s.last_seen) },
      { label: t('col_devices'), cls: 'num', render: (s) => num(s.devices) },
      { label: t('col_key'), cls: 'mono', render: (s) => keyPrefix(s.key_prefix) },
      admin ? { label: t('col_actions'), cls: 'act', render: (s) => rowMenu('scanner-menu',
        h('button', { tid: 'scanner-edit', onclick: () => editScanner(s) }, t('edit')),
        s.revoked_at ? null : h('button', { tid: 'scanner-replace-key', onclick: () => replaceKey(s) }, t('replace_key')),
        s.revoked_at ? null : h('button', { class: 'danger', tid: 'scanner-revoke', onclick: () => revoke(s) }, t('revoke_key'))) } : null,
    ].filter(Boolean), scanners.items, { tid: 'scanners-table', cards: true, nowrap: true, caption: t('scanners'),
      row: (s) => ({ tid: 'scanner-row', 'data-scanner-id': s.scanner_id, class: s.revoked_at ? 'dim' : null }) })));
};

// ---- offline import

routes.import = async function importPage(view) {
  const out = h('div', {});
  const input = h('input', { type: 'file', id: 'import-file', tid: 'import-file', accept: '.json,.gz,application/json,application/gzip', class: 'file-input' });
  let bytes = null;
  let fileName = '';

  const stat = (label, value, sub) => h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value), sub ? h('span', { class: 'muted small' }, sub) : null);
  const nothingNew = () => h('div', { class: 'alert info', tid: 'import-nothing-new' }, t('import_nothing_new'));
  const again = () => btn(t('import_other'), reset, '', 'import-reset');

  const preview = async () => {
    clear(out, loading());
    let p;
    try {
      p = await api('POST', 'import?dry_run=true', bytes);
    } catch (e) {
      clear(out, alertBox([errText(e), e.code === 'invalid_export' && e.message ? h('div', { class: 'mono small detail' }, e.message) : null], 'error', 'import-error'));
      return;
    }
    const unknown = (p.scanners || []).filter((s) => !s.known);
    // The preview is a dry run: what *would* be stored is what is new.
    const batchesNew = p.batches - (p.batches_duplicate || 0);
    const create = h('input', { type: 'checkbox', tid: 'import-register', onchange: () => { apply.disabled = !create.checked; } });
    const apply = btn(t('import_apply'), async () => {
      apply.disabled = true;
      try {
        showResult(await api('POST', 'import' + (unknown.length && create.checked ? '?create_scanners=true' : ''), bytes));
      } catch (e) {
        apply.disabled = false;
        toastErr(e);
      }
    }, 'primary', 'import-apply');
    apply.disabled = unknown.length > 0;
    clear(out, h('section', { class: 'card', tid: 'import-preview' },
      h('h2', {}, t('import_preview', { file: fileName })),
      h('div', { class: 'stats' },
        stat(t('import_batches'), num(p.batches), t('import_new', { count: batchesNew })),
        stat(t('import_readings'), num(p.readings), t('import_new', { count: p.readings_stored })),
        stat(t('import_events'), num(p.events)),
        stat(t('import_period'), fmtDay(p.from), p.to ? t('import_until', { time: fmtDay(p.to) }) : null)),
      h('h3', {}, t('scanners')),
      h('ul', { class: 'plain' }, (p.scanners || []).map((s) => h('li', {}, s.known ? badge('ok', t('import_known')) : badge('bad', t('import_unknown')), ' ',
        h('span', { class: 'strong mono' }, s.scanner_id), s.readings != null ? h('span', { class: 'muted small' }, ' · ' + t('readings_count', { count: s.readings })) : null))),
      unknown.length ? alertBox([h('span', {}, t('import_unknown_text', { count: unknown.length })), h('label', { class: 'check' }, create, t('import_create_scanners'))], 'warn') : null,
      batchesNew === 0 && !p.readings_stored && !p.events_stored ? nothingNew() : null,
      h('div', { class: 'actions' }, apply, again())));
  };

  const showResult = (res) => {
    const none = res.readings_stored === 0 && res.events_stored === 0;
    const dup = (n) => t('import_duplicates', { count: n || 0 });
    clear(out, h('section', { class: 'card', tid: 'import-result' },
      h('h2', {}, none ? t('import_done_nothing') : t('import_done')),
      none ? nothingNew() : null,
      h('div', { class: 'stats' },
        stat(t('import_batches'), num(res.batches), dup(res.batches_duplicate)),
        stat(t('import_readings_stored'), num(res.readings_stored), dup(res.readings_duplicate)),
        stat(t('import_events_stored'), num(res.events_stored), dup(res.events_duplicate))),
      h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '#/fleet' }, t('go_to_fleet')), again())));
    S.summary = null;
  };

  const reset = () => { bytes = null; input.value = ''; clear(out); };

  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    if (!/\.json(\.gz)?$/i.test(file.name)) { clear(out, alertBox(t('import_wrong_type'), 'error', 'import-error')); return; }
    fileName = file.name;
    bytes = await file.arrayBuffer();
    preview();
  });

  view.append(pageHead(t('import_title'), t('import_sub')),
    h('section', { class: 'card' }, h('ol', { class: 'steps' }, [t('import_step_export'), t('import_step_choose'), t('import_step_apply')].map((x) => h('li', {}, x))),
      h('label', { class: 'drop', for: 'import-file' }, h('span', { class: 'drop-icon', 'aria-hidden': 'true' }),
        h('span', { class: 'drop-title' }, t('import_choose')), h('span', { class: 'muted small' }, t('import_choose_hint'))),
      input),
    out);
};
routes.import.admin = true;

// ---- users and API tokens

function roleLabel(r) { return r === 'admin' ? t('role_admin') : t('role_viewer'); }

routes.users = async function usersPage(view) {
  const [users, tokens] = await Promise.all([api('GET', 'users?limit=1000'), api('GET', 'tokens?limit=1000')]);
  const me = S.me.subject;
  const roles = [['viewer', t('role_viewer')], ['admin', t('role_admin')]];
  const password = (label) => field({ name: 'password', label, type: 'password', required: true, min: 10, max: 256, tid: 'user-password', autocomplete: 'new-password', hint: t('password_hint') });
  const user = (u) => 'users/' + u.user_id;

  const addUser = () => formDialog(t('add_user'), [
    field({ name: 'email', label: t('f_email'), type: 'email', required: true, max: 254, tid: 'user-email' }),
    field({ name: 'role', label: t('f_role'), options: roles, value: 'viewer', tid: 'user-role' }),
    password(t('f_initial_password')),
  ], t('create'), async (v) => {
    await api('POST', 'users', { email: v.email, role: v.role, password: v.password });
    toast(t('user_created', { email: v.email }));
    render();
  }, 'user-save');

  const resetPassword = (u) => formDialog(t('reset_password'), [note(t('reset_password_text', { email: u.email })), password(t('f_new_password'))], t('save'), async (v) => {
    await api('POST', user(u) + '/password', { password: v.password });
    toast(t('password_reset_done'));
  }, 'reset-password');

  const userActions = (u) => (u.user_id === me ? h('span', { class: 'muted small' }, t('you')) : h('div', { class: 'row-actions' },
    u.disabled_at
      ? btn(t('enable'), () => act(() => api('POST', user(u) + '/enable'), t('user_enabled')), 'small', 'user-enable')
      : btn(t('disable'), async () => {
        if (await confirmDialog(t('disable_user'), t('disable_user_confirm', { email: u.email }), t('disable'))) act(() => api('DELETE', user(u)), t('user_disabled'));
      }, 'small danger-ghost', 'user-disable'),
    btn(t('reset_password'), () => resetPassword(u), 'small', 'user-reset')));

  const roleCell = (u) => {
    if (u.user_id === me || u.disabled_at) return roleLabel(u.role);
    const sel = select({ tid: 'user-role-select', 'aria-label': t('f_role'), onchange: async () => {
      sel.disabled = true;
      try {
        await api('PUT', user(u), { role: sel.value });
        u.role = sel.value;
        toast(t('role_changed', { email: u.email }));
      } catch (e) {
        sel.value = u.role;
        toastErr(e);
      }
      sel.disabled = false;
    } }, roles, u.role);
    return sel;
  };

  const addToken = () => formDialog(t('add_token'), [
    field({ name: 'name', label: t('f_token_name'), required: true, max: 200, tid: 'token-name', hint: t('token_name_hint') }),
  ], t('create'), async (v) => {
    const res = await api('POST', 'tokens', { name: v.name });
    setTimeout(() => secretDialog(t('token_title'), t('token_intro', { name: v.name }), res.token, 'token-value', 'copy-token'), 0);
    render();
  }, 'token-save');

  const state = (x, off, on) => (x.disabled_at || x.revoked_at ? badge('off', off) : badge('ok', on));
  view.append(pageHead(t('users_title'), t('users_sub')),
    headCard(t('users'), null, btn(t('add_user'), addUser, 'primary', 'add-user'), true, table([
      { label: t('f_email'), cls: 'strong', render: (u) => u.email },
      { label: t('f_role'), render: roleCell },
      { label: t('col_created'), render: (u) => fmtTime(u.created_at) },
      { label: t('col_state'), render: (u) => state(u, t('user_state_disabled'), t('user_state_active')) },
      { label: t('col_actions'), cls: 'act', render: userActions },
    ], users.items, { tid: 'users-table', cards: true, nowrap: true, caption: t('users'), row: (u) => ({ tid: 'user-row', 'data-user-id': u.user_id, class: u.disabled_at ? 'dim' : null }) })),
    headCard(t('tokens'), t('tokens_sub'), btn(t('add_token'), addToken, 'primary', 'add-token'), true, tokens.items.length ? table([
      { label: t('col_name'), cls: 'strong', render: (x) => x.name },
      { label: t('col_key'), cls: 'mono', render: (x) => keyPrefix(x.key_prefix) },
      { label: t('col_created'), render: (x) => fmtTime(x.created_at) },
      { label: t('col_state'), render: (x) => state(x, t('token_revoked'), t('token_active')) },
      { label: t('col_actions'), cls: 'act', render: (x) => (x.revoked_at ? null : btn(t('revoke'), async () => {
        if (await confirmDialog(t('revoke_token'), t('revoke_token_confirm', { name: x.name || x.key_prefix }), t('revoke'))) act(() => api('DELETE', 'tokens/' + x.token_id), t('token_revoked_done'));
      }, 'small danger-ghost', 'token-revoke')) },
    ], tokens.items, { tid: 'tokens-table', cards: true, nowrap: true, caption: t('tokens'), row: (x) => ({ tid: 'token-row', class: x.revoked_at ? 'dim' : null }) })
      : h('div', { class: 'pad' }, empty(t('tokens_empty_title'), t('tokens_empty_text')))));
};
routes.users.admin = true;

// ---- audit log: who changed what in this account (GET /api/v1/audit), newest first

// The actions the server records (api/audit.hpp's callers), in the filter's order, and their
// words; one a newer server adds shows its code until the catalogue knows it.
const AUDIT_ACTIONS = {
  signed_in: () => t('audit_a_signed_in'),
  sign_in_failed: () => t('audit_a_sign_in_failed'),
  sign_in_locked: () => t('audit_a_sign_in_locked'),
  signed_out_everywhere: () => t('audit_a_signed_out_everywhere'),
  password_changed: () => t('audit_a_password_changed'),
  password_reset_by_link: () => t('audit_a_password_reset_by_link'),
  user_created: () => t('audit_a_user_created'),
  user_disabled: () => t('audit_a_user_disabled'),
  user_enabled: () => t('audit_a_user_enabled'),
  user_role_changed: () => t('audit_a_user_role_changed'),
  user_password_set: () => t('audit_a_user_password_set'),
  token_created: () => t('audit_a_token_created'),
  token_revoked: () => t('audit_a_token_revoked'),
  scanner_created: () => t('audit_a_scanner_created'),
  scanner_updated: () => t('audit_a_scanner_updated'),
  scanner_key_replaced: () => t('audit_a_scanner_key_replaced'),
  scanner_revoked: () => t('audit_a_scanner_revoked'),
  scanner_revoked_itself: () => t('audit_a_scanner_revoked_itself'),
  site_renamed: () => t('audit_a_site_renamed'),
  data_imported: () => t('audit_a_data_imported'),
  account_updated: () => t('audit_a_account_updated'),
  trial_extended: () => t('audit_a_trial_extended'),
  licence_set: () => t('audit_a_licence_set'),
  alert_acknowledged: () => t('audit_a_alert_acknowledged'),
  alert_snoozed: () => t('audit_a_alert_snoozed'),
  rule_created: () => t('audit_a_rule_created'),
  rule_updated: () => t('audit_a_rule_updated'),
  rule_deleted: () => t('audit_a_rule_deleted'),
  channel_created: () => t('audit_a_channel_created'),
  channel_updated: () => t('audit_a_channel_updated'),
  channel_deleted: () => t('audit_a_channel_deleted'),
  device_retired: () => t('audit_a_device_retired'),
  device_restored: () => t('audit_a_device_restored'),
};
const auditAction = (code) => (AUDIT_ACTIONS[code] ? AUDIT_ACTIONS[code]() : code);

function auditActor(x) {
  if (x.actor_kind === 'admin') return t('audit_platform_admin');
  if (x.actor_kind === 'anonymous') return t('audit_anonymous');
  if (x.actor_kind === 'token') return t('audit_token', { name: x.actor });
  if (x.actor_kind === 'scanner') return t('audit_scanner', { name: x.actor });
  return x.actor;
}

routes.audit = async function auditPage(view) {
  const f = { page: 1, per: 50, action: '', q: '', from: '', to: '' };
  const box = h('div', {});
  const exports = h('div', { class: 'actions' });
  const actionSel = select({ tid: 'audit-action', 'aria-label': t('audit_col_action'), onchange: () => { f.action = actionSel.value; f.page = 1; load(); } },
    [['', t('audit_all_actions')]].concat(Object.keys(AUDIT_ACTIONS).map((a) => [a, auditAction(a)])), '');
  // An investigation: who, what or which address (text), and which days (the account's zone).
  const search = h('input', { type: 'search', class: 'search', tid: 'audit-search', placeholder: t('audit_search'), 'aria-label': t('audit_search'), maxlength: 100 });
  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { f.q = search.value.trim(); f.page = 1; load(); }, 300); });
  const day = (tid, label, key) => {
    const input = h('input', { type: 'date', tid, max: today(), 'aria-label': label, onchange: () => { f[key] = input.value; f.page = 1; load(); } });
    return h('label', { class: 'inline small' }, label, input);
  };
  const load = async () => {
    if (f.from && f.to && f.from > f.to) { clear(box, alertBox(t('v_period'))); return; }
    const p = {};
    for (const k of ['action', 'q', 'from', 'to']) if (f[k]) p[k] = f[k];
    exportLinks(exports, 'audit', p, 'audit', 'audit-export-');  // a file is the whole list
    clear(box, loading());
    let res;
    try {
      res = await api('GET', 'audit' + qs(Object.assign({ limit: f.per, offset: (f.page - 1) * f.per }, p)));
    } catch (e) {
      clear(box, errorPanel(e, load));
      return;
    }
    if (!res.items.length) { clear(box, h('div', { class: 'pad' }, empty(t('audit_empty_title'), t('audit_empty_text')))); return; }
    clear(box, table([
      { label: t('audit_col_at'), render: (x) => fmtTime(x.at) },
      { label: t('audit_col_actor'), cls: 'strong', render: auditActor },
      { label: t('audit_col_action'), render: (x) => auditAction(x.action) },
      { label: t('audit_col_target'), cls: 'clip', render: (x) => x.target || x.target_id },
      { label: t('audit_col_detail'), cls: 'clip muted', render: (x) => x.detail },
      { label: t('audit_col_address'), cls: 'mono', render: (x) => x.address },
    ], res.items, { tid: 'audit-table', cards: true, caption: t('audit_title'), row: (x) => ({ tid: 'audit-row', 'data-action': x.action }) }),
    pager(res, f, load, { count: 'audit-count', size: 'audit-size', prev: 'audit-prev', next: 'audit-next' }));
  };
  const tn = await loadTenant();
  view.append(pageHead(t('audit_title'), t('audit_sub') + '. ' + t('audit_kept', { count: tn.audit_retention_months })),
    headCard(t('audit_title'), null, h('div', { class: 'actions' }, actionSel, exports), true,
      h('div', { class: 'filters', role: 'search' }, search, day('audit-from', t('f_from'), 'from'), day('audit-to', t('f_to'), 'to')), box));
  await load();
};
routes.audit.admin = true;

// ---- settings

function licenceCard(tn) {
  const status = ({ trial: t('lic_trial'), licensed: t('lic_licensed'), expired: t('lic_expired'), over_limit: t('lic_over_limit') })[tn.status] || tn.status;
  return card(t('licence'), 'licence-status', dl([
    [t('lic_status'), badge(tn.status === 'licensed' ? 'ok' : tn.status === 'trial' ? 'info' : 'bad', status)],
    tn.status === 'trial' ? [t('lic_trial_ends'), tn.trial_ends_at ? fmtTime(tn.trial_ends_at) + ' · ' + t('days_left', { count: Math.max(0, tn.days_left || 0) }) : null] : null,
    tn.licensed_until ? [t('lic_until'), fmtTime(tn.licensed_until)] : null,
    [t('lic_devices'), tn.device_limit != null ? t('lic_devices_of', { devices: tn.devices || 0, limit: tn.device_limit }) : num(tn.devices || 0)],
  ]), note(t('lic_contact'), 'small'));
}

routes.settings = async function settingsPage(view) {
  const tn = await loadTenant();
  view.append(pageHead(t('settings_title'), t('settings_sub')));

  // tenant: name and time zone in one PUT (nothing half-saved)
  const tenantCard = card(t('organisation'), 'settings-tenant');
  if (isAdmin()) {
    const zones = await api('GET', 'time-zones', undefined, { quiet: true }).then((r) => r.items).catch(() => [tn.time_zone]);
    if (!zones.includes(tn.time_zone)) zones.unshift(tn.time_zone);
    const form = h('form', { class: 'form narrow' },
      field({ name: 'name', label: t('f_org_name'), required: true, max: 200, value: tn.name, tid: 'settings-tenant-name' }),
      field({ name: 'time_zone', label: t('f_time_zone'), options: zones.map((z) => [z, z.replace(/_/g, ' ')]), value: tn.time_zone, tid: 'settings-timezone', hint: t('time_zone_hint') }),
      // How long the account keeps what it keeps: raw readings and the audit log.
      field({ name: 'raw_retention_months', label: t('f_raw_retention'), type: 'number', required: true, lo: 3, hi: 600, value: tn.raw_retention_months, tid: 'settings-raw-retention', hint: t('raw_retention_hint') }),
      field({ name: 'audit_retention_months', label: t('f_audit_retention'), type: 'number', required: true, lo: 1, hi: 120, value: tn.audit_retention_months, tid: 'settings-audit-retention', hint: t('audit_retention_hint') }),
      h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'submit', tid: 'settings-save' }, t('save'))));
    onSubmit(form, async (v) => {
      S.tenant = await api('PUT', 'tenant', { name: v.name, time_zone: v.time_zone,
        raw_retention_months: Number(v.raw_retention_months), audit_retention_months: Number(v.audit_retention_months) });
      S.fmt = {};
      renderHeader();
      toast(t('saved'));
    });
    tenantCard.append(form);
  } else {
    tenantCard.append(dl([[t('f_org_name'), tn.name], [t('f_time_zone'), tn.time_zone],
      [t('f_raw_retention'), num(tn.raw_retention_months)], [t('f_audit_retention'), num(tn.audit_retention_months)]]), note(t('settings_admin_only'), 'small'));
  }

  const langCard = card(t('language'), 'settings-lang', h('div', { class: 'field narrow' }, h('label', { for: 'settings-language' }, t('f_language')),
    select({ tid: 'settings-language', id: 'settings-language', onchange: (e) => setLang(e.target.value) }, [['ru', t('lang_name_ru')], ['en', t('lang_name_en')]], S.lang),
    h('div', { class: 'hint' }, t('language_hint'))));

  const pwForm = h('form', { class: 'form narrow' },
    field({ name: 'current_password', label: t('f_current_password'), type: 'password', required: true, max: 256, tid: 'pw-current', autocomplete: 'current-password' }),
    field({ name: 'new_password', label: t('f_new_password'), type: 'password', required: true, min: 10, max: 256, tid: 'pw-new', autocomplete: 'new-password', hint: t('password_hint') }),
    field({ name: 'repeat', label: t('f_repeat_password'), type: 'password', required: true, tid: 'pw-repeat', autocomplete: 'new-password' }),
    h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'submit', tid: 'pw-save' }, t('change_password'))));
  pwForm.elements.repeat.dataset.same = 'new_password';
  onSubmit(pwForm, async (v) => {
    await api('POST', 'auth/password', { current_password: v.current_password, new_password: v.new_password });
    pwForm.reset();
    toast(t('password_changed'));
  });

  const sessions = card(t('sessions'), 'settings-sessions', note(t('logout_all_text')), btn(t('logout_all'), async () => {
    if (await confirmDialog(t('logout_all'), t('logout_all_confirm'), t('logout_all'))) signOut(true);
  }, 'danger', 'logout-all'));

  view.append(h('div', { class: 'grid two' }, tenantCard, licenceCard(tn)),
    h('div', { class: 'grid two' }, h('div', { class: 'stack' }, langCard, sessions), card(t('change_password'), 'settings-password', pwForm)));
};
