// End-to-end tests in real Chromium with the built extension (dist/chrome),
// against fixture pages on 127.0.0.1. They assert what a child would see.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server.mjs';
import { launch, setSettings, waitFor, visibilityRecorder, shotPath, isBlockedPage } from './chromium.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.ctx.close();
  await server?.close();
});

async function open(path, { host, recorder } = {}) {
  const page = await browser.ctx.newPage();
  if (recorder) await page.addInitScript(visibilityRecorder, recorder);
  await page.goto(server.url(path, host), { waitUntil: 'domcontentloaded' }).catch(() => {});
  return page;
}


async function gateOpen(page) {
  await waitFor(() => page.evaluate(() => !document.documentElement.hasAttribute('data-oche-gate')).catch(() => false), 10000, 'the page to be revealed');
}

const blurred = (page, sel) => page.$eval(sel, (el) => el.closest('[data-oche-blur]') !== null);
const visible = (page, sel) => page.$eval(sel, (el) => getComputedStyle(el).visibility === 'visible');

describe('Chromium: pages a child reads', () => {
  test('benign Vietnamese page with collision words stays fully visible (6-10)', async () => {
    await setSettings(browser.ctx, { age: '6-10', lang: 'vi' });
    const page = await open('/benign-vi.html');
    await gateOpen(page);
    await page.waitForTimeout(300);
    for (const id of ['#p1', '#p2', '#p3', '#li1', '#p4']) {
      assert.equal(await blurred(page, id), false, `${id} must not be blurred`);
      assert.equal(await visible(page, id), true, `${id} must be visible`);
    }
    assert.equal(await page.$$eval('[data-oche-blur]', (e) => e.length), 0);
    assert.ok(!isBlockedPage(page));
    await page.close();
  });

  test('benign English page (Scunthorpe, cockpit, Moby Dick) stays visible', async () => {
    const page = await open('/benign-en.html');
    await gateOpen(page);
    await page.waitForTimeout(300);
    assert.equal(await page.$$eval('[data-oche-blur]', (e) => e.length), 0);
    assert.ok(!isBlockedPage(page));
    await page.close();
  });

  test('abusive comments are blurred, the article and kind comments are not', async () => {
    const page = await open('/comments-vi.html', { recorder: ['c2', 'c4'] });
    await gateOpen(page);
    await waitFor(() => blurred(page, '#c2'), 5000, '#c2 blurred');
    assert.equal(await blurred(page, '#c4'), true, 'dotted obfuscation is caught');
    assert.deepEqual(await page.evaluate(() => window.__ocheSeen), [], 'a harmful comment was visible unblurred in some frame');
    assert.equal(await blurred(page, '#c1'), false);
    assert.equal(await blurred(page, '#c3'), false);
    assert.equal(await blurred(page, '#article'), false);
    // The calm label is in the child's language.
    const label = await page.$eval('#c2 .oche-label', (el) => el.textContent);
    assert.match(label, /Ô Che/);
    assert.equal(await page.$eval('#c2', (el) => getComputedStyle(el).color), 'rgba(0, 0, 0, 0)');
    await page.close();
  });

  test('a page sent with a strict CSP is still classified (WebAssembly runs in the background)', async () => {
    const page = await open('/csp/comments-vi.html');
    await gateOpen(page);
    await waitFor(() => blurred(page, '#c2'), 5000, '#c2 blurred under CSP');
    assert.equal(await blurred(page, '#c1'), false);
    await page.close();
  });

  test('comments appended after load are never visible unblurred', async () => {
    const page = await open('/feed.html', { recorder: ['bad1', 'bad2'] });
    await waitFor(() => page.$('#bad2').then(Boolean), 8000, 'the feed to append');
    await waitFor(() => blurred(page, '#bad2'), 5000, '#bad2 blurred');
    assert.equal(await blurred(page, '#bad1'), true);
    await waitFor(() => visible(page, '#good2'), 5000, '#good2 revealed');
    assert.equal(await blurred(page, '#good2'), false);
    const seen = await page.evaluate(() => window.__ocheSeen);
    assert.deepEqual(seen, [], 'a harmful comment was visible unblurred in some frame');
    await page.close();
  });

  test('same-origin iframe content is classified too', async () => {
    const page = await open('/iframe.html');
    await gateOpen(page);
    const frame = page.frames().find((f) => f.url().includes('comments-vi'));
    assert.ok(frame, 'iframe loaded');
    await waitFor(() => frame.$eval('#c2', (el) => el.closest('[data-oche-blur]') !== null).catch(() => false), 8000, 'iframe comment blurred');
    assert.equal(await frame.$eval('#c1', (el) => el.closest('[data-oche-blur]') !== null), false);
    await page.close();
  });

  test('a very large page (5 MB) keeps working and its harmful paragraph is blurred', async () => {
    // Its last paragraph's verdict comes after the gate opens: it must stay
    // hidden on its own until then (never visible unblurred).
    const page = await open('/big?mb=5&bad=1', { recorder: ['bad'] });
    await waitFor(() => page.$('#bad').then(Boolean), 20000, 'the big page');
    await gateOpen(page);
    await waitFor(() => blurred(page, '#bad'), 20000, '#bad blurred on the big page');
    assert.deepEqual(await page.evaluate(() => window.__ocheSeen), [], 'the harmful paragraph was visible unblurred in some frame');
    assert.ok(!isBlockedPage(page));
    await page.close();
  });

  test('a long page opens on its first screen; what the walk has not reached stays hidden', async () => {
    await setSettings(browser.ctx, { age: '6-10', lang: 'vi' });
    // The page records what was shown when the gate opened, and every frame
    // (RECORD in tests/server.mjs).
    const page = await open('/big?mb=2&bad=1&record=1');
    await gateOpen(page);
    await waitFor(() => blurred(page, '#bad'), 20000, '#bad blurred on the long page');
    const atOpen = await page.evaluate(() => window.__atOpen);
    assert.deepEqual(atOpen, { rest: true, first: true, last: false }, 'the gate opened on the first screen, with the rest hidden');
    assert.deepEqual(await page.evaluate(() => window.__ocheSeen), [], 'the harmful paragraph was visible unblurred in some frame');
    // The walk is over: nothing is left hidden, the rules and their sheet are gone.
    await waitFor(() => page.evaluate(() => !document.querySelector('[data-oche-rest], [data-oche-pending]')), 20000, 'the frontier to go');
    assert.equal(await page.evaluate(() => document.adoptedStyleSheets.length), 0);
    assert.equal(await visible(page, 'body > p:nth-last-of-type(2)'), true);
    await page.close();
  });

  test('a page that changes itself while it is walked never shows what was not checked', async () => {
    // It removes paragraphs before the frontier and drops the adopted
    // style sheets (see CHURN in tests/server.mjs).
    const page = await open('/big?mb=2&bad=1&churn=1&record=1');
    await gateOpen(page);
    await waitFor(() => blurred(page, '#bad'), 30000, '#bad blurred on the changing page');
    assert.deepEqual(await page.evaluate(() => window.__ocheSeen), [], 'the harmful paragraph was visible unblurred in some frame');
    await waitFor(() => page.evaluate(() => !document.querySelector('[data-oche-rest]') && !document.documentElement.hasAttribute('data-oche-gate')), 30000, 'the frontier to go');
    await page.close();
  });

  test('100k nodes and a deeply nested harmful paragraph', async () => {
    const page = await open('/many?n=100000');
    await gateOpen(page);
    await waitFor(() => blurred(page, '#deepbad'), 20000, 'deep paragraph blurred');
    assert.equal(await visible(page, '#end'), true);
    await page.close();
  });
});

