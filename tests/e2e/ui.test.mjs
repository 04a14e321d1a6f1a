// Survey experience (issue 4) end to end: each question type and position,
// keyboard-only answering, focus, RTL, themes, reduced motion, layout shift,
// hostile host CSS and a strict CSP. Release build, real collector, system
// Chromium. Narrow screens and screenshots: ui-layout.test.mjs; axe: ui-axe.test.mjs.

import { describe, test } from 'node:test';
import { newPage, waitFor, waitForResponse } from './harness.mjs';
import {
  CASES, CSP, NPS_TEXT, assert, box, close, env, focusedInSurvey, hostOf, openSurvey, useCollectorAndBrowser,
} from './ui-support.mjs';

useCollectorAndBrowser();

describe('question types and positions', () => {
  for (const c of CASES) {
    test(`${c.type} ${c.position}: scale, names, place`, async () => {
      const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 } });
      try {
        const host = await openSurvey(page, c.id);
        const radios = host.getByRole('radio');
        assert.equal(await radios.count(), c.n);
        for (const name of c.ends) {
          await host.getByRole('radio', { name, exact: true }).waitFor();
        }
        assert.equal(await host.getByRole('radio', { name: '3', exact: true }).count(), 1, 'middle radios are named by their number');
        const group = host.getByRole('radiogroup');
        assert.equal(await group.count(), 1);
        const region = host.getByRole(c.role);
        assert.equal(await region.count(), 1, `one ${c.role}`);
        await host.getByRole('button', { name: 'Close', exact: true }).waitFor();
        const card = host.locator('.tp-card');
        const b = await box(card);
        const vw = 1280;
        const vh = 800;
        switch (c.position) {
          case 'bottom-right': close(b.x + b.width, vw - 16, 'right edge'); close(b.y + b.height, vh - 16, 'bottom'); break;
          case 'bottom-left': close(b.x, 16, 'left edge'); close(b.y + b.height, vh - 16, 'bottom'); break;
          case 'bottom-bar': close(b.x, 0, 'left'); close(b.width, vw, 'width'); close(b.y + b.height, vh, 'bottom'); break;
          case 'modal': {
            close(b.x + b.width / 2, vw / 2, 'centered x');
            close(b.y + b.height / 2, vh / 2, 'centered y');
            const backdrop = await box(host.locator('.tp-backdrop'));
            assert.deepEqual([backdrop.x, backdrop.y, backdrop.width, backdrop.height], [0, 0, vw, vh]);
            assert.equal(await region.getAttribute('aria-modal'), 'true');
            break;
          }
          case 'inline': {
            const slot = await box(page.locator('[data-touchpoint-inline="ui-inline"]'));
            assert.ok(b.y >= slot.y && b.y + b.height <= slot.y + slot.height + 1, 'inside its element');
            break;
          }
        }
        assert.deepEqual(page.pageErrors, [], page.problems());
      } finally {
        await page.close();
      }
    });
  }
});

test('keyboard only: Tab in, arrows, Space answers, Enter sends the comment, the thank-you closes itself', async () => {
  const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 } });
  try {
    const host = await openSurvey(page, 'ui-nps');
    let focused = null;
    for (let i = 0; i < 80 && focused === null; i++) {
      await page.keyboard.press('Tab');
      focused = await focusedInSurvey(page);
      if (focused && !/^\d+$/.test(focused)) focused = null; // Close button or other: keep going
    }
    assert.equal(focused, '0', 'Tab reaches the scale on its first radio (roving tabindex)');
    await page.keyboard.press('End');
    assert.equal(await focusedInSurvey(page), '10');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedInSurvey(page), '9');
    assert.equal(await host.locator('[aria-checked=true]').count(), 0, 'moving does not answer');
    await page.keyboard.press('Space');
    await host.locator('[data-score="9"][aria-checked=true]').waitFor();
    await waitForResponse(env.collector, (r) => r.touchpoint === 'ui-nps' && r.score === 9 && r.status === 'answered',
      { query: { touchpoint: 'ui-nps' } });
    const text = host.getByRole('textbox', { name: 'What did you like most?' });
    await text.waitFor();
    await waitFor(async () => (await focusedInSurvey(page)) === 'textarea.tp-text', { message: 'focus in the follow-up' });
    await page.keyboard.type('Fast');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('delivery');
    assert.equal(await host.locator('.tp-count').textContent(), '13/1000');
    await page.keyboard.press('Enter');
    await host.locator('[data-touchpoint-thanks]').waitFor();
    await waitForResponse(env.collector, (r) => r.touchpoint === 'ui-nps' && r.comment === 'Fast\ndelivery' && r.score === 9,
      { query: { touchpoint: 'ui-nps' } });
    await hostOf(page, 'ui-nps').waitFor({ state: 'detached', timeout: 5_000 });
    assert.deepEqual(page.pageErrors, [], page.problems());
  } finally {
    await page.close();
  }
});

