// Drives the scanner web UI in headless chromium (Debian's, through playwright-core):
// first-run setup, login, add a device, discovery, change interval and location, export,
// enrol and deactivate the key against a local HTTPS fake of the cloud, bad input, logout.
// Then the same UI for a Russian browser (Accept-Language ru-RU): every page in Russian, dates
// and numbers in the Russian format, a 100-letter Cyrillic location, Russian error messages,
// and the RU/EN switch kept across reloads and on the sign-in page.
// Started by tests/browser/run, which provides the scanner, PostgreSQL and snmpsim.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { chromium, request } from 'playwright-core';

const base = process.env.SCANNER_URL;
const snmpPort = process.env.SNMPSIM_PORT;
const addresses = process.env.SNMPSIM_ADDRESSES.split(',');
const caDir = process.env.TEST_CA_DIR;
const shots = process.env.PRINTMON_SCREENSHOTS;
const password = 'branch-office-2024!';
const key = 'pmk.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.c2VjcmV0LXNlY3JldC1zZWNyZXQ';

fs.mkdirSync(shots, { recursive: true });

// --- the cloud's revoke endpoint: the peer, not the unit under test --------------------------
const revokes = [];
const cloud = https.createServer({
  cert: fs.readFileSync(path.join(caDir, 'server.pem')),
  key: fs.readFileSync(path.join(caDir, 'server.key')),
}, (req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"status":"ok"}');
  } else if (req.method === 'POST' && req.url === '/api/v1/scanners/self/revoke') {
    revokes.push(req.headers.authorization);
    res.writeHead(204);
    res.end();
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => cloud.listen(0, '127.0.0.1', resolve));
const cloudUrl = `https://127.0.0.1:${cloud.address().port}`;

// --- browser ------------------------------------------------------------------------------------
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'printmon-chromium-'));
// A persistent context is how Playwright takes a fresh --user-data-dir (it refuses the flag).
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1360, height: 900 },
  acceptDownloads: true,
  locale: 'en-US',
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(15000);
const consoleProblems = [];
page.on('console', (m) => {
  // A refused request logs "Failed to load resource"; those are expected in the bad-input steps.
  if (m.type() === 'error' && !m.text().includes('Failed to load resource')) consoleProblems.push(m.text());
});
page.on('pageerror', (e) => consoleProblems.push(String(e)));
page.on('dialog', (d) => d.accept());

// A second browser for a Russian-speaking user; its page is `ru`.
const ruBrowser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const ruContext = await ruBrowser.newContext({ locale: 'ru-RU', viewport: { width: 1360, height: 900 } });
const ru = await ruContext.newPage();
ru.setDefaultTimeout(15000);
ru.on('console', (m) => {
  if (m.type() === 'error' && !m.text().includes('Failed to load resource')) consoleProblems.push('ru: ' + m.text());
});
ru.on('pageerror', (e) => consoleProblems.push('ru: ' + String(e)));
ru.on('dialog', (d) => d.accept());
const ruShot = async (name, fullPage = true) => {
  await ru.evaluate(() => document.getElementById('flash')?.replaceChildren());
  await ru.waitForTimeout(150);
  await ru.screenshot({ path: path.join(shots, `scanner-${name}-ru.png`), fullPage });
};
const cyrillic = /[А-Яа-яЁё]/;
// Everything the UI itself labels (headings, buttons, table heads, field labels, terms) must be
// Russian: Cyrillic, or one of the few names every language writes the same way.
const sameInEveryLanguage = new Set(['', '—', 'RU', 'EN', 'PostgreSQL', 'SNMP v1', 'SNMP v2c', 'SNMP v3', 'Community']);
const assertRussian = async (what, { title = true } = {}) => {
  const untranslated = await ru.evaluate(() => {
    const own = (el) => [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(' ').trim();
    const out = [];
    for (const el of document.querySelectorAll('h1, h2, h3, button, th, label, label > span, legend, dt, nav a, .stat .label, .hint, p.sub, option, [placeholder]')) {
      if (el.closest('[translate=no]')) continue;
      const text = el.hasAttribute('placeholder') ? el.getAttribute('placeholder') : own(el);
      out.push(text);
    }
    return out;
  });
  // A device page is titled by the device's own name.
  if (title) untranslated.push(await ru.title());
  const english = untranslated.filter((text) => !cyrillic.test(text) && !sameInEveryLanguage.has(text) &&
    /[A-Za-z]{2}/.test(text) && !/^(https?:\/\/|pmk\.|SHA|AES|DES|MD5|\d)/.test(text));
  assert.deepEqual(english, [], `${what}: texts not in Russian`);
  assert.equal(await ru.getAttribute('html', 'lang'), 'ru', `${what}: <html lang>`);
};

const shot = async (name, fullPage = true) => {
  await page.evaluate(() => document.getElementById('flash')?.replaceChildren());
  await page.waitForTimeout(150);  // let bars and fonts settle for the picture
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage });
};
const step = (name) => console.log('step: ' + name);
const api = async (method, url, body) => page.evaluate(async ([m, u, b]) => {
  const s = await (await fetch('/api/auth/state')).json();
  const r = await fetch(u, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token || '' },
    body: b === undefined ? undefined : JSON.stringify(b) });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}, [method, url, body]);
