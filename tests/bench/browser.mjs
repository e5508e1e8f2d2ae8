// Browser measurements (Chromium), printed as figures — never asserted, and
// kept out of the test command. Usage: node tests/bench/browser.mjs
//   * load time of a heavy page with and without the extension (median of
//     runs, and the ratio);
//   * time from navigation to the first verdict applied;
//   * time from inserting a harmful comment to its blur (median, p95);
//   * background start-up to first verdict after the service worker stopped;
//   * the longest task on a 5 MB page (PerformanceObserver 'longtask').
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../server.mjs';
import { launch, setSettings } from '../browser/chromium.mjs';

const RUNS = Number(process.env.RUNS || 7);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const p95 = (v) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * 0.95))];
const server = await startServer();

// Figures per load:
//   ready   = the load event, and every block in the first screen shown
//             (the gate open or never closed, none of them waiting for its
//             verdict or behind the first-screen frontier);
//   painted = ready, then the next frame drawn: when the child actually sees
//             the page. Without the extension the load event comes before
//             the browser has laid out and painted a long page, while our
//             gate opens after that work, so `ready` alone charges the
//             browser's own layout to Ô Che; `painted` counts it on both sides;
//   checked = (with Ô Che only) the whole page walked and every verdict
//             applied: nothing hidden anywhere any more.
// Whatever hides it (the gate, a block waiting for its verdict, the
// first-screen frontier), a block in view is shown when its computed
// visibility says so. The heavy page is paragraphs in flow: the first ones
// are the first screen.
const firstScreenShown = () => {
  for (const e of document.querySelectorAll('h1, p')) {
    const r = e.getBoundingClientRect();
    if (r.top >= innerHeight) return true;
    if (r.bottom > 0 && getComputedStyle(e).visibility !== 'visible') return false;
  }
  return true;
};
const allChecked = () => !document.querySelector('[data-oche-rest], [data-oche-pending]') && !document.documentElement.hasAttribute('data-oche-gate');

async function loadOnce(ctx, url) {
  const page = await ctx.newPage();
  const t = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(firstScreenShown, null, { timeout: 30000, polling: 'raf' });
  const ready = Date.now() - t;
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const painted = Date.now() - t;
  await page.waitForFunction(allChecked, null, { timeout: 30000, polling: 'raf' });
  const checked = Date.now() - t;
  await page.close();
  return { ready, painted, checked };
}

