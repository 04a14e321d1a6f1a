// The bootstrap decides (issue 7): touchpoint.js reads the config and loads
// the wasm only when a touchpoint can fire on the page. Its copy of the URL
// glob rule is pinned to Rust's by tests/vectors/url-glob.json (also read by
// protocol/src/glob.rs). Release widget, real collector, system Chromium.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import vm from 'node:vm';
import { EXAMPLE_CONFIG, launchBrowser, newPage, REPO, waitFor, withCollector } from './harness.mjs';

const HOST = '/test-pages/triggers.html';

/** Runs a bootstrap text in a bare context (no script tag: it stops before loading). */
function bootstrapInVm(source) {
  const window = {};
  const document = { currentScript: null, querySelector: () => null };
  vm.runInNewContext(source, { window, document });
  return window.touchpoint;
}

/** The glob of `source` agrees with protocol/src/glob.rs on every shared vector. */
function assertSharedVectors(source) {
  const { cases } = JSON.parse(readFileSync(join(REPO, 'tests', 'vectors', 'url-glob.json'), 'utf8'));
  assert.ok(cases.length >= 20);
  const tp = bootstrapInVm(source);
  assert.equal(typeof tp.__glob, 'function');
  for (const c of cases) {
    assert.equal(tp.__glob(c.pattern, c.path, c.url), c.match, JSON.stringify(c));
  }
  // The queueing API exists and never throws without a page around it.
  tp.track('x');
  assert.equal(JSON.stringify(tp.q), '[["track",["x"]]]');
}

test('the bootstrap matches when.url exactly like protocol/src/glob.rs (shared vectors)', () => {
  assertSharedVectors(readFileSync(join(REPO, 'touchpoint.js'), 'utf8'));
});

test('the shipped (minified) bootstrap passes the same vectors', async () => {
  await withCollector(CFG, async (collector) => {
    const res = await fetch(`${collector.url}/widget/touchpoint.js`);
    assert.equal(res.status, 200);
    assertSharedVectors(await res.text());
  });
});

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

function config(touchpoints) {
  return {
    version: 1,
    allowed_origins: ['*'],
    fatigue: { min_days_between_surveys: 0, max_surveys_per_session: 0 },
    defaults: { recontact_days: 0, dismiss_cooldown_days: 0 },
    touchpoints,
  };
}

function tp(id, when, extra = {}) {
  return { id, stage: 'purchase', question: { type: 'nps' }, when, ...extra };
}

/** Opens `path`, recording every request URL into `page.requested`. */
async function open(collector, path) {
  const page = await newPage(browser);
  page.requested = [];
  page.on('request', (r) => page.requested.push(new URL(r.url()).pathname));
  await page.goto(`${collector.url}${path}`);
  return page;
}

const ready = (page) => waitFor(() => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true),
  { message: 'window.touchpoint.ready' });
const widgetRequests = (page) => page.requested.filter((p) => /touchpoint-widget/.test(p));
const configRequests = (page) => page.requested.filter((p) => p === '/v1/config');

const CFG = config([
  tp('thanks', { url: ['/checkout/thank-you*'], on: 'load' }),
  tp('off', { on: 'load' }, { enabled: false }),
  tp('full', { on: 'load' }, { closed: true }),
]);

test('no touchpoint can fire on the page: no wasm, no glue, one config fetch; the API still queues', async () => {
  await withCollector(CFG, async (collector) => {
    const page = await open(collector, HOST);
    await ready(page);
    await page.evaluate(() => window.touchpoint.track('nothing_here'));
    await page.waitForTimeout(500);
    assert.deepEqual(widgetRequests(page), [], 'the widget was not downloaded');
    assert.deepEqual(configRequests(page), ['/v1/config']);
    assert.equal(await page.locator('[data-touchpoint-host]').count(), 0);
    assert.equal(page.problems(), '', 'no page errors or console warnings');
    await page.close();
  });
});

test('a matching page loads the widget once and shows the survey; the config is fetched once', async () => {
  await withCollector(CFG, async (collector) => {
    // triggers.html under another path: the collector serves test pages at /test-pages/*.
    const page = await newPage(browser);
    page.requested = [];
    page.on('request', (r) => page.requested.push(new URL(r.url()).pathname));
    await page.route('**/checkout/thank-you', (route) => route.fulfill({
      contentType: 'text/html',
      body: readFileSync(join(REPO, 'tests', 'pages', 'triggers.html'), 'utf8'),
    }));
    await page.goto(`${collector.url}/checkout/thank-you`);
    await page.locator('[data-touchpoint-host="thanks"] [data-score="9"]').waitFor({ state: 'visible' });
    assert.deepEqual(configRequests(page), ['/v1/config'], 'Rust reused the text the bootstrap read');
    assert.equal(widgetRequests(page).filter((p) => p.endsWith('.wasm')).length, 1);
    assert.equal(page.problems(), '', 'no page errors or console warnings');
    await page.close();
  });
});

test('SPA navigation onto a matching path loads the widget then; calls queued meanwhile replay', async () => {
  await withCollector(config([
    tp('thanks', { url: ['/checkout/thank-you*'], on: 'load' }),
    tp('evt', { url: ['/checkout/thank-you*'], on: { event: 'after_nav' } }),
  ]), async (collector) => {
    const page = await open(collector, HOST);
    await ready(page);
    // A track() on a page where nothing can fire is not replayed on the next page.
    await page.evaluate(() => window.touchpoint.track('after_nav'));
    await page.waitForTimeout(300);
    assert.deepEqual(widgetRequests(page), []);
    await page.evaluate(() => history.pushState({}, '', '/checkout/thank-you/42'));
    await page.locator('[data-touchpoint-host="thanks"] [data-score="9"]').waitFor({ state: 'visible' });
    assert.equal(widgetRequests(page).filter((p) => p.endsWith('.wasm')).length, 1);
    assert.deepEqual(configRequests(page), ['/v1/config']);
    assert.equal(await page.locator('[data-touchpoint-host="evt"]').count(), 0, 'the old track() was dropped');
    assert.equal(page.problems(), '', 'no page errors or console warnings');
    await page.close();
  });
});