const waitFor = async (what, fn, seconds = 30) => {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await page.waitForTimeout(300);
  }
};

try {
  step('ru: the setup page speaks Russian to a Russian browser, errors too');
  await ru.goto(base + '/devices');
  await ru.waitForURL('**/setup');
  await ru.waitForSelector('h1:has-text("Добро пожаловать")');
  await assertRussian('setup');
  assert.equal(await ru.getAttribute('#lang-switch button[data-lang=ru]', 'aria-pressed'), 'true');
  await ru.fill('input[name=password]', 'коротко');
  await ru.fill('input[name=password_confirm]', 'коротко');
  await ru.click('button[type=submit]');
  await ru.waitForSelector('#form-error:not([hidden])');
  assert.equal(await ru.textContent('#form-error'), 'Пароль должен содержать не менее 10 символов.');
  await ru.fill('input[name=password]', 'другой-пароль-1');
  await ru.click('button[type=submit]');
  await ru.waitForSelector('#form-error:has-text("Пароли не совпадают.")');
  await ru.fill('input[name=password]', '');
  await ru.fill('input[name=password_confirm]', '');
  await ruShot('setup');

  step('unauthenticated pages lead to setup');
  await page.goto(base + '/devices');
  await page.waitForURL('**/setup');
  await shot('setup');

  step('setup refuses a short password');
  await page.fill('input[name=password]', 'short');
  await page.fill('input[name=password_confirm]', 'short');
  await page.click('button[type=submit]');
  await page.waitForSelector('#form-error:not([hidden])');
  assert.match(await page.textContent('#form-error'), /at least 10 characters/i);

  step('setup');
  await page.fill('input[name=password]', password);
  await page.fill('input[name=password_confirm]', password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/devices');
  await page.waitForSelector('text=No devices yet.');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'pm_session');
  assert.ok(session, 'session cookie set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');

  step('add a device by address with its credentials');
  await page.click('#add-device-button');
  await page.fill('#add-device input[name=address]', addresses[0]);
  await page.fill('#add-device input[name=port]', snmpPort);
  await page.fill('#add-device input[name=location]', 'Reception');
  await page.fill('#add-device input[name=community]', 'public');
  await page.click('#add-device button[type=submit]');
  await page.waitForURL(/\/devices\/[0-9a-f-]{36}$/);
  const deviceId = page.url().split('/').pop();
  await waitFor('the first reading', async () => {
    const r = await api('GET', '/api/devices/' + deviceId);
    return r.body.status === 'online' && r.body.counters.total > 0;
  });

  step('bad input on the add form is explained, nothing is added');
  await page.goto(base + '/devices');
  await page.click('#add-device-button');
  await page.fill('#add-device input[name=address]', '10.0.0.0/24');
  await page.click('#add-device button[type=submit]');
  await page.waitForSelector('#add-device .form-error:not([hidden])');
  assert.match(await page.textContent('#add-device .form-error'), /one IPv4 address or host name, not a network or range/);

  step('discovery: ranges, exclusion, port, discover now with progress');
  await page.goto(base + '/discovery');
  await page.fill('#range-form input[name=target]', '10.0.0.0/33');
  await page.click('#range-form button[type=submit]');
  await page.waitForSelector('#range-form .form-error:not([hidden])');
  assert.match(await page.textContent('#range-form .form-error'), /Enter a network .*, a range/);
  await page.fill('#range-form input[name=target]', `${addresses[0]}-${addresses[addresses.length - 1]}`);
  // The range names the seed credential set "public" (its only one).
  await page.check('#range-form input[data-credential-id]');
  await page.click('#range-form button[type=submit]');
  await page.waitForSelector('#range-list');
  assert.match(await page.textContent('#range-list li:nth-child(1) .range-sets-summary'), /sets: public/);
  {
    const r = await api('GET', '/api/discovery');
    assert.equal(r.body.ranges[0].credential_ids.length, 1);
    assert.equal(r.body.ranges[0].credential_ids[0], r.body.credentials[0].credential_id);
  }
  await page.fill('#range-form input[name=target]', '127.0.10.200');
  await page.check('#range-form input[name=exclude]');
  assert.ok(await page.isHidden('#range-form .range-sets'));  // exclusions take no sets
  await page.click('#range-form button[type=submit]');
  await page.waitForSelector('#range-list li:nth-child(2)');
  // Back to the global sets with the inline editor.
  await page.click('#range-list li:nth-child(1) button:has-text("Credential sets…")');
  await page.uncheck('#range-list li:nth-child(1) .range-edit input[data-credential-id]');
  await page.click('#range-list li:nth-child(1) .range-edit button[type=submit]');
  await page.waitForSelector('text=Range updated.');
  await waitFor('the range to use all sets', async () =>
    (await page.textContent('#range-list li:nth-child(1) .range-sets-summary')).includes('all credential sets'), 10);
  // A host name that does not resolve (RFC 2606 .invalid): it cannot be asked, and the page
  // says so after the run.
  await page.fill('#range-form input[name=target]', 'printer-7.invalid');
  await page.uncheck('#range-form input[name=exclude]');
  await page.click('#range-form button[type=submit]');
  await page.waitForSelector('#range-list li:nth-child(3)');
  await page.fill('#schedule-form input[name=discovery_port]', snmpPort);
  await page.selectOption('#schedule-form select[name=discovery_interval_s]', '43200');
  await page.click('#schedule-form button[type=submit]');
  await page.waitForSelector('text=Schedule saved.');
  await page.click('#discover-now');
  await waitFor('discovery to finish', async () => {
    const t = await page.textContent('#discovery-status');
    return t.includes(`${addresses.length} printers found`) && !(await page.isDisabled('#discover-now'));
  }, 60);
  assert.match(await page.textContent('#discovery-status'), /1 host could not be asked \(.*printer-7\.invalid/);
  await shot('discovery');
  await waitFor('all simulated printers listed', async () => {
    const r = await api('GET', '/api/devices');
    return r.body.devices.filter((d) => d.status === 'online').length === addresses.length;
  }, 60);

  step('device list');
  await page.goto(base + '/devices');
  await page.waitForSelector('#device-table');
  assert.equal(await page.locator('#device-table tbody tr').count(), addresses.length);
  await shot('devices');
  await page.setViewportSize({ width: 420, height: 860 });
  await shot('devices-mobile', false);
  await page.setViewportSize({ width: 1360, height: 900 });

  step('a device page shows every supply it reported, waste toner too, in words when there is no level');
  {
    const list = await api('GET', '/api/devices');
    const ricoh = list.body.devices.find((d) => /ricoh/i.test(d.vendor));
    assert.ok(ricoh, 'the simulated Ricoh was discovered');
    // The list shows consumables only: a full waste bottle is no reason to order toner.
    assert.ok(ricoh.supplies.every((s) => !/waste/i.test(s.description)), 'no receptacle in the list summary');
    const lowNoLevel = ricoh.supplies.find((s) => s.level_percent === null);
    assert.ok(lowNoLevel && lowNoLevel.state === 'low', "the summary carries the state of a level the printer gives only as 'almost empty'");
    // The list's "low supplies" figure counts that printer too.
    const lowDevices = list.body.devices.filter((d) => d.supplies.some((s) =>
      (s.level_percent !== null ? s.level_percent <= 10 : s.state === 'low' || s.state === 'empty'))).length;
    assert.ok(lowDevices >= 1);
    await page.goto(base + '/devices');
    await page.waitForSelector('#device-table');
    assert.equal(await page.locator('.stat', { hasText: 'Supplies ≤\u00a010\u00a0%' }).locator('.value').textContent(), String(lowDevices));
    // In the list's narrow column that supply says "low" (red), not "n/a".
    // (The Ricoh's other levels are 20 % and more: its one alarm is that supply.)
    const lowInList = page.locator('#device-table tr', { hasText: 'MP C3004' }).locator('.supply .pct.alarm');
    assert.equal(await lowInList.count(), 1);
    assert.equal(await lowInList.textContent(), 'low');
    const detail = await api('GET', '/api/devices/' + ricoh.device_id);
    const supplies = detail.body.snapshot.supplies;
    const receptacles = supplies.filter((s) => s.class === 'receptacle');
    assert.equal(receptacles.length, 1, 'the recording has one waste toner bottle');
    await page.goto(base + '/devices/' + ricoh.device_id);
    await page.waitForSelector('#device-supplies .supply');
    assert.equal(await page.locator('#device-supplies .supply:not(.tray)').count(), supplies.length);
    // Its paper trays: the bypass says it is fed by hand and its emptiness is no alarm; the
    // empty cassette is one.
    const trays = detail.body.snapshot.trays;
    assert.equal(await page.locator('#device-trays .tray').count(), trays.length);
    const bypass = page.locator('#device-trays .tray[data-tray-type=sheet_feed_manual]');
    assert.equal(await bypass.count(), 1);
    assert.match(await bypass.textContent(), /Bypass Tray · fed by hand/);
    assert.doesNotMatch(await bypass.locator('.pct').getAttribute('class'), /alarm/);
    const emptyCassette = page.locator('#device-trays .tray', { hasText: 'Tray 2' }).locator('.pct');
    assert.equal(await emptyCassette.textContent(), '0\u00a0% · empty');
    assert.match(await emptyCassette.getAttribute('class'), /alarm/);
    const row = page.locator('#device-supplies .supply[data-class=receptacle]');
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('.name').textContent(), receptacles[0].description);
    // Its level is "some remaining" (-3): no percentage, the state in words, never "n/a" or 0 %.
    const english = { ok: 'OK', low: 'Nearly full', empty: 'Full', some_remaining: 'Some left' };
    assert.equal(receptacles[0].level_percent, null);
    assert.equal(await row.locator('.pct').textContent(), english[receptacles[0].state]);
    // A consumable the printer calls low without a level (Ricoh's -100) says so, marked.
    for (const s of supplies.filter((x) => x.class !== 'receptacle' && x.level_percent === null && x.state === 'low')) {
      const cell = page.locator('#device-supplies .supply', { hasText: s.description }).locator('.pct');
      assert.equal(await cell.textContent(), 'Low');
      assert.match(await cell.getAttribute('class'), /alarm/);
    }
    await shot('device-supplies');
    // Its events say what happened: an empty tray by name, never a raw kind and code.
    const history = await api('GET', `/api/devices/${ricoh.device_id}/history`);
    const tray = history.body.events.find((e) => e.kind === 'tray');
    assert.ok(tray, 'the simulated Ricoh reports an empty tray');
    const said = 'Tray empty: ' + (tray.detail || tray.code.replace(/:empty$/, ''));
    await waitFor('the empty tray in the events', async () => (await page.textContent('body')).includes(said));
    assert.doesNotMatch(await page.textContent('body'), /\b(tray|alert|cover): /);
  }

  step('local alerts: the page lists what GET /api/alerts finds, a threshold of 100 % shows every supply');
  await page.goto(base + '/alerts');
  await page.waitForSelector('#alerts-table, #alerts-empty');
  const local = await api('GET', '/api/alerts');
  assert.equal(await page.locator('#alerts-table tbody tr').count(), local.body.alerts.length);
  // The Ricoh's cyan toner is "almost empty" (-100): low without a percentage, a warning.
  assert.ok(local.body.alerts.some((a) => a.kind === 'supply_low' && a.code === 'toner/cyan' && a.state === 'low' &&
    a.level_percent === null && a.severity === 'warning'));
  assert.ok((await page.locator('#alerts-table tbody tr', { hasText: 'Cyan · Toner: low' }).count()) >= 1);
  await page.selectOption('#alerts-threshold', '100');
  await page.waitForSelector('#alerts-table');
  const all = await api('GET', '/api/alerts?supply_percent=100');
  assert.ok(all.body.alerts.some((a) => a.kind === 'supply_low'), 'printers with supplies at or below 100 %');
  assert.equal(await page.locator('#alerts-table tbody tr.alert-row').count(), all.body.alerts.length);
  assert.match(page.url(), /supply_percent=100/);
  const linked = await page.locator('#alerts-table tbody tr a').first().getAttribute('href');
  assert.match(linked, /^\/devices\/[0-9a-f-]{36}$/);
  await shot('alerts');

  step('change interval and location on the device page');
  await page.goto(base + '/devices/' + deviceId);
  await page.click('#poll-now');
  await page.waitForSelector('text=Poll requested');
  await page.fill('#device-settings input[name=location]', 'Finance, 3rd floor');
  await page.selectOption('#device-settings select[name=interval_s]', '900');
  await page.click('#device-settings button[type=submit]');
  await page.waitForSelector('.page-head .sub:has-text("Finance, 3rd floor")');
  const edited = await api('GET', '/api/devices/' + deviceId);
  assert.equal(edited.body.location, 'Finance, 3rd floor');
  assert.equal(edited.body.interval_s, 900);
  await page.waitForSelector('text=every 15 min');
  await waitFor('a second reading for the chart', async () => {
    const h = await api('GET', `/api/devices/${deviceId}/history`);
    return h.body.readings.length >= 2;
  });
  await page.reload();
  await page.waitForSelector('svg.chart');
  await shot('device');

  step('support capture: record the device for support, download the redacted walk');
  await page.click('#capture-start');
  await page.waitForSelector('#capture-download:not([hidden])', { timeout: 60000 });
  assert.match(await page.textContent('#capture-status'), /^Recorded \d+ values/);
  const capture = await api('GET', '/api/devices/' + deviceId + '/capture');
  assert.equal(capture.body.state, 'done');
  const [walk] = await Promise.all([page.waitForEvent('download'), page.click('#capture-download')]);
  assert.match(walk.suggestedFilename(), /^printmon-capture-127\.0\.10\.\d+-\d{4}-\d{2}-\d{2}\.snmprec$/);
  const walked = fs.readFileSync(await walk.path(), 'utf8').trim().split('\n');
  assert.equal(walked.length, capture.body.values);
  assert.ok(walked.every((l) => /^[0-9.]+\|[0-9]+x?\|/.test(l)), 'every line is OID|TAG|VALUE');
  assert.ok(walked.some((l) => l.startsWith('1.3.6.1.2.1.43.5.1.1.17.1|') && l.includes(edited.body.serial)),
    'the capture holds the serial the device page shows');

  step('export the unsent readings as the v1 batch file, and as CSV');
  await page.goto(base + '/export');
  let [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.format, 'printmon-export');
  assert.equal(exported.version, 1);
  assert.ok(exported.batches.length >= 1);
  const readings = exported.batches.flatMap((b) => b.readings);
  assert.ok(readings.length >= addresses.length, 'every device has a reading');
  assert.ok(exported.batches[0].devices.some((d) => d.location === 'Finance, 3rd floor'));
  assert.equal(exported.batches[0].schema_version, 1);
  await page.check('input[name=format][value=csv]');
  [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^reading_id,device_id,polled_at/);
  assert.ok(csv.includes('Finance, 3rd floor'));
  await page.check('input[name=format][value=json]');
  await shot('export');
  await page.check('input[name=scope][value=range]');
  await page.fill('input[name=from]', '2024-02-01');
  await page.fill('input[name=to]', '2024-01-01');
  await page.click('#download');
  await page.waitForSelector('#export-form .form-error:not([hidden])');
  assert.match(await page.textContent('#export-form .form-error'), /before/i);

  step('enrol: a malformed key is refused, then the fake cloud accepts');
  await page.goto(base + '/cloud');
  await page.fill('#enrol-form input[name=cloud_url]', cloudUrl);
  await page.fill('#enrol-form input[name=scanner_key]', 'not-a-key');
  await page.click('#enrol-form button[type=submit]');
  await page.waitForSelector('#enrol-form .form-error:not([hidden])');
  assert.match(await page.textContent('#enrol-form .form-error'), /not a scanner key/i);
  await page.fill('#enrol-form input[name=scanner_key]', key);
  await page.click('#enrol-form button[type=submit]');
  await page.waitForSelector('#deactivate');
  assert.match(await page.textContent('#upload-status'), /pmk\.0b8e7f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b\.c2Vj/);
  assert.ok(!(await page.content()).includes(key), 'the full key is never shown');
  await shot('cloud');

  step('deactivate key: revoked in the cloud, removed here');
  await page.click('#deactivate');
  await page.waitForSelector('text=not enrolled');
  assert.deepEqual(revokes, ['Bearer ' + key]);
  assert.equal((await api('GET', '/api/cloud')).body.enrolled, false);

  step('deactivate with the cloud unreachable: error, then forget locally');
  const closed = await new Promise((resolve) => {
    const s = https.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  await page.fill('#enrol-form input[name=cloud_url]', `https://127.0.0.1:${closed}`);
  await page.fill('#enrol-form input[name=scanner_key]', key);
  await page.uncheck('#enrol-form input[name=test]');
  await page.click('#enrol-form button[type=submit]');
  await page.waitForSelector('#deactivate');
  await page.click('#deactivate');
  await page.waitForSelector('#forget-key');
  assert.match(await page.textContent('#deactivate-box'), /cannot reach the cloud/i);
  await page.click('#forget-key');
  await page.waitForSelector('text=not enrolled');
  assert.equal(revokes.length, 1);

  step('system page, password change errors');
  await page.goto(base + '/system');
  await page.waitForSelector('#scanner-status');
  assert.match(await page.textContent('#scanner-status'), /Healthy/);
  await page.fill('#password-form input[name=current_password]', 'wrong-password');
  await page.fill('#password-form input[name=new_password]', 'another-password-1');
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('#password-form .form-error:not([hidden])');
  assert.match(await page.textContent('#password-form .form-error'), /current password is wrong/i);
  // The change log: what this session did, by whom; one action at a time.
  await page.waitForSelector('#audit-table');
  const changes = await page.textContent('#audit-table');
  assert.match(changes, /Added a device/);
  assert.match(changes, /Exported data/);
  assert.match(changes, /Deactivated the cloud key/);
  assert.ok(!changes.includes(password), 'never a password');
  await page.selectOption('#audit-action', 'device_added');
  await page.waitForFunction(() => [...document.querySelectorAll('.audit-row')].every((r) => r.dataset.action === 'device_added'));
  await page.selectOption('#audit-action', '');
  await page.waitForFunction(() => new Set([...document.querySelectorAll('.audit-row')].map((r) => r.dataset.action)).size > 1);
  await shot('system');

  step('logout, wrong password, login');
  await page.click('#logout');
  await page.waitForURL('**/login');
  assert.equal((await page.request.get(base + '/api/devices')).status(), 401);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#form-error:not([hidden])');
  assert.match(await page.textContent('#form-error'), /Wrong user name or password/);
  await shot('login');
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/devices');

  step('after sign-in, "next" only leads to paths of this server');
  // Chromium drops tabs and newlines inside URLs and reads "\" as "/": each of these once
  // sent a signed-in user to another host. The foreign host is a closed loopback port.
  const origin = new URL(base).origin;
  for (const next of ['/%09/127.0.0.9:9/x', '/%0A/127.0.0.9:9/x', '/%0D%0A/127.0.0.9:9/x',
    '//127.0.0.9:9/x', '/%5C127.0.0.9:9/x', '/%5C%5C127.0.0.9:9/x', '/%2F127.0.0.9:9/x',
    'http://127.0.0.9:9/x', '%2F%09%2F127.0.0.9:9/x']) {
    await page.goto(base + '/login?next=' + next);
    await page.waitForURL((u) => u.origin !== origin || u.pathname !== '/login', { timeout: 10000 });
    assert.equal(new URL(page.url()).origin, origin, 'next=' + next + ' left the server: ' + page.url());
    assert.equal(new URL(page.url()).pathname, '/devices', 'next=' + next);
  }
  await page.goto(base + '/login?next=' + encodeURIComponent('/system?tab=1'));
  await page.waitForURL((u) => u.pathname === '/system');
  assert.equal(new URL(page.url()).search, '?tab=1');

  step('ru: sign-in page in Russian, a wrong password explained in Russian');
  await ru.goto(base + '/login');
  await ru.waitForSelector('h1:has-text("Вход")');
  await assertRussian('login');
  await ru.fill('input[name=password]', 'не-тот-пароль');
  await ru.click('button[type=submit]');
  await ru.waitForSelector('#form-error:not([hidden])');
  assert.equal(await ru.textContent('#form-error'), 'Неверное имя пользователя или пароль.');
  await ruShot('login');
  await ru.fill('input[name=password]', password);
  await ru.click('button[type=submit]');
  await ru.waitForURL('**/devices');

  step('ru: device list in Russian, numbers in the Russian format, bad input explained');
  await ru.waitForSelector('#device-table');
  assert.equal(await ru.textContent('.page-head h1'), 'Устройства');
  await assertRussian('devices');
  const listed = (await api('GET', '/api/devices')).body.devices.find((d) => d.device_id === deviceId);
  const total = new Intl.NumberFormat('ru-RU').format(listed.counters.total);
  assert.ok((await ru.textContent(`tr[data-id="${deviceId}"] .c-total`)).startsWith(total), `total shown as ${total}`);
  await ruShot('devices');
  await ru.click('#add-device-button');
  await ru.fill('#add-device input[name=address]', '10.0.0.0/24');
  await ru.click('#add-device button[type=submit]');
  await ru.waitForSelector('#add-device .form-error:not([hidden])');
  assert.equal(await ru.textContent('#add-device .form-error'),
    'Укажите один IPv4-адрес или имя хоста, а не сеть или диапазон.');

  step('ru: a 100-letter Cyrillic location saves and shows; 201 letters are refused in Russian');
  const longLocation = 'Бухгалтерия и отдел кадров, третий этаж, кабинет 312, у окна рядом с большой переговорной «Волга-12»';
  assert.equal([...longLocation].length, 100);
  await ru.goto(base + '/devices/' + deviceId);
  await ru.waitForSelector('#device-settings');
  await ru.fill('#device-settings input[name=location]', longLocation);
  await ru.click('#device-settings button[type=submit]');
  await ru.waitForFunction((loc) => document.querySelector('.page-head .sub')?.textContent === loc, longLocation);
  assert.equal((await api('GET', '/api/devices/' + deviceId)).body.location, longLocation);
  assert.equal(await ru.inputValue('#device-settings input[name=location]'), longLocation);
  assert.equal(await ru.textContent('#device-polling'), 'каждые 15 минут');
  // Dates as Russians write them: "5 мая 2025 г., 14:03".
  assert.match(await ru.textContent('.card.flush table tbody tr td'), /^\d{1,2} [а-яё]+\.? \d{4} г\., \d{1,2}:\d{2}$/);
  await assertRussian('device', { title: false });
  await ruShot('device');
  // The field stops at 200 characters; without that limit the scanner refuses, in Russian.
  await ru.evaluate(() => document.querySelector('#device-settings input[name=location]').removeAttribute('maxlength'));
  await ru.fill('#device-settings input[name=location]', 'Ж'.repeat(201));
  await ru.click('#device-settings button[type=submit]');
  await ru.waitForSelector('#device-settings .form-error:not([hidden])');
  assert.equal(await ru.textContent('#device-settings .form-error'), 'Расположение: не более 200 символов.');
  assert.equal((await api('GET', '/api/devices/' + deviceId)).body.location, longLocation);

  step('ru: a device page names supply states in Russian, a waste bottle too');
  {
    const ricoh = (await api('GET', '/api/devices')).body.devices.find((d) => /ricoh/i.test(d.vendor));
    await ru.goto(base + '/devices/' + ricoh.device_id);
    await ru.waitForSelector('#device-supplies .supply[data-class=receptacle]');
    assert.equal(await ru.textContent('#device-supplies .supply[data-class=receptacle] .pct'), 'Есть остаток');
    assert.ok((await ru.locator('#device-supplies .pct', { hasText: 'Заканчивается' }).count()) >= 1, "Ricoh's almost-empty toner");
    assert.match(await ru.textContent('#device-trays .tray[data-tray-type=sheet_feed_manual]'), /ручная подача/);
    await assertRussian('device supplies', { title: false });
    await ruShot('device-supplies');
  }

  step('an old printer answering SNMPv1 only: added by address, polled over v1, the page says why');
  {
    // No credential set named: the sets are tried in order, then the v2c ones over SNMPv1.
    const added = await api('POST', '/api/devices', { address: '127.0.0.1', port: Number(process.env.V1ONLY_PORT) });
    assert.equal(added.status, 201);
    const id = added.body.device_id;
    await waitFor('the SNMPv1-only printer to answer', async () => {
      const r = await api('GET', '/api/devices/' + id);
      return r.body.status === 'online' && r.body.counters.total === 48213;
    }, 60);
    assert.equal((await api('GET', '/api/devices/' + id)).body.snmp_version, '1');
    await page.goto(base + '/devices/' + id);
    await page.waitForSelector('#device-snmp-v1');
    assert.match(await page.textContent('#device-snmp-v1'), /^SNMPv1: the printer does not answer SNMPv2c/);
    await ru.goto(base + '/devices/' + id);
    await ru.waitForSelector('#device-snmp-v1');
    assert.match(await ru.textContent('#device-snmp-v1'), /^SNMPv1: принтер не отвечает по SNMPv2c/);
    await assertRussian('SNMPv1-only device', { title: false });
    await ruShot('device-snmp-v1', false);
    // A printer that answers v2c shows no such line.
    await page.goto(base + '/devices/' + deviceId);
    await page.waitForSelector('#device-polling');
    assert.equal(await page.locator('#device-snmp-v1').count(), 0);
    assert.equal((await api('DELETE', '/api/devices/' + id)).status, 204);
  }

  step('ru: discovery, export, cloud and system pages in Russian');
  await ru.goto(base + '/discovery');
  await ru.waitForSelector('#range-list');
  assert.match(await ru.textContent('#discovery-status'), new RegExp(`^Последний поиск: проверено? \\d+ адрес(а|ов)?, найден[оа]? ${addresses.length} принтер`));
  assert.match(await ru.textContent('#discovery-status'), /Не удалось опросить 1 адрес \(/);
  await ru.fill('#range-form input[name=target]', '10.0.0.0/33');
  await ru.click('#range-form button[type=submit]');
  await ru.waitForSelector('#range-form .form-error:not([hidden])');
  assert.match(await ru.textContent('#range-form .form-error'), /^Укажите сеть \(10\.0\.0\.0\/24\), диапазон/);
  await ru.fill('#range-form input[name=target]', '');
  await assertRussian('discovery');
  await ruShot('discovery');
  await ru.goto(base + '/export');
  await ru.waitForSelector('#export-form');
  await ru.check('input[name=scope][value=range]');
  await ru.fill('input[name=from]', '2024-02-01');
  await ru.fill('input[name=to]', '2024-01-01');
  await ru.click('#download');
  await ru.waitForSelector('#export-form .form-error:not([hidden])');
  assert.equal(await ru.textContent('#export-form .form-error'), 'Дата окончания раньше даты начала.');
  await ru.check('input[name=scope][value=unsent]');
  await assertRussian('export');
  await ruShot('export');
  await ru.goto(base + '/cloud');
  await ru.waitForSelector('#enrol-form');
  assert.equal(await ru.textContent('#not-enrolled'), 'не подключён');
  await ru.fill('#enrol-form input[name=cloud_url]', cloudUrl);
  await ru.fill('#enrol-form input[name=scanner_key]', 'not-a-key');
  await ru.click('#enrol-form button[type=submit]');
  await ru.waitForSelector('#enrol-form .form-error:not([hidden])');
  assert.match(await ru.textContent('#enrol-form .form-error'), /^Это не ключ сканера/);
  await ru.fill('#enrol-form input[name=scanner_key]', '');
  await assertRussian('cloud');
  await ruShot('cloud');
  await ru.goto(base + '/system');
  await ru.waitForSelector('#scanner-status');
  assert.equal(await ru.textContent('#db-healthy'), 'Исправна');
  await ru.waitForSelector('#audit-table');
  assert.match(await ru.textContent('#audit-card'), /Журнал изменений[\s\S]*Добавлено устройство/);
  await assertRussian('system');
  await ruShot('system');
  await ru.goto(base + '/alerts?supply_percent=100');
  await ru.waitForSelector('#alerts-table');
  assert.match(await ru.textContent('#alerts-summary'), cyrillic);
  await assertRussian('alerts');
  await ruShot('alerts');
  await ru.goto(base + '/system');  // the language step below starts from the system page
  await ru.waitForSelector('#scanner-status');

  step('ru: the switch to English sticks across a reload and on the sign-in page, and back');
  await ru.click('#lang-switch button[data-lang=en]');
  await ru.waitForSelector('.page-head h1:has-text("System")');
  assert.equal(await ru.getAttribute('html', 'lang'), 'en');
  await ru.reload();
  await ru.waitForSelector('.page-head h1:has-text("System")');
  assert.equal(await ru.textContent('nav a[data-nav=devices]'), 'Devices');
  assert.equal(await ru.getAttribute('#lang-switch button[data-lang=en]', 'aria-pressed'), 'true');
  await ru.click('#logout');
  await ru.waitForURL('**/login');
  await ru.waitForSelector('h1:has-text("Sign in")');
  await ru.click('#lang-switch button[data-lang=ru]');
  await ru.waitForSelector('h1:has-text("Вход")');
  await ru.reload();
  await ru.waitForSelector('h1:has-text("Вход")');
  await assertRussian('login after switching back');

  step('unauthenticated API and page requests are refused');
  const anon = await request.newContext();
  const r1 = await anon.get(base + '/api/devices');
  assert.equal(r1.status(), 401);
  const r2 = await anon.get(base + '/discovery', { maxRedirects: 0 });
  assert.equal(r2.status(), 303);
  assert.match(r2.headers().location, /^\/login/);
  const r3 = await anon.post(base + '/api/auth/login', { data: 'x'.repeat(10000), headers: { 'Content-Type': 'application/json' } });
  assert.equal(r3.status(), 413);
  await anon.dispose();

  assert.deepEqual(consoleProblems, [], 'no script errors or CSP violations');
  console.log('browser test: all steps passed');
} finally {
  await context.close();
  await ruBrowser.close();
  cloud.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
