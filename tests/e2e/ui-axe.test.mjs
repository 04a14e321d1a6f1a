// axe-core over each question type and position, in light and dark, before
// and after a score (follow-up or thank-you): no violations.

import { describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { newPage } from './harness.mjs';
import { CASES, assert, env, openSurvey, useCollectorAndBrowser } from './ui-support.mjs';

useCollectorAndBrowser();

describe('axe-core: no violations', () => {
  for (const scheme of ['light', 'dark']) {
    for (const c of CASES.filter((x) => x.position !== 'bottom-bar')) {
      test(`${c.type} ${c.position}, ${scheme}`, async () => {
        const page = await newPage(env.browser, { colorScheme: scheme, reducedMotion: 'reduce' });
        try {
          const host = await openSurvey(page, c.id);
          const check = async (what) => {
            const result = await new AxeBuilder({ page }).include(`[data-touchpoint-${c.position === 'inline' ? 'inline' : 'host'}="${c.id}"]`).analyze();
            const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
            assert.deepEqual(found, [], `${what}: ${found.join('\n')}`);
          };
          await check('question');
          await host.locator(`[data-score="${c.ends[0].split(',')[0]}"]`).click();
          await check('after a low score');
        } finally {
          await page.close();
        }
      });
    }
  }
});

