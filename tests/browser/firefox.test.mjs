// End-to-end tests in real Firefox ESR with the built extension
// (dist/firefox): blur, block, the blocked page, lists before the request.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../server.mjs';
import * as shared from './firefox.mjs';
import { launch, setSettings, waitFor, base, root } from './firefox.mjs';

let server;
let driver;

before(async () => {
  server = await startServer();
  driver = await launch();
});

after(async () => {
  await driver?.quit().catch(() => {});
  await server?.close();
});

const isBlockedPage = () => shared.isBlockedPage(driver);
const blurred = (id) => driver.executeScript((i) => {
  const el = document.getElementById(i);
  return el ? el.closest('[data-oche-blur]') !== null : false;
}, id);
const gateOpen = () => driver.executeScript(() => !document.documentElement.hasAttribute('data-oche-gate'));

describe('Firefox', () => {
  test('benign Vietnamese page stays visible; abusive comments are blurred', async () => {
    await setSettings(driver, { age: '6-10', lang: 'vi' });
    await driver.get(server.url('/benign-vi.html'));
    await waitFor(gateOpen, 8000, 'benign page revealed');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await driver.executeScript(() => document.querySelectorAll('[data-oche-blur]').length), 0);
    await driver.get(server.url('/comments-vi.html'));
    await waitFor(() => blurred('c2'), 8000, '#c2 blurred');
    assert.equal(await blurred('c1'), false);
    assert.equal(await blurred('article'), false);
  });

  test('a long page opens on its first screen; what the walk has not reached stays hidden', async () => {
    // The page records what was shown when the gate opened, and every frame
    // (RECORD in tests/server.mjs). It changes itself while it is walked
    // (CHURN): paragraphs removed before the frontier, adopted sheets dropped.
    // The background warmed up first: the first screen's verdicts must come
    // back while the long page is still being walked.
    await driver.get(server.url('/benign-vi.html'));
    await waitFor(gateOpen, 8000, 'a first page revealed');
    for (const churn of ['0', '1']) {
      await driver.get(server.url(`/big?mb=2&bad=1&record=1&churn=${churn}`));
      await waitFor(gateOpen, 20000, 'the long page revealed');
      await waitFor(() => blurred('bad'), 20000, '#bad blurred on the long page');
      assert.deepEqual(await driver.executeScript(() => window.__ocheSeen), [], 'the harmful paragraph was visible unblurred in some frame');
      if (churn === '0') {
        assert.deepEqual(await driver.executeScript(() => window.__atOpen), { rest: true, first: true, last: false }, 'the gate opened on the first screen, with the rest hidden');
      }
      await waitFor(() => driver.executeScript(() => !document.querySelector('[data-oche-rest], [data-oche-pending]') && document.adoptedStyleSheets.length === 0), 20000, 'the frontier to go');
    }
  });

  test('a page with a strict CSP is classified', async () => {
    await driver.get(server.url('/csp/comments-vi.html'));
    await waitFor(() => blurred('c2'), 8000, '#c2 blurred under CSP');
  });

  test('comments appended after load are blurred', async () => {
    await driver.get(server.url('/feed.html'));
    await waitFor(() => blurred('bad2'), 10000, '#bad2 blurred');
    assert.equal(await blurred('bad1'), true);
    assert.equal(await driver.executeScript(() => !!document.getElementById('good2')), true);
    assert.equal(await blurred('good2'), false);
  });

  test('a gambling page goes to the blocked page in Vietnamese', async () => {
    await driver.get(server.url('/harmful-vi-gambling.html'));
    await waitFor(isBlockedPage, 10000, 'the blocked page');
    await waitFor(async () => (await driver.executeScript(() => document.getElementById('title')?.textContent)) !== '', 5000, 'title');
    assert.equal(await driver.executeScript(() => document.getElementById('title').textContent), 'Mình dừng lại một chút nhé');
    assert.equal(await driver.executeScript(() => document.documentElement.lang), 'vi');
    const shots = path.join(root, 'tests/screenshots');
    fs.mkdirSync(shots, { recursive: true });
    fs.writeFileSync(path.join(shots, 'firefox-blocked-vi-6-10.png'), await driver.takeScreenshot(), 'base64');
  });

  test('English, 11-14: a real explanation and a tip', async () => {
    await setSettings(driver, { age: '11-14', lang: 'en' });
    await driver.get(server.url('/harmful-en-gambling.html'));
    await waitFor(isBlockedPage, 10000, 'the blocked page');
    await waitFor(async () => driver.executeScript(() => !document.getElementById('tip').hidden), 5000, 'tip');
    const lead = await driver.executeScript(() => document.getElementById('lead').textContent);
    assert.match(lead, /gambling/);
    await setSettings(driver, { age: '6-10', lang: 'vi' });
  });

  test('a listed domain is blocked before any request reaches it', async () => {
    const before = server.requests.length;
    await driver.get(server.url('/', 'fb88.com')).catch(() => {});
    await waitFor(isBlockedPage, 10000, 'blocked page for fb88.com');
    await driver.get(server.url('/x', 'www.m.fb88.com')).catch(() => {});
    await waitFor(isBlockedPage, 10000, 'blocked page for a subdomain');
    const hits = server.requests.slice(before).filter((r) => /fb88/.test(r.host));
    assert.deepEqual(hits, []);
  });
});
