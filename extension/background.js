// Ô Che background: holds the WebAssembly classifier and answers the
// content scripts, the blocked page and the popup.
//
// Chrome runs this file as the MV3 service worker (it imports the other
// scripts itself); Firefox runs it as an event page after the scripts listed
// before it in the manifest. Listeners are registered synchronously at the
// top level, so a worker woken by an event finds them; the classifier is
// started lazily by the first event that needs it.
//
// If the classifier cannot start or answer, every request fails loudly to the
// content script, which then keeps text hidden for 0-5 and 6-10 (fail
// closed) and shows it for 11-14 and 15-17 after VERDICT_TIMEOUT_MS
// (see content.js). Nothing is ever dropped silently: errors are logged here
// and counted in the popup.

/* global chrome, wasm_bindgen, OcheSettings, importScripts */
'use strict';

if (typeof importScripts === 'function') {
  importScripts('oche.js', 'lib/settings.js');
}

// What the page does while its text is being checked, per age group. This is
// presentation policy, not classification (the rules are in the Rust core).
const AGE_BEHAVIOUR = {
  '0-5': { hideFirstPaint: true, revealOnTimeout: false },
  '6-10': { hideFirstPaint: true, revealOnTimeout: false },
  '11-14': { hideFirstPaint: true, revealOnTimeout: true },
  '15-17': { hideFirstPaint: false, revealOnTimeout: true },
};
// How long the content script waits for a verdict before the age group
// decides (keep hidden for the youngest, show for the older ones).
const VERDICT_TIMEOUT_MS = 2000;
const ACTIVITY_KEY = 'activity';
const ACTIVITY_MAX = 5000;
const ACTIVITY_DAYS = 30;

let engine = null; // { settings, classifier, info, startMs }
let starting = null;
let domainBytes = null;
let modelBytes = null;
let lastError = null;

function start() {
  if (engine) return Promise.resolve(engine);
  if (!starting) {
    starting = boot().catch((err) => {
      starting = null;
      lastError = String(err && err.message ? err.message : err);
      console.error('Ô Che: classifier failed to start:', err);
      throw err;
    });
  }
  return starting;
}

async function boot() {
  const t0 = performance.now();
  await wasm_bindgen({ module_or_path: chrome.runtime.getURL('oche_bg.wasm') });
  if (!domainBytes) {
    const [d, m] = await Promise.all([fetch(chrome.runtime.getURL('domains.bin')), fetch(chrome.runtime.getURL('model.bin'))]);
    domainBytes = new Uint8Array(await d.arrayBuffer());
    modelBytes = new Uint8Array(await m.arrayBuffer());
  }
  const settings = await OcheSettings.load();
  const classifier = makeClassifier(settings);
  const info = classifier.info();
  engine = { settings, classifier, info, startMs: performance.now() - t0 };
  starting = null;
  lastError = null;
  await applyRulesets(info).catch((err) => console.error('Ô Che: rulesets:', err));
  return engine;
}

function coreSettings(settings) {
  return {
    age: settings.age,
    actions: settings.actions || {},
    allowDomains: settings.allowDomains || [],
    blockDomains: settings.blockDomains || [],
  };
}

function makeClassifier(settings) {
  try {
    return new wasm_bindgen.Classifier(coreSettings(settings), domainBytes, modelBytes);
  } catch (err) {
    // A damaged setting must not switch protection off: fall back to the
    // age profile alone, and say why.
    console.error('Ô Che: settings rejected, using the age profile defaults:', err);
    lastError = `settings: ${err.message || err}`;
    return new wasm_bindgen.Classifier({ age: settings.age }, domainBytes, modelBytes);
  }
}

// Static rulesets (one per category) block listed domains before any
// request leaves the browser. A category's ruleset is on whenever the age
// profile acts on that category.
async function applyRulesets(info) {
  if (!chrome.declarativeNetRequest) return;
  const available = (chrome.runtime.getManifest().declarative_net_request?.rule_resources || []).map((r) => r.id);
  const enable = available.filter((id) => info.actions[id] && info.actions[id] !== 'allow');
  const disable = available.filter((id) => !enable.includes(id));
  await chrome.declarativeNetRequest.updateEnabledRulesets({ enableRulesetIds: enable, disableRulesetIds: disable });
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes[OcheSettings.KEY]) {
    // Rebuild with the new settings on the next request.
    engine = null;
    start().catch(() => {});
  }
});

// --- per-tab state (survives a service-worker restart via storage.session) ---

const tabState = new Map(); // tabId -> { url, counts: {category: n}, blocked }

