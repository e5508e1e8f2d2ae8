// Safe search, search terms and list precedence in real Firefox ESR. An
// HTTPS server on 127.0.0.1:443 stands in for the search engines (Firefox's
// DNS override sends every host here; the test accepts its certificate).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server.mjs';
import * as shared from './firefox.mjs';
import { launch, setSettings, waitFor, base } from './firefox.mjs';

let tls;
let driver;
before(async () => {
  tls = await startServer({ https: true, port: 443 });
  driver = await launch({ acceptInsecureCerts: true });
});
after(async () => {
  await driver?.quit().catch(() => {});
  await tls?.close();
});

const seen = (host) => tls.requests.filter((r) => r.host === host && r.path !== '/favicon.ico');
const isBlockedPage = () => shared.isBlockedPage(driver);

describe('Firefox: safe search and search terms', () => {
  test('Google (safe=active, over safe=off), Bing, DuckDuckGo and the YouTube header', async () => {
    await setSettings(driver, { age: '11-14', lang: 'vi' });
    await driver.get('https://www.google.com.vn/search?q=meo&safe=off');
    await waitFor(async () => seen('www.google.com.vn').length > 0, 5000, 'google');
    for (const r of seen('www.google.com.vn')) assert.match(r.query, /[?&]safe=active(&|$)/);
    await driver.get('https://www.bing.com/search?q=meo');
    await waitFor(async () => seen('www.bing.com').length > 0, 5000, 'bing');
    for (const r of seen('www.bing.com')) assert.match(r.query, /adlt=strict/);
    await driver.get('https://duckduckgo.com/?q=meo');
    await waitFor(async () => seen('duckduckgo.com').length > 0, 5000, 'ddg');
    for (const r of seen('duckduckgo.com')) assert.match(r.query, /kp=1/);
    await driver.get('https://www.youtube.com/watch?v=abc');
    await waitFor(async () => seen('www.youtube.com').length > 0, 5000, 'youtube');
    for (const r of seen('www.youtube.com')) assert.equal(r.headers['youtube-restrict'], 'Strict');
  });

  test('a harmful search is blocked; a self-harm search gets the supportive page', async () => {
    await setSettings(driver, { age: '6-10', lang: 'vi' });
    await driver.get('https://www.google.com.vn/search?q=phim+sex+khong+che');
    await waitFor(() => isBlockedPage(), 8000, 'blocked search');
    await setSettings(driver, { age: '15-17', lang: 'vi' });
    await driver.get('https://www.google.com.vn/search?q=c%C3%A1ch+t%E1%BB%B1+t%E1%BB%AD');
    await waitFor(() => isBlockedPage(), 8000, 'support page');
    await waitFor(() => driver.executeScript(() => !document.getElementById('support-view').hidden), 5000, 'support view');
  });
});