test('show() and ?touchpoint_preview= load the widget on a page where nothing would fire', async () => {
  await withCollector(config([
    tp('manual', { url: ['/nowhere'], on: { event: 'never' } }),
  ]), async (collector) => {
    const page = await open(collector, HOST);
    await ready(page);
    assert.deepEqual(widgetRequests(page), []);
    await page.evaluate(() => window.touchpoint.show('manual'));
    await page.locator('[data-touchpoint-host="manual"] [data-score="9"]').waitFor({ state: 'visible' });
    await page.close();

    const preview = await open(collector, `${HOST}?touchpoint_preview=manual`);
    await preview.locator('[data-touchpoint-host="manual"] [data-score="9"]').waitFor({ state: 'visible' });
    assert.equal(preview.problems(), '', 'no page errors or console warnings');
    await preview.close();
  });
});

test('identify() and consent() repeated on every page view load the wasm only when they change something', async () => {
  await withCollector(CFG, async (collector) => {
    const page = await open(collector, HOST);
    await ready(page);
    // First page view: nothing stored yet, so the wasm loads and stores both.
    await page.evaluate(() => { window.touchpoint.consent(true); window.touchpoint.identify({ plan: 'pro', seats: 3 }); });
    await waitFor(() => page.evaluate(() => localStorage.getItem('touchpoint:attributes') === '{"plan":"pro","seats":3}'),
      { message: 'attributes stored by the wasm' });
    assert.equal(await page.evaluate(() => localStorage.getItem('touchpoint:consent')), 'granted');

    // Next page views repeat the same calls: no wasm.
    page.requested = [];
    await page.reload();
    await ready(page);
    await page.evaluate(() => {
      window.touchpoint.consent(true);
      window.touchpoint.identify({ seats: 3, plan: 'pro' });
      window.touchpoint.identify({ plan: 'pro' });
    });
    await page.waitForTimeout(500);
    assert.deepEqual(widgetRequests(page), [], 'unchanged identify/consent left the wasm out');

    // A changed value loads it, and the wasm stores the change.
    await page.evaluate(() => window.touchpoint.identify({ plan: 'team' }));
    await waitFor(() => page.evaluate(() => localStorage.getItem('touchpoint:attributes') === '{"plan":"team","seats":3}'),
      { message: 'changed attributes stored by the wasm' });
    assert.equal(widgetRequests(page).filter((p) => p.endsWith('.wasm')).length, 1);
    assert.equal(page.problems(), '', 'no page errors or console warnings');
    await page.close();
  });
});

test('consent(false) with nothing stored needs no wasm; with stored state it loads to clear it', async () => {
  await withCollector(CFG, async (collector) => {
    const page = await open(collector, HOST);
    await ready(page);
    await page.evaluate(() => window.touchpoint.consent(false));
    await page.waitForTimeout(500);
    assert.deepEqual(widgetRequests(page), [], 'nothing to clear');

    await page.evaluate(() => localStorage.setItem('touchpoint:respondent', 'r-1'));
    page.requested = [];
    await page.reload();
    await ready(page);
    await page.evaluate(() => window.touchpoint.consent(false));
    await waitFor(() => page.evaluate(() => localStorage.getItem('touchpoint:respondent') === null),
      { message: 'stored state cleared by the wasm' });
    assert.equal(widgetRequests(page).filter((p) => p.endsWith('.wasm')).length, 1);
    // Wrong arguments still reach the wasm, which explains them.
    const other = await open(collector, HOST);
    await ready(other);
    await other.evaluate(() => window.touchpoint.identify('pro'));
    await waitFor(() => other.consoleProblems.some((m) => /identify\(\) takes an object/.test(m.text)),
      { message: 'the wasm warned about identify("pro")' });
    await other.close();
    await page.close();
  });
});

test('the demo shop loads the wasm only on pages where an example touchpoint can fire', async () => {
  await withCollector(EXAMPLE_CONFIG, async (collector) => {
    const page = await open(collector, '/shop/');
    await ready(page);
    await page.click('a[href="/shop/products/rocket-skates"]');
    await page.click('#add-to-cart'); // SPA navigation: /shop/products/* (a dwell trigger) then /shop/checkout
    await page.click('#contact-support');
    await page.waitForTimeout(500);
    // The product page could fire (its dwell survey), so the wasm loaded there.
    assert.equal(widgetRequests(page).filter((p) => p.endsWith('.wasm')).length, 1);
    assert.equal(await page.locator('[data-touchpoint-host]').count(), 0, 'contact support asks on help pages only');

    const home = await open(collector, '/shop/');
    await ready(home);
    await home.click('#contact-support');
    await home.waitForTimeout(500);
    assert.deepEqual(widgetRequests(home), [], 'nothing can fire on the home page');
    // The wasm sets ready again once it has armed the help page.
    await home.evaluate(() => { window.touchpoint.ready = false; });
    await home.click('a[href="/shop/help/returns"]');
    await ready(home);
    await home.click('#contact-support');
    await home.locator('[data-touchpoint-host="contact-support"]').waitFor({ state: 'attached' });
    assert.equal(home.problems(), '', 'no page errors or console warnings');
    await home.close();
    await page.close();
  });
});
