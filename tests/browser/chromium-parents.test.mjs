// Parents and schools in real Chromium: first-run PIN, wrong PIN slowed down
// (also after a browser restart), unlock requests that expire, forged unlock
// attempts, the activity summary and its CSV, settings surviving a restart,
// and a real managed-policy file (removed in `finally`).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../server.mjs';
import { launch, worker, waitFor, shotPath, isBlockedPage } from './chromium.mjs';

const PIN = '2468';
const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = path.join(POLICY_DIR, 'oche-test.json');
const CHROME_ID = 'nglfiencfnlcolbheaffcgkiemgcbpbn';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});


// On a fresh install the background opens the settings page itself; when
// that lands on the tab this test is opening, Chromium reports the test's
// navigation as interrupted by the same page. Then the page is there anyway.
async function optionsPage(b) {
  const page = await b.ctx.newPage();
  const url = `chrome-extension://${b.extId}/options.html`;
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url);
      return page;
    } catch (e) {
      if (attempt === 3 || !/interrupted by another navigation/.test(String(e.message))) throw e;
      await page.waitForLoadState('load').catch(() => {});
      if (page.url() === url) return page;
    }
  }
}

async function storage(b, keys = null) {
  return (await worker(b.ctx)).evaluate((k) => chrome.storage.local.get(k), keys);
}

async function setUp(b, age = '6-10') {
  const page = await optionsPage(b);
  await page.waitForSelector('#view-setup:not([hidden])');
  await page.check(`#setup-form input[name=age][value="${age}"]`);
  await page.fill('#setup-form input[name=pin]', PIN);
  await page.fill('#setup-form input[name=pin2]', PIN);
  await page.click('#setup-form button[type=submit]');
  await page.waitForSelector('#view-settings:not([hidden])', { timeout: 15000 });
  return page;
}

async function signIn(page, pin) {
  await page.fill('#signin-form input[name=pin]', pin);
  await page.click('#signin-form button[type=submit]');
}

