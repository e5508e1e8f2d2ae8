// Messages in the language the parent chose (Vietnamese by default), not
// the browser's UI language: chrome.i18n cannot switch language at run
// time, so the pages read _locales/<lang>/messages.json themselves.
// The manifest's name and description still use chrome.i18n.

/* global chrome */
'use strict';

const OcheI18n = (() => {
  let messages = {};
  let fallback = {};
  let current = 'vi';

  async function fetchMessages(lang) {
    const res = await fetch(chrome.runtime.getURL(`_locales/${lang}/messages.json`));
    return res.json();
  }

  async function load(lang) {
    current = lang === 'en' ? 'en' : 'vi';
    messages = await fetchMessages(current);
    fallback = current === 'vi' ? messages : await fetchMessages('vi');
    document.documentElement.lang = current;
  }

  // Keys use "_" where ids use "-" (chrome.i18n names allow [A-Za-z0-9_@]).
  function key(k) {
    return k.replace(/-/g, '_');
  }

  // t('blockedLead', {age: '6-10'}, 'cờ bạc') tries blockedLead_a6 first.
  function t(k, opts, ...subs) {
    const names = [];
    if (opts && opts.age) names.push(`${key(k)}_a${opts.age.split('-')[0]}`);
    names.push(key(k));
    for (const n of names) {
      const m = messages[n] || fallback[n];
      if (m) return m.message.replace(/\$(\d)/g, (_, i) => subs[Number(i) - 1] ?? '');
    }
    return '';
  }

  // Fills every element with data-i18n="key" (text) in the page.
  function apply(root, opts) {
    for (const el of root.querySelectorAll('[data-i18n]')) {
      const text = t(el.dataset.i18n, opts);
      if (text) el.textContent = text;
    }
    for (const el of root.querySelectorAll('[data-i18n-label]')) {
      const text = t(el.dataset.i18nLabel, opts);
      if (text) el.setAttribute('aria-label', text);
    }
  }

  return { load, t, apply, get lang() { return current; } };
})();
