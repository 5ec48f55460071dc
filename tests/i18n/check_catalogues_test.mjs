// Tests of check_catalogues.mjs on small web directories written here: a clean one passes, and
// each kind of mistake is reported with its file and line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const checker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'check_catalogues.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'i18n-check-'));

const en = {
  'app.name': 'printmon',
  'nav.devices': 'Devices',
  'devices.count': '{count, plural, one {# device} other {# devices}}',
  'devices.poll': 'Poll {device}',
};
const ru = {
  _untranslated_ok: ['app.name'],
  'app.name': 'printmon',
  'nav.devices': 'Устройства',
  'devices.count': '{count, plural, one {# устройство} few {# устройства} many {# устройств} other {# устройства}}',
  'devices.poll': 'Опросить {device}',
};
const html = '<!doctype html>\n<html><head><title data-i18n="app.name">printmon</title></head>\n' +
  '<body><span translate="no">printmon <b>scanner</b></span>\n<a href="/devices" data-i18n="nav.devices">Devices</a></body></html>\n';
const js = "'use strict';\nconst el = h('p', { class: 'x y' }, t('devices.count', { count: 3 }));\n" +
  "flash(t('devices.poll', { device: 'HP' }), 'error');\nif (el.dataset.kind === 'Online') el.remove();\n";

/** Writes a web dir with the clean files, `changes` applied ({file: content | null}); runs the checker. */
function run(name, changes = {}) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const files = { 'i18n-en.json': JSON.stringify(en, null, 1), 'i18n-ru.json': JSON.stringify(ru, null, 1), 'app.html': html, 'app.js': js, ...changes };
  for (const [f, content] of Object.entries(files)) if (content !== null) fs.writeFileSync(path.join(dir, f), content);
  const r = spawnSync(process.execPath, [checker, dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}
const json = (obj) => JSON.stringify(obj, null, 1);
const expectProblem = (name, changes, pattern) => {
  const r = run(name, changes);
  assert.equal(r.status, 1, `${name}: exit status\n${r.out}`);
  assert.match(r.out, pattern, name);
};

try {
  const clean = run('clean');
  assert.equal(clean.status, 0, clean.out);
  assert.match(clean.out, /4 keys, catalogues and pages agree/);

  assert.equal(spawnSync(process.execPath, [checker], { encoding: 'utf8' }).status, 2, 'usage');
  expectProblem('no-ru', { 'i18n-ru.json': null }, /i18n-ru\.json: catalogue missing/);
  expectProblem('missing-key', { 'i18n-ru.json': json({ ...ru, 'devices.poll': undefined }) }, /"devices\.poll" is missing/);
  expectProblem('extra-key', { 'i18n-ru.json': json({ ...ru, 'nav.extra': 'Лишний' }) }, /"nav\.extra" is not in i18n-en\.json/);
  expectProblem('empty', { 'i18n-ru.json': json({ ...ru, 'nav.devices': ' ' }) }, /i18n-ru\.json:\d+: "nav\.devices" is empty/);
  expectProblem('placeholders', { 'i18n-ru.json': json({ ...ru, 'devices.poll': 'Опросить {printer}' }) },
    /"devices\.poll": placeholders \{printer\} differ from English \{device\}/);
  expectProblem('plural-forms', { 'i18n-ru.json': json({ ...ru, 'devices.count': '{count, plural, one {# устройство} other {# устройства}}' }) },
    /plural \{count\} lacks the "few" form ru needs/);
  expectProblem('syntax', { 'i18n-ru.json': json({ ...ru, 'devices.poll': 'Опросить {device' }) }, /unmatched "\{"/);
  expectProblem('untranslated', { 'i18n-ru.json': json({ ...ru, 'nav.devices': 'Devices' }) }, /"nav\.devices" is not translated/);
  expectProblem('stale-allow', { 'i18n-ru.json': json({ ...ru, _untranslated_ok: ['app.name', 'nav.devices'] }) },
    /"nav\.devices" is translated; remove it/);
  expectProblem('reserved', { 'i18n-ru.json': json({ ...ru, _comment: 'x' }) }, /unknown reserved key "_comment"/);
  expectProblem('unused', { 'i18n-en.json': json({ ...en, 'nav.spare': 'Spare' }), 'i18n-ru.json': json({ ...ru, 'nav.spare': 'Запас' }) },
    /"nav\.spare" is not used/);
  expectProblem('unknown-key-js', { 'app.js': js + "h('p', {}, t('nav.missing'));\n" }, /app\.js:5: key "nav\.missing" is not in i18n-en\.json/);
  expectProblem('unknown-key-html', { 'app.html': html.replace('nav.devices', 'nav.devicez') }, /app\.html:4: key "nav\.devicez"/);
  expectProblem('computed-key', { 'app.js': js + "const k = 'nav.devices'; h('p', {}, t(k));\n" }, /app\.js:5: t\(\) needs a literal key/);

  // Text that bypasses the catalogue, the kinds the UI used to have.
  const bad = [
    ["h('button', { type: 'submit' }, 'Save');", /"Save" as a child of h\(\)/],
    ["h('input', { name: 'q', placeholder: 'e.g. 2nd floor' });", /"e\.g\. 2nd floor" in the placeholder of h\(\)/],
    ["h('span', {}, pct === null ? 'n/a' : pct + '%');", /"n\/a" as a child of h\(\)/],
    ["h('td', {}, 'Poll requested for ' + name + '.');", /"Poll requested for "/],
    ["h('span', {}, ` user ${c.user}`);", /" user " as a child of h\(\)/],
    ["flash('Device deleted.');", /"Device deleted\." in flash\(\)/],
    ["if (!confirm('Delete it?')) stop();", /in confirm\(\)/],
    ["throw new Error('Choose both dates.');", /in Error\(\)/],
    ["box.textContent = 'Loading';", /assigned to \.textContent/],
    ["document.title = 'Devices · printmon';", /assigned to \.title/],
    ["el.append(' pages');", /in \.append\(\)/],
    ["const label = { online: 'Online', offline: 'Offline' }[s];", /"Online" looks like English text/],
    ["function rel() { return 'just now'; }", /"just now" returned/],
    ["const pick = (s) => s.description || 'Supply';", /"Supply" looks like English text/],
    ["h('p', {}, 'Принтер');", /"Принтер" as a child of h\(\)/],
  ];
  bad.forEach(([line, pattern], i) => expectProblem('text-' + i, { 'app.js': js + line + '\n' }, pattern));
  // Not text: codes, URLs, protocol names, comparisons, ignored lines, and HTML under translate="no".
  const fine = [
    "h('option', { value: 'SHA-256' }, 'SHA-256');",
    "h('a', { href: 'https://example.com/x', class: 'btn primary' }, t('nav.devices'));",
    "h('span', {}, e.action === 'appeared' ? t('nav.devices') : '—');",
    "throw new ApiError(401, 'unauthenticated', 'session over');  // i18n-ignore: errorText() has the text",
    "console.log('Started the UI');",
    "const type = 'application/json';",
  ];
  const ok = run('fine', { 'app.js': js + fine.join('\n') + '\n' });
  assert.equal(ok.status, 0, ok.out);
  expectProblem('html-text', { 'app.html': html.replace('</body>', '<p>Sign in</p></body>') }, /app\.html:4: text "Sign in" has no data-i18n/);
  expectProblem('html-attr', { 'app.html': html.replace('<a href', '<input placeholder="optional"><a href') },
    /placeholder="optional" has no data-i18n-placeholder/);
  console.log('check_catalogues_test: all cases passed');
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
