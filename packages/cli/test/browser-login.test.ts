import { existsSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../client/test/helpers/build.js';
import { startTestIssuer, type TestIssuer } from '../../client/test/helpers/idp.js';
import { startBrowserRelay } from './helpers/browser-relay.js';
import { createSandbox, loginEnv, readTokenFile, runCli, type Sandbox } from './helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  // Visible in the test output: the one real-browser test needs Debian's chromium (apt-get install chromium).
  console.warn(`browser-login.test.ts: skipped, ${CHROMIUM} not found (apt-get install -y chromium)`);
}

describe.skipIf(!hasChromium)(`a real login in headless chromium (${CHROMIUM})`, () => {
  let issuer: TestIssuer;
  let sandbox: Sandbox;
  let browser: Browser;
  beforeAll(async () => {
    await ensureBuilt();
    issuer = await startTestIssuer();
    sandbox = await createSandbox();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.cleanup();
    await issuer?.close();
  });

  it('gatehouse login: the browser signs in on the provider pages and lands on the CLI callback page', async () => {
    const page = await browser.newPage();
    // Nothing may leave the machine: everything in this flow is on loopback.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    let landed = '';
    let browsed: Promise<unknown> = Promise.resolve();
    const relay = await startBrowserRelay((url) => {
      browsed = drive(url);
      return browsed;
    });
    const drive = async (url: string) => {
      await page.goto(url);
      await page.locator('main[data-step="login"]').waitFor();
      await page.fill('input[name="login"]', 'alice');
      await page.fill('input[name="password"]', 'alice');
      await page.click('button[type="submit"]');
      // The provider may ask for consent (and skips it for its first-party clients): allow when asked.
      const callback = /^http:\/\/127\.0\.0\.1:\d+\/callback\?/;
      const consent = page.locator('main[data-step="consent"]');
      const reached = page.waitForURL(callback).then(() => 'callback');
      const asked = consent.waitFor().then(() => 'consent');
      asked.catch(() => {}); // the loser of the race may reject once the page closes
      reached.catch(() => {});
      if ((await Promise.race([reached, asked])) === 'consent') {
        await page.click('button[type="submit"]');
        await page.waitForURL(callback);
      }
      landed = (await page.textContent('body')) ?? '';
    };
    try {
      const result = await runCli(['login', '--port', '0'], {
        ...loginEnv(sandbox, issuer),
        GATEHOUSE_BROWSER: relay.command,
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('Logged in as alice');
      await browsed;
      expect(landed).toContain('You can close this tab');
      const doc = await readTokenFile(sandbox.tokenFile());
      expect(decodeJwt(doc.access_token)).toMatchObject({ sub: 'alice', aud: issuer.idp.audience });
    } finally {
      await relay.close();
      await page.close();
    }
  });
});
