// Launching Firefox ESR with the built extension (dist/firefox) through
// geckodriver and selenium-webdriver. Never downloads a browser or driver.
import { Builder, until, By } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const extDir = path.join(root, 'dist/firefox');
export const GECKO_ID = 'oche@oche.vn';
export const UUID = '3c1b7d2e-5a4f-4e7b-9c1d-0a0b0c0d0e0f';
export const base = `moz-extension://${UUID}`;
export { until, By };

function geckodriverPath() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  for (const p of [path.join(os.homedir(), '.cargo/bin/geckodriver'), '/usr/local/bin/geckodriver', '/usr/bin/geckodriver']) {
    if (fs.existsSync(p)) return p;
  }
  return execFileSync('sh', ['-c', 'command -v geckodriver']).toString().trim();
}

export async function launch({ acceptInsecureCerts = false } = {}) {
  if (!fs.existsSync(path.join(extDir, 'manifest.json'))) throw new Error('dist/firefox is missing: run extension/build.sh first');
  const options = new firefox.Options()
    .setBinary(process.env.FIREFOX || '/usr/bin/firefox-esr')
    .addArguments('-headless')
    .windowSize({ width: 1000, height: 800 })
    // Pin the moz-extension:// origin so tests can open extension pages.
    .setPreference('extensions.webextensions.uuids', JSON.stringify({ [GECKO_ID]: UUID }))
    // Every host name resolves to this machine; nothing leaves it.
    .setPreference('network.dns.forceResolve', '127.0.0.1')
    .setPreference('network.proxy.type', 0)
    .setPreference('browser.shell.checkDefaultBrowser', false)
    .setPreference('app.update.enabled', false)
    .setPreference('datareporting.policy.dataSubmissionEnabled', false)
    .setPreference('toolkit.telemetry.enabled', false)
    .setPreference('extensions.getAddons.cache.enabled', false)
    .setPreference('browser.safebrowsing.malware.enabled', false)
    .setPreference('browser.safebrowsing.phishing.enabled', false);
  // The HTTPS stand-ins for search engines use a throwaway certificate.
  if (acceptInsecureCerts) options.setAcceptInsecureCerts(true);
  const service = new firefox.ServiceBuilder(geckodriverPath());
  const driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
  await driver.installAddon(extDir, true);
  return driver;
}

export async function waitFor(fn, ms = 8000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Opens an extension page. WebDriver may not open moz-extension:// pages
// itself, but a web page may navigate to a web-accessible one (blocked.html),
// and from there (same origin) to any page of the extension.
// Each step waits until the new document has finished loading, read from
// inside it: the browser reports the new URL as soon as the navigation
// starts, and a script run then lands in the old document as it unloads
// ("Document was unloaded", seen on a fresh profile's first start). A step
// that has not happened after a while is asked again.
export async function openExtensionPage(driver, page = 'blocked.html') {
  await driver.get('about:blank');
  const go = async (url, reached, what) => {
    for (let attempt = 1; ; attempt++) {
      await driver.executeScript((u) => { location.href = u; }, url);
      try {
        await waitFor(async () => {
          const [u, state] = await driver.executeScript(() => [location.href, document.readyState]);
          return reached(u) && state === 'complete';
        }, 5000, what);
        return;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
  };
  await go(`${base}/blocked.html`, (u) => u.startsWith(base), 'an extension page');
  if (page !== 'blocked.html') await go(`${base}/${page}`, (u) => u.includes(page), page);
}

// The tab shows the extension's blocked page.
export const isBlockedPage = async (driver) => (await driver.getCurrentUrl()).startsWith(`${base}/blocked.html`);

// The element exists, is not inside [hidden] and takes up space.
export const isVisible = (driver, sel) => driver.executeScript((s) => {
  const el = document.querySelector(s);
  return !!el && !el.closest('[hidden]') && el.getClientRects().length > 0;
}, sel);

// Writes settings from an extension page (like every extension page, it
// has the storage API).
export async function setSettings(driver, patch) {
  await openExtensionPage(driver);
  await driver.executeAsyncScript(async (p, done) => {
    const cur = (await chrome.storage.local.get('settings')).settings || {};
    await chrome.storage.local.set({ settings: { ...cur, ...p, setupDone: true } });
    done();
  }, patch);
  await new Promise((r) => setTimeout(r, 500));
}
