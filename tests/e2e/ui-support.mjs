// Shared by the survey-experience e2e files (ui*.test.mjs): the test
// config, the collector and browser for one file, and survey helpers.

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { join } from 'node:path';
import { REPO, launchBrowser, startCollector, waitFor } from './harness.mjs';

export { assert, waitFor };

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";
export const SHOTS = join(REPO, 'target', 'screenshots');

export const NPS_TEXT = { en: 'How likely are you to recommend Acme to a friend?', ar: 'ما مدى احتمال أن توصي بـ Acme لصديق؟' };
const byEvent = (id) => ({ on: { event: `show_${id}` } });
const tp = (id, type, position, extra = {}) => ({
  id, stage: 'purchase', question: { type, ...extra }, when: byEvent(id), ...(position ? { position } : {}),
});

export const CONFIG = {
  version: 1,
  allowed_origins: ['*'],
  defaults: { locale: 'en', position: 'bottom-right', sample_rate: 1 },
  fatigue: { min_days_between_surveys: 0, max_surveys_per_session: 0 },
  touchpoints: [
    tp('ui-nps', 'nps', 'bottom-right', {
      text: NPS_TEXT,
      follow_up: { promoter: { en: 'What did you like most?' }, detractor: { en: 'What should we fix first?' } },
    }),
    tp('ui-ces', 'ces', 'modal', {
      text: { en: 'This page made it easy for me to find an answer.' },
      follow_up: { low: { en: 'What was missing?' } },
    }),
    tp('ui-csat', 'csat', 'bottom-left', { text: { en: 'How satisfied are you with checkout?' } }),
    tp('ui-bar', 'nps', 'bottom-bar', { text: { en: 'Would you recommend us?' } }),
    tp('ui-inline', 'csat', 'inline', { text: { en: 'Was this article helpful?' } }),
    { id: 'hostile', stage: 'support', question: { type: 'nps', text: { en: 'Hostile page question' }, follow_up: { promoter: { en: 'Why?' } } },
      when: { url: ['/test-pages/hostile.html'], on: 'load' } },
    { id: 'csp', stage: 'support', question: { type: 'nps', text: { en: 'Strict CSP question' }, follow_up: { promoter: { en: 'Why?' } } },
      when: { url: ['/test-pages/csp.html'], on: 'load' } },
  ],
};

export const CASES = [
  { id: 'ui-nps', type: 'nps', position: 'bottom-right', role: 'dialog', n: 11, ends: ['0, Not at all likely', '10, Extremely likely'] },
  { id: 'ui-ces', type: 'ces', position: 'modal', role: 'dialog', n: 7, ends: ['1, Strongly disagree', '7, Strongly agree'] },
  { id: 'ui-csat', type: 'csat', position: 'bottom-left', role: 'dialog', n: 5, ends: ['1, Very dissatisfied', '5, Very satisfied'] },
  { id: 'ui-bar', type: 'nps', position: 'bottom-bar', role: 'dialog', n: 11, ends: ['0, Not at all likely', '10, Extremely likely'] },
  { id: 'ui-inline', type: 'csat', position: 'inline', role: 'region', n: 5, ends: ['1, Very dissatisfied', '5, Very satisfied'] },
];

/** One collector (with CONFIG) and one browser for the calling test file. */
export const env = { collector: null, browser: null };
export function useCollectorAndBrowser() {
  before(async () => {
    env.collector = await startCollector({ config: CONFIG });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.collector?.stop();
  });
}

/** The survey's host element (floating) or the inline element. */
export const hostOf = (page, id) => page.locator(`[data-touchpoint-host="${id}"], [data-touchpoint-inline="${id}"]`);

/** Open the shop and fire the touchpoint's event; resolves when its radios are there. */
export async function openSurvey(page, id, { path = '/shop/', before: prepare } = {}) {
  await page.goto(`${env.collector.url}${path}`);
  if (id === 'ui-inline') {
    await page.evaluate(() => {
      const slot = document.createElement('div');
      slot.setAttribute('data-touchpoint-inline', 'ui-inline');
      document.getElementById('app').appendChild(slot);
    });
  }
  if (prepare) await prepare(page);
  // The runtime sets `ready` once the config is loaded and the page armed.
  await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 30_000 });
  await page.evaluate((name) => window.touchpoint.track(name), `show_${id}`);
  const host = hostOf(page, id);
  // Generous: the wasm is compiled on a shared, busy machine.
  try {
    await host.locator('[role=radio]').first().waitFor({ state: 'visible', timeout: 30_000 });
  } catch (e) {
    const state = await page.evaluate(() => ({
      hosts: [...document.querySelectorAll('[data-touchpoint-host]')].map((h) => h.outerHTML),
      api: Object.keys(window.touchpoint || {}),
      queue: JSON.stringify((window.touchpoint || {}).q),
    }));
    e.message += `\nsurvey ${id} did not show; page state: ${JSON.stringify(state)}\n${page.problems()}`;
    throw e;
  }
  await settled(host);
  return host;
}

/** Waits until the enter animation is over (boxes are final). */
export async function settled(host) {
  await host.locator('.tp-card').evaluate((el) =>
    Promise.all(el.getRootNode().getAnimations().map((a) => a.finished.catch(() => {}))));
}

/** The focused element inside the survey's shadow root, described. */
export function focusedInSurvey(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    const inner = a && a.shadowRoot && a.shadowRoot.activeElement;
    if (!inner) return null;
    return inner.getAttribute('data-score') ?? inner.tagName.toLowerCase() + (inner.className ? `.${inner.className}` : '');
  });
}

export const box = (locator) => locator.boundingBox();
export const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 2, `${what}: ${a} is not ≈ ${b}`);
