// Sites & scanners (#/sites), offline import (#/import), users & API tokens (#/users) and
// settings (#/settings).
'use strict';

// ---------------------------------------------------------------------------------------------
// sites and scanners

// "pmk.<tenant uuid>.AbCd…" shown as "pmk.…AbCd…": the tenant part is the same on every row.
function keyPrefix(p) {
  return p ? h('span', { title: p }, p.replace(/^(pm[a-z])\.[0-9a-f-]{36}\./, '$1.…')) : null;
}

function healthBadge(health) {
  if (health === 'ok') return badge('ok', t('health_ok'));
  if (health === 'stale') return badge('warn', t('health_stale'));
  if (health === 'revoked') return badge('off', t('scanner_revoked'));
  return badge('info', t('health_never'));
}

function scannerBadge(s) {
  if (s.revoked_at) return badge('off', t('scanner_revoked'));
  if (s.enrolled === false) return badge('info', t('scanner_waiting'));
  const last = s.last_seen_at || s.last_seen;
  if (!last) return badge('info', t('health_never'));
  if (s.stale === true || s.health === 'stale') return badge('warn', t('health_stale'));
  return badge('ok', t('health_ok'));
}

function showKey(title, key, intro) {
  dialog(title, [
    h('p', {}, intro),
    secretBox(key, 'scanner-key', 'copy-key'),
    h('ol', { class: 'steps' }, h('li', {}, t('key_step_open')), h('li', {}, t('key_step_paste')), h('li', {}, t('key_step_wait'))),
    h('div', { class: 'alert warn' }, t('key_once')),
  ], [h('button', { class: 'btn primary', type: 'button', tid: 'dialog-ok', onclick: (e) => e.target.closest('dialog').close() }, t('done'))], { wide: true });
}

function siteDatalist(sites) {
  return h('datalist', { id: 'dl-sites' }, sites.map((s) => h('option', { value: s.site })));
}