const heavy = server.url('/big?mb=1');
const plain = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'oche-plain-')), {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1000, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const b = await launch(process.env.EXT ? { ext: process.env.EXT } : {}); // EXT: another unpacked build
await b.sw.evaluate(() => start());
// AGE=15-17 measures the page without the first-paint gate.
if (process.env.AGE) await setSettings(b.ctx, { age: process.env.AGE });
// Runs alternate between the two browsers, so a slow spell of this shared
// machine hits both alike; the first run of each (cold caches) is dropped.
const without = [];
const withExt = [];
for (let i = 0; i <= RUNS; i++) {
  const x = await loadOnce(plain, heavy);
  const y = await loadOnce(b.ctx, heavy);
  if (i > 0) {
    without.push(x);
    withExt.push(y);
  }
}
await plain.close();
for (const k of ['ready', 'painted']) {
  const a = median(without.map((x) => x[k]));
  const b2 = median(withExt.map((x) => x[k]));
  console.log(`heavy page (1 MB, ${RUNS} runs each, alternating), ${k}: without ${a} ms, with Ô Che ${b2} ms, ratio ${(b2 / a).toFixed(2)}`);
}
// Each pair of runs is taken back to back: the median of their ratios is
// less swayed by this shared machine's slow spells than the ratio of medians.
for (const k of ['ready', 'painted']) {
  const ratios = withExt.map((y, i) => y[k] / without[i][k]);
  console.log(`heavy page, ${k}: median of the ${RUNS} paired ratios ${median(ratios).toFixed(2)}`);
}
console.log(`heavy page (1 MB): whole page walked and every verdict applied (checked) after ${median(withExt.map((x) => x.checked))} ms with Ô Che`);
if (process.env.LOAD_ONLY) {
  await b.ctx.close();
  await server.close();
  process.exit(0);
}

// Navigation to first verdict applied (blur of a harmful comment).
const firsts = [];
for (let i = 0; i < RUNS; i++) {
  const page = await b.ctx.newPage();
  const t = Date.now();
  await page.goto(server.url('/comments-vi.html'), { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelector('#c2[data-oche-blur]') !== null, null, { timeout: 10000 });
  firsts.push(Date.now() - t);
  await page.close();
}
console.log(`navigation to first verdict applied: median ${median(firsts)} ms, p95 ${p95(firsts)} ms`);

// Insert a harmful comment, time to blur (measured inside the page).
const page = await b.ctx.newPage();
await page.goto(server.url('/benign-vi.html'));
await page.waitForFunction(() => !document.documentElement.hasAttribute('data-oche-gate'));
const lat = await page.evaluate(async (n) => {
  const out = [];
  for (let i = 0; i < n; i++) {
    const div = document.createElement('div');
    div.textContent = `Thằng ngu vãi lồn ${i}, đm mày`;
    const t = performance.now();
    document.body.appendChild(div);
    await new Promise((resolve) => {
      const check = () => (div.hasAttribute('data-oche-blur') ? resolve() : requestAnimationFrame(check));
      check();
    });
    out.push(performance.now() - t);
  }
  return out;
}, 40);
console.log(`insert harmful comment → blur: median ${median(lat).toFixed(1)} ms, p95 ${p95(lat).toFixed(1)} ms`);
await page.close();

// Service worker stopped: start-up to first verdict.
const cdp = await b.ctx.newCDPSession(await b.ctx.newPage());
const restarts = [];
for (let i = 0; i < 5; i++) {
  await cdp.send('ServiceWorker.enable').catch(() => {});
  await cdp.send('ServiceWorker.stopAllWorkers').catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
  const p = await b.ctx.newPage();
  const t = Date.now();
  await p.goto(server.url('/comments-vi.html'), { waitUntil: 'commit' });
  await p.waitForFunction(() => document.querySelector('#c2[data-oche-blur]') !== null, null, { timeout: 15000 });
  restarts.push(Date.now() - t);
  await p.close();
}
console.log(`after the service worker was stopped, navigation to first verdict: median ${median(restarts)} ms`);

// Longest task on a 5 MB page.
const big = await b.ctx.newPage();
await big.addInitScript(() => {
  window.__longest = 0;
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: 'longtask', buffered: true });
});
const t = Date.now();
await big.goto(server.url('/big?mb=5&bad=1'), { waitUntil: 'load', timeout: 60000 });
await big.waitForFunction(() => document.querySelector('#bad[data-oche-blur]') !== null, null, { timeout: 60000 });
const longest = await big.evaluate(() => window.__longest);
// The content script marks its own tasks over 10 ms as "oche:…" measures.
const ours = await big.evaluate(() => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('oche:')).map((m) => [m.name, m.duration]));
const oursMax = ours.reduce((m, x) => Math.max(m, x[1]), 0);
const byKind = {};
for (const [n, d] of ours) byKind[n] = Math.max(byKind[n] || 0, d);
console.log(`5 MB page: verdict on its last paragraph after ${Date.now() - t} ms; longest task on the page ${longest.toFixed(0)} ms (includes the browser's own parsing)`);
console.log(`5 MB page: longest task of our content script ${ours.length ? `${oursMax.toFixed(1)} ms (${ours.length} over 10 ms; ${Object.entries(byKind).map(([n, d]) => `${n} ${d.toFixed(1)}`).join(', ')})` : 'under 10 ms (none marked)'}`);

await b.ctx.close();
await server.close();
