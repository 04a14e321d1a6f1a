// The journey report and the closed loop (issue 6), driven in headless
// Chromium with JavaScript turned off: the dashboard is server-rendered
// HTML and works without it. Log in, read the journey map's numbers
// against a seeded set with known NPS and margins, filter, read a
// touchpoint's comments (a `<script>` comment renders as text), mark a
// follow-up contacted then recovered, log out.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { EXAMPLE_CONFIG, launchBrowser, newPage, startCollector } from './harness.mjs';

const TOKEN = 'e2e-dashboard-admin-token-0123';
const XSS = '<script>alert(1)</script>';

let collector;
let browser;

/** POST one response; `occurredAt` defaults to now so the default 30 days include it. */
async function post(changes) {
  const body = {
    response_id: randomUUID(), touchpoint: 'order-confirmed', stage: 'purchase', question: 'nps',
    score: 9, comment: null, status: 'answered', respondent: `r-${randomUUID()}`, attributes: {},
    locale: 'en', page_url: null, occurred_at: new Date().toISOString(), widget_version: 'e2e', ...changes,
  };
  const res = await fetch(`${collector.url}/v1/responses`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 202, await res.text());
  return body.response_id;
}

async function api(path, init = {}) {
  const res = await fetch(`${collector.url}${path}`, {
    ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers || {}) },
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

// order-confirmed: promoters 10, 10, 10, 9, 9 (plan pro), passives 7, 8, 8
// and detractors 3, 6 (plan free) → NPS 30, margin 1.96 × √0.061 × 100 ≈ 48;
// 2 more shown without an answer → response rate 10/12 = 83%. A preview
// detractor must not count. help-article-read: CES 7, 5, 3, 1 → 4.0 ± 2.5,
// under its target 5.
let detractorId;
// The same scenario on every database the run has: SQLite always, PostgreSQL
// when `cargo xtask test` passes a fresh throwaway cluster's URL.
const DATABASES = [['SQLite', null]];
if (process.env.TOUCHPOINT_E2E_POSTGRES) DATABASES.push(['PostgreSQL', process.env.TOUCHPOINT_E2E_POSTGRES]);

for (const [name, url] of DATABASES) describe(`dashboard on ${name}`, () => {
  before(async () => {
    collector = await startCollector({
      config: EXAMPLE_CONFIG,
      db: url ?? undefined,
      env: { TOUCHPOINT_ADMIN_TOKEN: TOKEN, TOUCHPOINT_RATE_LIMIT: '0' },
    });
    browser = await launchBrowser();
    for (const score of [10, 10, 10, 9, 9]) await post({ score, attributes: { plan: 'pro' } });
    for (const score of [7, 8, 8, 6]) await post({ score, attributes: { plan: 'free' } });
    detractorId = await post({ score: 3, comment: XSS, attributes: { plan: 'free' } });
    for (let i = 0; i < 2; i += 1) await post({ status: 'shown', score: null });
    await post({ score: 0, preview: true });
    for (const score of [7, 5, 3, 1]) {
      await post({ touchpoint: 'help-article-read', stage: 'support', question: 'ces', score });
    }
  });

  after(async () => {
    await browser?.close();
    await collector?.stop();
  });

  test('the report API matches the hand-computed numbers', async () => {
    const report = await api('/v1/report');
    const tps = report.journey.flatMap((s) => s.touchpoints);
    const order = tps.find((t) => t.id === 'order-confirmed');
    assert.equal(order.score.value, 30);
    assert.ok(Math.abs(order.score.margin95 - 196 * Math.sqrt(0.061)) < 1e-9, String(order.score.margin95));
    assert.deepEqual([order.answers, order.shown], [10, 12]);
    assert.equal(order.below_target, false, 'NPS 30 is on the example target 30');
    const help = tps.find((t) => t.id === 'help-article-read');
    assert.equal(help.score.value, 4);
    assert.ok(Math.abs(help.score.margin95 - (1.96 * Math.sqrt(20 / 3)) / 2) < 1e-9);
    assert.equal(help.below_target, true);
    assert.deepEqual(report.journey.map((s) => s.stage),
      ['awareness', 'consideration', 'purchase', 'onboarding', 'usage', 'support', 'renewal', 'advocacy']);
    const unauthorized = await fetch(`${collector.url}/v1/report`);
    assert.equal(unauthorized.status, 401);
  });

  test('log in, read and filter the journey map, read comments, close the loop', { timeout: 90_000 }, async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    try {
      await page.goto(`${collector.url}/`);
      assert.match(new URL(page.url()).pathname, /^\/login$/, 'the dashboard asks for the token');
      await page.getByLabel('Admin token').fill('wrong token, long enough');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor();
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Customer journey' }).waitFor();

      // Stages in the config's journey order, one column each.
      const stages = await page.locator('section.stage').evaluateAll((els) => els.map((e) => e.dataset.stage));
      assert.deepEqual(stages.slice(0, 3), ['awareness', 'consideration', 'purchase']);

      const order = page.locator('[data-touchpoint="order-confirmed"]');
      assert.equal(await order.locator('.score .value').textContent(), '30');
      assert.equal(await order.locator('.score .margin').textContent(), '± 48');
      assert.equal(await order.locator('dd.answers').textContent(), '10');
      assert.match(await order.locator('dd.rate').textContent(), /^83%/);
      assert.equal(await order.getAttribute('data-tone'), 'good');
      assert.equal(await order.locator('svg.sparkline').count(), 1);
      const help = page.locator('article[data-touchpoint="help-article-read"]');
      assert.equal(await help.locator('.score .value').textContent(), '4.0');
      assert.equal(await help.locator('.flag').textContent(), 'under target');

      // Filter: last 7 days, plan=pro customers only — all promoters.
      await page.getByLabel('Period', { exact: true }).selectOption('7');
      await page.getByLabel('Respondent attribute', { exact: true }).fill('plan=pro');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/attribute=plan%3Dpro/);
      assert.equal(await order.locator('.score .value').textContent(), '100');
      assert.equal(await order.locator('dd.answers').textContent(), '5');
      await page.getByLabel('Respondent attribute', { exact: true }).fill('');
      await page.getByLabel('Stage', { exact: true }).selectOption('support');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/stage=support/);
      assert.equal(await page.locator('section.stage').count(), 1);
      await page.goto(`${collector.url}/`);

      // The touchpoint page: the hostile comment is text, never markup.
      await order.getByRole('link', { name: 'order-confirmed' }).click();
      await page.getByRole('heading', { name: 'order-confirmed' }).waitFor();
      const comment = page.locator(`li.comment[data-response="${detractorId}"] .text`);
      assert.equal(await comment.textContent(), XSS);
      assert.equal(await page.locator('li.comment script').count(), 0);
      assert.equal(await page.locator('svg.bars g[data-score="10"] text.count').textContent(), '3');
      await page.getByLabel('Band', { exact: true }).selectOption('promoter');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/band=promoter/);
      assert.equal(await page.locator(`li.comment[data-response="${detractorId}"]`).count(), 0);

      // The closed loop: contacted, then recovered with a note.
      await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Follow-ups' }).click();
      await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
      const item = page.locator(`li.follow-up[data-response="${detractorId}"]`);
      assert.equal(await item.locator('.text').textContent(), XSS);
      assert.equal(await item.getAttribute('data-state'), 'open');
      await item.getByLabel('Note', { exact: true }).fill('Called, apologised');
      await item.getByRole('button', { name: 'Mark contacted' }).click();
      await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
      assert.equal(await item.getAttribute('data-state'), 'contacted');
      assert.match(await item.locator('.history').textContent(), /Contacted .* — Called, apologised/);
      await item.getByLabel('Note', { exact: true }).fill('Sent a voucher; happy again');
      await item.getByRole('button', { name: 'Mark recovered' }).click();
      await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
      assert.equal(await item.count(), 0, 'a recovered follow-up leaves the to-do list');
      await page.getByLabel('State', { exact: true }).selectOption('recovered');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/state=recovered/);
      assert.match(await item.locator('.history').textContent(), /Recovered .* — Sent a voucher; happy again/);

      const report = await api('/v1/report');
      assert.equal(report.follow_ups.recovered, 1);
      assert.equal(report.follow_ups.recovery_rate, 1);
      assert.equal(report.follow_ups.total, 4, 'detractors 3 and 6, CES 3 and 1; not the preview');

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(/\/login$/);
      await page.goto(`${collector.url}/follow-ups`);
      assert.match(new URL(page.url()).pathname, /^\/login$/);
      assert.deepEqual(dialogs, [], 'no script ever ran');
    } finally {
      await page.close();
    }
  });
});
