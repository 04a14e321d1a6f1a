// The JS API and config handling (issue 3), end to end: calls queued before
// the wasm loaded, show(), preview links, window events, identify(), a
// config with broken touchpoints, configs that cannot be used, inline
// configs and locale choice. Release widget, real collector, system Chromium.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EXAMPLE_CONFIG, launchBrowser, newPage, responses, waitFor, waitForResponse, withCollector } from './harness.mjs';

const HOST = '/test-pages/triggers.html';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

function config(touchpoints, extra = {}) {
  return {
    version: 1,
    allowed_origins: ['*'],
    fatigue: { min_days_between_surveys: 0, max_surveys_per_session: 0 },
    defaults: { recontact_days: 0, dismiss_cooldown_days: 0 },
    touchpoints,
    ...extra,
  };
}

function tp(id, when, extra = {}) {
  return { id, stage: 'purchase', question: { type: 'nps' }, when, ...extra };
}

/** Opens `path` recording touchpoint:* events; waits for the widget unless `ready` is false. */
async function open(collector, path, { ready = true, ...contextOptions } = {}) {
  const page = await newPage(browser, contextOptions);
  await page.addInitScript(() => {
    window.__events = [];
    for (const type of ['shown', 'answered', 'dismissed']) {
      window.addEventListener(`touchpoint:${type}`, (e) => window.__events.push({ type, detail: e.detail }));
    }
  });
  await page.goto(`${collector.url}${path}`);
  if (ready) {
    await waitFor(() => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true),
      { message: 'window.touchpoint.ready' });
  }
  return page;
}

const events = (page) => page.evaluate(() => window.__events);
const warnings = (page) => page.consoleProblems.filter((m) => m.type === 'warning').map((m) => m.text);

async function waitShown(page, id) {
  await waitFor(async () => (await events(page)).some((e) => e.type === 'shown' && e.detail.touchpoint === id),
    { message: `touchpoint ${id} shown` });
  await page.locator(`[data-touchpoint-host="${id}"]`).waitFor({ state: 'attached' });
}

function noProblems(page) {
  assert.equal(page.problems(), '', 'no page errors or console warnings');
}

test('calls queued before the wasm loaded are replayed in order', async () => {
  await withCollector(config([
    tp('signup', { url: ['/test-pages/queue*'], on: { event: 'signed_up' } }),
  ]), async (collector) => {
    const page = await open(collector, '/test-pages/queue.html');
    assert.equal(await page.evaluate(() => window.queuedBeforeLoad), true, 'the bootstrap defined the API synchronously');
    await waitShown(page, 'signup');
    // identify() came before track(): the `shown` response already carries the attributes.
    const row = await waitForResponse(collector, (r) => r.touchpoint === 'signup');
    assert.deepEqual(row.attributes, { plan: 'pro', seats: 3, beta: true });
    assert.equal(row.status, 'shown');
    assert.equal(await page.evaluate(() => window.touchpoint.q.length), 0, 'the queue was emptied');
    noProblems(page);
    await page.close();
  });
});

test('calls made while the config is still loading are kept and replayed', async () => {
  await withCollector(config([tp('slow', { on: { event: 'during_load' } })]), async (collector) => {
    const page = await newPage(browser);
    let release;
    const held = new Promise((ok) => { release = ok; });
    let requested;
    const configRequested = new Promise((ok) => { requested = ok; });
    // The wasm is running (it asked for the config); hold the answer back.
    await page.route('**/v1/config', async (route) => {
      requested();
      await held;
      await route.continue();
    });
    await page.goto(`${collector.url}${HOST}`);
    await configRequested;
    await page.evaluate(() => window.touchpoint.track('during_load'));
    release();
    await waitFor(() => page.evaluate(() => window.touchpoint.ready === true), { message: 'ready' });
    await page.locator('[data-touchpoint-host="slow"]').waitFor({ state: 'attached' });
    noProblems(page);
    await page.close();
  });
});

