// Ô Che settings: one object in storage.local under "settings", with a
// schema version so an update can migrate it instead of losing it.
//
// Loaded by the background (importScripts in Chrome's service worker, a
// background script in Firefox) and by the extension pages (<script>).
// Web pages can never read or write it: storage.local belongs to the
// extension alone.

/* global chrome */
'use strict';

const OcheSettings = (() => {
  const KEY = 'settings';
  const VERSION = 1;
  const AGES = ['0-5', '6-10', '11-14', '15-17'];
  const LANGS = ['vi', 'en'];
  // Before a parent finishes set-up, the 6-10 profile applies.
  const DEFAULT_AGE = '6-10';

  function defaults() {
    return {
      version: VERSION,
      age: DEFAULT_AGE,
      lang: 'vi',
      setupDone: false,
      // Per-category action overrides on top of the age profile.
      actions: {},
      allowDomains: [],
      blockDomains: [],
    };
  }

  // Brings any stored object (older version, partial, damaged) to the
  // current shape, keeping every valid value.
  function migrate(stored) {
    const s = defaults();
    if (!stored || typeof stored !== 'object') return s;
    if (AGES.includes(stored.age)) s.age = stored.age;
    if (LANGS.includes(stored.lang)) s.lang = stored.lang;
    s.setupDone = stored.setupDone === true;
    if (stored.actions && typeof stored.actions === 'object') s.actions = { ...stored.actions };
    if (Array.isArray(stored.allowDomains)) s.allowDomains = stored.allowDomains.filter((d) => typeof d === 'string');
    if (Array.isArray(stored.blockDomains)) s.blockDomains = stored.blockDomains.filter((d) => typeof d === 'string');
    // Keep fields written by newer versions we do not know yet.
    for (const [k, v] of Object.entries(stored)) if (!(k in s)) s[k] = v;
    s.version = VERSION;
    return s;
  }

  async function load() {
    const got = await chrome.storage.local.get(KEY);
    return migrate(got[KEY]);
  }

  async function save(patch) {
    const current = await load();
    const next = migrate({ ...current, ...patch });
    await chrome.storage.local.set({ [KEY]: next });
    return next;
  }

  return { KEY, VERSION, AGES, LANGS, DEFAULT_AGE, defaults, migrate, load, save };
})();

if (typeof module !== 'undefined') module.exports = OcheSettings;