routes.sites = async function sitesPage(view) {
  const admin = isAdmin();
  const [sites, scanners] = await Promise.all([api('GET', 'sites?limit=1000'), api('GET', 'scanners?limit=1000')]);
  S.sites = { at: Date.now(), items: sites.items };
  const reload = () => { S.sites = null; render(); };

  const addScanner = () => formDialog(t('add_scanner'), [
    field({ name: 'name', label: t('f_scanner_name'), required: true, max: 200, tid: 'scanner-name', hint: t('scanner_name_hint') }),
    field({ name: 'site', label: t('f_site'), required: true, max: 200, tid: 'scanner-site', list: 'dl-sites', hint: t('site_hint') }),
    siteDatalist(sites.items),
  ], t('create_key'), async (v) => {
    const res = await api('POST', 'scanners', { name: v.name, site: v.site });
    setTimeout(() => showKey(t('scanner_key_title'), res.key, t('scanner_key_intro', { name: v.name })), 0);
    S.sites = null;
    render();
  }, 'scanner-save');

  const editScanner = (s) => formDialog(t('edit_scanner'), [
    field({ name: 'name', label: t('f_scanner_name'), required: true, max: 200, value: s.name, tid: 'scanner-name' }),
    field({ name: 'site', label: t('f_site'), required: true, max: 200, value: s.site, tid: 'scanner-site', list: 'dl-sites' }),
    siteDatalist(sites.items),
  ], t('save'), async (v) => {
    await api('PUT', 'scanners/' + encodeURIComponent(s.scanner_id), { name: v.name, site: v.site });
    toast(t('saved'));
    reload();
  }, 'scanner-save');

  const replaceKey = async (s) => {
    if (!await confirmDialog(t('replace_key'), t('replace_key_confirm', { name: s.name || s.scanner_id }), t('replace_key'), true)) return;
    try {
      const res = await api('POST', 'scanners/' + encodeURIComponent(s.scanner_id) + '/key');
      showKey(t('scanner_key_title'), res.key, t('scanner_key_replaced', { name: s.name || s.scanner_id }));
      render();
    } catch (e) { toast(errText(e), 'error'); }
  };

  const revoke = async (s) => {
    if (!await confirmDialog(t('revoke_key'), t('revoke_key_confirm', { name: s.name || s.scanner_id }), t('revoke_key'), true)) return;
    try {
      await api('DELETE', 'scanners/' + encodeURIComponent(s.scanner_id));
      toast(t('key_revoked'));
      reload();
    } catch (e) { toast(errText(e), 'error'); }
  };

  const renameSite = (site) => formDialog(t('rename_site'), [
    h('p', { class: 'muted' }, t('rename_site_text', { site: site.site || t('no_site') })),
    field({ name: 'to', label: t('f_new_name'), required: true, max: 200, value: site.site, tid: 'site-name' }),
  ], t('save'), async (v) => {
    const res = await api('POST', 'sites/rename', { from: site.site, to: v.to });
    toast(t('site_renamed', { count: (res && res.scanners) || 0 }));
    reload();
  }, 'site-save');

  const actions = (s) => rowMenu('scanner-menu',
    h('button', { type: 'button', tid: 'scanner-edit', onclick: () => editScanner(s) }, t('edit')),
    s.revoked_at ? null : h('button', { type: 'button', tid: 'scanner-replace-key', onclick: () => replaceKey(s) }, t('replace_key')),
    s.revoked_at ? null : h('button', { type: 'button', class: 'danger', tid: 'scanner-revoke', onclick: () => revoke(s) }, t('revoke_key')));

  view.append(pageHead(t('sites_title'), t('sites_sub'),
    admin ? h('button', { class: 'btn primary', type: 'button', tid: 'add-scanner', onclick: addScanner }, t('add_scanner')) : null));

  if (!scanners.items.length) {
    view.append(h('section', { class: 'card' }, empty(t('scanners_empty_title'), t('scanners_empty_text'),
      admin ? h('button', { class: 'btn primary', type: 'button', onclick: addScanner }, t('add_scanner')) : null)));
    return;
  }
  view.append(
    h('section', { class: 'card flush' }, h('div', { class: 'card-head pad' }, h('h2', {}, t('sites')), h('span', { class: 'muted' }, t('sites_count', { count: sites.total || sites.items.length }))),
      table([
        { label: t('col_site'), cls: 'strong', render: (s) => (s.site ? h('a', { href: '#/fleet?site=' + encodeURIComponent(s.site) }, s.site) : t('no_site')) },
        { label: t('col_scanners'), cls: 'num', render: (s) => num(s.scanners) },
        { label: t('col_devices'), cls: 'num', render: (s) => num(s.devices) },
        { label: t('col_with_errors'), cls: 'num', render: (s) => (s.with_errors ? h('span', { class: 'err-count' }, num(s.with_errors)) : s.with_errors === 0 ? num(0) : null) },
        { label: t('col_last_upload'), render: (s) => relTime(s.last_seen_at || s.last_seen) },
        { label: t('col_health'), render: (s) => healthBadge(s.stale === true ? 'stale' : s.health || (s.last_seen ? 'ok' : 'never_seen')) },
        admin ? { label: t('col_actions'), cls: 'act', render: (s) => h('button', { class: 'btn small', type: 'button', tid: 'site-rename', onclick: () => renameSite(s) }, t('rename')) } : null,
      ].filter(Boolean), sites.items, { tid: 'sites-table', cards: true, caption: t('sites') })),
    h('section', { class: 'card flush' }, h('div', { class: 'card-head pad' }, h('h2', {}, t('scanners')), h('span', { class: 'muted' }, t('scanners_count', { count: scanners.total || scanners.items.length }))),
      table([
        { label: t('col_name'), cls: 'strong wrap', render: (s) => h('div', {}, s.name || s.scanner_id, s.enrolled !== false && s.name && s.name !== s.scanner_id ? h('div', { class: 'muted small mono clip', title: s.scanner_id }, s.scanner_id) : null) },
        { label: t('col_site'), render: (s) => s.site || null },
        { label: t('col_status'), render: scannerBadge },
        { label: t('col_version'), cls: 'mono', render: (s) => s.last_version || null },
        { label: t('col_last_upload'), render: (s) => relTime(s.last_seen_at || s.last_seen) },
        { label: t('col_devices'), cls: 'num', render: (s) => num(s.devices) },
        { label: t('col_key'), cls: 'mono', render: (s) => keyPrefix(s.key_prefix) },
        admin ? { label: t('col_actions'), cls: 'act', render: actions } : null,
      ].filter(Boolean), scanners.items, { tid: 'scanners-table', cards: true, nowrap: true, caption: t('scanners'),
        row: (s) => ({ tid: 'scanner-row', 'data-scanner-id': s.scanner_id, class: s.revoked_at ? 'dim' : null }) })));
};

