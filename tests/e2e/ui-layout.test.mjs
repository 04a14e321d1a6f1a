// Survey experience on narrow screens (320–375 px: bottom bar, no horizontal
// scrolling, the NPS row wraps in order below 360 px) and the screenshots
// (question types × light/dark × 375/1280 px) saved under target/screenshots/.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { newPage } from './harness.mjs';
import { CASES, SHOTS, assert, box, close, env, openSurvey, useCollectorAndBrowser } from './ui-support.mjs';

useCollectorAndBrowser();

describe('narrow screens', () => {
  for (const width of [320, 359, 360, 375]) {
    test(`${width} px: a bottom bar, no horizontal scrolling, NPS ${width < 360 ? 'in two ordered rows' : 'in one row'}`, async () => {
      const page = await newPage(env.browser, { viewport: { width, height: 700 }, hasTouch: true, isMobile: true });
      try {
        const host = await openSurvey(page, 'ui-nps');
        const card = await box(host.locator('.tp-card'));
        close(card.x, 0, 'bar left');
        close(card.width, width, 'bar width');
        const scroll = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(scroll[0] <= scroll[1], `no horizontal scroll: ${scroll}`);
        const tops = [];
        for (let s = 0; s <= 10; s++) {
          const b = await box(host.locator(`[data-score="${s}"]`));
          assert.ok(b.x >= 0 && b.x + b.width <= width, `score ${s} inside the viewport`);
          assert.ok(b.width >= 24 && b.height >= 44, `score ${s} target ${b.width}×${b.height} (44 px tall on touch)`);
          tops.push(b.y);
        }
        const rows = [...new Set(tops.map(Math.round))];
        if (width < 360) {
          assert.equal(rows.length, 2, `two rows: ${tops}`);
          assert.ok(tops.slice(0, 6).every((t) => t === tops[0]) && tops.slice(6).every((t) => t > tops[0]), 'in order');
        } else {
          assert.equal(rows.length, 1, `one row: ${tops}`);
        }
      } finally {
        await page.close();
      }
    });
  }
});

test('screenshots: question types × light/dark × 375/1280 px', async () => {
  mkdirSync(SHOTS, { recursive: true });
  for (const c of CASES.slice(0, 3)) {
    for (const scheme of ['light', 'dark']) {
      for (const width of [375, 1280]) {
        const page = await newPage(env.browser, { viewport: { width, height: width < 480 ? 740 : 800 }, colorScheme: scheme, reducedMotion: 'reduce' });
        try {
          await openSurvey(page, c.id);
          await page.screenshot({ path: join(SHOTS, `${c.type}-${scheme}-${width}.png`) });
        } finally {
          await page.close();
        }
      }
    }
  }
});

