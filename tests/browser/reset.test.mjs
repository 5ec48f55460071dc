// "Forgot password?" in the cloud console, in headless chromium (Debian's, through
// playwright-core), against the real cloud-api, PostgreSQL and SMTP server started by
// tests/browser/reset_run: the link comes from the e-mail that arrived. Russian first (the
// browser's language), then English; the new password signs in, the old one does not, a used
// link is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchTrusted, shooter } from './chromium.mjs';

const base = process.env.CONSOLE_URL;
const email = process.env.CONSOLE_EMAIL;
const oldPassword = process.env.CONSOLE_PASSWORD;
const caFile = process.env.CA_FILE;
const mailDir = process.env.MAIL_DIR;
const step = (name) => console.log('step: ' + name);
const tid = (id) => `[data-testid="${id}"]`;
const cyrillic = /[\u0400-\u04FF]/;

const { context, page, close } = await launchTrusted({
  caFile,
  profilePrefix: 'printmon-reset-chromium-',
  viewport: { width: 1360, height: 900 },
});
page.setDefaultTimeout(20000);
const problems = [];
page.on('console', (m) => {
  // Refused requests (a wrong password, a used link) log "Failed to load resource".
  if (m.type() === 'error' && !m.text().includes('Failed to load resource')) problems.push(m.text());
});
page.on('pageerror', (e) => problems.push(String(e)));

const text = async (sel) => (await page.textContent(sel)) || '';
const visible = (id) => page.waitForSelector(`${tid(id)}:not([hidden])`);
// The forgot and reset pages in docs/screenshots, as the console test does for the others.
const shoot = shooter(page, process.env.PRINTMON_SCREENSHOTS);

