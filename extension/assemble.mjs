// Assembles dist/chrome and dist/firefox from the one source manifest.json,
// the extension/ files, the WebAssembly module and the compiled data, then
// writes dist/oche-chrome.zip and dist/oche-firefox.xpi.
//
// Differences between the two builds (everything else is identical):
//   Chrome : background.service_worker; "incognito": "split" (a spanning
//            extension cannot show its own blocked page in an incognito tab);
//            manifest "key" pins the extension id; no browser_specific_settings.
//   Firefox: background.scripts (event page); "incognito": "spanning"
//            (Firefox has no split mode); gecko id; no "key",
//            "minimum_chrome_version" or "use_dynamic_url".
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = path.resolve(process.argv[2] || process.cwd());
const src = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8'));
const dist = path.join(root, 'dist');

function copyDir(from, to, skip = () => false) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) copyDir(a, b, skip);
    else fs.copyFileSync(a, b);
  }
}

function chromeManifest() {
  const m = structuredClone(src);
  m.background = { service_worker: src.background.service_worker };
  m.incognito = 'split';
  delete m.browser_specific_settings;
  return m;
}

function firefoxManifest() {
  const m = structuredClone(src);
  m.background = { scripts: src.background.scripts };
  m.incognito = 'spanning';
  delete m.key;
  delete m.minimum_chrome_version;
  for (const w of m.web_accessible_resources || []) delete w.use_dynamic_url;
  return m;
}

function build(name, manifest) {
  const out = path.join(dist, name);
  fs.rmSync(out, { recursive: true, force: true });
  // Build glue and notes stay out of the package.
  copyDir(path.join(root, 'extension'), out, (n) => /^(build\.sh|assemble\.mjs|NOTES\.md|README\.md)$/.test(n));
  fs.copyFileSync(path.join(root, 'target/wasm-pkg/oche.js'), path.join(out, 'oche.js'));
  fs.copyFileSync(path.join(root, 'target/wasm-pkg/oche_bg.wasm'), path.join(out, 'oche_bg.wasm'));
  fs.copyFileSync(path.join(root, 'target/ext-data/domains.bin'), path.join(out, 'domains.bin'));
  fs.copyFileSync(path.join(root, 'crate/data/model/offensive-vi.bin'), path.join(out, 'model.bin'));
  fs.copyFileSync(path.join(root, 'crate/data/model/names.bin'), path.join(out, 'names.bin'));
  copyDir(path.join(root, 'target/ext-data/rules'), path.join(out, 'rules'));
  // The lists and the comment model are derived from others' work (UT1 and
  // Wikipedia text under CC BY-SA 4.0, hostsVN and the comment sets under
  // MIT): their attribution travels with every package.
  copyDir(path.join(root, 'crate/data/licenses'), path.join(out, 'licenses'));
  fs.copyFileSync(path.join(root, 'crate/data/SOURCES.md'), path.join(out, 'licenses/SOURCES.md'));
  // Every ruleset the manifest names must exist (an empty one is valid).
  for (const r of manifest.declarative_net_request.rule_resources) {
    const p = path.join(out, r.path);
    if (!fs.existsSync(p)) fs.writeFileSync(p, '[]');
  }
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return out;
}

fs.mkdirSync(dist, { recursive: true });
const chrome = build('chrome', chromeManifest());
const firefox = build('firefox', firefoxManifest());
for (const [dir, file] of [[chrome, 'oche-chrome.zip'], [firefox, 'oche-firefox.xpi']]) {
  const target = path.join(dist, file);
  fs.rmSync(target, { force: true });
  execFileSync('python3', ['-m', 'zipfile', '-c', target, ...fs.readdirSync(dir)], { cwd: dir });
}
console.log(`dist/chrome, dist/firefox, dist/oche-chrome.zip, dist/oche-firefox.xpi (version ${src.version})`);
