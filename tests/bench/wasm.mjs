// WebAssembly throughput under Node on bench/pages.jsonl, and URL verdict
// latency with the full lists. Prints figures; asserts nothing.
// Usage: node tests/bench/wasm.mjs   (after extension/build.sh)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
// OCHE_WASM: another Node build of the module, to compare build settings.
const wasm = require(process.env.OCHE_WASM || path.join(root, 'target/wasm-node/oche.js'));
const data = process.env.OCHE_DATA || path.resolve(root, '../shared/data');
const pages = fs.readFileSync(path.join(data, 'bench/pages.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const blocks = pages.map((p) => p.text.split('\n').filter((b) => b.trim()));
const bytes = pages.reduce((n, p) => n + Buffer.byteLength(p.text), 0);

let t = performance.now();
const c = new wasm.Classifier({}, fs.readFileSync(path.join(root, 'target/ext-data/domains.bin')), fs.readFileSync(path.join(root, 'crate/data/model/offensive-vi.bin')), fs.readFileSync(path.join(root, 'crate/data/model/names.bin')));
console.log(`classifier start-up (lexicons, automata, lists, model): ${(performance.now() - t).toFixed(1)} ms`);

// classifyPage answers with an object for every block; classifyBatch (what
// the extension's content script sends: one string and the blocks' UTF-16
// lengths) answers with the page verdict and the flagged blocks only. Runs
// of the two alternate.
const batches = blocks.map((b) => ({ text: b.join(''), lens: Uint32Array.from(b.map((x) => x.length)) }));
const runs = [];
const batchRuns = [];
for (let r = 0; r < 5; r++) {
  t = performance.now();
  for (const b of blocks) c.classifyPage(b);
  runs.push(bytes / 1e6 / ((performance.now() - t) / 1000));
  t = performance.now();
  batches.forEach((b, i) => c.classifyBatch(`bench:${r}:${i}`, b.text, b.lens, true));
  batchRuns.push(bytes / 1e6 / ((performance.now() - t) / 1000));
}
for (const [name, v] of [['classifyPage', runs], ['classifyBatch, the extension\'s path', batchRuns]]) {
  v.sort((a, b) => a - b);
  console.log(`text, wasm under Node (${name}): median ${v[2].toFixed(1)} MB/s over ${(bytes / 1e6).toFixed(2)} MB (runs: ${v.map((x) => x.toFixed(1)).join(', ')})`);
}

const list = fs.readFileSync(path.join(root, 'crate/data/domains/gambling.hostsvn.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).slice(0, 5000);
const urls = list.flatMap((d, i) => [`https://www.${d}/page/${i}?ref=home`, `https://site${i}.example-school.edu.vn/bai-hoc/${i}`]);
const lat = [];
for (const u of urls) {
  const s = performance.now();
  c.classifyUrl(u);
  lat.push((performance.now() - s) * 1000);
}
lat.sort((a, b) => a - b);
console.log(`URL verdict, wasm: median ${lat[lat.length >> 1].toFixed(2)} µs, p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(2)} µs`);

const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
// The extension's hot path: `urlCode` (one number back) as the background
// calls it, and `urlAction` (the same decision as a string) beside it.
for (const [name, call] of [['urlCode', (u) => c.urlCode(u)], ['urlAction', (u) => c.urlAction(u)]]) {
  const lean = [];
  const byKind = [[], []]; // listed, unlisted (the URLs alternate)
  urls.forEach((u, i) => {
    const s = performance.now();
    call(u);
    const us = (performance.now() - s) * 1000;
    lean.push(us);
    byKind[i % 2].push(us);
  });
  lean.sort((a, b) => a - b);
  console.log(`URL ${name}${name === 'urlCode' ? " (the extension's hot path)" : ''}, wasm: median ${lean[lean.length >> 1].toFixed(2)} µs, p99 ${lean[Math.floor(lean.length * 0.99)].toFixed(2)} µs`);
  console.log(`  of which listed sites: median ${med(byKind[0]).toFixed(2)} µs; unlisted (name model + URL words): median ${med(byKind[1]).toFixed(2)} µs`);
}