describe('Chromium: odd pages', () => {
  test('open shadow roots are classified; contenteditable keeps working; no errors in the page', async () => {
    const page = await browser.ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url('/shadow.html'), { waitUntil: 'domcontentloaded' });
    await gateOpen(page);
    await waitFor(
      () => page.evaluate(() => document.getElementById('host').shadowRoot.getElementById('inshadow').hasAttribute('data-oche-blur')),
      8000,
      'shadow paragraph blurred',
    );
    assert.equal(await page.evaluate(() => document.getElementById('host').shadowRoot.getElementById('okshadow').hasAttribute('data-oche-blur')), false);
    // Typing in a rich editor: the text stays as typed.
    await page.click('#typed');
    await page.keyboard.press('End');
    await page.keyboard.type(' Mèo rất ngoan.');
    await page.waitForTimeout(300);
    assert.match(await page.textContent('#editor'), /Mèo rất ngoan\./);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the background restarting mid-page: classification resumes', async () => {
    const page = await open('/benign-vi.html');
    await gateOpen(page);
    const cdp = await browser.ctx.newCDPSession(page);
    await cdp.send('ServiceWorker.enable').catch(() => {});
    await cdp.send('ServiceWorker.stopAllWorkers').catch(() => {});
    await page.evaluate(() => {
      const d = document.createElement('div');
      d.id = 'late';
      d.textContent = 'đm thằng ngu vãi lồn';
      document.body.appendChild(d);
    });
    await waitFor(() => blurred(page, '#late'), 15000, 'late comment blurred after a restart');
    await page.close();
  });
});

describe('Chromium: warnings for older children', () => {
  test('11-14: a violent page gets a dismissible notice, not a block', async () => {
    await setSettings(browser.ctx, { age: '11-14', lang: 'vi' });
    const page = await open('/violent-vi.html');
    await gateOpen(page);
    await waitFor(() => page.$('[data-oche-ui="warn"]').then(Boolean), 8000, 'the warning notice');
    assert.ok(!isBlockedPage(page));
    assert.equal(await page.getAttribute('[data-oche-ui="warn"]', 'role'), 'alert');
    await page.close();
    await setSettings(browser.ctx, { age: '6-10', lang: 'vi' });
  });
});