describe('Chromium: parent PIN, settings and activity', () => {
  let dir;
  let b;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oche-parents-'));
    b = await launch({ userDataDir: dir });
  });
  after(async () => {
    await b?.ctx.close();
  });

  test('first run: age group and PIN; the PIN is stored only as a salted slow hash', async () => {
    const page = await setUp(b, '6-10');
    const st = await storage(b);
    assert.equal(st.settings.age, '6-10');
    assert.equal(st.settings.setupDone, true);
    assert.ok(st.auth.hash && st.auth.salt, 'hash and salt stored');
    assert.ok(st.auth.iterations >= 100000, 'PBKDF2 with many iterations');
    assert.ok(!JSON.stringify(st).includes(PIN), 'the PIN itself is nowhere in storage');
    await page.screenshot({ path: shotPath('settings-vi.png'), fullPage: true });
    await page.close();
  });

  test('guidance for parents and teachers, by age group, in Vietnamese and English', async () => {
    const page = await b.ctx.newPage();
    await page.goto(`chrome-extension://${b.extId}/guidance.html`);
    await page.waitForSelector('section.guide');
    const vi = JSON.parse(fs.readFileSync(new URL('../../extension/content/guidance.vi.json', import.meta.url), 'utf8'));
    assert.equal(await page.textContent('#title'), vi.title);
    assert.equal(await page.$$eval('section.guide', (x) => x.length), vi.sections.length);
    await page.selectOption('select[name=age]', '0-5');
    await page.waitForTimeout(200);
    const young = vi.sections.filter((x) => !x.ages || x.ages.includes('0-5')).length;
    assert.equal(await page.$$eval('section.guide', (x) => x.length), young);
    assert.ok(young < vi.sections.length, 'some sections are for older children only');
    await page.selectOption('select[name=lang]', 'en');
    const en = JSON.parse(fs.readFileSync(new URL('../../extension/content/guidance.en.json', import.meta.url), 'utf8'));
    await waitFor(async () => (await page.textContent('#title')) === en.title, 3000, 'English guidance');
    assert.match(await page.textContent('#sections'), /111/);
    await page.screenshot({ path: shotPath('guidance-en-0-5.png'), fullPage: true });
    await page.close();
  });

  test('a block-list entry blocks; an allow-list entry opens a listed site', async () => {
    const page = await optionsPage(b);
    await page.waitForSelector('#view-settings:not([hidden]), #view-signin:not([hidden])');
    if (await page.isVisible('#view-signin')) await signIn(page, PIN);
    await page.waitForSelector('#view-settings:not([hidden])');
    await page.fill('textarea[name=blockDomains]', 'chan-rieng.example');
    await page.fill('textarea[name=allowDomains]', 'fb88.com');
    await page.click('#settings-form button[type=submit]');
    await page.waitForSelector('#saved:not([hidden])');
    await page.close();

    const blocked = await b.ctx.newPage();
    await blocked.goto(server.url('/', 'chan-rieng.example')).catch(() => {});
    await waitFor(() => isBlockedPage(blocked), 8000, 'the block-list entry to be blocked');
    await blocked.waitForSelector('#main:not([hidden])');
    assert.equal(await blocked.getAttribute('body', 'data-category'), 'blocklist');
    await blocked.close();

    // fb88.com is on the built-in gambling list; the parent's allow-list wins.
    const allowed = await b.ctx.newPage();
    await allowed.goto(server.url('/home', 'fb88.com'));
    await allowed.waitForSelector('#served');
    await allowed.waitForTimeout(500);
    assert.ok(!isBlockedPage(allowed), 'allow-listed site must load');
    await allowed.close();
  });

  test('unlock request: the PIN opens the site for a while, and it expires on time', async () => {
    const site = 'w88.com'; // on the built-in gambling list
    const page = await b.ctx.newPage();
    await page.goto(server.url('/home', site)).catch(() => {});
    await waitFor(() => isBlockedPage(page), 8000, 'blocked page');
    await page.waitForSelector('#main:not([hidden])');
    await page.click('#ask');
    await page.waitForSelector('#parent-unlock:not([hidden])');
    await page.click('#parent-unlock');
    await page.waitForURL(/unlock\.html#/);
    await page.waitForSelector('#unlock-form:not([hidden])');
    assert.match(await page.textContent('#what'), /w88\.com/);
    // A wrong PIN does nothing.
    await page.fill('input[name=pin]', '0000');
    await page.click('#unlock-form button[type=submit]');
    await page.waitForSelector('#unlock-form .error:not([hidden])');
    assert.ok(page.url().includes('unlock.html'));
    await page.check('input[name=duration][value="15m"]');
    await page.fill('input[name=pin]', PIN);
    await page.click('#unlock-form button[type=submit]');
    await page.waitForSelector('#served', { timeout: 10000 });
    assert.ok(page.url().includes(site));
    const st = await storage(b, ['unlocks', 'requests']);
    const until = st.unlocks[site];
    assert.ok(until > Date.now() + 14 * 60e3 && until <= Date.now() + 15 * 60e3, 'unlocked for 15 minutes');
    assert.equal(st.requests.at(-1).status, 'granted');
    await page.close();

    // Let the 15 minutes pass (the stored expiry is moved, not the clock).
    await (await worker(b.ctx)).evaluate(async (d) => {
      const u = (await chrome.storage.local.get('unlocks')).unlocks;
      u[d] = Date.now() + 1000;
      await chrome.storage.local.set({ unlocks: u });
    }, site);
    await new Promise((r) => setTimeout(r, 2500));
    const again = await b.ctx.newPage();
    await again.goto(server.url('/home', site)).catch(() => {});
    await waitFor(() => isBlockedPage(again), 8000, 'the site to be blocked again after the unlock ran out');
    await again.close();
  });

  test('a forged unlock URL, a web page and a framed blocked page cannot unlock', async () => {
    const site = 'fun88.com';
    const forged = await b.ctx.newPage();
    await forged.goto(`chrome-extension://${b.extId}/unlock.html#00112233445566778899aabb`);
    await forged.waitForSelector('#missing:not([hidden])');
    assert.equal(await forged.isVisible('#unlock-form'), false);
    await forged.close();

    // A web page cannot open the unlock page (not web-accessible) …
    const web = await b.ctx.newPage();
    await web.goto(server.url('/benign-vi.html'));
    await web.evaluate((u) => { location.href = u; }, `chrome-extension://${b.extId}/unlock.html#x`).catch(() => {});
    await web.waitForTimeout(800);
    const reached = await web.evaluate(() => !!document.getElementById('unlock-form')).catch(() => false);
    assert.equal(reached, false, 'a web page must not load the unlock page');
    // … nor message the extension.
    await web.goto(server.url('/benign-vi.html'));
    const msg = await web.evaluate(async (id) => {
      try {
        if (!globalThis.chrome || !chrome.runtime || !chrome.runtime.sendMessage) return 'no-api';
        const r = await chrome.runtime.sendMessage(id, { type: 'grantUnlock', id: 'x', pin: '2468', duration: 'always' });
        return JSON.stringify(r);
      } catch (e) {
        return `error: ${e.message}`;
      }
    }, b.extId);
    assert.ok(msg === 'no-api' || msg.startsWith('error'), `web page reached the extension: ${msg}`);
    // … nor show the blocked page's controls in a frame.
    await web.setContent(`<iframe id="f" src="chrome-extension://${b.extId}/blocked.html"></iframe>`);
    await web.waitForTimeout(800);
    const frame = web.frames().find((f) => f.url().includes('blocked.html'));
    if (frame) assert.equal(await frame.$('#ask'), null, 'framed blocked page must not offer unlocking');
    await web.close();

    const still = await b.ctx.newPage();
    await still.goto(server.url('/home', site)).catch(() => {});
    await waitFor(() => isBlockedPage(still), 8000, `${site} still blocked`);
    await still.close();
    const st = await storage(b, ['unlocks', 'settings']);
    assert.ok(!(site in (st.unlocks || {})));
    assert.ok(!st.settings.allowDomains.includes(site));
  });

  test('wrong PINs are slowed down after 5 tries', async () => {
    const page = await optionsPage(b);
    // A new tab is signed out.
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.waitForSelector('#view-signin:not([hidden])');
    for (let i = 0; i < 5; i++) {
      await signIn(page, `9${i}99`);
      await waitFor(async () => (await page.textContent('#signin-form .error')).length > 0, 8000, 'an answer');
      if (i < 4) await page.evaluate(() => { document.querySelector('#signin-form .error').textContent = ''; });
    }
    assert.match(await page.textContent('#signin-form .error'), /30|giây|seconds/);
    // Even the right PIN is not looked at while waiting.
    await page.evaluate(() => { document.querySelector('#signin-form .error').textContent = ''; });
    await signIn(page, PIN);
    await waitFor(async () => (await page.textContent('#signin-form .error')).length > 0, 8000, 'an answer');
    assert.equal(await page.isVisible('#view-settings'), false);
    const st = await storage(b, 'auth');
    assert.ok(st.auth.failures >= 5 && st.auth.nextTryAt > Date.now());
    await page.close();
  });

  test('the activity log keeps domain, category, action and time — never page text', async () => {
    const page = await b.ctx.newPage();
    await page.goto(server.url('/harmful-vi-gambling.html')).catch(() => {});
    await waitFor(() => isBlockedPage(page), 10000, 'blocked page');
    await page.close();
    await new Promise((r) => setTimeout(r, 500));
    const st = await storage(b);
    assert.ok(st.activity.length > 0);
    for (const e of st.activity) {
      assert.deepEqual(Object.keys(e).sort(), ['action', 'category', 'domain', 't']);
      assert.ok(!/[\s/]/.test(e.domain), `domain only: ${e.domain}`);
    }
    const fixture = fs.readFileSync(new URL('../fixtures/harmful-vi-gambling.html', import.meta.url), 'utf8');
    const words = fixture.replace(/<[^>]+>/g, ' ').split(/\s+/).filter((w) => w.length >= 6);
    const dump = JSON.stringify(st);
    const leaked = words.filter((w) => dump.includes(w));
    assert.deepEqual(leaked, [], 'page text found in storage');
  });

  test('settings, PIN state and the log survive a browser restart', async () => {
    await b.ctx.close();
    b = await launch({ userDataDir: dir });
    const st = await storage(b);
    assert.equal(st.settings.age, '6-10');
    assert.deepEqual(st.settings.blockDomains, ['chan-rieng.example']);
    assert.ok(st.activity.length > 0);
    assert.ok(st.auth.failures >= 5, 'wrong tries are remembered');
    const page = await optionsPage(b);
    await page.waitForSelector('#view-signin:not([hidden])');
    await signIn(page, PIN);
    await waitFor(async () => (await page.textContent('#signin-form .error')).length > 0, 8000, 'the wait message');
    assert.match(await page.textContent('#signin-form .error'), /giây|phút|seconds|minutes/);
    assert.equal(await page.isVisible('#view-settings'), false, 'still waiting after a restart');
    await page.close();
  });

  test('weekly summary with chart, and CSV export with a byte-order mark', async () => {
    // End the wait (as if time had passed), then sign in.
    await (await worker(b.ctx)).evaluate(async () => {
      const a = (await chrome.storage.local.get('auth')).auth;
      await chrome.storage.local.set({ auth: { ...a, failures: 0, nextTryAt: 0 } });
    });
    const page = await optionsPage(b);
    await page.waitForSelector('#view-signin:not([hidden])');
    await signIn(page, PIN);
    await page.waitForSelector('#view-settings:not([hidden])', { timeout: 15000 });
    assert.ok(await page.$('#chart svg rect'), 'the chart has bars');
    const table = await page.textContent('#summary-table');
    assert.match(table, /Cờ bạc|cờ bạc/i);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const file = await download.path();
    const bytes = fs.readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
    const text = bytes.toString('utf8');
    assert.match(text, /Thời gian/);
    assert.match(text, /127\.0\.0\.1/);
    await page.screenshot({ path: shotPath('summary-vi.png'), fullPage: true });
    page.once('dialog', (d) => d.accept());
    await page.click('#clear');
    await waitFor(async () => ((await storage(b, 'activity')).activity || []).length === 0, 5000, 'the log to be cleared');
    await page.close();
  });
});

