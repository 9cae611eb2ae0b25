import {
  CHROMIUM,
  hasChromium,
  launchChromium,
  loginEnv,
  readTokenFile,
  runCli,
  stayOnLoopback,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBrowserRelay } from './helpers/browser-relay.js';

if (!hasChromium) {
  // Visible in the test output: the one real-browser test needs Debian's chromium (apt-get install chromium).
  console.warn(`browser-login.test.ts: skipped, ${CHROMIUM} not found (apt-get install -y chromium)`);
}

describe.skipIf(!hasChromium)(`a real login in headless chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('gatehouse login: the browser signs in on the provider pages and lands on the CLI callback page', async ({
    sandbox,
    issuer,
  }) => {
    const page = await browser.newPage();
    // Nothing may leave the machine: everything in this flow is on loopback.
    await stayOnLoopback(page);
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