test('show(id) shows now, ignoring sampling; unknown and disabled ids warn once', async () => {
  await withCollector(config([
    tp('sampled-out', { on: 'load' }, { sample_rate: 0 }),
    tp('manual', { url: ['/nowhere'], on: { event: 'never' } }, { sample_rate: 0 }),
    tp('off', { on: { event: 'never' } }, { enabled: false }),
  ]), async (collector) => {
    const page = await open(collector, HOST);
    await page.waitForTimeout(500);
    assert.deepEqual(await events(page), [], 'a load trigger with sample_rate 0 does not show');
    await page.evaluate(() => { window.touchpoint.show('no-such-touchpoint'); window.touchpoint.show('off'); });
    await page.evaluate(() => window.touchpoint.show('manual'));
    await waitShown(page, 'manual');
    const w = warnings(page);
    assert.equal(w.length, 2, w.join('\n'));
    assert.match(w[0], /no touchpoint "no-such-touchpoint"/);
    assert.match(w[1], /show\("off"\).*"enabled": false/);
    assert.deepEqual(page.pageErrors, []);
    await waitForResponse(collector, (r) => r.touchpoint === 'manual' && r.status === 'shown' && !r.preview);
    await page.close();
  });
});

test('window events carry {touchpoint, stage, question, score?}; responses follow', async () => {
  await withCollector(config([
    tp('ask', { on: { event: 'ask' } }, {
      stage: 'support',
      question: { type: 'ces', follow_up: { high: { en: 'What made it easy?' } } },
    }),
    tp('ask-again', { on: { event: 'ask-again' } }, { stage: 'usage', question: { type: 'csat' } }),
  ]), async (collector) => {
    const page = await open(collector, HOST);
    await page.evaluate(() => window.touchpoint.track('ask'));
    await waitShown(page, 'ask');
    await page.locator('[data-score="6"]').click();
    await waitFor(async () => (await events(page)).some((e) => e.type === 'answered'), { message: 'answered event' });
    assert.deepEqual((await events(page)).map((e) => [e.type, e.detail]), [
      ['shown', { touchpoint: 'ask', stage: 'support', question: 'ces' }],
      ['answered', { touchpoint: 'ask', stage: 'support', question: 'ces', score: 6 }],
    ]);
    const answered = await waitForResponse(collector, (r) => r.touchpoint === 'ask' && r.status === 'answered');
    assert.equal(answered.score, 6);

    // Comment, close the thank-you, then dismiss a second survey.
    const ask = page.locator('[data-touchpoint-host="ask"]');
    await ask.locator('textarea').fill('Clear steps.');
    await ask.getByRole('button', { name: 'Send' }).click();
    await waitForResponse(collector, (r) => r.touchpoint === 'ask' && r.comment === 'Clear steps.' && r.score === 6);
    await ask.getByRole('button', { name: 'Close' }).click();
    await ask.waitFor({ state: 'detached' });
    await page.evaluate(() => window.touchpoint.track('ask-again'));
    await waitShown(page, 'ask-again');
    await page.locator('[data-touchpoint-host="ask-again"]').getByRole('button', { name: 'Close' }).click();
    await waitFor(async () => (await events(page)).some((e) => e.type === 'dismissed'), { message: 'dismissed event' });
    const dismissed = (await events(page)).find((e) => e.type === 'dismissed');
    assert.deepEqual(dismissed.detail, { touchpoint: 'ask-again', stage: 'usage', question: 'csat' });
    await waitForResponse(collector, (r) => r.touchpoint === 'ask-again' && r.status === 'dismissed');
    await page.locator('[data-touchpoint-host="ask-again"]').waitFor({ state: 'detached' });
    noProblems(page);
    await page.close();
  });
});

test('?touchpoint_preview=<id> shows at once, ignoring url, trigger and sampling; responses say preview', async () => {
  await withCollector(config([
    tp('hidden', { url: ['/nowhere'], on: { event: 'never' } }, { sample_rate: 0 }),
  ]), async (collector) => {
    const page = await open(collector, `${HOST}?touchpoint_preview=hidden`);
    await waitShown(page, 'hidden');
    await page.locator('[data-score="10"]').click();
    const row = await waitForResponse(collector, (r) => r.touchpoint === 'hidden' && r.status === 'answered');
    assert.equal(row.preview, true);
    assert.equal(row.score, 10);
    assert.doesNotMatch(row.page_url, /touchpoint_preview/, 'page_url is stripped of the query');
    noProblems(page);
    await page.close();
  });
});