// ---------------------------------------------------------------------------------------------
// offline import

routes.import = async function importPage(view) {
  const out = h('div', {});
  const input = h('input', { type: 'file', id: 'import-file', tid: 'import-file', accept: '.json,.gz,application/json,application/gzip', class: 'file-input' });
  const drop = h('label', { class: 'drop', for: 'import-file' }, h('span', { class: 'drop-icon', 'aria-hidden': 'true' }),
    h('span', { class: 'drop-title' }, t('import_choose')), h('span', { class: 'muted small' }, t('import_choose_hint')));
  let bytes = null;
  let fileName = '';

  const stat = (label, value, sub) => h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value), sub ? h('span', { class: 'muted small' }, sub) : null);

  const preview = async () => {
    clear(out, loading());
    let p;
    try {
      p = await api('POST', 'import?dry_run=true', bytes);
    } catch (e) {
      clear(out, h('div', { class: 'alert error', role: 'alert', tid: 'import-error' }, errText(e),
        e.code === 'invalid_export' && e.message ? h('div', { class: 'mono small detail' }, e.message) : null));
      return;
    }
    const unknown = (p.scanners || []).filter((s) => !s.known);
    // The preview is a dry run: what *would* be stored is what is new.
    const batchesNew = p.batches_new !== undefined ? p.batches_new : p.batches - (p.batches_duplicate || 0);
    const readingsNew = p.readings_new !== undefined ? p.readings_new : p.readings_stored;
    const nothingNew = batchesNew === 0 && readingsNew === 0 && !p.events_stored;
    const create = h('input', { type: 'checkbox', tid: 'import-register', onchange: () => { apply.disabled = !create.checked; } });
    const apply = h('button', { class: 'btn primary', type: 'button', tid: 'import-apply', disabled: unknown.length > 0, onclick: async () => {
      apply.disabled = true;
      try {
        const res = await api('POST', 'import' + (unknown.length && create.checked ? '?create_scanners=true' : ''), bytes);
        showResult(res);
      } catch (e) {
        apply.disabled = false;
        toast(errText(e), 'error');
      }
    } }, t('import_apply'));
    clear(out, h('section', { class: 'card', tid: 'import-preview' },
      h('h2', {}, t('import_preview', { file: fileName })),
      h('div', { class: 'stats' },
        stat(t('import_batches'), num(p.batches), t('import_new', { count: batchesNew })),
        stat(t('import_readings'), num(p.readings), t('import_new', { count: readingsNew })),
        stat(t('import_events'), num(p.events)),
        stat(t('import_period'), p.from ? fmtDay(p.from) : '—', p.to ? t('import_until', { time: fmtDay(p.to) }) : null)),
      h('h3', {}, t('scanners')),
      h('ul', { class: 'plain' }, (p.scanners || []).map((s) => h('li', {}, s.known ? badge('ok', t('import_known')) : badge('bad', t('import_unknown')), ' ',
        h('span', { class: 'strong mono' }, s.scanner_id), s.readings !== undefined ? h('span', { class: 'muted small' }, ' · ' + t('readings_count', { count: s.readings })) : null))),
      unknown.length ? h('div', { class: 'alert warn', role: 'alert' }, h('span', {}, t('import_unknown_text', { count: unknown.length })),
        h('label', { class: 'check' }, create, t('import_create_scanners'))) : null,
      nothingNew ? h('div', { class: 'alert info', tid: 'import-nothing-new' }, t('import_nothing_new')) : null,
      h('div', { class: 'actions' }, apply, h('button', { class: 'btn', type: 'button', tid: 'import-reset', onclick: reset }, t('import_other')))));
  };

  const showResult = (res) => {
    const none = res.readings_stored === 0 && res.events_stored === 0;
    clear(out, h('section', { class: 'card', tid: 'import-result' },
      h('h2', {}, none ? t('import_done_nothing') : t('import_done')),
      none ? h('div', { class: 'alert info', tid: 'import-nothing-new' }, t('import_nothing_new')) : null,
      h('div', { class: 'stats' },
        stat(t('import_batches'), num(res.batches), t('import_duplicates', { count: res.batches_duplicate || 0 })),
        stat(t('import_readings_stored'), num(res.readings_stored), t('import_duplicates', { count: res.readings_duplicate || 0 })),
        stat(t('import_events_stored'), num(res.events_stored), t('import_duplicates', { count: res.events_duplicate || 0 }))),
      h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '#/fleet' }, t('go_to_fleet')),
        h('button', { class: 'btn', type: 'button', tid: 'import-reset', onclick: reset }, t('import_other')))));
    S.summary = null;
  };

  const reset = () => { bytes = null; input.value = ''; clear(out); drop.hidden = false; };

  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    if (!/\.json(\.gz)?$/i.test(file.name)) { clear(out, h('div', { class: 'alert error', role: 'alert', tid: 'import-error' }, t('import_wrong_type'))); return; }
    fileName = file.name;
    bytes = await file.arrayBuffer();
    preview();
  });

  view.append(pageHead(t('import_title'), t('import_sub')),
    h('section', { class: 'card' }, h('ol', { class: 'steps' }, h('li', {}, t('import_step_export')), h('li', {}, t('import_step_choose')), h('li', {}, t('import_step_apply'))),
      drop, input),
    out);
};
routes.import.admin = true;

