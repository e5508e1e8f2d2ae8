// The popup: what Ô Che did on this page (counts by category, never text),
// the age group, and the way to settings and help.

/* global chrome, OcheI18n */
'use strict';

// The buttons work from the first moment, before the page's figures have
// arrived: a child who needs help must never click on a button that is
// not listening yet.
document.getElementById('settings').addEventListener('click', () => chrome.runtime.openOptionsPage());
document.getElementById('learn').addEventListener('click', () => {
  chrome.tabs.create({ url: chrome.runtime.getURL('lessons.html') });
  window.close();
});
document.getElementById('help').addEventListener('click', async () => {
  await chrome.runtime.sendMessage({ type: 'openHelp' }).catch(() => null);
  window.close();
});

(async () => {
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  const info = await chrome.runtime.sendMessage({ type: 'popupInfo', tabId: tab ? tab.id : undefined }).catch(() => null);
  await OcheI18n.load(info && info.lang);
  const t = OcheI18n.t;
  OcheI18n.apply(document);
  const age = info && info.age;
  document.getElementById('age').textContent = age ? t('popupAge', null, t(`age_${age}`)) : '';
  const list = document.getElementById('counts');
  const counts = (info && info.counts) || {};
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  for (const [cat, n] of entries) {
    const li = document.createElement('li');
    li.textContent = t('popupCount', null, t(`cat_${cat}`) || cat, String(n));
    list.appendChild(li);
  }
  const web = tab && /^https?:/.test(tab.url || '');
  if (!entries.length) {
    const p = document.getElementById('nothing');
    if (!web && tab && tab.url) p.textContent = t('popupNotWeb');
    p.hidden = false;
  }
  if (!info || info.error) {
    const e = document.getElementById('error');
    e.textContent = info && info.error ? info.error : 'Ô Che: background not answering';
    e.hidden = false;
  }
})();