test('a floating survey does not take focus and Escape dismisses it', async () => {
  const page = await newPage(env.browser);
  try {
    const host = await openSurvey(page, 'ui-csat', {
      before: (p) => p.evaluate(() => {
        const input = document.createElement('input');
        input.id = 'page-input';
        document.getElementById('app').appendChild(input);
        input.focus();
      }),
    });
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'page-input', 'focus stays in the page');
    const live = host.locator('[aria-live=polite]');
    await waitFor(async () => (await live.textContent()) === 'How satisfied are you with checkout?', { message: 'announcement' });
    await host.locator('[data-score="3"]').focus();
    await page.keyboard.press('Escape');
    await hostOf(page, 'ui-csat').waitFor({ state: 'detached' });
    await waitForResponse(env.collector, (r) => r.touchpoint === 'ui-csat' && r.status === 'dismissed',
      { query: { touchpoint: 'ui-csat' } });
  } finally {
    await page.close();
  }
});

test('the modal takes focus, keeps Tab inside and gives focus back', async () => {
  const page = await newPage(env.browser);
  try {
    await openSurvey(page, 'ui-ces', {
      before: (p) => p.evaluate(() => {
        const b = document.createElement('button');
        b.id = 'opener';
        b.textContent = 'Contact support';
        document.getElementById('app').appendChild(b);
        b.focus();
      }),
    });
    await waitFor(async () => (await focusedInSurvey(page)) === '1', { message: 'focus on the first score' });
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await focusedInSurvey(page), `Tab ${i + 1} stays in the modal`);
    }
    await page.keyboard.press('Shift+Tab');
    assert.ok(await focusedInSurvey(page));
    await page.keyboard.press('Escape');
    await hostOf(page, 'ui-ces').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'opener', 'focus returned');
  } finally {
    await page.close();
  }
});

test('Arabic: dir=rtl, Arabic strings, scale low → high from the right', async () => {
  const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 }, locale: 'ar' });
  try {
    // The shop says <html lang="en">; serve it as an Arabic page.
    await page.route('**/shop/ar', async (route) => {
      const res = await route.fetch();
      const body = (await res.text()).replace(/<html lang="?en"?>/, '<html lang="ar">');
      await route.fulfill({ response: res, body });
    });
    const host = await openSurvey(page, 'ui-nps', { path: '/shop/ar' });
    assert.equal(await host.locator('.tp').getAttribute('dir'), 'rtl');
    await host.getByRole('radio', { name: '10, محتمل للغاية', exact: true }).waitFor();
    await host.getByRole('button', { name: 'إغلاق', exact: true }).waitFor();
    assert.equal(await host.locator('#tp-q').textContent(), NPS_TEXT.ar);
    const zero = await box(host.locator('[data-score="0"]'));
    const one = await box(host.locator('[data-score="1"]'));
    assert.ok(zero.x > one.x, '0 is right of 1');
    await host.locator('[data-score="0"]').focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedInSurvey(page), '1', 'ArrowLeft moves up the scale in RTL');
  } finally {
    await page.close();
  }
});

