// Protecting the child in real Chromium: the privacy bubble on chat
// fixtures (contenteditable and textarea), grooming warnings beside the one
// message, "I need help" from the popup and the blocked page, reports in the
// parent's summary, lessons at the right moment, and safe alternatives
// (replaced by a real policy file, removed in `finally`).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../server.mjs';
import { launch, worker, setSettings, waitFor, shotPath, isBlockedPage } from './chromium.mjs';

const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = path.join(POLICY_DIR, 'oche-test-alternatives.json');
const CHROME_ID = 'nglfiencfnlcolbheaffcgkiemgcbpbn';

let server;
let b;
before(async () => {
  server = await startServer();
  b = await launch();
});
after(async () => {
  await b?.ctx.close();
  await server?.close();
});

const bubbleShown = (page) => page.evaluate(() => !!document.querySelector('[data-oche-ui="bubble"]'));
const sent = (page) => page.evaluate(() => window.__sent);

async function storageDump() {
  return (await worker(b.ctx)).evaluate(async () => JSON.stringify([await chrome.storage.local.get(null), await chrome.storage.session.get(null)]));
}

async function newTabOpened(action) {
  const [p] = await Promise.all([b.ctx.waitForEvent('page', { timeout: 10000 }), action()]);
  await p.waitForLoadState('domcontentloaded');
  return p;
}

describe('Chromium: the privacy guard', () => {
  test('6-10, contenteditable chat: a phone number and Enter shows the bubble and does not send', async () => {
    await setSettings(b.ctx, { age: '6-10', lang: 'vi' });
    const page = await b.ctx.newPage();
    await page.goto(server.url('/chat-vi.html'));
    await page.click('#composer');
    await page.keyboard.type('sdt cua minh la 0912 345 678 nhe');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    await waitFor(() => bubbleShown(page), 3000, 'the bubble');
    assert.deepEqual(await sent(page), [], 'the message must not be sent');
    assert.match(await page.textContent('#composer'), /0912 345 678/, 'the text is kept');
    await page.screenshot({ path: shotPath('bubble-6-10.png') });
    // The younger child only gets "don't send": Enter on it closes the bubble.
    await page.keyboard.press('Enter');
    await waitFor(async () => !(await bubbleShown(page)), 3000, 'the bubble to close');
    assert.deepEqual(await sent(page), []);
    // An ordinary message goes through at once.
    await page.evaluate(() => { document.getElementById('composer').innerHTML = '<p><br></p>'; });
    await page.click('#composer');
    await page.keyboard.type('mai mình đi đá bóng nhé');
    await page.waitForTimeout(400);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await sent(page)).length === 1, 3000, 'the ordinary message to be sent');
    assert.equal(await bubbleShown(page), false);
    await page.close();
  });

  test('11-14, textarea chat: "send anyway" lets the next real Enter through; passwords are never read', async () => {
    await setSettings(b.ctx, { age: '11-14', lang: 'vi' });
    const page = await b.ctx.newPage();
    await page.goto(server.url('/chat-textarea-vi.html'));
    await page.click('#richInput');
    await page.keyboard.type('nhà mình ở số 12 ngõ 34 đường Láng, Đống Đa');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    await waitFor(() => bubbleShown(page), 3000, 'the bubble');
    assert.deepEqual(await sent(page), []);
    await page.screenshot({ path: shotPath('bubble-11-14.png') });
    // Focus is on "don't send"; Tab reaches "send anyway".
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitFor(async () => !(await bubbleShown(page)), 3000, 'the bubble to close');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await sent(page)).length === 1, 3000, 'the message after "send anyway"');
    // A password field holding a phone number raises nothing.
    await page.fill('input[name=q]', 'truyện tranh');
    await page.click('input[name=pw]');
    await page.keyboard.type('0912345678');
    await page.waitForTimeout(400);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await sent(page)).length === 2, 3000, 'the form to submit');
    assert.equal(await bubbleShown(page), false);
    const dump = await storageDump();
    assert.ok(!dump.includes('0912') && !dump.includes('Láng') && !dump.includes('ngõ 34'), 'typed text must never be stored');
    assert.match(dump, /"category":"pii","domain":"127\.0\.0\.1"|"domain":"127\.0\.0\.1","category":"pii"|"pii"/, 'the warning is in the log');
    await page.close();
  });

  test('IME composition is never interrupted, and a 1 MB paste keeps typing working', async () => {
    await setSettings(b.ctx, { age: '6-10', lang: 'vi' });
    const page = await b.ctx.newPage();
    await page.goto(server.url('/chat-textarea-vi.html'));
    await page.click('#richInput');
    // Telex sends intermediate characters inside a composition; Enter during
    // composition belongs to the IME.
    const cdp = await b.ctx.newCDPSession(page);
    await cdp.send('Input.imeSetComposition', { text: '0912 345 67', selectionStart: 11, selectionEnd: 11 });
    await page.keyboard.press('Enter');
    assert.equal(await bubbleShown(page), false, 'no bubble during composition');
    await cdp.send('Input.insertText', { text: '0912 345 678' });
    const big = 'Bài văn tả cảnh quê hương em. '.repeat(35000);
    await page.evaluate((t) => {
      const i = document.getElementById('richInput');
      i.value = t;
      i.dispatchEvent(new InputEvent('input', { bubbles: true }));
    }, big);
    await page.keyboard.type(' xong');
    await page.waitForTimeout(600);
    const value = await page.$eval('#richInput', (i) => i.value);
    assert.ok(value.endsWith(' xong') && value.length > 1_000_000, 'no lost text');
    await page.close();
  });
});

