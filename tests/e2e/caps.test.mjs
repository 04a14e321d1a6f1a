// Fatigue caps and sampling (issue 5), end to end: release widget, real
// collector, system Chromium. Time moves with Playwright's clock
// (`setFixedTime` fixes Date.now, which the widget's clock reads, while
// timers keep running), so "30 days later" takes no time at all.
//
// Every survey here fires on page load through a config trigger: caps apply
// to triggers, not to touchpoint.show().

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, responses, waitFor, waitForResponse, withCollector, untilReady as ready } from './harness.mjs';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Load triggers have fired by the time `touchpoint.ready` is true; a survey
// not on screen this long after that counts as not shown.
const GRACE_MS = 1_000;

// The collector's per-IP rate limit is off: every page here comes from
// 127.0.0.1 and the limit is not what these tests are about.

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A config whose touchpoints show on load at `/shop/pricing` (a) and `/shop/account` (b). */
function config({ fatigue = {}, a = {}, b = {}, defaults = {} } = {}) {
  return {
    version: 1,
    allowed_origins: ['*'],
    defaults: { locale: 'en', ...defaults },
    fatigue: { min_days_between_surveys: 0, max_surveys_per_session: 0, ...fatigue },
    touchpoints: [
      { id: 'tp-a', stage: 'purchase', question: { type: 'nps' }, when: { url: ['/shop/pricing'], on: 'load' }, ...a },
      { id: 'tp-b', stage: 'support', question: { type: 'csat' }, when: { url: ['/shop/account'], on: 'load' }, ...b },
    ],
  };
}

const PATHS = { 'tp-a': '/shop/pricing', 'tp-b': '/shop/account' };

/** A browser context (one respondent: shared localStorage) whose clock reads `at`. */
async function respondent(at = T0) {
  const context = await browser.newContext();
  await context.clock.setFixedTime(at);
  context.errors = [];
  context.on('page', (p) => p.on('pageerror', (e) => context.errors.push(e)));
  return context;
}

/**
 * Opens `path` in `page` and returns the id of the survey that shows, or
 * null when none shows within GRACE_MS after `touchpoint.ready`.
 */
async function visit(page, collector, path) {
  await page.goto(`${collector.url}${path}`);
  await ready(page);
  const host = page.locator('[data-touchpoint-host] [data-score]').first();
  try {
    await host.waitFor({ state: 'visible', timeout: GRACE_MS });
  } catch {
    return null;
  }
  return page.locator('[data-touchpoint-host]').first().getAttribute('data-touchpoint-host');
}

/** Opens the touchpoint's page in a new tab at time `at`; returns the shown id or null. */
async function visitAt(context, collector, id, at) {
  await context.clock.setFixedTime(at);
  const page = await context.newPage();
  const shown = await visit(page, collector, PATHS[id]);
  return { page, shown };
}

async function answer(page, collector, id, score) {
  await page.locator(`[data-touchpoint-host="${id}"] [data-score="${score}"]`).click();
  await waitForResponse(collector, (r) => r.touchpoint === id && r.status === 'answered' && r.score === score);
}

async function dismiss(page, collector, id) {
  await page.locator(`[data-touchpoint-host="${id}"]`).getByRole('button', { name: 'Close' }).first().click();
  await waitForResponse(collector, (r) => r.touchpoint === id && r.status === 'dismissed');
}

test('recontact_days: not asked again within 30 days of an answer; other touchpoints unaffected', { timeout: 90_000 }, async () => {
  await withCollector(config({ a: { recontact_days: 30 } }), async (collector) => {
    const ctx = await respondent();
    try {
      let v = await visitAt(ctx, collector, 'tp-a', T0);
      assert.equal(v.shown, 'tp-a', 'a fresh respondent is asked');
      await answer(v.page, collector, 'tp-a', 9);
      await v.page.close();

      for (const [label, at, expected] of [
        ['1 hour later', T0 + HOUR, null],
        ['29 days later', T0 + 29 * DAY, null],
        ['30 days and a minute later', T0 + 30 * DAY + 60_000, 'tp-a'],
      ]) {
        v = await visitAt(ctx, collector, 'tp-a', at);
        assert.equal(v.shown, expected, label);
        await v.page.close();
      }
      v = await visitAt(ctx, collector, 'tp-b', T0 + HOUR);
      assert.equal(v.shown, 'tp-b', "tp-a's answer does not hold back tp-b");
      await v.page.close();
      assert.deepEqual(ctx.errors, []);
    } finally {
      await ctx.close();
    }
  });
});

test('dismiss_cooldown_days: a dismissed survey waits 7 days by default', { timeout: 90_000 }, async () => {
  await withCollector(config(), async (collector) => {
    const ctx = await respondent();
    try {
      let v = await visitAt(ctx, collector, 'tp-b', T0);
      assert.equal(v.shown, 'tp-b');
      await dismiss(v.page, collector, 'tp-b');
      await v.page.close();
      for (const [label, at, expected] of [
        ['1 hour later', T0 + HOUR, null],
        ['6 days later', T0 + 6 * DAY, null],
        ['7 days and a minute later', T0 + 7 * DAY + 60_000, 'tp-b'],
      ]) {
        v = await visitAt(ctx, collector, 'tp-b', at);
        assert.equal(v.shown, expected, label);
        await v.page.close();
      }
    } finally {
      await ctx.close();
    }
  });
});