test('the demo shop lists every touchpoint with a working preview link', async () => {
  await withCollector(EXAMPLE_CONFIG, async (collector) => {
    const page = await open(collector, '/shop/touchpoints');
    const links = page.locator('a[data-preview]');
    await links.first().waitFor();
    const ids = await links.evaluateAll((as) => as.map((a) => a.dataset.preview));
    const example = JSON.parse(await (await fetch(`${collector.url}/v1/config`)).text());
    assert.deepEqual(ids, example.touchpoints.map((t) => t.id));
    await page.locator('a[data-preview="help-article-read"]').click();
    await waitFor(() => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true));
    await waitShown(page, 'help-article-read');
    const row = await waitForResponse(collector, (r) => r.touchpoint === 'help-article-read');
    assert.equal(row.preview, true);
    noProblems(page);
    await page.close();
  });
});

test('a config with broken touchpoints: one warning each, the others work', async () => {
  await withCollector(config([
    tp('typo-stage', { on: 'load' }, { stage: 'purchse' }),
    tp('works', { on: 'load' }),
    { ...tp('typo-field', { on: 'load' }), sampel_rate: 0.5 },
  ]), async (collector) => {
    const page = await open(collector, HOST);
    await waitShown(page, 'works');
    const w = warnings(page);
    assert.equal(w.length, 2, w.join('\n'));
    assert.match(w[0], /touchpoint "typo-stage" is disabled/);
    assert.match(w[0], /touchpoints\[0\]\.stage: "purchse" is not a journey stage \(did you mean "purchase"\?\)/);
    assert.match(w[1], /touchpoint "typo-field" is disabled/);
    assert.match(w[1], /touchpoints\[2\]\.sampel_rate: unknown field, did you mean sample_rate\?/);
    assert.deepEqual(page.pageErrors, []);
    await page.evaluate(() => window.touchpoint.show('typo-stage'));
    assert.match(warnings(page)[2], /"typo-stage" is disabled by config problems/);
    await page.close();
  });
});

test('a config that cannot be loaded or parsed leaves the page untouched, with one warning', async () => {
  await withCollector(config([tp('any', { on: 'load' })]), async (collector) => {
    for (const [path, why] of [
      ['/test-pages/config-missing.html', /config .*\/v1\/no-such-config could not be loaded \(HTTP 404\)/],
      ['/test-pages/inline-broken.html', /config \(inline\) cannot be used.*not valid JSON/s],
    ]) {
      const page = await open(collector, path, { ready: false });
      await waitFor(() => warnings(page).length > 0, { message: `a warning on ${path}` });
      await page.waitForTimeout(300);
      const w = warnings(page);
      assert.equal(w.length, 1, w.join('\n'));
      assert.match(w[0], why);
      assert.deepEqual(page.pageErrors, []);
      // The API stays callable and inert: nothing throws, nothing shows.
      await page.evaluate(() => {
        window.touchpoint.track('x');
        window.touchpoint.show('any');
        window.touchpoint.identify({ a: 1 });
        window.touchpoint.consent(true);
        window.touchpoint.reset();
      });
      await page.waitForTimeout(300);
      assert.equal(await page.locator('[data-touchpoint-host]').count(), 0);
      assert.deepEqual(page.pageErrors, []);
      const others = page.consoleProblems.filter((m) => m.type === 'error' && !/404/.test(m.text));
      assert.deepEqual(others, []);
      await page.close();
    }
    assert.deepEqual(await responses(collector), []);
  });
});

test('inline config without data-config; locale from <html lang>', async () => {
  // The collector's config lists every touchpoint whose answers it takes,
  // also those a page configures inline.
  await withCollector(config([tp('inline-load', { on: 'load' }, { stage: 'usage', question: { type: 'csat' } })]), async (collector) => {
    const page = await open(collector, '/test-pages/inline-config.html', { locale: 'fr-FR' });
    await waitShown(page, 'inline-load');
    assert.equal(await page.locator('[data-touchpoint-host="inline-load"] #tp-q').textContent(), 'Zufrieden mit dieser Seite?');
    const row = await waitForResponse(collector, (r) => r.touchpoint === 'inline-load');
    assert.equal(row.locale, 'de');
    noProblems(page);
    await page.close();
  });
});