describe('Chromium: blocking', () => {
  test('a gambling page is sent to the blocked page, in Vietnamese, with 6-10 wording', async () => {
    await setSettings(browser.ctx, { age: '6-10', lang: 'vi' });
    const page = await open('/harmful-vi-gambling.html');
    await waitFor(() => isBlockedPage(page), 8000, 'the blocked page');
    await page.waitForSelector('#title:not(:empty)');
    const title = await page.textContent('#title');
    const lead = await page.textContent('#lead');
    assert.equal(title, 'Mình dừng lại một chút nhé');
    assert.match(lead, /cờ bạc/);
    assert.equal(await page.getAttribute('body', 'data-category'), 'gambling');
    await page.close();
  });

  test('sexual content in Vietnamese and gambling in English are blocked', async () => {
    for (const p of ['/harmful-vi-sexual.html', '/harmful-en-gambling.html']) {
      const page = await open(p);
      await waitFor(() => isBlockedPage(page), 8000, `blocked page for ${p}`);
      await page.close();
    }
  });

  test('a listed domain is blocked before any request reaches it, subdomains too', async () => {
    const before = server.requests.length;
    for (const host of ['fb88.com', 'm.fb88.com', 'pornhub.com']) {
      const page = await open('/', { host });
      await waitFor(() => isBlockedPage(page), 8000, `blocked page for ${host}`);
      await page.close();
    }
    const hits = server.requests.slice(before).filter((r) => /fb88|pornhub/.test(r.host));
    assert.deepEqual(hits, [], 'the fixture server saw a request for a listed domain');
  });

  test('an ordinary host that is not listed loads', async () => {
    const page = await open('/', { host: 'truonghoc.example' });
    await gateOpen(page);
    assert.ok(!isBlockedPage(page));
    await page.close();
  });

  test('the blocked page refuses to run inside a frame', async () => {
    const page = await open('/benign-en.html');
    const url = `chrome-extension://${browser.extId}/blocked.html`;
    await page.evaluate((u) => {
      const f = document.createElement('iframe');
      f.id = 'evil';
      f.src = u;
      document.body.appendChild(f);
    }, url);
    await page.waitForTimeout(1000);
    const frame = page.frames().find((f) => f.url().includes('blocked.html'));
    if (frame) {
      // Loaded despite frame-ancestors: it must show nothing of the page.
      const main = await frame.$('#main').catch(() => null);
      assert.equal(main, null);
    }
    await page.close();
  });
});

describe('Chromium: the blocked page in every age group and language', () => {
  const expected = {
    vi: { '0-5': 'Mình dừng lại ở đây con nhé', '15-17': null },
    en: { '0-5': "Let's stop here", '6-10': "Let's stop here for a moment" },
  };
  for (const lang of ['vi', 'en']) {
    for (const age of ['0-5', '6-10', '11-14', '15-17']) {
      test(`${lang} ${age}`, async () => {
        await setSettings(browser.ctx, { age, lang });
        const page = await open('/harmful-vi-gambling.html');
        await waitFor(() => isBlockedPage(page), 8000, 'the blocked page');
        await page.waitForSelector('#title:not(:empty)');
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.equal(await page.getAttribute('body', 'data-age'), age);
        const title = await page.textContent('#title');
        if (expected[lang][age]) assert.equal(title, expected[lang][age]);
        // Older children get a real explanation and a safety tip.
        const tipShown = await page.isVisible('#tip');
        assert.equal(tipShown, age === '11-14' || age === '15-17');
        // Help: 111 is one click away.
        await page.click('#help');
        assert.ok(await page.isVisible('#help-panel a[href="tel:111"]'));
        await page.screenshot({ path: shotPath(`blocked-${lang}-${age}.png`), fullPage: true });
        await page.close();
      });
    }
  }

  test('narrow window and 200% zoom: no horizontal overflow, buttons reachable by keyboard', async () => {
    await setSettings(browser.ctx, { age: '11-14', lang: 'vi' });
    const page = await open('/harmful-vi-gambling.html');
    await waitFor(() => isBlockedPage(page), 8000, 'the blocked page');
    await page.waitForSelector('#title:not(:empty)');
    // 200 % zoom of a 720 px window is a 360 CSS-pixel viewport.
    await page.setViewportSize({ width: 360, height: 700 });
    await page.evaluate(() => document.getElementById('help').click());
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
    await page.screenshot({ path: shotPath('blocked-vi-11-14-narrow.png'), fullPage: true });
    // Keyboard: Tab reaches the three actions in order.
    await page.focus('#back');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'ask');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'help');
    await page.close();
  });

  test('self-harm gets the supportive page, not a cold block', async () => {
    await setSettings(browser.ctx, { age: '11-14', lang: 'vi' });
    const page = await browser.ctx.newPage();
    await page.goto(`chrome-extension://${browser.extId}/blocked.html#support`);
    await page.waitForSelector('#support-view:not([hidden])');
    assert.ok(await page.isVisible('#support-call'));
    assert.ok(await page.isVisible('#help-panel'));
    await page.screenshot({ path: shotPath('support-vi-11-14.png'), fullPage: true });
    await page.close();
    await setSettings(browser.ctx, { age: '6-10', lang: 'vi' });
  });
});