test('dark scheme follows the system; reduced motion turns the animations off', async () => {
  const page = await newPage(env.browser, { colorScheme: 'dark', reducedMotion: 'reduce' });
  try {
    const host = await openSurvey(page, 'ui-csat');
    const style = await host.locator('.tp-card').evaluate((el) => {
      const cs = getComputedStyle(el);
      return { bg: cs.backgroundColor, fg: cs.color, animation: cs.animationName };
    });
    assert.deepEqual(style, { bg: 'rgb(31, 41, 55)', fg: 'rgb(243, 244, 246)', animation: 'none' });
  } finally {
    await page.close();
  }
  const light = await newPage(env.browser, { colorScheme: 'light' });
  try {
    const host = await openSurvey(light, 'ui-csat');
    const anim = await host.locator('.tp-card').evaluate((el) => getComputedStyle(el).animationName);
    assert.equal(anim, 'tp-in');
  } finally {
    await light.close();
  }
});

test('a floating survey causes no layout shift', async () => {
  const page = await newPage(env.browser);
  try {
    await page.addInitScript(() => {
      window.__shift = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const host = await openSurvey(page, 'ui-nps', {
      before: (p) => p.waitForTimeout(300).then(() => p.evaluate(() => { window.__before = window.__shift; })),
    });
    const before = await page.evaluate(() => window.__before);
    await host.locator('[data-score="7"]').click();
    await host.locator('[data-touchpoint-thanks]').waitFor();
    await host.waitFor({ state: 'detached', timeout: 5_000 });
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__shift), before, 'CLS from the survey is 0');
  } finally {
    await page.close();
  }
});

test('hostile host CSS does not reach the survey, which stays on top', async () => {
  const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`${env.collector.url}/test-pages/hostile.html`);
    const host = hostOf(page, 'hostile');
    const nine = host.locator('[data-score="9"]');
    await nine.waitFor({ state: 'visible' });
    const look = await nine.evaluate((el) => {
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return {
        display: cs.display, opacity: cs.opacity, fontSize: cs.fontSize, w: r.width, h: r.height,
        onTop: top === el.getRootNode().host,
        cardOpacity: getComputedStyle(el.closest('.tp-card')).opacity,
      };
    });
    assert.notEqual(look.display, 'none');
    assert.equal(look.opacity, '1');
    assert.equal(look.fontSize, '15px');
    assert.ok(look.w >= 24 && look.h >= 24, `target ${look.w}×${look.h}`);
    assert.ok(look.onTop, 'above the z-index 2147483647 banner');
    await nine.click();
    await host.locator('textarea').waitFor({ state: 'visible' });
    await waitForResponse(env.collector, (r) => r.touchpoint === 'hostile' && r.score === 9, { query: { touchpoint: 'hostile' } });
    assert.deepEqual(page.pageErrors, [], page.problems());
  } finally {
    await page.close();
  }
});

test('strict Content-Security-Policy: works, no violations', async () => {
  const page = await newPage(env.browser);
  try {
    await page.route('**/test-pages/csp.html', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': CSP } });
    });
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
      });
    });
    await page.goto(`${env.collector.url}/test-pages/csp.html`);
    const host = hostOf(page, 'csp');
    await host.locator('[data-score="10"]').click({ timeout: 15_000 });
    await host.locator('textarea').fill('Works under CSP');
    await host.getByRole('button', { name: 'Send', exact: true }).click();
    await host.locator('[data-touchpoint-thanks]').waitFor();
    await waitForResponse(env.collector, (r) => r.touchpoint === 'csp' && r.comment === 'Works under CSP' && r.score === 10,
      { query: { touchpoint: 'csp' } });
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    const refused = page.consoleProblems.filter((m) => /Content Security Policy|Refused/i.test(m.text));
    assert.deepEqual(refused, []);
  } finally {
    await page.close();
  }
});

