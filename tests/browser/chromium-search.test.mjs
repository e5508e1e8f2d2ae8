// Safe search and search terms in real Chromium. An HTTPS server on
// 127.0.0.1:443 stands in for Google, Bing, DuckDuckGo and YouTube (every
// host name resolves to this machine, and this browser accepts the test's
// self-signed certificate); the test reads what the browser actually asked
// for. Nothing leaves the machine.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server.mjs';
import { launch, setSettings, waitFor, worker, isBlockedPage } from './chromium.mjs';

let tls;
let b;
before(async () => {
  tls = await startServer({ https: true, port: 443 });
  b = await launch({ args: ['--ignore-certificate-errors'] });
});
after(async () => {
  await b?.ctx.close();
  await tls?.close();
});


async function visit(url) {
  const page = await b.ctx.newPage();
  await page.goto(url).catch(() => {});
  await page.waitForTimeout(400);
  return page;
}

// What the browser asked of one host (not its favicon).
function seen(host) {
  return tls.requests.filter((r) => r.host === host && r.path !== '/favicon.ico');
}

describe('Chromium: safe search', () => {
  test('Google on every country domain gets safe=active, even if the child set safe=off', async () => {
    await setSettings(b.ctx, { age: '11-14', lang: 'vi' });
    for (const host of ['www.google.com.vn', 'www.google.com', 'www.google.co.uk', 'google.fr']) {
      const page = await visit(`https://${host}/search?q=meo+con&safe=off`);
      const reqs = seen(host);
      assert.ok(reqs.length > 0, `${host} was asked`);
      for (const r of reqs) assert.match(r.query, /[?&]safe=active(&|$)/, `${host}: ${r.query}`);
      assert.ok(!reqs.some((r) => /safe=off/.test(r.query)), `${host}: safe=off reached the server`);
      await page.close();
    }
  });

  test('Bing gets adlt=strict, DuckDuckGo kp=1, YouTube the Restricted Mode header', async () => {
    await setSettings(b.ctx, { age: '11-14', lang: 'vi' });
    let page = await visit('https://www.bing.com/search?q=meo');
    assert.ok(seen('www.bing.com').every((r) => /[?&]adlt=strict/.test(r.query)) && seen('www.bing.com').length > 0);
    await page.close();
    page = await visit('https://duckduckgo.com/?q=meo');
    assert.ok(seen('duckduckgo.com').length > 0 && seen('duckduckgo.com').every((r) => /[?&]kp=1/.test(r.query)));
    await page.close();
    page = await visit('https://www.youtube.com/watch?v=abc');
    const yt = seen('www.youtube.com');
    assert.ok(yt.length > 0);
    for (const r of yt) assert.equal(r.headers['youtube-restrict'], 'Strict');
    await page.close();
  });

  test('15-17 gets YouTube Moderate; a parent who turns safe search off gets plain requests', async () => {
    await setSettings(b.ctx, { age: '15-17', lang: 'vi' });
    const before = seen('m.youtube.com').length;
    let page = await visit('https://m.youtube.com/');
    assert.equal(seen('m.youtube.com').slice(before)[0].headers['youtube-restrict'], 'Moderate');
    await page.close();
    await setSettings(b.ctx, { age: '15-17', safeSearch: false });
    await waitFor(async () => {
      const n = await (await worker(b.ctx)).evaluate(async () => (await chrome.declarativeNetRequest.getDynamicRules()).length);
      return n === 0;
    }, 5000, 'the safe-search rules to go');
    const n0 = seen('www.google.de').length;
    page = await visit('https://www.google.de/search?q=hund');
    const r = seen('www.google.de').slice(n0);
    assert.ok(r.length > 0 && r.every((x) => !/safe=active/.test(x.query)));
    await page.close();
    await setSettings(b.ctx, { safeSearch: true });
  });
});

describe('Chromium: search terms', () => {
  test('a harmful search is blocked, with or without diacritics, in Vietnamese and English', async () => {
    await setSettings(b.ctx, { age: '6-10', lang: 'vi' });
    for (const q of ['phim+sex+không+che', 'phim+sex+khong+che', 'nha+cai+uy+tin+tai+xiu', 'free+porn+videos']) {
      const page = await visit(`https://www.google.com.vn/search?q=${q}`);
      await waitFor(() => isBlockedPage(page), 8000, `blocked search ${q}`);
      await page.close();
    }
    const ok = await visit('https://www.google.com.vn/search?q=c%C3%A1ch+v%E1%BA%BD+con+m%C3%A8o');
    await ok.waitForTimeout(500);
    assert.equal(isBlockedPage(ok), false, 'an ordinary search passes');
    await ok.close();
  });

  test('a self-harm search opens the supportive page, not a cold block', async () => {
    await setSettings(b.ctx, { age: '15-17', lang: 'vi' });
    const page = await visit('https://www.google.com.vn/search?q=c%C3%A1ch+t%E1%BB%B1+t%E1%BB%AD');
    await waitFor(() => isBlockedPage(page), 8000, 'support page');
    await page.waitForSelector('#support-view:not([hidden])');
    assert.match(await page.textContent('#support-view'), /111/);
    await page.close();
  });
});
