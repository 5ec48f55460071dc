// Drives the cloud console in headless chromium (Debian's, through playwright-core) against the
// real pipeline started by tests/browser/console_run: sign in, the fleet with filters, search,
// sort and exports, a device page, page volume and meter reads, adding a scanner and enrolling
// a real branch scanner with its key (pasted into that scanner's own web UI), importing an
// offline branch's export file (preview, apply, re-import), users and tokens, settings, bad
// input refused in the user's language, alert rules (a bad threshold refused, a good one saved),
// channels with a test message, alerts acknowledged and filtered, the delivery log, trial expiry, both languages, desktop and phone
// screenshots of every page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchTrusted, settle as settlePage, shooter } from './chromium.mjs';

const base = process.env.CONSOLE_URL;
const email = process.env.CONSOLE_EMAIL;
const password = process.env.CONSOLE_PASSWORD;
const conninfo = process.env.CLOUD_CONNINFO;
const cloudCli = process.env.CLOUD_CLI.split(' ');
const caFile = process.env.CA_FILE;
const branchUi = process.env.BRANCH2_UI;
const offlineFile = process.env.OFFLINE_FILE;
const shots = process.env.PRINTMON_SCREENSHOTS;
fs.mkdirSync(shots, { recursive: true });

const sql = (q) => execFileSync('psql', [conninfo, '-Atq', '-v', 'ON_ERROR_STOP=1', '-c', q]).toString().trim();
const cli = (...args) => execFileSync(cloudCli[0], [...cloudCli.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const step = (name) => console.log('step: ' + name);
const tid = (id) => `[data-testid="${id}"]`;
const cyrillic = /[\u0400-\u04FF]/;

const { context, page, close } = await launchTrusted({
  caFile,
  profilePrefix: 'printmon-console-chromium-',
  viewport: { width: 1360, height: 900 },
  acceptDownloads: true,
});
page.setDefaultTimeout(20000);
const problems = [];
page.on('console', (m) => {
  // Refused requests log "Failed to load resource": expected in the bad-input and 402 steps.
  if (m.type() === 'error' && !m.text().includes('Failed to load resource')) problems.push(m.text());
});
page.on('pageerror', (e) => problems.push(String(e)));
page.on('dialog', (d) => d.accept());

const waitFor = async (what, fn, seconds = 60) => {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await page.waitForTimeout(500);
  }
};
const settle = () => settlePage(page);
const go = async (hash) => {
  await page.goto(base + '/' + hash);
  await settle();
};
// One screenshot per page, language and width (desktop 1360 wide, phone 390).
const shoot = shooter(page, shots);
const text = async (sel) => (await page.textContent(sel)) || '';
const rows = async (sel) => page.locator(sel).count();
const download = async (sel) => {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(sel)]);
  const file = await d.path();
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(file) };
};

