// Foundation (issue 2): the demo shop's thank-you page shows the
// `order-confirmed` NPS touchpoint; answering 9 stores a row the collector
// returns through GET /v1/responses. Release build, real browser, real SQLite.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EXAMPLE_CONFIG, launchBrowser, newPage, startCollector, waitForResponse } from './harness.mjs';

let collector;
let browser;

before(async () => {
  collector = await startCollector({ config: EXAMPLE_CONFIG });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await collector?.stop();
});

test('thank-you page: answer NPS 9, the collector stores it with touchpoint and stage', { timeout: 60_000 }, async () => {
  const page = await newPage(browser);
  try {
    await page.goto(`${collector.url}/shop/checkout/thank-you`);

    // Shown 300 ms after `order_completed`; the locator pierces the open shadow root.
    const nine = page.locator('[data-touchpoint-host="order-confirmed"] [data-score="9"]');
    await nine.click({ timeout: 15_000 });

    const row = await waitForResponse(collector, (r) =>
      r.touchpoint === 'order-confirmed'
      && r.stage === 'purchase'
      && r.question === 'nps'
      && r.score === 9
      && r.status === 'answered', { query: { touchpoint: 'order-confirmed' }, timeout: 10_000 });

    assert.match(row.response_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new URL(row.page_url).pathname, '/shop/checkout/thank-you');
    assert.ok(row.received_at, 'the collector adds received_at');
    assert.deepEqual(page.pageErrors, [], `no uncaught errors in the page:\n${page.problems()}`);
  } finally {
    await page.close();
  }
});
