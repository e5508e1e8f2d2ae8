// Parents and schools in real Firefox ESR: a real policies.json (removed in
// `finally`) whose valid keys take effect and whose malformed keys are shown
// to the admin, and the PIN and unlock flow.
//
// The browser-restart checks (settings, wrong-PIN wait) run in Chromium only:
// Firefox removes a temporary add-on when it restarts, and an unsigned build
// cannot be installed permanently in Firefox ESR.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../server.mjs';
import { launch, waitFor, GECKO_ID, By, openExtensionPage, isBlockedPage, isVisible } from './firefox.mjs';

const POLICY_DIR = '/etc/firefox/policies';
const POLICY_FILE = path.join(POLICY_DIR, 'policies.json');
const PIN = '1357';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const text = (driver, sel) => driver.executeScript((s) => document.querySelector(s)?.textContent || '', sel);

describe('Firefox: a school policy file', () => {
  test('valid keys apply and lock fields; malformed keys are listed for the admin', async () => {
    fs.mkdirSync(POLICY_DIR, { recursive: true });
    const had = fs.existsSync(POLICY_FILE) ? fs.readFileSync(POLICY_FILE) : null;
    let driver;
    try {
      fs.writeFileSync(POLICY_FILE, JSON.stringify({
        policies: {
          '3rdparty': {
            Extensions: {
              [GECKO_ID]: {
                ageGroup: '11-14',
                blockDomains: ['ff-chan.example'],
                allowDomains: ['fb88.com'],
                schoolName: 'Trường Tiểu học Thử Nghiệm',
                // Malformed: a wrong action, a wrong type, an unknown key.
                categoryActions: { violence: 'explode' },
                activityRetentionDays: 'forever',
                colour: 'blue',
              },
            },
          },
        },
      }));
      driver = await launch();
      await openExtensionPage(driver, 'options.html');
      await waitFor(() => isVisible(driver, '#managed'), 10000, 'the managed banner');
      assert.match(await text(driver, '#managed-by'), /Thử Nghiệm/);
      const rejected = await text(driver, '#rejected-list');
      for (const key of ['categoryActions', 'activityRetentionDays', 'colour']) assert.match(rejected, new RegExp(key));
      assert.match(await text(driver, '#managed-keys'), /ageGroup/);
      assert.equal(await driver.executeScript(() => document.querySelector('#setup-form input[name=age][value="11-14"]').disabled), true);
      const status = await driver.executeAsyncScript((done) => { chrome.runtime.sendMessage({ type: 'status' }).then(done); });
      assert.equal(status.info.age, '11-14');
      // Malformed parts fell back to the age profile's own actions.
      assert.equal(status.info.actions.violence, 'warn');

      await driver.get(server.url('/home', 'ff-chan.example'));
      await waitFor(() => isBlockedPage(driver), 8000, 'policy block-list');
      await driver.get(server.url('/home', 'fb88.com'));
      await waitFor(async () => (await driver.findElements(By.id('served'))).length > 0, 8000, 'allow-listed site');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await isBlockedPage(driver), false);
    } finally {
      if (had) fs.writeFileSync(POLICY_FILE, had);
      else fs.rmSync(POLICY_FILE, { force: true });
      await driver?.quit().catch(() => {});
    }
  });
});

describe('Firefox: PIN and unlock', () => {
  let driver;
  before(async () => {
    driver = await launch();
  });
  after(async () => {
    await driver?.quit().catch(() => {});
  });

  test('first-run PIN; a wrong PIN is refused; the right one unlocks a blocked site', async () => {
    await openExtensionPage(driver, 'options.html');
    await waitFor(() => isVisible(driver, '#view-setup'), 8000, 'set-up');
    await driver.findElement(By.css('#setup-form input[name=pin]')).sendKeys(PIN);
    await driver.findElement(By.css('#setup-form input[name=pin2]')).sendKeys(PIN);
    await driver.findElement(By.css('#setup-form button[type=submit]')).click();
    await waitFor(() => isVisible(driver, '#view-settings'), 15000, 'settings after set-up');
    const st = await driver.executeAsyncScript((done) => { chrome.storage.local.get(null).then(done); });
    assert.ok(st.auth.hash && !JSON.stringify(st).includes(PIN));

    await driver.get(server.url('/home', 'w88.com'));
    await waitFor(() => isBlockedPage(driver), 8000, 'blocked page');
    await waitFor(() => isVisible(driver, '#ask'), 5000, 'ask button');
    await driver.findElement(By.id('ask')).click();
    await waitFor(() => isVisible(driver, '#parent-unlock'), 5000, 'parent button');
    await driver.findElement(By.id('parent-unlock')).click();
    await waitFor(() => isVisible(driver, '#unlock-form'), 8000, 'unlock form');
    await driver.findElement(By.css('#unlock-form input[name=pin]')).sendKeys('0000');
    await driver.findElement(By.css('#unlock-form button[type=submit]')).click();
    await waitFor(() => isVisible(driver, '#unlock-form .error'), 8000, 'wrong PIN message');
    await driver.findElement(By.css('#unlock-form input[name=pin]')).sendKeys(PIN);
    await driver.findElement(By.css('#unlock-form button[type=submit]')).click();
    await waitFor(async () => (await driver.findElements(By.id('served'))).length > 0, 10000, 'the unlocked site');
    assert.match(await driver.getCurrentUrl(), /w88\.com/);
  });
});