test('fatigue.min_days_between_surveys: no other survey within 3 days of the last one', { timeout: 90_000 }, async () => {
  await withCollector(config({ fatigue: { min_days_between_surveys: 3 } }), async (collector) => {
    const ctx = await respondent();
    try {
      let v = await visitAt(ctx, collector, 'tp-a', T0);
      assert.equal(v.shown, 'tp-a');
      await answer(v.page, collector, 'tp-a', 4);
      await v.page.close();
      v = await visitAt(ctx, collector, 'tp-b', T0 + 2 * DAY);
      assert.equal(v.shown, null, 'another touchpoint 2 days later');
      await v.page.close();
      v = await visitAt(ctx, collector, 'tp-b', T0 + 3 * DAY + 60_000);
      assert.equal(v.shown, 'tp-b', '3 days later');
      await v.page.close();
    } finally {
      await ctx.close();
    }
  });
});

test('fatigue.max_surveys_per_session: one survey per browser session', { timeout: 90_000 }, async () => {
  await withCollector(config({ fatigue: { max_surveys_per_session: 1 } }), async (collector) => {
    const ctx = await respondent();
    try {
      const page = await ctx.newPage();
      assert.equal(await visit(page, collector, '/shop/pricing'), 'tp-a');
      // Same tab (same sessionStorage), next page: the session's one survey was shown.
      assert.equal(await visit(page, collector, '/shop/account'), null, 'second survey in the session');
      await page.close();
      // A new tab is a new browser session for sessionStorage.
      const fresh = await ctx.newPage();
      assert.equal(await visit(fresh, collector, '/shop/account'), 'tp-b', 'new session');
      await fresh.close();
    } finally {
      await ctx.close();
    }
  });
});

test('max_responses: the collector closes the touchpoint and nobody else is asked', { timeout: 90_000 }, async () => {
  await withCollector(config({ a: { max_responses: 1 } }), async (collector) => {
    const first = await respondent();
    const second = await respondent();
    try {
      const v = await visitAt(first, collector, 'tp-a', T0);
      assert.equal(v.shown, 'tp-a');
      await answer(v.page, collector, 'tp-a', 10);
      const served = await waitFor(async () => {
        const c = await (await fetch(`${collector.url}/v1/config`)).json();
        return c.touchpoints.find((t) => t.id === 'tp-a' && t.closed === true);
      }, { message: 'GET /v1/config to report tp-a closed' });
      assert.equal(served.closed, true);
      const w = await visitAt(second, collector, 'tp-a', T0);
      assert.equal(w.shown, null, 'a new respondent is not asked a closed touchpoint');
      const rows = await responses(collector, { touchpoint: 'tp-a' });
      assert.equal(rows.filter((r) => r.status === 'answered').length, 1);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

/** The widget's sampling hash (caps::unit_hash): FNV-1a 64 + murmur3 fmix64 → [0, 1). */
function unitHash(respondentId, touchpoint) {
  const M = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  const bytes = [...Buffer.from(respondentId, 'utf8'), 0xff, ...Buffer.from(touchpoint, 'utf8')];
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & M;
  }
  h ^= h >> 33n;
  h = (h * 0xff51afd7ed558ccdn) & M;
  h ^= h >> 33n;
  h = (h * 0xc4ceb9fe1a85ec53n) & M;
  h ^= h >> 33n;
  return Number(h >> 11n) / 2 ** 53;
}

test('sample_rate: decided once per respondent and touchpoint, stable across reloads', { timeout: 120_000 }, async () => {
  const rate = 0.5;
  await withCollector(config({ a: { sample_rate: rate } }), async (collector) => {
    // Respondent ids chosen so both outcomes occur; the expectation comes from the same hash.
    const candidates = Array.from({ length: 40 }, (_, i) => `e2e-respondent-${i}`);
    const inSample = candidates.filter((id) => unitHash(id, 'tp-a') < rate).slice(0, 2);
    const outOfSample = candidates.filter((id) => unitHash(id, 'tp-a') >= rate).slice(0, 2);
    assert.equal(inSample.length + outOfSample.length, 4);
    for (const id of [...inSample, ...outOfSample]) {
      const expected = inSample.includes(id) ? 'tp-a' : null;
      const ctx = await respondent();
      await ctx.addInitScript((rid) => localStorage.setItem('touchpoint:respondent', rid), id);
      try {
        const page = await ctx.newPage();
        for (let reload = 0; reload < 3; reload += 1) {
          assert.equal(await visit(page, collector, '/shop/pricing'), expected, `${id}, visit ${reload + 1}`);
        }
        await page.close();
      } finally {
        await ctx.close();
      }
    }
    // Random respondent ids: whatever the first roll says holds on every reload.
    for (let n = 0; n < 3; n += 1) {
      const ctx = await respondent();
      try {
        const page = await ctx.newPage();
        const first = await visit(page, collector, '/shop/pricing');
        const id = await page.evaluate(() => localStorage.getItem('touchpoint:respondent'));
        assert.ok(id, 'a respondent id is stored');
        assert.equal(first, unitHash(id, 'tp-a') < rate ? 'tp-a' : null, `random respondent ${id}`);
        assert.equal(await visit(page, collector, '/shop/pricing'), first, `reload, respondent ${id}`);
        await page.close();
      } finally {
        await ctx.close();
      }
    }
  });
});