// ---------------------------------------------------------------------------------------------
// users and API tokens

function roleLabel(r) { return r === 'admin' ? t('role_admin') : t('role_viewer'); }

routes.users = async function usersPage(view) {
  const [users, tokens] = await Promise.all([api('GET', 'users?limit=1000'), api('GET', 'tokens?limit=1000')]);
  const me = S.me.subject;
  const roles = [['viewer', t('role_viewer')], ['admin', t('role_admin')]];

  const addUser = () => formDialog(t('add_user'), [
    field({ name: 'email', label: t('f_email'), type: 'email', required: true, max: 254, tid: 'user-email' }),
    field({ name: 'role', label: t('f_role'), options: roles, value: 'viewer', tid: 'user-role' }),
    field({ name: 'password', label: t('f_initial_password'), type: 'password', required: true, min: 10, max: 256, tid: 'user-password', autocomplete: 'new-password', hint: t('password_hint') }),
  ], t('create'), async (v) => {
    await api('POST', 'users', { email: v.email, role: v.role, password: v.password });
    toast(t('user_created', { email: v.email }));
    render();
  }, 'user-save');

  const resetPassword = (u) => formDialog(t('reset_password'), [
    h('p', { class: 'muted' }, t('reset_password_text', { email: u.email })),
    field({ name: 'password', label: t('f_new_password'), type: 'password', required: true, min: 10, max: 256, tid: 'user-password', autocomplete: 'new-password', hint: t('password_hint') }),
  ], t('save'), async (v) => {
    await api('POST', 'users/' + u.user_id + '/password', { password: v.password });
    toast(t('password_reset_done'));
  }, 'reset-password');

  const act = async (fn, ok) => { try { await fn(); toast(ok); render(); } catch (e) { toast(errText(e), 'error'); } };

  const userActions = (u) => u.user_id === me ? h('span', { class: 'muted small' }, t('you')) : h('div', { class: 'row-actions' },
    u.disabled_at
      ? h('button', { class: 'btn small', type: 'button', tid: 'user-enable', onclick: () => act(() => api('POST', 'users/' + u.user_id + '/enable'), t('user_enabled')) }, t('enable'))
      : h('button', { class: 'btn small danger-ghost', type: 'button', tid: 'user-disable', onclick: async () => {
        if (await confirmDialog(t('disable_user'), t('disable_user_confirm', { email: u.email }), t('disable'), true)) act(() => api('DELETE', 'users/' + u.user_id), t('user_disabled'));
      } }, t('disable')),
    h('button', { class: 'btn small', type: 'button', tid: 'user-reset', onclick: () => resetPassword(u) }, t('reset_password')));

  const roleCell = (u) => {
    if (u.user_id === me || u.disabled_at) return roleLabel(u.role);
    const sel = h('select', { tid: 'user-role-select', 'aria-label': t('f_role'), onchange: async () => {
      sel.disabled = true;
      try { await api('PUT', 'users/' + u.user_id, { role: sel.value }); u.role = sel.value; toast(t('role_changed', { email: u.email })); } catch (e) { sel.value = u.role; toast(errText(e), 'error'); }
      sel.disabled = false;
    } }, roles.map(([v, l]) => h('option', { value: v, selected: v === u.role }, l)));
    return sel;
  };

  const addToken = () => formDialog(t('add_token'), [
    field({ name: 'name', label: t('f_token_name'), required: true, max: 200, tid: 'token-name', hint: t('token_name_hint') }),
  ], t('create'), async (v) => {
    const res = await api('POST', 'tokens', { name: v.name });
    setTimeout(() => dialog(t('token_title'), [h('p', {}, t('token_intro', { name: v.name })), secretBox(res.token, 'token-value', 'copy-token'),
      h('div', { class: 'alert warn' }, t('key_once'))], [h('button', { class: 'btn primary', type: 'button', tid: 'dialog-ok', onclick: (e) => e.target.closest('dialog').close() }, t('done'))], { wide: true }), 0);
    render();
  }, 'token-save');

  view.append(pageHead(t('users_title'), t('users_sub')),
    h('section', { class: 'card flush' },
      h('div', { class: 'card-head pad' }, h('h2', {}, t('users')), h('button', { class: 'btn primary', type: 'button', tid: 'add-user', onclick: addUser }, t('add_user'))),
      table([
        { label: t('f_email'), cls: 'strong', render: (u) => u.email },
        { label: t('f_role'), render: roleCell },
        { label: t('col_created'), render: (u) => fmtTime(u.created_at) },
        { label: t('col_state'), render: (u) => (u.disabled_at ? badge('off', t('user_state_disabled')) : badge('ok', t('user_state_active'))) },
        { label: t('col_actions'), cls: 'act', render: userActions },
      ], users.items, { tid: 'users-table', cards: true, nowrap: true, caption: t('users'), row: (u) => ({ tid: 'user-row', 'data-user-id': u.user_id, class: u.disabled_at ? 'dim' : null }) })),
    h('section', { class: 'card flush' },
      h('div', { class: 'card-head pad' }, h('div', {}, h('h2', {}, t('tokens')), h('p', { class: 'muted small' }, t('tokens_sub'))),
        h('button', { class: 'btn primary', type: 'button', tid: 'add-token', onclick: addToken }, t('add_token'))),
      tokens.items.length ? table([
        { label: t('col_name'), cls: 'strong', render: (x) => x.name || null },
        { label: t('col_key'), cls: 'mono', render: (x) => keyPrefix(x.key_prefix) },
        { label: t('col_created'), render: (x) => fmtTime(x.created_at) },
        { label: t('col_state'), render: (x) => (x.revoked_at ? badge('off', t('token_revoked')) : badge('ok', t('token_active'))) },
        { label: t('col_actions'), cls: 'act', render: (x) => (x.revoked_at ? null : h('button', { class: 'btn small danger-ghost', type: 'button', tid: 'token-revoke', onclick: async () => {
          if (await confirmDialog(t('revoke_token'), t('revoke_token_confirm', { name: x.name || x.key_prefix }), t('revoke'), true)) act(() => api('DELETE', 'tokens/' + x.token_id), t('token_revoked_done'));
        } }, t('revoke'))) },
      ], tokens.items, { tid: 'tokens-table', cards: true, nowrap: true, caption: t('tokens'), row: (x) => ({ tid: 'token-row', class: x.revoked_at ? 'dim' : null }) })
        : h('div', { class: 'pad' }, empty(t('tokens_empty_title'), t('tokens_empty_text')))));
};
routes.users.admin = true;