describe('Chromium: grooming warnings, help and reports', () => {
  test('a grooming message gets a warning beside it, and only it', async () => {
    await setSettings(b.ctx, { age: '11-14', lang: 'vi' });
    const page = await b.ctx.newPage();
    await page.goto(server.url('/thread-grooming-vi.html'));
    await waitFor(() => page.evaluate(() => document.querySelectorAll('[data-oche-ui="alert"]').length === 1), 8000, 'one warning');
    await page.waitForTimeout(500);
    const where = await page.evaluate(() => {
      const cards = document.querySelectorAll('[data-oche-ui="alert"]');
      return { n: cards.length, before: cards[0].previousElementSibling?.id, marked: [...document.querySelectorAll('[data-oche-alert]')].map((e) => e.id) };
    });
    assert.deepEqual(where, { n: 1, before: 'm3', marked: ['m3'] });
    assert.equal(isBlockedPage(page), false, 'the page stays');
    for (const id of ['m1', 'm2', 'm4']) {
      assert.equal(await page.$eval(`#${id}`, (el) => el.closest('[data-oche-blur]') === null && getComputedStyle(el).visibility === 'visible'), true);
    }
    await page.screenshot({ path: shotPath('grooming-warning-11-14.png') });
    // "I need help" on the card (closed shadow root): Tab to it from the message.
    const help = await newTabOpened(() => page.evaluate(() => {
      // The card's buttons are inside a closed shadow root; keyboard users
      // reach them by Tab. Here: focus the card and press its first button.
      const card = document.querySelector('[data-oche-ui="alert"]');
      card.tabIndex = -1;
      card.focus();
    }).then(() => page.keyboard.press('Tab')).then(() => page.keyboard.press('Enter')));
    assert.match(help.url(), /help\.html#/);
    await help.waitForSelector('#main:not([hidden])');
    assert.match(await help.textContent('#call'), /111/);
    await help.fill('textarea[name=note]', 'anh ấy bảo em giữ bí mật');
    await help.click('#report-form button[type=submit]');
    await help.waitForSelector('#report-done:not([hidden])');
    const st = await (await worker(b.ctx)).evaluate(() => chrome.storage.local.get(['reports', 'activity']));
    const r = st.reports.at(-1);
    assert.equal(r.domain, '127.0.0.1');
    assert.equal(r.category, 'grooming');
    assert.equal(r.note, 'anh ấy bảo em giữ bí mật');
    assert.ok(st.activity.some((e) => e.category === 'grooming' && e.action === 'alert'));
    assert.ok(!JSON.stringify(st.activity).includes('bí mật'), 'the log holds no message text');
    await help.screenshot({ path: shotPath('help-11-14.png'), fullPage: true });
    await help.close();
    await page.close();
  });

  test('"I need help" opens from the popup and from the blocked page', async () => {
    await setSettings(b.ctx, { age: '6-10', lang: 'vi' });
    const popup = await b.ctx.newPage();
    await popup.goto(`chrome-extension://${b.extId}/popup.html`);
    const help = await newTabOpened(() => popup.click('#help'));
    await help.waitForSelector('#main:not([hidden])');
    assert.match(await help.textContent('#title'), /con/i, '6-10 wording');
    await help.close();
    await popup.close().catch(() => {});

    const page = await b.ctx.newPage();
    await page.goto(server.url('/harmful-vi-gambling.html')).catch(() => {});
    await waitFor(() => isBlockedPage(page), 10000, 'blocked page');
    await page.waitForSelector('#main:not([hidden])');
    await page.click('#help');
    const help2 = await newTabOpened(() => page.click('#more-help'));
    await help2.waitForSelector('#main:not([hidden])');
    assert.match(await help2.textContent('#report-about'), /127\.0\.0\.1/);
    await help2.close();
    await page.close();
  });
});

describe('Chromium: lessons and safe alternatives', () => {
  test('a gambling block links to the scam lesson; quiz feedback; finishing shows in the summary', async () => {
    await setSettings(b.ctx, { age: '6-10', lang: 'vi' });
    const page = await b.ctx.newPage();
    await page.goto(server.url('/harmful-vi-gambling.html')).catch(() => {});
    await waitFor(() => isBlockedPage(page), 10000, 'blocked page');
    await page.waitForSelector('#main:not([hidden])');
    assert.match(await page.getAttribute('#learn', 'href'), /topic=gambling/);
    assert.equal(await page.isVisible('#alternatives'), true, 'alternatives for 6-10');
    assert.ok((await page.$$('#alt-list li')).length >= 3);
    await page.click('#learn');
    await page.waitForURL(/lessons\.html/);
    await page.waitForSelector('#lesson-view:not([hidden])');
    const lesson = JSON.parse(fs.readFileSync(new URL('../../extension/lessons/scams.vi.json', import.meta.url), 'utf8'));
    assert.equal(await page.textContent('#lesson-title'), lesson.title);
    const screens = lesson.ages['6-10'].screens.length;
    for (let i = 0; i < screens; i++) await page.click('#next');
    await page.waitForSelector('#quiz:not([hidden])');
    const quiz = lesson.ages['6-10'].quiz;
    for (let qi = 0; qi < quiz.length; qi++) {
      const q = page.locator('.question').nth(qi);
      const wrong = quiz[qi].answers.findIndex((a) => !a.correct);
      await q.locator('button').nth(wrong).click();
      assert.equal((await q.locator('.feedback').textContent()).trim(), quiz[qi].answers[wrong].feedback);
      const right = quiz[qi].answers.findIndex((a) => a.correct);
      await q.locator('button').nth(right).click();
    }
    await page.waitForSelector('#done:not([hidden])');
    await page.screenshot({ path: shotPath('lesson-6-10-vi.png'), fullPage: true });
    await waitFor(async () => {
      const st = await (await worker(b.ctx)).evaluate(() => chrome.storage.local.get('lessons'));
      return st.lessons && st.lessons.scams;
    }, 5000, 'the lesson to be recorded');
    // The parent's summary lists it (sign in with a PIN first).
    const opt = await b.ctx.newPage();
    await opt.goto(`chrome-extension://${b.extId}/options.html`);
    await opt.waitForSelector('#view-setup:not([hidden]), #view-signin:not([hidden])');
    if (await opt.isVisible('#view-setup')) {
      await opt.fill('#setup-form input[name=pin]', '8642');
      await opt.fill('#setup-form input[name=pin2]', '8642');
      await opt.click('#setup-form button[type=submit]');
    }
    await opt.waitForSelector('#view-settings:not([hidden])', { timeout: 15000 });
    await opt.waitForSelector('#lessons-box:not([hidden])');
    assert.match(await opt.textContent('#lesson-list'), new RegExp(lesson.title));
    await opt.waitForSelector('#reports-box:not([hidden])');
    assert.match(await opt.textContent('#report-list'), /bí mật/);
    await opt.close();
    await page.close();
  });

  test('lessons at every age are readable at 200 % zoom with no horizontal overflow', async () => {
    for (const age of ['0-5', '6-10', '11-14', '15-17']) {
      for (const lang of ['vi', 'en']) {
        await setSettings(b.ctx, { age, lang });
        const page = await b.ctx.newPage();
        await page.setViewportSize({ width: 640, height: 800 });
        await page.goto(`chrome-extension://${b.extId}/lessons.html?id=personal-info`);
        await page.waitForSelector('#lesson-view:not([hidden])');
        await page.evaluate(() => { document.body.style.zoom = '2'; });
        await page.keyboard.press('Tab');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
        assert.equal(overflow, false, `${age} ${lang}: horizontal overflow`);
        await page.screenshot({ path: shotPath(`lesson-${age}-${lang}-zoom.png`), fullPage: true });
        await page.close();
      }
    }
  });

  test('a policy file replaces the alternatives list', async () => {
    fs.mkdirSync(POLICY_DIR, { recursive: true });
    let b2;
    try {
      fs.writeFileSync(POLICY_FILE, JSON.stringify({
        '3rdparty': { extensions: { [CHROME_ID]: {
          ageGroup: '6-10',
          alternatives: [{ url: 'https://thuvien.truong.example/', name: 'Thư viện nhà trường', ages: ['6-10'] }],
          replaceAlternatives: true,
        } } },
      }));
      b2 = await launch();
      const page = await b2.ctx.newPage();
      await page.goto(server.url('/harmful-vi-gambling.html')).catch(() => {});
      await waitFor(() => isBlockedPage(page), 10000, 'blocked page');
      await page.waitForSelector('#alternatives:not([hidden])');
      const items = await page.$$eval('#alt-list li a', (as) => as.map((a) => a.textContent));
      assert.deepEqual(items, ['Thư viện nhà trường']);
    } finally {
      fs.rmSync(POLICY_FILE, { force: true });
      await b2?.ctx.close();
    }
  });
});
