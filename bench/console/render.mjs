// Time to first render of the console's fleet and device pages in headless chromium, and the
// bytes the fleet page transfers. Each load is a fresh browser context (no cache, no cookies
// but the session cookie of one sign-in), timed in the page's clock from navigation start until
// the page's table or identity block is in the DOM (and, beside it, from before navigation).
// WATERFALL=1 prints the last load's requests. Started by bench/console/run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// playwright-core lives with the browser tests (tests/browser/node_modules).
const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const base = process.env.CONSOLE_URL;
const loads = Number(process.env.LOADS || 20);
const serverPem = fs.readFileSync(path.join(path.dirname(process.env.CA_FILE), 'server.pem'));
const spki = crypto.createHash('sha256')
  .update(new crypto.X509Certificate(serverPem).publicKey.export({ type: 'spki', format: 'der' }))
  .digest('base64');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', `--ignore-certificate-errors-spki-list=${spki}`],
});

// One sign-in; its cookie is handed to every fresh context.
const login = await browser.newContext({ ignoreHTTPSErrors: false });
const lp = await login.newPage();
await lp.goto(base + '/');
const r = await lp.evaluate(async ([email, password]) => {
  const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, cookie: true }) });
  return res.status;
}, [process.env.CONSOLE_EMAIL, process.env.CONSOLE_PASSWORD]);
if (r !== 200) throw new Error('login failed: ' + r);
const cookies = await login.cookies();
await login.close();

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function timeLoads(label, hash, selector) {
  const times = [];
  const walls = [];
  let bytes = 0;
  let requests = 0;
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1360, height: 900 } });
    await context.addCookies(cookies);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let transferred = 0;
    let count = 0;
    cdp.on('Network.loadingFinished', (e) => { transferred += e.encodedDataLength; count++; });
    // When the awaited element first appears, in the page's own clock (navigation start = 0,
    // as browsers time first contentful paint): the measure. The wall clock from before
    // page.goto adds the benchmark's own cost of a fresh browser context (a renderer process
    // started per load), reported beside it.
    await page.addInitScript((sel) => {
      new MutationObserver((_, obs) => {
        if (document.querySelector(sel)) { window.__rendered = performance.now(); obs.disconnect(); }
      }).observe(document, { childList: true, subtree: true });
    }, selector);
    const t0 = Date.now();
    await page.goto(base + '/' + hash, { waitUntil: 'commit' });
    await page.waitForSelector(selector, { timeout: 30000 });
    walls.push(Date.now() - t0);
    times.push(await page.evaluate(() => Math.round(window.__rendered)));
    // WATERFALL=1: where the last load's time went (Resource Timing, ms from navigation start).
    if (process.env.WATERFALL && i === loads - 1) {
      const entries = await page.evaluate(() => performance.getEntriesByType('resource').map((e) =>
        [e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.responseEnd)]));
      const nav = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0];
        return [Math.round(n.responseEnd), Math.round(n.domContentLoadedEventEnd)]; });
      console.log(`  ${label} waterfall: document ${nav[0]} ms, DOMContentLoaded ${nav[1]} ms, ` +
        `rendered ${times[i]} ms (page clock), ${walls[i]} ms from before navigation`);
      for (const [name, start, end] of entries) console.log(`    ${String(start).padStart(5)}–${String(end).padEnd(5)} ${name}`);
    }
    await page.waitForLoadState('networkidle');
    if (i === 0) { bytes = transferred; requests = count; }
    await context.close();
  }
  console.log(`${label}: first render p50 ${percentile(times, 50)} ms, p95 ${percentile(times, 95)} ms, ` +
    `max ${Math.max(...times)} ms over ${loads} cold loads (${[...times].sort((a, b) => a - b).join(' ')}); ` +
    `from before navigation (fresh context) p50 ${percentile(walls, 50)} ms, p95 ${percentile(walls, 95)} ms; first load transferred ${(bytes / 1024).toFixed(1)} KB in ${requests} requests`);
}

await timeLoads('fleet page', '#/fleet', '[data-testid="fleet-row"]');
await timeLoads('device page', '#/devices/' + process.env.DEVICE_ID, '[data-testid="device-identity"]');
await browser.close();
