// `cargo xtask bench` part 3: time from the script tag being inserted to the
// survey painted, in headless Chromium against the release collector on
// 127.0.0.1, cold loads (a fresh browser context each, so no HTTP or wasm
// cache), with and without 4x CPU throttling (DevTools protocol
// Emulation.setCPUThrottlingRate), and the longest main-thread task seen by
// the Long Tasks API. A second page measures the target's own definition,
// "painted after its trigger once loaded": the widget has loaded and armed an
// event touchpoint, then `touchpoint.track()` fires it. Prints the figures and
// merges them into target/bench/results.json under "paint". Measures; asserts
// nothing.
//
//   node xtask/src/bench/paint.mjs [loads=20]
// Uses the e2e harness (TOUCHPOINT_BIN, TOUCHPOINT_WIDGET_DIR, CHROMIUM_BIN);
// TOUCHPOINT_BENCH_OUT is the folder of results.json (default target/bench).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, REPO, startCollector } from '../../../tests/e2e/harness.mjs';

const LOADS = Math.max(20, Number(process.argv[2]) || 20);
const CONFIG = {
  version: 1,
  allowed_origins: ['*'],
  fatigue: { min_days_between_surveys: 0, max_surveys_per_session: 0 },
  defaults: { recontact_days: 0, dismiss_cooldown_days: 0 },
  touchpoints: [
    { id: 'bench', stage: 'purchase', question: { type: 'nps' }, when: { url: ['/bench-host'], on: 'load' } },
    { id: 'bench-event', stage: 'purchase', question: { type: 'nps' }, when: { url: ['/bench-loaded'], on: { event: 'bench' } } },
  ],
};
const HOST_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench</title></head><body><h1>Host</h1></body></html>';

// Runs in the page: inserts the embed, resolves with timings once the survey
// has been painted (the frame after touchpoint:shown), or at once with
// `embedOnly` (the page has no load touchpoint).
const INSERT = (embedOnly) => new Promise((done) => {
  const longest = { ms: 0 };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longest.ms = Math.max(longest.ms, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no Long Tasks API */ }
  const t0 = performance.now();
  addEventListener('touchpoint:shown', () => {
    const shown = performance.now();
    requestAnimationFrame(() => setTimeout(() => {
      const painted = performance.now();
      setTimeout(() => done({ total: painted - t0, shownToPaint: painted - shown, longTask: longest.ms }), 100);
    }, 0));
  }, { once: true });
  const s = document.createElement('script');
  s.async = true;
  s.src = '/widget/touchpoint.js';
  s.dataset.endpoint = '/v1/responses';
  s.dataset.config = '/v1/config';
  document.head.appendChild(s);
  if (embedOnly) done({});
});

// Runs in the page once the widget is ready: fires the event touchpoint and
// resolves with trigger→painted and the longest task meanwhile.
const TRIGGER = () => new Promise((done) => {
  const longest = { ms: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longest.ms = Math.max(longest.ms, e.duration);
  }).observe({ type: 'longtask' });
  addEventListener('touchpoint:shown', () => requestAnimationFrame(() => setTimeout(() => {
    const painted = performance.now();
    setTimeout(() => done({ triggerToPaint: painted - t0, longTask: longest.ms }), 100);
  }, 0)), { once: true });
  const t0 = performance.now();
  window.touchpoint.track('bench');
});

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const r1 = (x) => Math.round(x * 10) / 10;

/** A fresh context (no HTTP or wasm cache) on a bare host page at `path`, CPU throttled. */
async function coldPage(browser, base, path, throttle) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  // A bare host page without the embed (only this document is intercepted).
  await page.route(`${base}${path}`, (route) => route.fulfill({ contentType: 'text/html', body: HOST_PAGE }));
  await page.goto(`${base}${path}`);
  return { ctx, page };
}

async function series(browser, base, throttle) {
  const runs = [];
  const loaded = [];
  for (let i = 0; i < LOADS; i++) {
    let { ctx, page } = await coldPage(browser, base, '/bench-host', throttle);
    runs.push(await page.evaluate(INSERT, false));
    await ctx.close();
    ({ ctx, page } = await coldPage(browser, base, '/bench-loaded', throttle));
    await page.evaluate(INSERT, true);
    await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { polling: 20 });
    await page.waitForTimeout(200); // the page is idle again
    loaded.push(await page.evaluate(TRIGGER));
    await ctx.close();
  }
  const total = runs.map((r) => r.total);
  const triggered = loaded.map((r) => r.triggerToPaint);
  return {
    cpu_throttling: throttle,
    loads: LOADS,
    insert_to_paint_ms: { median: r1(pct(total, 50)), p95: r1(pct(total, 95)) },
    shown_to_paint_ms: { median: r1(pct(runs.map((r) => r.shownToPaint), 50)) },
    loaded_trigger_to_paint_ms: { median: r1(pct(triggered, 50)), p95: r1(pct(triggered, 95)) },
    loaded_longest_task_ms: r1(Math.max(...loaded.map((r) => r.longTask))),
    longest_task_ms: r1(Math.max(...runs.map((r) => r.longTask))),
  };
}

const collector = await startCollector({ config: CONFIG });
const browser = await launchBrowser();
try {
  const results = [];
  for (const throttle of [1, 4]) {
    const r = await series(browser, collector.url, throttle);
    results.push(r);
    console.log(`paint (${LOADS} cold loads, CPU x${throttle}): insert→painted median ${r.insert_to_paint_ms.median} ms, `
      + `p95 ${r.insert_to_paint_ms.p95} ms; shown→painted median ${r.shown_to_paint_ms.median} ms; `
      + `longest task ${r.longest_task_ms} ms (target ≤ 50 ms unthrottled)`);
    console.log(`paint once loaded (CPU x${throttle}): trigger→painted median ${r.loaded_trigger_to_paint_ms.median} ms, `
      + `p95 ${r.loaded_trigger_to_paint_ms.p95} ms (target ≤ 16 ms unthrottled); longest task ${r.loaded_longest_task_ms} ms`);
  }
  const out = process.env.TOUCHPOINT_BENCH_OUT || join(REPO, 'target', 'bench');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'results.json');
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all.paint = results;
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`wrote ${file} (paint)`);
} finally {
  await browser.close();
  await collector.stop();
}
