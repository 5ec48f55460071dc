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
