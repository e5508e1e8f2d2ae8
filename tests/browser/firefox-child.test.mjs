// Protecting the child in real Firefox ESR: the privacy bubble, the grooming
// warning beside one message, "I need help" from the popup and the blocked
// page, reports, lessons, and alternatives replaced by a real policies.json
// (removed in `finally`).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../server.mjs';
import * as shared from './firefox.mjs';
import { launch, setSettings, waitFor, GECKO_ID, By } from './firefox.mjs';

const POLICY_DIR = '/etc/firefox/policies';
const POLICY_FILE = path.join(POLICY_DIR, 'policies.json');

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

// The suite's own browser unless another is given.
const isBlockedPage = (d = driver) => shared.isBlockedPage(d);
const visible = (sel, d = driver) => shared.isVisible(d, sel);
const openExtensionPage = (page) => shared.openExtensionPage(driver, page);

async function storage() {
  return driver.executeAsyncScript((done) => { chrome.storage.local.get(null).then(done); });
}

// Runs `action`, then switches to the tab it opened.
async function switchToNewTab(action) {
  const before = await driver.getAllWindowHandles();
  await action();
  let handle;
  await waitFor(async () => {
    handle = (await driver.getAllWindowHandles()).find((h) => !before.includes(h));
    return !!handle;
  }, 8000, 'a new tab');
  await driver.switchTo().window(handle);
  return before[before.length - 1];
}

describe('Firefox: protecting the child', () => {
  test('privacy bubble holds Enter in a contenteditable chat', async () => {
    await setSettings(driver, { age: '6-10', lang: 'vi' });
    await driver.get(server.url('/chat-vi.html'));
    const composer = await driver.findElement(By.id('composer'));
    await composer.click();
    await composer.sendKeys('sdt cua minh la 0912 345 678 nhe');
    await new Promise((r) => setTimeout(r, 600));
    await composer.sendKeys('\uE007'); // Enter
    await waitFor(() => driver.executeScript(() => !!document.querySelector('[data-oche-ui="bubble"]')), 3000, 'the bubble');
    assert.deepEqual(await driver.executeScript(() => window.__sent), []);
  });

  test('a grooming message gets one warning beside it; the page stays', async () => {
    await setSettings(driver, { age: '11-14', lang: 'vi' });
    await driver.get(server.url('/thread-grooming-vi.html'));
    await waitFor(() => driver.executeScript(() => document.querySelectorAll('[data-oche-ui="alert"]').length === 1), 8000, 'one warning');
    const before = await driver.executeScript(() => document.querySelector('[data-oche-ui="alert"]').previousElementSibling.id);
    assert.equal(before, 'm3');
    assert.equal(await isBlockedPage(), false);
  });

  test('"I need help" opens from the popup and from the blocked page; a report is kept', async () => {
    await setSettings(driver, { age: '6-10', lang: 'vi' });
    await openExtensionPage('popup.html');
    const popupHandle = await switchToNewTab(() => driver.findElement(By.id('help')).click());
    await waitFor(() => visible('#main'), 8000, 'help page');
    assert.match(await driver.getCurrentUrl(), /help\.html#/);
    assert.match(await driver.findElement(By.id('call')).getText(), /111/);
    await driver.close();
    await driver.switchTo().window(popupHandle);

    await driver.get(server.url('/harmful-vi-gambling.html'));
    await waitFor(() => isBlockedPage(), 10000, 'blocked page');
    await waitFor(() => visible('#help'), 5000, 'help button');
    await driver.findElement(By.id('help')).click();
    const blockedHandle = await switchToNewTab(() => driver.findElement(By.id('more-help')).click());
    await waitFor(() => visible('#report-form'), 8000, 'report form');
    await driver.findElement(By.css('textarea[name=note]')).sendKeys('trang cờ bạc hiện ra');
    await driver.findElement(By.css('#report-form button[type=submit]')).click();
    await waitFor(() => visible('#report-done'), 5000, 'report saved');
    const st = await storage();
    assert.equal(st.reports.at(-1).category, 'gambling');
    assert.equal(st.reports.at(-1).note, 'trang cờ bạc hiện ra');
    assert.ok(!JSON.stringify(st).includes('0912'), 'typed text is never stored');
    await driver.close();
    await driver.switchTo().window(blockedHandle);
  });

  test('the blocked page links to the lesson; quiz feedback; finishing is recorded', async () => {
    await setSettings(driver, { age: '6-10', lang: 'vi' });
    await driver.get(server.url('/harmful-vi-gambling.html'));
    await waitFor(() => isBlockedPage(), 10000, 'blocked page');
    await waitFor(() => visible('#alternatives'), 5000, 'alternatives for 6-10');
    assert.match(await driver.findElement(By.id('learn')).getAttribute('href'), /topic=gambling/);
    await driver.findElement(By.id('learn')).click();
    await waitFor(() => visible('#lesson-view'), 8000, 'the lesson');
    const lesson = JSON.parse(fs.readFileSync(new URL('../../extension/lessons/scams.vi.json', import.meta.url), 'utf8'));
    assert.equal(await driver.findElement(By.id('lesson-title')).getText(), lesson.title);
    for (let i = 0; i < lesson.ages['6-10'].screens.length; i++) await driver.findElement(By.id('next')).click();
    await waitFor(() => visible('#quiz'), 3000, 'the quiz');
    const quiz = lesson.ages['6-10'].quiz;
    const questions = await driver.findElements(By.css('.question'));
    for (let qi = 0; qi < quiz.length; qi++) {
      const buttons = await questions[qi].findElements(By.css('button'));
      const wrong = quiz[qi].answers.findIndex((a) => !a.correct);
      await buttons[wrong].click();
      assert.equal(await questions[qi].findElement(By.css('.feedback')).getText(), quiz[qi].answers[wrong].feedback);
      await buttons[quiz[qi].answers.findIndex((a) => a.correct)].click();
    }
    await waitFor(() => visible('#done'), 3000, 'finished');
    await waitFor(async () => !!(await storage()).lessons?.scams, 5000, 'the lesson recorded');
  });
});

describe('Firefox: alternatives from a policy file', () => {
  test('policy alternatives replace the built-in list', async () => {
    fs.mkdirSync(POLICY_DIR, { recursive: true });
    const had = fs.existsSync(POLICY_FILE) ? fs.readFileSync(POLICY_FILE) : null;
    let d2;
    try {
      fs.writeFileSync(POLICY_FILE, JSON.stringify({ policies: { '3rdparty': { Extensions: { [GECKO_ID]: {
        ageGroup: '6-10',
        alternatives: [{ url: 'https://thuvien.truong.example/', name: 'Thư viện nhà trường' }],
        replaceAlternatives: true,
      } } } } }));
      d2 = await launch();
      await d2.get(server.url('/harmful-vi-gambling.html'));
      await waitFor(() => isBlockedPage(d2), 10000, 'blocked page');
      await waitFor(() => visible('#alternatives', d2), 5000, 'alternatives');
      const names = await d2.executeScript(() => [...document.querySelectorAll('#alt-list li a')].map((a) => a.textContent));
      assert.deepEqual(names, ['Thư viện nhà trường']);
    } finally {
      if (had) fs.writeFileSync(POLICY_FILE, had);
      else fs.rmSync(POLICY_FILE, { force: true });
      await d2?.quit().catch(() => {});
    }
  });
});
