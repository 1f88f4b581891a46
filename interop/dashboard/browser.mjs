// What the dashboard scripts share: Debian's chromium through puppeteer-core (never its own
// download), and steps that report ok / FAIL and leave a screenshot when they fail.
import puppeteer from 'puppeteer-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A headless chromium (CHROMIUM, default /usr/bin/chromium) and one 1280×900 page in it. */
export async function openPage() {
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  return { browser, page };
}

/**
 * step(name, fn) runs fn and prints "ok" with its time, or "FAIL" with a screenshot of the page in
 * SCREENSHOT_DIR (default ./screenshots), named prefix + the step; failed() counts the failures.
 */
export function stepper(page, prefix = '') {
  const shots = process.env.SCREENSHOT_DIR || new URL('./screenshots', import.meta.url).pathname;
  let failed = 0;
  async function step(name, fn) {
    const t0 = Date.now();
    try {
      await fn();
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed++;
      mkdirSync(shots, { recursive: true });
      const file = join(shots, prefix + name.replace(/[^a-z0-9]+/gi, '-') + '.png');
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.error(`FAIL ${name}: ${err.message} (screenshot ${file})`);
    }
  }
  return { step, failed: () => failed };
}
