/**
 * Debian's chromium through playwright-core (never `playwright install`), and a screenshot check that a
 * page really drew: the screenshot is decoded by the browser itself and its pixels counted.
 */
import { existsSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';

/**
 * Debian's chromium (`apt-get install -y chromium`).
 *
 * @example
 * ```ts
 * console.warn(`skipped, ${CHROMIUM} not found`);
 * ```
 */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether {@link CHROMIUM} is installed; browser tests skip (and say so) where it is not.
 *
 * @example
 * ```ts
 * describe.skipIf(!hasChromium)('in chromium', () => {});
 * ```
 */
export const hasChromium = existsSync(CHROMIUM);

/**
 * Launches {@link CHROMIUM} headless, with nothing that would reach outside the machine.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 * await stayOnLoopback(page);
 * ```
 */
export async function launchChromium(): Promise<Browser> {
  // Loaded on first use: the bench and the demo import this package's entry without playwright.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
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
}

/**
 * Aborts every request that would leave loopback.
 *
 * @example
 * ```ts
 * await stayOnLoopback(page);
 * await page.goto(dashboardUrl);
 * ```
 */
export async function stayOnLoopback(page: Page): Promise<void> {
  await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
}

/**
 * An RGB colour as `#rrggbb`.
 *
 * @example
 * ```ts
 * const green: Hex = '#22c55e';
 * ```
 */
export type Hex = `#${string}`;

/**
 * Takes a PNG screenshot of `element` and counts its pixels: those within `tolerance` (per channel) of
 * `color`, and those that differ from the top-left pixel (the background). The PNG is decoded by the
 * same browser, in a blank page of its own.
 *
 * @example
 * ```ts
 * const { ofColor } = await screenshotPixels(page.locator('#chart-decisions'), '#22c55e');
 * expect(ofColor).toBeGreaterThan(100);
 * ```
 */
export async function screenshotPixels(
  element: Locator,
  color: Hex,
  tolerance = 40,
): Promise<{ ofColor: number; notBackground: number; total: number; png: Buffer }> {
  const png = await element.screenshot({ type: 'png' });
  const browser = element.page().context().browser();
  if (browser === null) throw new Error('screenshotPixels needs a page of a launched browser');
  const scratch = await browser.newPage();
  try {
    const counts = await scratch.evaluate(
      async ({ base64, rgb, tolerance }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = new OffscreenCanvas(image.width, image.height);
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, image.width, image.height);
        const background = [data[0]!, data[1]!, data[2]!];
        const near = (i: number, ref: number[], t: number) =>
          Math.abs(data[i]! - ref[0]!) <= t &&
          Math.abs(data[i + 1]! - ref[1]!) <= t &&
          Math.abs(data[i + 2]! - ref[2]!) <= t;
        let ofColor = 0;
        let notBackground = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (near(i, rgb, tolerance)) ofColor++;
          if (!near(i, background, 24)) notBackground++;
        }
        return { ofColor, notBackground, total: data.length / 4 };
      },
      { base64: png.toString('base64'), rgb: rgbOf(color), tolerance },
    );
    return { ...counts, png };
  } finally {
    await scratch.close();
  }
}

function rgbOf(color: Hex): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
}
