// Launching Debian's Chromium with the built extension (dist/chrome), for the
// Chromium end-to-end tests. Never downloads a browser.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const extDir = path.join(root, 'dist/chrome');
export const shotDir = path.join(root, 'tests/screenshots');

export async function launch({ userDataDir, args: extra = [], ext = extDir } = {}) {
  if (!fs.existsSync(path.join(ext, 'manifest.json'))) throw new Error(`${ext} is missing: run extension/build.sh first`);
  const dir = userDataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'oche-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1000, height: 800 },
    args: [
      `--disable-extensions-except=${ext}`,
      `--load-extension=${ext}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Every host name resolves to this machine: "listed" sites are served
      // by the fixture server, and nothing can leave the machine.
      '--host-resolver-rules=MAP * 127.0.0.1, EXCLUDE localhost',
      ...extra,
    ],
  });
  let sw = ctx.serviceWorkers()[0];
  if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 15000 });
  const extId = new URL(sw.url()).host;
  return { ctx, sw, extId, dir };
}

// The extension's service worker, for evaluating code in the background.
// Chrome stops an idle worker and starts a new one; evaluating in the
// stopped one never returns. So every evaluation has a time limit and is
// retried on the newest worker (the evaluated functions are idempotent).
export async function worker(ctx) {
  const newest = async () => {
    const all = ctx.serviceWorkers();
    return all[all.length - 1] || ctx.waitForEvent('serviceworker', { timeout: 15000 });
  };
  return {
    async evaluate(fn, arg) {
      let last;
      for (let attempt = 0; attempt < 3; attempt++) {
        const sw = await newest();
        let timer;
        try {
          return await Promise.race([
            sw.evaluate(fn, arg),
            new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the service worker did not answer')), 10000); }),
          ]);
        } catch (err) {
          last = err;
          await new Promise((r) => setTimeout(r, 300));
        } finally {
          clearTimeout(timer);
        }
      }
      throw last;
    },
  };
}

// Writes settings the way the settings page does, and waits until the
// background has rebuilt its classifier with them.
export async function setSettings(ctx, patch) {
  const sw = await worker(ctx);
  await sw.evaluate(async (p) => {
    const cur = (await chrome.storage.local.get('settings')).settings || {};
    await chrome.storage.local.set({ settings: { ...cur, ...p, setupDone: true } });
  }, patch);
  await waitFor(async () => {
    // start() and its engine are the background's own globals.
    const s = await (await worker(ctx)).evaluate(async () => {
      const e = await start();
      return { info: e.info };
    }).catch(() => null);
    return s && s.info && (!patch.age || s.info.age === patch.age);
  }, 10000, 'the background to apply the settings');
}

// The tab shows the extension's blocked page.
export const isBlockedPage = (page) => page.url().startsWith('chrome-extension://') && page.url().includes('/blocked.html');

export async function waitFor(fn, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// In-page recorder (tests/server.mjs): every frame in which a watched
// element is visible and not blurred.
export { visibilityRecorder } from '../server.mjs';

export function shotPath(name) {
  fs.mkdirSync(shotDir, { recursive: true });
  return path.join(shotDir, name);
}