async function getTab(tabId) {
  if (tabState.has(tabId)) return tabState.get(tabId);
  const key = `tab:${tabId}`;
  let st = null;
  try {
    st = (await chrome.storage.session.get(key))[key];
  } catch (_) { /* storage.session missing: memory only */ }
  st = st || { url: '', counts: {}, blocked: null, lastSafeUrl: '' };
  tabState.set(tabId, st);
  return st;
}

// Written at most every 200 ms per tab: a long page sends hundreds of
// batches, and one storage write per batch would be work done for nothing.
const saveTimers = new Map();
function saveTab(tabId) {
  if (saveTimers.has(tabId)) return;
  saveTimers.set(tabId, setTimeout(() => {
    saveTimers.delete(tabId);
    const st = tabState.get(tabId);
    if (st) chrome.storage.session?.set({ [`tab:${tabId}`]: st }).catch(() => {});
  }, 200));
}

chrome.tabs.onRemoved.addListener((tabId) => {
  tabState.delete(tabId);
  chrome.storage.session?.remove(`tab:${tabId}`).catch(() => {});
});

chrome.webNavigation.onBeforeNavigate.addListener(async (d) => {
  if (d.frameId !== 0 || !/^https?:/.test(d.url)) return;
  const st = await getTab(d.tabId);
  st.url = d.url;
  saveTab(d.tabId);
});

chrome.webNavigation.onCommitted.addListener(async (d) => {
  if (d.frameId !== 0) return;
  const st = await getTab(d.tabId);
  if (/^https?:/.test(d.url)) {
    st.url = d.url;
    st.counts = {};
    st.blocked = null;
  }
  saveTab(d.tabId);
  if (engine) {
    // Page sessions of this tab are over.
    for (const k of st.sessions || []) engine.classifier.endSession(k);
  }
  st.sessions = [];
});

// --- activity log: domain, category, action, time. Never page text. ---

function domainOf(url) {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch (_) {
    return '';
  }
}

async function logActivity(url, category, action) {
  const now = Date.now();
  const got = await chrome.storage.local.get(ACTIVITY_KEY);
  const cutoff = now - ACTIVITY_DAYS * 86400e3;
  const log = (got[ACTIVITY_KEY] || []).filter((e) => e.t >= cutoff);
  log.push({ t: now, domain: domainOf(url), category, action });
  await chrome.storage.local.set({ [ACTIVITY_KEY]: log.slice(-ACTIVITY_MAX) });
}

// --- blocking ---

// The category to explain on the blocked page: the highest-scoring category
// that the profile blocks (verdict categories come sorted by score).
function blockingCategory(verdict, info) {
  const cats = verdict.categories || [];
  const hit = cats.find((c) => info.actions[c.id] === 'block');
  if (hit) return hit.id;
  if ((verdict.reasons || []).some((r) => r.code.startsWith('block-list:'))) return 'blocklist';
  return cats.length ? cats[0].id : 'unknown';
}

async function blockTab(tabId, url, category, source) {
  const st = await getTab(tabId);
  st.blocked = { url, category, source, t: Date.now() };
  saveTab(tabId);
  logActivity(url, category, 'block').catch(() => {});
  const page = category === 'self-harm' ? 'blocked.html#support' : 'blocked.html';
  await chrome.tabs.update(tabId, { url: chrome.runtime.getURL(page) });
}

// --- messages ---

// The few strings the content script shows on pages, in the chosen language
// and the age group's wording.
const messageCache = {};
async function labelsFor(lang, age) {
  if (!messageCache[lang]) {
    const res = await fetch(chrome.runtime.getURL(`_locales/${lang}/messages.json`));
    messageCache[lang] = await res.json();
  }
  const m = messageCache[lang];
  const pick = (k) => (m[`${k}_a${age.split('-')[0]}`] || m[k] || { message: '' }).message;
  const out = {};
  for (const k of ['overlayBlurred', 'warnNotice', 'warnDismiss', 'warnGoBack', 'frameBlocked', 'pendingLabel']) out[k] = pick(k);
  for (const k of Object.keys(m)) if (k.startsWith('cat_')) out[k] = m[k].message;
  return out;
}

async function onHello(msg, sender) {
  const e = await start();
  const age = e.info.age;
  const lang = e.settings.lang === 'en' ? 'en' : 'vi';
  const labels = await labelsFor(lang, age).catch(() => ({}));
  const reply = { age, lang, labels, timeoutMs: VERDICT_TIMEOUT_MS, ...AGE_BEHAVIOUR[age] };
  // URL words and lists: act as soon as the page commits.
  if (sender.tab && sender.frameId === 0 && /^https?:/.test(msg.url || '')) {
    let v = null;
    try {
      v = e.classifier.classifyUrl(msg.url);
    } catch (_) { /* not a URL: nothing to decide */ }
    if (v && v.action === 'block') {
      await blockTab(sender.tab.id, msg.url, blockingCategory(v, e.info), 'url');
      reply.blocked = true;
    }
  }
  return reply;
}

