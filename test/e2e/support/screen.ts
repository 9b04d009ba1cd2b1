/**
 * What a person sees: screenshots of each state (into docs/screenshots with
 * `npm run screenshots`, else test-artifacts/screenshots), and whether controls are on screen.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Where screenshots go: `HC_SCREENSHOTS_DIR` (npm run screenshots: docs/screenshots), else test-artifacts/screenshots. */
export const SCREENSHOTS = resolve(ROOT, process.env.HC_SCREENSHOTS_DIR ?? 'test-artifacts/screenshots');

/** Saves what the page shows now as `<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * The controls (CSS selectors) that are not fully inside the viewport, or are covered by
 * something else at their centre, with why. Empty when every one can be seen and clicked.
 */
export async function offScreen(page: Page, selectors: readonly string[]): Promise<string[]> {
  return page.evaluate((list) => {
    const problems: string[] = [];
    for (const selector of list) {
      const el = document.querySelector(selector);
      if (!el) {
        problems.push(`${selector}: missing`);
        continue;
      }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) problems.push(`${selector}: not shown`);
      else if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) {
        problems.push(`${selector}: at ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)}, outside ${innerWidth}x${innerHeight}`);
      } else {
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!top || !(el === top || el.contains(top))) problems.push(`${selector}: covered by ${top?.tagName.toLowerCase()}#${top?.id}.${top?.className}`);
      }
    }
    return problems;
  }, selectors);
}