// The n-th e-mail the SMTP server accepted (from 1), waiting for it.
async function mail(n) {
  const file = path.join(mailDir, `mail-${String(n).padStart(4, '0')}.json`);
  const end = Date.now() + 30000;
  while (!fs.existsSync(file)) {
    if (Date.now() > end) throw new Error(`no e-mail #${n} arrived`);
    await page.waitForTimeout(200);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function linkIn(m) {
  const found = /https:\/\/\S+\/#\/reset\?token=pmr\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}/.exec(m.body);
  assert.ok(found, 'the e-mail has the reset link: ' + m.body);
  assert.ok(found[0].startsWith(base + '/#/reset?token='), 'the link is the console\'s public URL');
  return found[0];
}

async function signIn(password) {
  await page.goto(base + '/#/login');
  await page.waitForSelector(tid('login-form'));
  await page.fill(tid('login-email'), email);
  await page.fill(tid('login-password'), password);
  await page.click(tid('login-submit'));
}

// Asks for a link on the forgot page and waits for the page's answer.
async function askForLink() {
  await page.goto(base + '/#/forgot');
  await page.waitForSelector(tid('forgot-form'));
  await page.fill(tid('forgot-email'), email);
  await page.click(tid('forgot-submit'));
  await visible('forgot-sent');
  assert.ok((await text(tid('forgot-sent'))).includes(email));
}

// Opens the link: the page shows the form and takes the token out of the address bar.
async function openLink(link) {
  await page.goto(link);
  await page.waitForFunction(() => location.hash === '#/reset');
  await page.waitForSelector(tid('reset-form'));
}

async function setPassword(password, repeat) {
  await page.fill(tid('reset-password'), password);
  await page.fill(tid('reset-repeat'), repeat === undefined ? password : repeat);
  await page.click(tid('reset-submit'));
}

try {
  step('sign-in page in Russian has "Forgot password?"');
  await page.goto(base + '/');
  await page.waitForSelector(tid('login-form'));
  assert.match(await text(tid('forgot-link')), cyrillic);

  step('the forgot page (Russian): the e-mail, the same answer for any address');
  await page.click(tid('forgot-link'));
  await page.waitForSelector(tid('forgot-form'));
  assert.equal(await text('#login h1'), 'Восстановление пароля');
  await page.fill(tid('forgot-email'), 'nobody@printmon.example');
  await page.click(tid('forgot-submit'));
  await visible('forgot-sent');
  const unknownAnswer = await text(tid('forgot-sent'));
  assert.match(unknownAnswer, cyrillic);
  await shoot('forgot', 'ru');
  await page.click(tid('forgot-back'));
  await page.waitForSelector(tid('login-form'));
  await askForLink();
  assert.equal((await text(tid('forgot-sent'))).replace(email, '*'), unknownAnswer.replace('nobody@printmon.example', '*'));

  step('exactly one e-mail, in Russian, with the link');
  const ru = await mail(1);
  assert.deepEqual(ru.rcpt, [email]);
  assert.equal(ru.subject, '[printmon] Сброс пароля');
  const ruLink = linkIn(ru);
  await page.waitForTimeout(1000);
  assert.ok(!fs.existsSync(path.join(mailDir, 'mail-0002.json')), 'no e-mail for the unknown address');

  step('the reset page in Russian: too short and mismatched passwords are refused in Russian');
  await openLink(ruLink);
  assert.equal(await text('#login h1'), 'Новый пароль');
  await shoot('reset', 'ru');
  await setPassword('short');
  await page.waitForSelector('.field-error:not([hidden])');
  assert.match(await text('.field-error:not([hidden])'), cyrillic);
  await setPassword('новый пароль 2026', 'новый пароль 2027');
  await page.waitForSelector('.field-error:not([hidden])');
  assert.match(await text('.field-error:not([hidden])'), /не совпадают/);

  step('a new password (Cyrillic) is set; the link cannot be used again');
  const ruPassword = 'новый пароль 2026';
  await setPassword(ruPassword);
  await visible('reset-done');
  assert.match(await text(tid('reset-done')), cyrillic);
  await openLink(ruLink);
  await setPassword('ещё один пароль');
  await visible('reset-error');
  assert.match(await text(tid('reset-error')), /уже использована/);
  assert.ok(await page.isVisible(tid('reset-new-link')));

  step('the old password no longer signs in, the new one does');
  await signIn(oldPassword);
  await visible('login-error');
  await signIn(ruPassword);
  await page.waitForSelector('#shell:not([hidden])');
  assert.equal(await text(tid('header-user')), email);

  step('English: the labels, the e-mail and the reset; the reset ends the session');
  await page.goto(base + '/#/forgot');
  await page.waitForSelector(tid('forgot-form'));
  await page.selectOption(tid('lang-switch'), 'en');
  await page.waitForFunction(() => document.querySelector('#login h1').textContent === 'Reset your password');
  await askForLink();
  assert.match(await text(tid('forgot-sent')), /If an account with the address/);
  await shoot('forgot', 'en');
  const en = await mail(2);
  assert.equal(en.subject, '[printmon] Reset your password');
  assert.match(en.body, /within 30 minutes/);
  const enLink = linkIn(en);
  assert.notEqual(enLink, ruLink);
  await openLink(enLink);
  assert.equal(await text('#login h1'), 'Choose a new password');
  assert.equal(await text(tid('reset-submit')), 'Save the password');
  await shoot('reset', 'en');
  const enPassword = 'an english passphrase';
  await setPassword(enPassword);
  await visible('reset-done');
  assert.match(await text(tid('reset-done')), /Your password has been changed/);
  const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
  assert.equal(me, 401);
  await page.click(tid('reset-sign-in'));
  await page.waitForSelector(tid('login-form'));
  assert.equal(await text(tid('forgot-link')), 'Forgot password?');
  await signIn(ruPassword);
  await visible('login-error');
  await signIn(enPassword);
  await page.waitForSelector('#shell:not([hidden])');

  step('the reset page without a token says where the link comes from');
  await page.goto(base + '/#/reset');
  await page.reload();
  await visible('reset-error');
  assert.match(await text(tid('reset-error')), /link in the password reset e-mail/);

  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  console.log('reset browser test: all steps passed');
} catch (e) {
  await page.screenshot({ path: path.join(os.tmpdir(), 'reset-test-failure.png'), fullPage: true }).catch(() => {});
  console.log('failed at ' + page.url() + '; page text: ' + ((await page.textContent('body').catch(() => '')) || '').slice(0, 1500));
  throw e;
} finally {
  await close();
}