test('locale from navigator.languages when the page has no lang', async () => {
  await withCollector(config([
    tp('greet', { on: { event: 'greet' } }, {
      question: { type: 'nps', text: { en: 'Recommend us?', fr: 'Nous recommanderiez-vous ?' } },
    }),
  ]), async (collector) => {
    const page = await newPage(browser, { locale: 'fr-CA' });
    // triggers.html says lang="en": take it away before the widget reads it.
    await page.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => document.documentElement.removeAttribute('lang'));
    });
    await page.goto(`${collector.url}${HOST}`);
    await waitFor(() => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true));
    await page.evaluate(() => window.touchpoint.track('greet'));
    await page.locator('[data-touchpoint-host="greet"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-touchpoint-host="greet"] #tp-q').textContent(), 'Nous recommanderiez-vous ?');
    const row = await waitForResponse(collector, (r) => r.touchpoint === 'greet');
    assert.equal(row.locale, 'fr');
    noProblems(page);
    await page.close();
  });
});

test('data-locale on the script tag wins over <html lang> and the browser', async () => {
  await withCollector(config([
    tp('greet', { on: { event: 'greet' } }, {
      question: { type: 'nps', text: { en: 'Recommend us?', de: 'Empfehlen Sie uns?', fr: 'Nous recommanderiez-vous ?' } },
    }),
  ]), async (collector) => {
    const page = await newPage(browser, { locale: 'fr-FR' });
    await page.route(`**${HOST}`, async (route) => {
      const res = await route.fetch();
      const body = (await res.text()).replace('data-config="/v1/config"', 'data-config="/v1/config" data-locale="de-CH"');
      await route.fulfill({ response: res, body });
    });
    await page.goto(`${collector.url}${HOST}`);
    await waitFor(() => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true));
    await page.evaluate(() => window.touchpoint.track('greet'));
    const host = page.locator('[data-touchpoint-host="greet"]');
    await host.waitFor({ state: 'attached' });
    assert.equal(await host.locator('#tp-q').textContent(), 'Empfehlen Sie uns?');
    assert.equal((await waitForResponse(collector, (r) => r.touchpoint === 'greet')).locale, 'de');
    noProblems(page);
    await page.close();
  });
});

test('identify(): string/number/bool values, at most 20 keys, merged across calls', async () => {
  await withCollector(config([tp('who', { on: { event: 'who' } })]), async (collector) => {
    const page = await open(collector, HOST);
    await page.evaluate(() => {
      window.touchpoint.identify({ plan: 'pro', nested: { no: 1 }, list: [1] });
      const many = {};
      for (let i = 0; i < 25; i++) many[`k${String(i).padStart(2, '0')}`] = i;
      window.touchpoint.identify(many);
      window.touchpoint.identify({ plan: 'team', k00: null });
      window.touchpoint.identify('not an object');
      window.touchpoint.track('who');
    });
    await waitShown(page, 'who');
    const row = await waitForResponse(collector, (r) => r.touchpoint === 'who');
    const keys = Object.keys(row.attributes);
    assert.equal(row.attributes.plan, 'team', 'later calls win');
    assert.equal(keys.length, 19, `k00 removed by null after 20 were kept: ${keys}`);
    assert.ok(!('k00' in row.attributes) && !('nested' in row.attributes) && !('list' in row.attributes));
    assert.equal(row.attributes.k18, 18);
    const w = warnings(page);
    assert.ok(w.some((t) => /"nested" must be a string, number or boolean/.test(t)), w.join('\n'));
    assert.ok(w.some((t) => /at most 20 attributes/.test(t)), w.join('\n'));
    assert.ok(w.some((t) => /identify\(\) takes an object/.test(t)), w.join('\n'));
    assert.deepEqual(page.pageErrors, []);
    await page.close();
  });
});

test('consent "required": nothing shows until consent(true), then the page is re-armed', async () => {
  await withCollector(config([tp('needs-consent', { on: 'load' })], { consent: 'required' }), async (collector) => {
    const page = await open(collector, HOST);
    await page.waitForTimeout(500);
    assert.deepEqual(await events(page), []);
    await page.evaluate(() => window.touchpoint.consent(true));
    await waitShown(page, 'needs-consent');
    noProblems(page);
    await page.close();
  });
});