describe('Chromium: a school policy file', () => {
  test('policy age group and actions apply, fields are locked, lists work; bad values fall back', async () => {
    fs.mkdirSync(POLICY_DIR, { recursive: true });
    let b;
    try {
      fs.writeFileSync(POLICY_FILE, JSON.stringify({
        '3rdparty': {
          extensions: {
            [CHROME_ID]: {
              ageGroup: '15-17',
              categoryActions: { violence: 'block' },
              blockDomains: ['truong-chan.example'],
              allowDomains: ['fb88.com'],
              schoolName: 'Trường THCS Thử Nghiệm',
              schoolContact: 'Cô Lan, phòng Tư vấn học đường',
              allowUnlockRequests: false,
              // Wrong type: Chrome drops it silently; everything else works.
              activityRetentionDays: 'forever',
            },
          },
        },
      }));
      b = await launch();
      await waitFor(async () => {
        const info = await (await worker(b.ctx)).evaluate(async () => (await start()).info).catch(() => null);
        return info && info.age === '15-17';
      }, 10000, 'the policy age group');
      const info = await (await worker(b.ctx)).evaluate(async () => (await start()).info);
      assert.equal(info.actions.violence, 'block', 'policy category action');

      // 15-17 normally only warns on violence; the policy blocks it.
      const violent = await b.ctx.newPage();
      await violent.goto(server.url('/violent-vi.html')).catch(() => {});
      await waitFor(() => isBlockedPage(violent), 10000, 'violent page blocked by policy');
      await violent.waitForSelector('#school-contact:not([hidden])');
      assert.match(await violent.textContent('#school-contact'), /Cô Lan/);
      await violent.click('#ask');
      await violent.waitForSelector('#ask-note:not([hidden])');
      assert.equal(await violent.isVisible('#parent-unlock'), false, 'unlock requests are off under this policy');
      await violent.close();

      const blocked = await b.ctx.newPage();
      await blocked.goto(server.url('/', 'truong-chan.example')).catch(() => {});
      await waitFor(() => isBlockedPage(blocked), 8000, 'policy block-list');
      await blocked.close();

      const allowed = await b.ctx.newPage();
      await allowed.goto(server.url('/home', 'fb88.com'));
      await allowed.waitForSelector('#served');
      await allowed.waitForTimeout(500);
      assert.ok(!isBlockedPage(allowed), 'policy allow-list');
      await allowed.close();

      const page = await optionsPage(b);
      await page.waitForSelector('#managed:not([hidden])');
      assert.match(await page.textContent('#managed-by'), /Thử Nghiệm/);
      assert.match(await page.textContent('#managed-keys'), /ageGroup/);
      assert.doesNotMatch(await page.textContent('#managed-keys'), /activityRetentionDays/);
      assert.equal(await page.isVisible('#managed-chrome'), true, 'points the admin to chrome://policy');
      await page.waitForSelector('#view-setup:not([hidden])');
      assert.equal(await page.isDisabled('#setup-form input[name=age][value="15-17"]'), true, 'age group locked');
      await page.screenshot({ path: shotPath('settings-managed.png'), fullPage: true });
      await page.close();
    } finally {
      fs.rmSync(POLICY_FILE, { force: true });
      await b?.ctx.close();
    }
  });
});
