// Compares two (or more) builds of the Chrome extension on one page, runs
// interleaved so a slow spell of the machine hits every build alike (the
// first round is dropped). Prints medians; asserts nothing.
//   node tests/bench/compare-builds.mjs /tmp/before/chrome dist/chrome
//   N=12 PAGE='/big?mb=5' node tests/bench/compare-builds.mjs A B
// Figures per build: wall = navigation to load + gate open; allRevealed =
// until no block waits for its verdict; dcl = DOMContentLoaded; gate-dcl =
// how long the gate stayed closed after it; longest = our longest task.
import { startServer } from '../server.mjs';
import { launch } from '../browser/chromium.mjs';
const server = await startServer();
const N = Number(process.env.N || 8);
const dirs = process.argv.slice(2);
const bs = [];
for (const ext of dirs) { const b = await launch({ ext }); await b.sw.evaluate(() => start()); bs.push(b); }
const res = dirs.map(() => []);
const url = server.url(process.env.PAGE || '/big?mb=1');
for (let i = 0; i < N + 1; i++) {
  for (let k = 0; k < bs.length; k++) {
    const page = await bs[k].ctx.newPage();
    await page.addInitScript(() => {
      window.__t = {};
      new MutationObserver(() => { const r = document.documentElement; if (r && !r.hasAttribute('data-oche-gate') && !window.__t.gate) window.__t.gate = performance.now(); }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-oche-gate'] });
    });
    const t = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => !document.documentElement.hasAttribute('data-oche-gate'), null, { timeout: 30000 });
    const wall = Date.now() - t;
    await page.waitForFunction(() => !document.querySelector('[data-oche-pending]'), null, { timeout: 30000, polling: 20 });
    const all = Date.now() - t;
    const r = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0]; return { dcl: n.domContentLoadedEventEnd | 0, gate: window.__t.gate | 0, long: Math.max(0, ...performance.getEntriesByType('measure').filter((m) => m.name.startsWith('oche:')).map((m) => m.duration | 0)) }; });
    if (i > 0) res[k].push({ wall, all, ...r });
    await page.close();
  }
}
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
dirs.forEach((d, k) => {
  const r = res[k];
  console.log(d, 'wall', med(r.map((x) => x.wall)), 'allRevealed', med(r.map((x) => x.all)), 'dcl', med(r.map((x) => x.dcl)), 'gate-dcl', med(r.map((x) => x.gate - x.dcl)), 'longest', med(r.map((x) => x.long)));
});
for (const b of bs) await b.ctx.close();
await server.close();