try {
  step('the console is served with a strict CSP; unauthenticated it shows sign-in (Russian)');
  const first = await page.goto(base + '/');
  assert.equal(first.status(), 200);
  assert.match(first.headers()['content-security-policy'], /script-src 'self'/);
  await page.waitForSelector(tid('login-form'));
  assert.match(await text('body'), cyrillic, 'a Russian browser gets the Russian console');
  await shoot('login', 'ru');

  step('a wrong password is refused in Russian');
  await page.fill(tid('login-email'), email);
  await page.fill(tid('login-password'), 'not-the-password');
  await page.click(tid('login-submit'));
  await page.waitForSelector(`${tid('login-error')}:not([hidden])`);
  assert.match(await text(tid('login-error')), cyrillic);

  step('sign in with e-mail and password only');
  await page.fill(tid('login-password'), password);
  await page.click(tid('login-submit'));
  await page.waitForSelector(tid('fleet-table'));
  const cookie = (await context.cookies()).find((c) => c.name === 'pm_console');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.secure);

  step('fleet: four printers of the pipeline, counters, trial badge');
  await waitFor('four devices in the fleet table', async () => (await rows(tid('fleet-row'))) >= 4);
  // The tiles come from their own request (/fleet/summary), which may answer after the rows.
  await waitFor('the devices tile', async () => /4/.test(await text(tid('tile-devices'))), 30);
  assert.match(await text(tid('trial-banner')), /\d/);
  await shoot('fleet', 'ru');
  // At 1360 px every column fits in Russian too (its longer headers once pushed the last one
  // off the right edge): the table does not scroll sideways.
  const over = await page.locator(tid('fleet-table')).evaluate((t) => t.parentElement.scrollWidth - t.parentElement.clientWidth);
  assert.ok(over <= 1, `the Russian fleet table fits at 1360 px: ${over} px too wide`);

  step('fleet: a supply the printer calls low without a level is shown and counted');
  // The pipeline's HP and Ricoh recordings report cyan as "some remaining" with a low alert.
  const listed = JSON.parse(await page.evaluate(async () =>
    JSON.stringify(await (await fetch('/api/v1/devices?limit=100')).json())));
  const claimed = listed.items.filter((d) => d.supply_claim === 'low');
  assert.ok(claimed.length >= 1, 'a printer that calls a toner low without a level');
  assert.equal(await rows(tid('supply-claim')), claimed.length);
  assert.match(await page.locator(tid('supply-claim')).first().textContent(), cyrillic);
  const lowTile = Number((await text(tid('tile-low'))).replace(/\D+/g, ''));
  assert.ok(lowTile >= claimed.length, `the "supplies low" tile counts them: ${lowTile}`);

  step('fleet: search by serial, filter by vendor, sort');
  const firstRow = page.locator(tid('fleet-row')).first();
  const deviceId = await firstRow.getAttribute('data-device-id');
  const device = JSON.parse(await page.evaluate(async (id) =>
    JSON.stringify(await (await fetch('/api/v1/devices/' + id)).json()), deviceId));
  await page.fill(tid('fleet-search'), device.serial);
  await waitFor('one row for the serial', async () => (await rows(tid('fleet-row'))) === 1);
  await page.fill(tid('fleet-search'), '');
  await waitFor('all rows again', async () => (await rows(tid('fleet-row'))) >= 4);
  await page.selectOption(tid('filter-vendor'), { label: device.vendor });
  await waitFor('vendor filter applied', async () => {
    const n = await rows(tid('fleet-row'));
    return n >= 1 && n < 4 && (await text(tid('fleet-table'))).includes(device.vendor);
  });
  assert.match(page.url(), /vendor=/, 'filters are kept in the address');
  await page.click(tid('filter-reset'));
  await waitFor('filters reset', async () => (await rows(tid('fleet-row'))) >= 4);
  await page.click(tid('sort-model'));
  await settle();
  const models = await page.locator(`${tid('fleet-row')}`).evaluateAll((trs) => trs.map((tr) => tr.textContent));
  assert.ok(models.length >= 4);

  step('fleet exports: CSV for a Russian Excel and XLSX');
  const csv = await download(tid('export-csv'));
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  assert.match(csv.bytes.toString('utf8').split('\n')[0], /;/, 'semicolon separated');
  assert.match(csv.name, /\.csv$/);
  const xlsx = await download(tid('export-xlsx'));
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK', 'an .xlsx is a zip');
  assert.match(xlsx.name, /\.xlsx$/);

  step('device page: identity, counters, supplies, page chart, readings');
  await go('#/devices/' + deviceId);
  await page.waitForSelector(tid('device-identity'));
  assert.ok((await text(tid('device-identity'))).includes(device.serial));
  // The scanner that saw it by the name its admin gave it (scripts/lib/pipeline.sh), its id on
  // hover; the readings table names it too.
  assert.strictEqual(device.scanner_name, 'Demo branch');
  assert.ok((await text(tid('device-identity'))).includes('Demo branch'));
  assert.ok(!(await text(tid('device-identity'))).includes(device.scanner_id));
  assert.strictEqual(await page.getAttribute(`${tid('device-identity')} span[title="${device.scanner_id}"]`, 'title'), device.scanner_id);
  await page.waitForSelector(tid('device-counters'));
  await page.waitForSelector(`${tid('chart-pages')}`);
  await page.waitForSelector(tid('device-readings'));
  await waitFor('the readings table', async () => (await text(tid('device-readings'))).includes('Demo branch'));
  await page.click(tid('period-week'));
  await settle();
  await shoot('device', 'ru');

  step('device page: events read as what happened, in the user\'s language');
  // Every fleet device's events as the API gives them; the page's table names each one's kind
  // (an empty tray, an open cover, a status), never the device's bare name or the raw code.
  const eventsOf = async (id) => JSON.parse(await page.evaluate(async (d) =>
    JSON.stringify(await (await fetch('/api/v1/events?limit=20&device=' + d)).json()), id)).items;
  let trayEvent = null;
  for (const d of listed.items) {
    const tray = (await eventsOf(d.device_id)).find((e) => e.kind === 'tray');
    if (tray) { trayEvent = { device: d.device_id, name: tray.detail || tray.code.replace(/:empty$/, '') }; break; }
  }
  assert.ok(trayEvent, 'the pipeline has a printer with an empty tray');
  await go('#/devices/' + trayEvent.device);
  await waitFor('the device\'s events', async () => (await rows(`${tid('device-events')} tbody tr`)) >= 1);
  const eventsText = await text(tid('device-events'));
  assert.ok(eventsText.includes('Пустой лоток: ' + trayEvent.name), eventsText);
  assert.doesNotMatch(eventsText, /\b(tray|cover|device_status): /, eventsText);

  step('device page: a reading whose printer calls a supply low without a level says so');
  // The readings table's supply column is the fleet's: the printer's word, not a bare dash.
  await go('#/devices/' + claimed[0].device_id);
  await waitFor('the readings table', async () => (await rows(`${tid('device-readings')} tbody tr`)) >= 1);
  await waitFor('a claim in the readings', async () => (await rows(`${tid('device-readings')} ${tid('supply-claim')}`)) >= 1);
  assert.match(await page.locator(`${tid('device-readings')} ${tid('supply-claim')}`).first().textContent(), cyrillic);

  step('device page: the pages a drum has left, by the printer\'s own count');
  const brother = listed.items.find((d) => d.vendor === 'Brother');
  assert.ok(brother, 'the pipeline has a Brother printer');
  await go('#/devices/' + brother.device_id);
  await page.waitForSelector(tid('supply-pages'));
  const pagesLeft = await text(tid('supply-pages'));
  assert.match(pagesLeft, /10\D?800/, `the drum's 10800 pages: ${pagesLeft}`);
  assert.match(pagesLeft, cyrillic);

  step('device page: hrPrinterStatus "other" is read with the device status');
  // Running and "other" is standby; down and "other" is not ready; alone it stays "other".
  assert.deepEqual(await page.evaluate(() => [printerState('other', 'running'), printerState('other', 'down'),
    printerState('other', 'warning'), printerState('idle', 'running')]),
  ['Режим ожидания (энергосбережение)', 'Не готов к печати', 'Другое', 'Ожидание']);

  step('device page: an empty tray fed by hand is said to be so, without alarm or event');
  const kyocera = listed.items.find((d) => d.vendor === 'Kyocera');
  assert.ok(kyocera, 'the pipeline has a Kyocera printer (its "MP Tray" is empty)');
  await go('#/devices/' + kyocera.device_id);
  await page.waitForSelector(tid('tray-by-hand'));
  const byHand = page.locator('ul.supplies li', { has: page.locator(tid('tray-by-hand')) });
  assert.equal(await byHand.count(), 1);
  const byHandText = await byHand.textContent();
  assert.ok(byHandText.includes('MP Tray') && byHandText.includes('ручная подача'), byHandText);
  assert.equal(await byHand.locator('.badge.bad').count(), 0, 'no red badge for a bypass tray');
  assert.equal(await byHand.locator('.badge.off').count(), 1, byHandText);
  assert.ok(!(await eventsOf(kyocera.device_id)).some((e) => e.kind === 'tray'), 'no tray event');

  step('supplies: every consumable lowest first with its forecast; filters; export with the forecast');
  await page.click(tid('nav-supplies'));
  await page.waitForSelector(tid('supplies-table'));
  const levels = async () => page.locator(tid('supplies-row')).evaluateAll((trs) => trs.map((tr) => tr.dataset.level));
  const all = await levels();
  assert.ok(all.length >= 10, `the pipeline's printers have at least 10 supplies: ${all.length}`);
  // Lowest first; a supply the printer calls low without a number (HP's and Ricoh's cyan) counts
  // as 1 %, so it comes before the real levels above it; the rest without a level last.
  const keys = await page.locator(tid('supplies-row')).evaluateAll((trs) => trs.map((tr) =>
    (tr.dataset.level !== '' ? Number(tr.dataset.level) : tr.dataset.state === 'empty' ? 0 : tr.dataset.state === 'low' ? 1 : null)));
  const known = keys.filter((k) => k != null);
  assert.deepEqual(known, [...known].sort((a, b) => a - b), 'lowest first: ' + JSON.stringify(keys));
  assert.ok(keys.indexOf(null) === -1 || keys.slice(keys.indexOf(null)).every((k) => k == null), 'no number, no claim: last');
  assert.equal((await page.locator(tid('supplies-row')).first().getAttribute('data-state')), 'low', 'a toner the printer calls low comes first');
  // The levels come first, the forecasts after them (each reads the device's history).
  await waitFor('the forecasts filled in', async () => (await rows(tid('supply-days'))) >= 1 &&
    (await rows(`${tid('supplies-table')} [aria-busy="true"]`)) === 0);
  assert.match(await text(tid('supplies-table')), cyrillic);
  // The Brother drum's own count of the pages it has left, under its forecast.
  const listedPages = `${tid('supplies-table')} ${tid('supply-pages')}`;
  await waitFor('the drum\'s pages left on its row', async () => (await rows(listedPages)) >= 1);
  assert.match(await text(listedPages), /10\D?800/, 'the drum\'s 10800 pages on the Supplies page');
  await shoot('supplies', 'ru');
  await page.selectOption(tid('supplies-below'), '20');
  await waitFor('the "below 20 %" filter', async () => page.url().includes('below=20'));
  await page.waitForSelector(tid('supplies-table'));
  await settle();
  const low = await levels();
  assert.ok(low.length >= 1 && low.length < all.length, `fewer supplies below 20 %: ${low.length} of ${all.length}`);
  // Below 20 %, or without a level where the printer itself says low or empty.
  assert.ok(low.every((l) => l === '' || Number(l) < 20), JSON.stringify(low));
  assert.ok(low.includes(''), 'the printer\'s own "low" is below 20 %');
  await page.selectOption(tid('supplies-type'), 'toner');
  await waitFor('the kind filter', async () => page.url().includes('type=toner'));
  await settle();
  const kinds = await page.locator(tid('supplies-row')).evaluateAll((trs) => trs.map((tr) => tr.dataset.type));
  assert.ok(kinds.length >= 1 && kinds.every((k) => k === 'toner'), JSON.stringify(kinds));
  const supplyCsv = await download(tid('supplies-export-csv'));
  const header = supplyCsv.bytes.toString('utf8').split('\r\n')[0];
  assert.match(header, /Дней до окончания/, 'the export carries the forecast, with Russian titles');
  assert.match(header, /Осталось страниц/, 'and the pages a unit has left');
  await page.click(tid('supplies-reset'));
  await waitFor('filters reset', async () => !page.url().includes('below='));

  step('alert rules: a bad threshold is refused with the field named, a good one is saved');
  await go('#/rules');
  await page.waitForSelector(tid('rules-table'));
  assert.ok((await rows(tid('rule-row'))) >= 5, 'the five default rules');
  // The default rules are stored with English names; the Russian console says them in Russian.
  const ruCatalogue = JSON.parse(fs.readFileSync(new URL('../../cloud-api/web/i18n-ru.json', import.meta.url)));
  const seededRu = {
    'Supply at or below 10 %': ruCatalogue.rule_seed_supply_low, 'Device error for 15 minutes': ruCatalogue.rule_seed_device_error,
    'Device not polled for 24 hours': ruCatalogue.rule_seed_device_silent, 'Scanner not uploading for 4 hours': ruCatalogue.rule_seed_scanner_silent,
    'Page counter anomaly': ruCatalogue.rule_seed_counter_anomaly,
  };
  {
    const rulesText = await text(tid('rules-table'));
    for (const [english, russian] of Object.entries(seededRu)) {
      assert.ok(russian && rulesText.includes(russian) && !rulesText.includes(english), `${english} in Russian: ${rulesText}`);
    }
  }
  await page.click(tid('add-rule'));
  await page.fill(tid('rule-name'), 'Тонер на исходе (тест)');
  await page.selectOption(tid('rule-kind'), 'supply_low');
  await page.fill(tid('rule-threshold'), '150');
  await page.click(tid('rule-save'));
  await page.waitForSelector('.field-error:not([hidden])');
  const thresholdError = await text(`${tid('dialog')} .field-error:not([hidden])`);
  assert.match(thresholdError, /100/, 'the API\'s 400 names the range');
  assert.match(thresholdError, cyrillic, 'in Russian');
  assert.equal(sql(`SELECT count(*) FROM alert_rules WHERE name = 'Тонер на исходе (тест)'`), '0');
  // A threshold every supply meets: the evaluation after a rule change opens alerts at once.
  await page.fill(tid('rule-threshold'), '100');
  await page.fill(tid('rule-vendor'), device.vendor);
  // The forecast condition: shown for supply rules only, saved with the rule.
  assert.ok(await page.isVisible(tid('rule-forecast-days')), 'the forecast field of a supply rule');
  await page.selectOption(tid('rule-kind'), 'device_error');
  assert.ok(!(await page.isVisible(tid('rule-forecast-days'))), 'no forecast field for device errors');
  await page.selectOption(tid('rule-kind'), 'supply_low');
  await page.fill(tid('rule-forecast-days'), '7');
  await page.click(tid('rule-save'));
  await waitFor('the new rule listed', async () => (await text(tid('rules-table'))).includes('Тонер на исходе (тест)'));
  assert.equal(sql(`SELECT threshold || ' ' || vendor || ' ' || forecast_days FROM alert_rules WHERE name = 'Тонер на исходе (тест)'`), '100 ' + device.vendor + ' 7');
  await shoot('rules', 'ru');

  step('notification channels: add an e-mail channel in Russian, send a test');
  await go('#/channels');
  await page.click(tid('add-channel'));
  await page.fill(tid('channel-name'), 'Дежурный');
  await page.fill(tid('channel-address'), 'not-an-address');
  await page.click(tid('channel-save'));
  await page.waitForSelector('.field-error:not([hidden])');
  await page.fill(tid('channel-address'), 'duty@printmon.example');
  await page.selectOption(tid('channel-language'), 'ru');
  await page.check(tid('channel-digest'));
  await page.click(tid('channel-save'));
  await page.waitForSelector(tid('channel-row'));
  assert.equal(sql(`SELECT language || ' ' || digest FROM notification_channels WHERE address = 'duty@printmon.example'`), 'ru true');
  await page.click(tid('channel-test'));
  await waitFor('the test message queued', async () =>
    sql(`SELECT count(*) FROM notifications WHERE event = 'test'`) === '1');
  await shoot('channels', 'ru');

  step('notification channels: a Telegram chat with its bot token, which never comes back');
  const botToken = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
  await page.click(tid('add-channel'));
  assert.equal(await page.isVisible(tid('channel-bot-token')), false);  // e-mail first
  await page.selectOption(tid('channel-kind'), 'webhook');
  assert.equal(await page.isVisible(tid('channel-bot-token')), false);
  assert.equal(await page.isVisible(tid('channel-digest')), false);  // webhooks have no digest
  await page.selectOption(tid('channel-kind'), 'telegram');
  assert.equal(await page.isVisible(tid('channel-bot-token')), true);
  assert.equal(await page.isVisible(tid('channel-digest')), true);  // a chat may take one
  await waitFor('the address asked as a chat', async () =>
    (await page.locator('.field', { has: page.locator(tid('channel-address')) }).innerText()).includes('Чат'));
  // "Find chats" (a Bot API stand-in, console_run): without a token it asks for one; Telegram's
  // refusal in the user's words; then the chats the bot has seen, and a pick fills the chat.
  await page.click(tid('channel-find-chats'));
  await waitFor('asked for the token', async () => (await text(tid('channel-chats'))).includes('Сначала введите токен бота'));
  await page.fill(tid('channel-bot-token'), '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDxyz');
  await page.click(tid('channel-find-chats'));
  await waitFor('Telegram refusing an unknown token', async () =>
    (await text(tid('channel-chats'))).includes('Telegram отказал: HTTP 401: Unauthorized'));
  await page.fill(tid('channel-bot-token'), botToken);
  await page.click(tid('channel-find-chats'));
  await page.waitForSelector(tid('chat-pick'));
  assert.equal(await page.locator(tid('chat-pick')).count(), 2);
  assert.match(await text(tid('channel-chats')), /Бухгалтерия · группа · -4001234/);
  await shoot('channel-find-chats', 'ru');
  await page.locator(tid('chat-pick'), { hasText: 'Дежурные по печати' }).click();
  assert.equal(await page.inputValue(tid('channel-address')), '-1001234567890');
  assert.equal(await page.inputValue(tid('channel-name')), 'Дежурные по печати');
  await page.fill(tid('channel-bot-token'), '');
  await page.fill(tid('channel-name'), 'Дежурные в Telegram');
  await page.fill(tid('channel-address'), '-1001234567890');
  await page.fill(tid('channel-bot-token'), botToken);
  await shoot('channel-telegram', 'ru');
  await page.fill(tid('channel-bot-token'), '');
  await page.click(tid('channel-save'));
  await page.waitForSelector('.field-error:not([hidden])');  // the token is required
  assert.equal(sql(`SELECT count(*) FROM notification_channels WHERE kind = 'telegram'`), '0');
  await page.fill(tid('channel-bot-token'), botToken);
  await page.fill(tid('channel-address'), 'дежурные');
  await page.click(tid('channel-save'));
  const chatError = page.locator('.field', { has: page.locator(tid('channel-address')) }).locator('.field-error:not([hidden])');
  await chatError.waitFor();  // the server refuses the chat, on its field, in the user's words
  assert.match(await chatError.innerText(), /не чат Telegram/);
  assert.equal(sql(`SELECT count(*) FROM notification_channels WHERE kind = 'telegram'`), '0');
  await page.fill(tid('channel-address'), '-1001234567890');
  await page.click(tid('channel-save'));
  await waitFor('the Telegram channel listed', async () => (await text(tid('channels-table'))).includes('Дежурные в Telegram'));
  // Stored sealed (V0024): the table holds no token, only its ciphertext under the server's key.
  assert.equal(sql(`SELECT kind || ' ' || address || ' ' || (secret = '${botToken}') || ' ' || secret_scheme || ' ' ||
    (secret_key_id = (SELECT key_id FROM secret_key_registry)) FROM notification_channels WHERE name = 'Дежурные в Telegram'`),
  'telegram -1001234567890 false aes-256-gcm true');
  const sealedToken = sql(`SELECT secret FROM notification_channels WHERE name = 'Дежурные в Telegram'`);
  assert.ok(!(await page.content()).includes('AAHdqTcv'), 'the token is not on the page');
  const tgRow = page.locator(tid('channel-row'), { hasText: 'Дежурные в Telegram' });
  assert.ok((await tgRow.innerText()).includes('Telegram'));
  // An edit keeps the token when its field stays empty.
  await tgRow.locator(tid('channel-edit')).click();
  assert.equal(await page.inputValue(tid('channel-bot-token')), '');
  await page.fill(tid('channel-name'), 'Дежурные (Telegram)');
  await page.click(tid('channel-save'));
  await waitFor('the renamed channel', async () => (await text(tid('channels-table'))).includes('Дежурные (Telegram)'));
  assert.equal(sql(`SELECT secret FROM notification_channels WHERE name = 'Дежурные (Telegram)'`), sealedToken);

  step('channels: a token sealed with a key the server no longer has is flagged and asked again');
  // What `printmon-cloud-api secrets forget-key` leaves after a lost key file.
  sql(`UPDATE notification_channels SET secret_key_id = '00000000000000ff' WHERE name = 'Дежурные (Telegram)'`);
  await go('#/channels');
  await page.waitForSelector(tid('channels-secret-lost'));
  assert.match(await text(tid('channels-secret-lost')), /введите токен бота в канале заново/);
  const lostRow = page.locator(tid('channel-row'), { hasText: 'Дежурные (Telegram)' });
  assert.equal(await lostRow.locator(tid('channel-secret-lost')).count(), 1);
  await shoot('channels-secret-lost', 'ru');
  await lostRow.locator(tid('channel-edit')).click();
  assert.match(await page.locator('.field', { has: page.locator(tid('channel-bot-token')) }).innerText(), /больше не читается/);
  await page.click(tid('channel-save'));
  await page.waitForSelector('.field-error:not([hidden])');  // the token is required now
  await page.fill(tid('channel-bot-token'), botToken);
  await page.click(tid('channel-save'));
  await waitFor('the flag gone', async () => (await page.locator(tid('channels-secret-lost')).count()) === 0);
  assert.equal(sql(`SELECT secret_key_id = (SELECT key_id FROM secret_key_registry) FROM notification_channels WHERE name = 'Дежурные (Telegram)'`), 't');

  step('alerts: the list with counts, acknowledge one, the count in the navigation');
  await waitFor('open alerts from the new rule', async () =>
    Number(sql(`SELECT count(*) FROM alerts WHERE state = 'open'`)) >= 1, 60);
  await go('#/alerts');
  await page.waitForSelector(tid('alerts-table'));
  await waitFor('the open count beside "Alerts"', async () => /\d/.test(await text(tid('nav-alerts-count'))));
  assert.match(await text(tid('al-count-open')), /\d/);
  const openBefore = await rows(`${tid('alert-row')}[data-state="open"]`);
  assert.ok(openBefore >= 1);
  const firstAlert = page.locator(tid('alert-row')).first();
  const alertId = await firstAlert.getAttribute('data-alert-id');
  await firstAlert.locator(tid('alert-ack')).click();
  await waitFor('acknowledged in the database', async () =>
    sql(`SELECT acknowledged_at IS NOT NULL FROM alerts WHERE alert_id = '${alertId}'`) === 't');
  await page.selectOption(tid('al-state'), 'acknowledged');
  await waitFor('the acknowledged filter', async () =>
    (await rows(`${tid('alert-row')}[data-alert-id="${alertId}"]`)) === 1);
  // Who acknowledged it: the signed-in user's e-mail, not an id.
  assert.ok((await text(`${tid('alert-row')}[data-alert-id="${alertId}"]`)).includes(email), 'acknowledged by the e-mail');
  await page.selectOption(tid('al-severity'), 'critical');
  await settle();
  assert.match(page.url(), /severity=critical/);
  await go('#/alerts');
  await page.waitForSelector(tid('alerts-table'));
  // The Ricoh's cyan toner has no level, only the printer's word "low": the alert says that
  // word, not a dash for a percentage.
  {
    const alertsText = await text(tid('alerts-table'));
    assert.ok(alertsText.includes('Cyan Toner: принтер сообщает, что заканчивается') && !alertsText.includes('— %'), alertsText);
  }
  await shoot('alerts', 'ru');
  // A phone (390 px): the table becomes cards and nothing makes the page scroll sideways.
  {
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    await settle();
    const widths = await page.evaluate(() => ({
      body: document.body.scrollWidth, page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth,
      wide: [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)),
    }));
    assert.ok(widths.body <= widths.screen && widths.page <= widths.screen, `no horizontal overflow at 390 px: ${JSON.stringify(widths)}`);
    await page.setViewportSize(size);
    await settle();
  }
  await page.locator(`${tid('alert-row')} ${tid('alert-device')}`).first().click();
  await page.waitForSelector(tid('device-rule-alerts'));
  await waitFor('the device page lists its rule alerts', async () =>
    (await text(tid('device-rule-alerts'))).includes('Тонер') || (await page.locator(`${tid('device-rule-alerts')} li`).count()) >= 1);
  // Each names its rule: two rules watching one supply are two lines that say which is which.
  const ruleAlertLines = await page.locator(`${tid('device-rule-alerts')} li`).allTextContents();
  const ruleNames = JSON.parse(await page.evaluate(async () =>
    JSON.stringify((await (await fetch('/api/v1/alerting/rules')).json()).items.map((x) => x.name))));
  assert.ok(ruleAlertLines.length >= 1 && ruleAlertLines.every((l) => ruleNames.some((n) => l.includes(seededRu[n] || n))), JSON.stringify(ruleAlertLines));
  await go('#/deliveries');
  await page.waitForSelector(tid('deliveries-table'));
  assert.ok((await rows(tid('delivery-row'))) >= 1);
  await shoot('deliveries', 'ru');

  step('page volume and meter reads');
  await go('#/pages');
  await page.click(tid('pv-show'));
  await page.waitForSelector(tid('pv-table'));
  await waitFor('page volume rows', async () => (await rows(`${tid('pv-table')} tbody tr`)) >= 1);
  await page.waitForSelector(tid('pv-chart'));
  await page.click(tid('mr-show'));
  await waitFor('meter reads', async () => (await rows(`${tid('mr-table')} tbody tr`)) >= 1);
  const pvCsv = await download(tid('pv-export-csv'));
  assert.ok(pvCsv.bytes.length > 10);
  await shoot('pages', 'ru');

  step('sites and scanners: add a scanner, its key is shown once');
  await go('#/sites');
  await page.waitForSelector(tid('scanners-table'));
  await page.click(tid('add-scanner'));
  await page.fill(tid('scanner-name'), 'x'.repeat(201));
  await page.fill(tid('scanner-site'), 'Казань');
  await page.click(tid('scanner-save'));
  await page.waitForSelector('.form-error:not([hidden]), [data-testid="dialog"] .error');
  assert.match(await text(tid('dialog')), cyrillic, 'a too long name is refused in Russian');
  const hundred = 'Склад'.repeat(20);  // 100 Cyrillic characters, 200 bytes
  await page.fill(tid('scanner-name'), hundred);
  await page.click(tid('scanner-save'));
  await page.waitForSelector(tid('scanner-key'));
  const key = (await page.inputValue(tid('scanner-key')).catch(() => null)) || (await text(tid('scanner-key')));
  assert.match(key.trim(), /^pmk\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
  await shoot('scanner-key', 'ru');
  await page.click(tid('dialog-ok'));

  step('enrol a real branch scanner: paste the key into its web UI');
  const branch = await context.newPage();
  // The branch scanner's first-run setup hashes the password (argon2id) and writes the database
  // while the scanner polls; under the sanitizer build on a loaded CI machine that has taken longer
  // than Playwright's 30 s default, so this page gets the console page's patience and more.
  branch.setDefaultTimeout(60000);
  branch.setDefaultNavigationTimeout(60000);
  await branch.goto(branchUi + '/setup');
  await branch.fill('input[name=password]', 'branch-office-2024!');
  await branch.fill('input[name=password_confirm]', 'branch-office-2024!');
  await branch.click('button[type=submit]');
  await branch.waitForURL('**/devices');
  await branch.goto(branchUi + '/cloud');
  await branch.fill('#enrol-form input[name=cloud_url]', base);
  await branch.fill('#enrol-form input[name=scanner_key]', key.trim());
  await branch.click('#enrol-form button[type=submit]');
  await branch.waitForSelector('#deactivate');
  const branchScannerId = await branch.evaluate(async () => (await (await fetch('/api/status')).json()).scanner_id);
  await branch.close();
  console.log('branch scanner id: ' + branchScannerId);
  await go('#/sites');
  await waitFor('the scanner enrolled by its first upload', async () => {
    await go('#/sites');
    return (await rows(`${tid('scanner-row')}[data-scanner-id="${branchScannerId}"]`)) === 1;
  }, 90);
  assert.ok((await text(tid('scanners-table'))).includes(hundred));
  await shoot('sites', 'ru');

  step('offline import: preview, apply, nothing new the second time');
  await go('#/import');
  await page.setInputFiles(tid('import-file'), offlineFile);
  await page.waitForSelector(tid('import-preview'));
  assert.match(await text(tid('import-preview')), cyrillic);
  const register = page.locator(`${tid('import-register')}`);
  if (await register.count()) await register.check();
  await shoot('import', 'ru');
  await page.click(tid('import-apply'));
  await page.waitForSelector(tid('import-result'));
  const offlineScanner = JSON.parse(fs.readFileSync(offlineFile, 'utf8')).batches[0].scanner_id;
  assert.equal(sql(`SELECT count(*) > 0 FROM readings WHERE scanner_id = '${offlineScanner}'`), 't');
  await go('#/import');
  await page.setInputFiles(tid('import-file'), offlineFile);
  await page.waitForSelector(tid('import-preview'));
  await page.click(tid('import-apply'));
  await page.waitForSelector(tid('import-nothing-new'));

  step('users and tokens');
  await go('#/users');
  await page.waitForSelector(tid('users-table'));
  await page.click(tid('add-user'));
  await page.fill(tid('user-email'), 'not-an-email');
  await page.fill(tid('user-password'), 'viewer-password-1');
  await page.click(tid('user-save'));
  await page.waitForSelector('.form-error:not([hidden])');
  assert.match(await text(tid('dialog')), cyrillic, 'a bad e-mail is refused in Russian');
  await page.fill(tid('user-email'), 'viewer@printmon.example');
  await page.click(tid('user-save'));
  await waitFor('the new user listed', async () => (await text(tid('users-table'))).includes('viewer@printmon.example'));
  await page.click(tid('add-token'));
  await page.fill(tid('token-name'), 'Отчёты 1С');
  await page.click(tid('token-save'));
  await page.waitForSelector(tid('token-value'));
  const token = (await page.inputValue(tid('token-value')).catch(() => null)) || (await text(tid('token-value')));
  assert.match(token.trim(), /^pmt\./);
  await page.click(tid('dialog-ok'));
  await shoot('users', 'ru');

  step('settings: the tenant time zone and how long the audit log is kept');
  await go('#/settings');
  await page.waitForSelector(tid('settings-timezone'));
  assert.equal(await page.inputValue(tid('settings-audit-retention')), '24');
  assert.equal(await page.inputValue(tid('settings-raw-retention')), '13');
  // Out of range: said on the field in Russian, nothing sent.
  await page.fill(tid('settings-audit-retention'), '500');
  await page.click(tid('settings-save'));
  await waitFor('the range said on the field', async () => (await page.textContent('body')).includes('Целое число от 1 до 120.'));
  assert.equal(sql(`SELECT audit_retention_months FROM tenants WHERE tenant_id = '${process.env.TENANT_ID}'`), '24');
  await page.fill(tid('settings-audit-retention'), '36');
  await page.selectOption(tid('settings-timezone'), 'Asia/Vladivostok');
  await page.click(tid('settings-save'));
  await waitFor('time zone and audit retention saved', async () =>
    sql(`SELECT time_zone || ' ' || audit_retention_months FROM tenants WHERE tenant_id = '${process.env.TENANT_ID}'`) === 'Asia/Vladivostok 36');
  await shoot('settings', 'ru');

  step('retire a device: out of the fleet, its tiles and supplies, its page says why; restored, it is back');
  await go('#/devices/' + kyocera.device_id);
  await page.click(tid('device-retire'));
  await page.fill(tid('retire-note'), 'Заменён на ECOSYS M3145dn');
  await page.click(tid('retire-confirm'));
  await page.waitForSelector(tid('device-retired'));
  assert.match(await text(tid('device-retired')), /Списано \d/);
  assert.equal(await text(tid('device-retired-note')), 'Заменён на ECOSYS M3145dn');
  assert.match(await text(tid('device-status')), /Списано/);
  assert.equal(await rows(tid('device-retire')), 0);
  await shoot('device-retired', 'ru');
  const fleetIds = () => page.$$eval(tid('fleet-row'), (rs) => rs.map((r) => r.dataset.deviceId));
  await go('#/fleet');
  await waitFor('three devices on the tile', async () => /^\D*3\D*$/.test(await text(tid('tile-devices'))), 30);
  await waitFor('the fleet without it', async () => { const ids = await fleetIds(); return ids.length === 3 && !ids.includes(kyocera.device_id); });
  await page.click(tid('filter-retired'));
  await waitFor('only the retired device', async () => (await fleetIds()).join() === kyocera.device_id);
  assert.match(await text(tid('fleet-table')), /Списано/);
  const orderList = JSON.parse(await page.evaluate(async () => JSON.stringify(await (await fetch('/api/v1/supplies?limit=1000')).json())));
  assert.ok(orderList.items.length > 0 && !orderList.items.some((x) => x.device_id === kyocera.device_id), 'its supplies are off the order list');
  await go('#/devices/' + kyocera.device_id);
  await page.click(tid('device-restore'));
  await waitFor('the device back in service', async () => (await rows(tid('device-retire'))) === 1 && (await rows(tid('device-retired'))) === 0);
  await go('#/fleet');
  await waitFor('four devices on the tile again', async () => /^\D*4\D*$/.test(await text(tid('tile-devices'))), 30);
  await waitFor('the fleet with it again', async () => (await fleetIds()).includes(kyocera.device_id));
  assert.equal(await page.isVisible(tid('filter-retired')), false, 'no retired devices: no such filter');

  step('audit log: the changes above, by whom, in Russian; one action at a time');
  await go('#/audit');
  await page.waitForSelector(tid('audit-table'));
  const audit = await text(tid('audit-table'));
  assert.ok(audit.includes('viewer@printmon.example'), 'the added user is named');
  assert.ok(audit.includes('Отчёты 1С'), 'the token is named by its name');
  assert.ok(!audit.includes(token.trim()), 'the token itself is never shown');
  assert.ok(audit.includes(email), 'the actor is the signed-in admin');
  assert.match(audit, /Добавлен пользователь/);
  assert.match(audit, /Изменены настройки учётной записи/);
  assert.match(audit, /Импортирован файл выгрузки сканера/);
  assert.match(audit, /Устройство списано/);
  assert.match(audit, /Заменён на ECOSYS M3145dn/);
  assert.match(audit, /Устройство возвращено в парк/);
  assert.match(audit, /→ Asia\/Vladivostok/);
  assert.match(audit, /audit_retention_months: 24 → 36/);
  assert.match(await page.textContent('body'), /Записи хранятся 36 месяцев, затем удаляются/);
  const actions = () => page.$$eval(tid('audit-row'), (rs) => rs.map((r) => r.dataset.action));
  await page.selectOption(tid('audit-action'), 'token_created');
  await waitFor('only the token entry', async () => (await actions()).join() === 'token_created');
  // The wrong password of the first step: nobody signed in, the admin's e-mail was tried.
  await page.selectOption(tid('audit-action'), 'sign_in_failed');
  await waitFor('only failed sign-ins', async () => { const a = await actions(); return a.length > 0 && a.every((x) => x === 'sign_in_failed'); });
  const failed = await text(tid('audit-table'));
  assert.match(failed, /Неизвестный \(форма входа\)/);
  assert.match(failed, /Неудачная попытка входа/);
  assert.ok(failed.includes(email) && !failed.includes('not-the-password'), 'the e-mail tried, never the password');
  await page.selectOption(tid('audit-action'), '');
  await waitFor('every entry again', async () => (await actions()).length >= 5);
  // Text narrows it to what names the token; cleared, everything is back.
  await page.fill(tid('audit-search'), 'Отчёты 1С');
  await waitFor('only the token entries', async () => { const a = await actions(); return a.length > 0 && a.every((x) => x.startsWith('token_')); });
  await page.fill(tid('audit-search'), '');
  await waitFor('every entry after the search', async () => (await actions()).length >= 5);
  const auditCsv = (await download(tid('audit-export-csv'))).bytes.toString('utf8');
  assert.match(auditCsv, /Действие/, 'the export has the Russian titles');
  assert.ok(auditCsv.includes('Отчёты 1С') && !auditCsv.includes(token.trim()), 'the export names the token, never shows it');
  // On a phone every control stays inside its card (the action filter's long Russian options
  // once pushed the select past the card's edge).
  {
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    await settle();
    const outside = await page.evaluate(() => [...document.querySelectorAll('main .card')].flatMap((card) => {
      const edge = card.getBoundingClientRect().right;
      return [...card.querySelectorAll('select, input, button')].filter((e) => e.getBoundingClientRect().right > edge + 0.5)
        .map((e) => `${e.tagName}[${e.getAttribute('data-testid') || ''}] ${Math.round(e.getBoundingClientRect().right)} > ${Math.round(edge)}`);
    }));
    assert.deepEqual(outside, [], 'controls past their card at 390 px');
    await page.setViewportSize(size);
    await settle();
  }
  await shoot('audit', 'ru');

  step('trial expiry: reads answer 402, the console says so, uploads are kept');
  sql(`UPDATE tenants SET trial_ends_at = now() - interval '1 day' WHERE tenant_id = '${process.env.TENANT_ID}'`);
  const before = Number(sql(`SELECT count(*) FROM readings WHERE tenant_id = '${process.env.TENANT_ID}'`));
  await go('#/fleet');
  await page.waitForSelector(tid('trial-ended'));
  assert.match(await text(tid('trial-ended')), cyrillic);
  await shoot('trial-ended', 'ru');
  await waitFor('uploads still stored during the block', async () =>
    Number(sql(`SELECT count(*) FROM readings WHERE tenant_id = '${process.env.TENANT_ID}'`)) > before, 60);
  cli('tenant', 'extend-trial', '--tenant', process.env.TENANT_ID, '--days', '30');
  await go('#/fleet');
  await page.waitForSelector(tid('fleet-table'));

  step('switch to English: it sticks across reloads');
  await page.click(tid('lang-switch'));
  await settle();
  const en = page.locator(`${tid('lang-switch')} [data-lang="en"], ${tid('lang-switch')} option[value="en"]`);
  if (await en.count()) {
    const tag = await en.first().evaluate((e) => e.tagName);
    if (tag === 'OPTION') await page.selectOption(tid('lang-switch'), 'en'); else await en.first().click();
  }
  await settle();
  await page.reload();
  await page.waitForSelector(tid('fleet-table'));
  assert.doesNotMatch(await text('nav'), cyrillic, 'the English console has no Russian in its navigation');
  await shoot('fleet', 'en');

  step("the language is the user's: stored in the cloud, another browser signs in to it");
  await waitFor('the choice stored', async () => sql(`SELECT language FROM users
    WHERE tenant_id = '${process.env.TENANT_ID}' AND lower(email) = lower('${email}')`) === 'en');
  {
    const other = await launchTrusted({ caFile, profilePrefix: 'printmon-console-chromium-', viewport: { width: 1360, height: 900 } });
    try {
      const p = other.page;
      p.setDefaultTimeout(20000);
      await p.goto(base + '/#/login');
      await p.waitForSelector(tid('login-form'));
      assert.match(await p.textContent('body'), cyrillic, 'a new Russian browser starts in Russian');
      await p.fill(tid('login-email'), email);
      await p.fill(tid('login-password'), password);
      await p.click(tid('login-submit'));
      await p.waitForSelector(tid('fleet-table'));
      await settlePage(p);
      assert.doesNotMatch(await p.textContent('nav'), cyrillic, 'signed in, the stored English wins');
      assert.equal(await p.evaluate(() => localStorage.getItem('pm_lang')), 'en');
    } finally {
      await other.close();
    }
  }
  await go('#/devices/' + deviceId);
  await page.waitForSelector(tid('device-counters'));
  await shoot('device', 'en');
  await go('#/supplies');
  await page.waitForSelector(tid('supplies-table'));
  // (The rows may hold Russian site names: the enrolled branch is in "Казань".)
  assert.equal((await text('main h1')).trim(), 'Supplies');
  assert.doesNotMatch(await text(`${tid('supplies-table')} thead`), cyrillic, 'the English supplies page');
  await waitFor('the forecasts in English', async () => (await rows(`${tid('supplies-table')} [aria-busy="true"]`)) === 0);
  await shoot('supplies', 'en');
  await go('#/pages');
  await page.click(tid('pv-show'));
  await page.waitForSelector(tid('pv-table'));
  await page.click(tid('mr-show'));
  await page.waitForSelector(tid('mr-table'));
  await shoot('pages', 'en');
  await go('#/sites');
  await page.waitForSelector(tid('scanners-table'));
  await shoot('sites', 'en');
  await go('#/import');
  await page.setInputFiles(tid('import-file'), offlineFile);
  await page.waitForSelector(tid('import-preview'));
  await shoot('import', 'en');
  await go('#/users');
  await page.waitForSelector(tid('users-table'));
  await shoot('users', 'en');
  await go('#/audit');
  await page.waitForSelector(tid('audit-table'));
  assert.match(await text(tid('audit-table')), /Created an API token/);
  assert.doesNotMatch(await text('main'), /Журнал|Добавлен/, 'the English audit log');
  await shoot('audit', 'en');
  await go('#/settings');
  await page.waitForSelector(tid('settings-timezone'));
  await shoot('settings', 'en');
  await go('#/alerts');
  await page.waitForSelector(tid('alerts-table'));
  assert.doesNotMatch(await text('main'), /Оповещения|Подтвердить/, 'the English alerts page');
  await shoot('alerts', 'en');
  await go('#/rules');
  await page.waitForSelector(tid('rules-table'));
  await shoot('rules', 'en');
  await go('#/channels');
  await page.waitForSelector(tid('channels-table'));
  await shoot('channels', 'en');
  await go('#/deliveries');
  await page.waitForSelector(tid('deliveries-table'));
  await shoot('deliveries', 'en');
  sql(`UPDATE tenants SET trial_ends_at = now() - interval '1 day' WHERE tenant_id = '${process.env.TENANT_ID}'`);
  await go('#/fleet');
  await page.waitForSelector(tid('trial-ended'));
  await shoot('trial-ended', 'en');
  cli('tenant', 'extend-trial', '--tenant', process.env.TENANT_ID, '--days', '30');

  step('sign out: the session ends, the sign-in page is in English');
  await go('#/fleet');
  await page.click(tid('logout'));
  await page.waitForSelector(tid('login-form'));
  await shoot('login', 'en');
  const after = await page.evaluate(async () => (await fetch('/api/v1/devices')).status);
  assert.equal(after, 401);

  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  console.log('console browser test: all steps passed');
} catch (e) {
  // What the page showed when a step failed, for the log reader.
  await page.screenshot({ path: path.join(os.tmpdir(), 'console-test-failure.png'), fullPage: true }).catch(() => {});
  console.log('failed at ' + page.url() + '; page text: ' + ((await page.textContent('main').catch(() => '')) || '').slice(0, 1500));
  console.log('scanners: ' + await page.evaluate(async () => (await fetch('/api/v1/scanners')).text()).catch(() => ''));
  throw e;
} finally {
  await close();
}