// ---------------------------------------------------------------------------------------------
// settings

function licenceCard(tn) {
  const status = ({ trial: t('lic_trial'), licensed: t('lic_licensed'), expired: t('lic_expired'), over_limit: t('lic_over_limit') })[tn.status] || tn.status;
  const cls = tn.status === 'licensed' ? 'ok' : tn.status === 'trial' ? 'info' : 'bad';
  return card(t('licence'), 'licence-status', dl([
    [t('lic_status'), badge(cls, status)],
    tn.status === 'trial' ? [t('lic_trial_ends'), tn.trial_ends_at ? fmtTime(tn.trial_ends_at) + ' · ' + t('days_left', { count: Math.max(0, tn.days_left || 0) }) : null] : null,
    tn.licensed_until ? [t('lic_until'), fmtTime(tn.licensed_until)] : null,
    [t('lic_devices'), tn.device_limit !== null && tn.device_limit !== undefined ? t('lic_devices_of', { devices: tn.devices || 0, limit: tn.device_limit }) : num(tn.devices || 0)],
  ]), h('p', { class: 'muted small' }, t('lic_contact')));
}

routes.settings = async function settingsPage(view) {
  const tn = S.tenant = await api('GET', 'tenant');
  const admin = isAdmin();
  view.append(pageHead(t('settings_title'), t('settings_sub')));

  // tenant: name and time zone in one PUT (nothing half-saved)
  const tenantCard = card(t('organisation'), 'settings-tenant');
  if (admin) {
    const zones = await api('GET', 'time-zones', undefined, { quiet: true }).then((r) => r.items).catch(() => [tn.time_zone]);
    if (!zones.includes(tn.time_zone)) zones.unshift(tn.time_zone);
    const form = h('form', { class: 'form narrow' },
      field({ name: 'name', label: t('f_org_name'), required: true, max: 200, value: tn.name, tid: 'settings-tenant-name' }),
      field({ name: 'time_zone', label: t('f_time_zone'), options: zones.map((z) => [z, z.replace(/_/g, ' ')]), value: tn.time_zone, tid: 'settings-timezone', hint: t('time_zone_hint') }),
      h('div', { class: 'actions' }, h('button', { class: 'btn primary', type: 'submit', tid: 'settings-save' }, t('save'))));
    onSubmit(form, async (v) => {
      S.tenant = await api('PUT', 'tenant', { name: v.name, time_zone: v.time_zone });
      S.fmt = {};
      renderHeader();
      toast(t('saved'));
    });
    tenantCard.append(form);
  } else {
    tenantCard.append(dl([[t('f_org_name'), tn.name], [t('f_time_zone'), tn.time_zone]]), h('p', { class: 'muted small' }, t('settings_admin_only')));
  }

  const langSel = h('select', { tid: 'settings-language', id: 'settings-language', onchange: (e) => { langSelect.value = e.target.value; langSelect.dispatchEvent(new Event('change')); } },
    h('option', { value: 'ru', selected: S.lang === 'ru' }, t('lang_name_ru')), h('option', { value: 'en', selected: S.lang === 'en' }, t('lang_name_en')));
  const langCard = card(t('language'), 'settings-lang', h('div', { class: 'field narrow' }, h('label', { for: 'settings-language' }, t('f_language')), langSel,
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

  const sessions = card(t('sessions'), 'settings-sessions', h('p', { class: 'muted' }, t('logout_all_text')),
    h('button', { class: 'btn danger', type: 'button', tid: 'logout-all', onclick: async () => {
      if (await confirmDialog(t('logout_all'), t('logout_all_confirm'), t('logout_all'), true)) signOut(true);
    } }, t('logout_all')));

  view.append(h('div', { class: 'grid two' }, tenantCard, licenceCard(tn)),
    h('div', { class: 'grid two' }, h('div', { class: 'stack' }, langCard, sessions), card(t('change_password'), 'settings-password', pwForm)));
};
