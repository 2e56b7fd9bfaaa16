/** Headless Debian Chromium driven by playwright-core (a fresh temporary profile per launch); absent → tests skip with the reason. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.PENNY_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `skipping browser tests: ${CHROMIUM} is absent (apt-get install chromium; .ci/run installs it)`;
  console.warn(reason);
  return reason;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** True when a canvas inside `selector` has at least `min` non-blank pixels. */
export const canvasPaintedScript = (selector: string, min = 200) => `(() => {
  const canvas = document.querySelector(${JSON.stringify(selector)} + ' canvas');
  if (!canvas) return false;
  const ctx = canvas.getContext('2d');
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0 && !(data[i - 3] > 250 && data[i - 2] > 250 && data[i - 1] > 250)) painted++;
  return painted >= ${min};
})()`;

/**
 * The Content-Security-Policy the dashboard must work under (no inline script, no inline style
 * attributes, no eval). Added to every document the page loads, so these tests hold the dashboard
 * to it whatever headers the server sends; a violation is logged as a console error, which the
 * tests treat as a failure.
 */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export async function enforceCsp(page: Page): Promise<void> {
  await page.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': STRICT_CSP } });
  });
}
