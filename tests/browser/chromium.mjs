// The console browser tests' chromium: Debian's binary through playwright-core, headless, a
// throwaway profile, Russian first, and trust for exactly the test server's key (the
// certificate beside CA_FILE) instead of a blanket "ignore certificate errors".
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/// Launches chromium for `caFile`'s server; returns { context, page, close }. close() also
/// removes the profile.
export async function launchTrusted({ caFile, profilePrefix, viewport, acceptDownloads = false }) {
  const serverPem = fs.readFileSync(path.join(path.dirname(caFile), 'server.pem'));
  const spki = crypto.createHash('sha256')
    .update(new crypto.X509Certificate(serverPem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=ru-RU', `--ignore-certificate-errors-spki-list=${spki}`],
    locale: 'ru-RU',
    extraHTTPHeaders: { 'Accept-Language': 'ru-RU,ru;q=0.9' },
    viewport,
    acceptDownloads,
  });
  const page = context.pages()[0] || await context.newPage();
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

/// Waits for the page's requests to finish and its last paint.
export async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(300);
}

/// shoot(name, lang): docs/screenshots' pictures of the current page, console-<name>-<lang>.png
/// (full page at the test's width) and console-<name>-<lang>-phone.png (390 wide).
export function shooter(page, dir) {
  fs.mkdirSync(dir, { recursive: true });
  return async (name, lang) => {
    // From the top: a full-page picture of a scrolled page draws the fixed header mid-page.
    // Toasts of the steps before ("Saved.") would cover the page they leave behind.
    await page.evaluate(() => { window.scrollTo(0, 0); document.querySelectorAll('#toasts > *').forEach((e) => e.remove()); });
    await settle(page);
    await page.screenshot({ path: path.join(dir, `console-${name}-${lang}.png`), fullPage: true });
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await settle(page);
    await page.screenshot({ path: path.join(dir, `console-${name}-${lang}-phone.png`), fullPage: false });
    await page.setViewportSize(size);
    await settle(page);
  };
}