async function onClassify(msg, sender) {
  const e = await start();
  const tabId = sender.tab ? sender.tab.id : -1;
  const session = `${tabId}:${sender.frameId || 0}:${msg.doc}`;
  const blocks = Array.isArray(msg.blocks) ? msg.blocks.map((b) => String(b)) : [];
  const v = e.classifier.classifyMore(session, blocks, msg.complete === true);
  if (tabId >= 0) {
    const st = await getTab(tabId);
    st.sessions = st.sessions || [];
    if (!st.sessions.includes(session)) st.sessions.push(session);
    for (const b of v.blocks) {
      if (b.action === 'allow' || !b.categories.length) continue;
      const c = b.categories[0].id;
      st.counts[c] = (st.counts[c] || 0) + 1;
    }
    saveTab(tabId);
  }
  let blocked = false;
  if (v.action === 'block' && tabId >= 0) {
    const category = blockingCategory(v, e.info);
    if ((sender.frameId || 0) === 0) {
      await blockTab(tabId, sender.url || msg.url || '', category, 'page');
    } else {
      logActivity(sender.url || '', category, 'block').catch(() => {});
    }
    blocked = true;
  }
  return {
    action: v.action,
    blocked,
    blocks: v.blocks.map((b) => ({ action: b.action, spans: b.spans, categories: b.categories.map((c) => c.id) })),
    categories: v.categories.map((c) => c.id),
  };
}

// Only extension pages may ask about a blocked tab.
function fromExtensionPage(sender) {
  return sender.url && sender.url.startsWith(chrome.runtime.getURL(''));
}

async function onBlockedInfo(msg, sender) {
  if (!fromExtensionPage(sender) || !sender.tab) throw new Error('not allowed');
  const e = await start().catch(() => null);
  const st = await getTab(sender.tab.id);
  let info = st.blocked;
  if (!info && st.url && e) {
    // Blocked before any request left (declarativeNetRequest redirect):
    // the background saw the navigation; classify that URL here.
    let v = null;
    try {
      v = e.classifier.classifyUrl(st.url);
    } catch (_) { /* ignore */ }
    info = { url: st.url, category: v ? blockingCategory(v, e.info) : 'unknown', source: 'list', t: Date.now() };
    st.blocked = info;
    saveTab(sender.tab.id);
    logActivity(st.url, info.category, 'block').catch(() => {});
  }
  return {
    url: info ? info.url : '',
    domain: info ? domainOf(info.url) : '',
    category: info ? info.category : 'unknown',
    age: e ? e.info.age : OcheSettings.DEFAULT_AGE,
    lang: e ? e.settings.lang : 'vi',
    lastSafeUrl: st.lastSafeUrl || '',
  };
}

async function onPopupInfo(msg) {
  const e = await start().catch(() => null);
  const st = typeof msg.tabId === 'number' ? await getTab(msg.tabId) : { counts: {} };
  return {
    age: e ? e.info.age : null,
    lang: e ? e.settings.lang : 'vi',
    counts: st.counts || {},
    error: lastError,
  };
}

async function onStatus() {
  const e = await start();
  return { ok: true, info: e.info, startMs: e.startMs };
}

const handlers = {
  hello: onHello,
  classify: onClassify,
  blockedInfo: onBlockedInfo,
  popupInfo: onPopupInfo,
  status: onStatus,
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const h = msg && handlers[msg.type];
  if (!h) return false;
  h(msg, sender).then(sendResponse, (err) => sendResponse({ error: String(err && err.message ? err.message : err) }));
  return true;
});

// Remember the last page that was allowed, for the blocked page's "go back".
chrome.webNavigation.onCompleted.addListener(async (d) => {
  if (d.frameId !== 0 || !/^https?:/.test(d.url)) return;
  const st = await getTab(d.tabId);
  if (!st.blocked) {
    st.lastSafeUrl = d.url;
    saveTab(d.tabId);
  }
});

chrome.runtime.onInstalled.addListener(async (details) => {
  // Keep what is stored; only bring it to the current shape.
  const s = await OcheSettings.load();
  await chrome.storage.local.set({ [OcheSettings.KEY]: s });
  if (details.reason === 'install' && !s.setupDone) {
    chrome.runtime.openOptionsPage().catch(() => {});
  }
});

start().catch(() => {});
