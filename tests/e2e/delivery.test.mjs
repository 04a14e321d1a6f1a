// Delivery (issue 5), end to end: the persistent outbox keeps an answer that
// could not be sent (the browser went offline) and the next page view
// delivers it; an answer
// given just before the page closes still arrives (keepalive fetch and the
// page-hide beacon). Release widget, real collector, system Chromium.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, responses, startCollector, waitFor, waitForResponse } from './harness.mjs';

// The collector's per-IP rate limit is off: every page here comes from
// 127.0.0.1 and the limit is not what these tests are about.
const NO_RATE_LIMIT = ['--rate-limit', '0'];

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const CONFIG = {
  version: 1,
  allowed_origins: ['*'],
  fatigue: { min_days_between_surveys: 0, max_surveys_per_session: 0 },
  defaults: { recontact_days: 0, dismiss_cooldown_days: 0 },
  touchpoints: [{
    id: 'deliver', stage: 'purchase', question: {
      type: 'nps',
      follow_up: { detractor: { en: 'Why?' }, passive: { en: 'Why?' }, promoter: { en: 'Why?' } },
    }, when: { url: ['/shop/pricing'], on: 'load' },
  }],
};

async function withCollector(fn) {
  const collector = await startCollector({ config: CONFIG, args: NO_RATE_LIMIT });
  try {
    await fn(collector);
  } catch (e) {
    e.message += `\n--- collector output ---\n${collector.output().slice(-3000)}`;
    throw e;
  } finally {
    await collector.stop();
  }
}

const outbox = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('touchpoint:outbox') || '[]'));

test('offline while answering: the answer waits in localStorage and the next page view delivers it once', { timeout: 90_000 }, async () => {
  await withCollector(async (collector) => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(`${collector.url}/shop/pricing`);
      const scale = page.locator('[data-touchpoint-host="deliver"] [data-score="4"]');
      await scale.waitFor({ state: 'visible', timeout: 15_000 });
      await waitForResponse(collector, (r) => r.touchpoint === 'deliver' && r.status === 'shown');

      // The customer's connection drops.
      await ctx.setOffline(true);
      await scale.click();
      await page.locator('[data-touchpoint-host="deliver"] textarea').fill('Delivery took three weeks.');
      await page.locator('[data-touchpoint-host="deliver"]').getByRole('button', { name: 'Send' }).click();
      const waiting = await waitFor(async () => {
        const q = await outbox(page);
        return q.length === 1 && q[0].response.comment ? q : null;
      }, { message: 'the answer with its comment in the outbox' });
      assert.equal(waiting[0].response.status, 'answered');
      assert.equal(waiting[0].response.score, 4);
      await page.close();

      const before = await responses(collector, { touchpoint: 'deliver' });
      assert.deepEqual(before.map((r) => r.status), ['shown'], 'nothing got through while offline');

      await ctx.setOffline(false);
      const next = await ctx.newPage();
      await next.goto(`${collector.url}/shop/`);
      const row = await waitForResponse(collector, (r) => r.status === 'answered' && r.comment === 'Delivery took three weeks.', { timeout: 15_000 });
      assert.equal(row.score, 4);
      await waitFor(async () => (await outbox(next)).length === 0, { message: 'the outbox to empty once confirmed' });
      const rows = await responses(collector, { touchpoint: 'deliver' });
      assert.equal(rows.length, 1, `one row per response: ${JSON.stringify(rows)}`);
    } finally {
      await ctx.close();
    }
  });
});

test('page closed right after the score: the answer arrives without another page view', { timeout: 60_000 }, async () => {
  await withCollector(async (collector) => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(`${collector.url}/shop/pricing`);
      const nine = page.locator('[data-touchpoint-host="deliver"] [data-score="9"]');
      await nine.click({ timeout: 15_000 });
      await page.close({ runBeforeUnload: true });
      const row = await waitForResponse(collector, (r) => r.status === 'answered' && r.score === 9, { timeout: 10_000 });
      assert.equal(row.touchpoint, 'deliver');
    } finally {
      await ctx.close();
    }
  });
});
