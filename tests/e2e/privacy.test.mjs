// Privacy by default (issue 5), end to end: consent, Global Privacy Control
// and Do Not Track, page_url stripping, reset, no cookies, no other hosts.
// Release widget, real collector, system Chromium.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, responses, waitForResponse, withCollector, untilReady as ready } from './harness.mjs';

// Load triggers have fired by the time `touchpoint.ready` is true; a survey
// not on screen this long after that counts as not shown.
const GRACE_MS = 1_000;

// The collector's per-IP rate limit is off: every page here comes from
// 127.0.0.1 and the limit is not what these tests are about.

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

function config(extra = {}) {
  return {
    version: 1,
    allowed_origins: ['*'],
    fatigue: { min_days_between_surveys: 0, max_surveys_per_session: 0 },
    defaults: { recontact_days: 0, dismiss_cooldown_days: 0 },
    touchpoints: [
      { id: 'priv', stage: 'purchase', question: { type: 'nps' }, when: { url: ['/shop/pricing*'], on: 'load' } },
    ],
    ...extra,
  };
}

/** A fresh respondent (own storage) that records every request its pages make. */
async function respondent(initScript) {
  const context = await browser.newContext();
  if (initScript) await context.addInitScript(initScript);
  context.requests = [];
  context.on('request', (r) => context.requests.push({ url: r.url(), method: r.method() }));
  context.posts = () => context.requests.filter((r) => r.method === 'POST' && r.url.includes('/v1/responses'));
  return context;
}

/** Opens `path`; returns whether the survey showed within GRACE_MS after `touchpoint.ready`. */
async function visit(page, collector, path = '/shop/pricing') {
  await page.goto(`${collector.url}${path}`);
  await ready(page);
  return shows(page);
}

async function shows(page, timeout = GRACE_MS) {
  try {
    await page.locator('[data-touchpoint-host="priv"] [data-score]').first().waitFor({ state: 'visible', timeout });
    return true;
  } catch {
    return false;
  }
}

/** localStorage and sessionStorage keys the widget owns. */
function ourKeys(page) {
  return page.evaluate(() => [localStorage, sessionStorage].flatMap((s) =>
    Object.keys(s).filter((k) => k.startsWith('touchpoint:'))));
}

test('consent "required": nothing stored, sent or shown until consent(true); consent(false) clears', { timeout: 90_000 }, async () => {
  await withCollector(config({ consent: 'required' }), async (collector) => {
    const ctx = await respondent();
    try {
      const page = await ctx.newPage();
      assert.equal(await visit(page, collector), false, 'no survey before consent');
      assert.deepEqual(await ourKeys(page), [], 'nothing stored before consent');
      assert.deepEqual(ctx.posts(), [], 'nothing sent before consent');

      await page.evaluate(() => window.touchpoint.consent(true));
      // Shown on this page or, at the latest, on the next page view: consent is remembered.
      const now = await shows(page) || await visit(page, collector);
      assert.equal(now, true, 'the survey shows once consent is given');
      assert.ok((await ourKeys(page)).includes('touchpoint:consent'), 'consent is remembered');
      await page.locator('[data-touchpoint-host="priv"] [data-score="8"]').click();
      await waitForResponse(collector, (r) => r.touchpoint === 'priv' && r.status === 'answered' && r.score === 8);

      await page.evaluate(() => window.touchpoint.consent(false));
      assert.deepEqual(await ourKeys(page), [], 'consent(false) clears all local state');
      const before = ctx.posts().length;
      assert.equal(await visit(page, collector), false, 'no survey after consent(false)');
      assert.deepEqual(await ourKeys(page), []);
      assert.equal(ctx.posts().length, before, 'nothing sent after consent(false)');
      assert.deepEqual(await ctx.cookies(), [], 'no cookies, ever');
    } finally {
      await ctx.close();
    }
  });
});

for (const [name, script] of [
  ['Global Privacy Control', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true })],
  ['Do Not Track', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1', configurable: true })],
]) {
  test(`${name} on: no survey, nothing stored or sent; shows when the config does not respect it`, { timeout: 90_000 }, async () => {
    await withCollector(config(), async (collector) => {
      const ctx = await respondent(script);
      try {
        const page = await ctx.newPage();
        assert.equal(await visit(page, collector), false, `no survey with ${name}`);
        assert.deepEqual(await ourKeys(page), []);
        assert.deepEqual(ctx.posts(), []);
      } finally {
        await ctx.close();
      }
    });
    await withCollector(config({ respect_global_privacy_control: false }), async (collector) => {
      const ctx = await respondent(script);
      try {
        const page = await ctx.newPage();
        assert.equal(await visit(page, collector), true, 'respect_global_privacy_control: false');
      } finally {
        await ctx.close();
      }
    });
  });
}

test('page_url: query string and fragment stripped, except keep_query_params', { timeout: 90_000 }, async () => {
  const query = '?utm_source=news&email=jane%40example.com&order=1042&utm_campaign=fall#receipt';
  for (const [keep, expectedQuery] of [[[], ''], [['utm_campaign', 'utm_source'], '?utm_source=news&utm_campaign=fall']]) {
    await withCollector(config({ keep_query_params: keep }), async (collector) => {
      const ctx = await respondent();
      try {
        const page = await ctx.newPage();
        assert.equal(await visit(page, collector, `/shop/pricing${query}`), true);
        await page.locator('[data-touchpoint-host="priv"] [data-score="3"]').click();
        const row = await waitForResponse(collector, (r) => r.status === 'answered' && r.score === 3);
        assert.equal(row.page_url, `${collector.url}/shop/pricing${expectedQuery}`, `keep_query_params ${JSON.stringify(keep)}`);
        const all = await responses(collector);
        assert.ok(all.every((r) => !r.page_url.includes('jane') && !r.page_url.includes('#')), JSON.stringify(all));
      } finally {
        await ctx.close();
      }
    });
  }
});

test('reset(): forgets the respondent id and local state; no cookies; no other hosts', { timeout: 90_000 }, async () => {
  await withCollector(config(), async (collector) => {
    const ctx = await respondent();
    try {
      const page = await ctx.newPage();
      assert.equal(await visit(page, collector), true);
      await page.locator('[data-touchpoint-host="priv"] [data-score="6"]').click();
      const first = await waitForResponse(collector, (r) => r.status === 'answered' && r.score === 6);
      const stored = await page.evaluate(() => localStorage.getItem('touchpoint:respondent'));
      assert.equal(stored, first.respondent, 'the respondent id lives in localStorage');
      assert.match(stored, /^[0-9a-f-]{36}$/);

      await page.evaluate(() => window.touchpoint.reset());
      const left = await ourKeys(page);
      assert.ok(!left.includes('touchpoint:respondent') && !left.includes('touchpoint:caps'), `left: ${left}`);

      assert.equal(await visit(page, collector), true);
      await page.locator('[data-touchpoint-host="priv"] [data-score="2"]').click();
      const second = await waitForResponse(collector, (r) => r.status === 'answered' && r.score === 2);
      assert.notEqual(second.respondent, first.respondent, 'a new respondent after reset()');

      assert.deepEqual(await ctx.cookies(), [], 'no cookies');
      const origin = new URL(collector.url).origin;
      const elsewhere = ctx.requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('data:'));
      assert.deepEqual(elsewhere, [], 'the widget talks to no other host');
    } finally {
      await ctx.close();
    }
  });
});
