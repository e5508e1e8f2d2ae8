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

/* global chrome, wasm_bindgen, OcheSettings, OchePolicy, OcheAuth, importScripts */
'use strict';

if (typeof importScripts === 'function') {
  importScripts('oche.js', 'lib/settings.js', 'lib/policy.js', 'lib/auth.js');
}

// What the page does while its text is being checked, per age group. This is
// presentation policy, not classification (the rules are in the Rust core).
// sendAnyway: whether the privacy bubble offers "send anyway" (older
// children decide for themselves; the younger ones are asked to stop and
// ask a parent). A parent or school can change it (privacySendAnyway).
const AGE_BEHAVIOUR = {
  '0-5': { hideFirstPaint: true, revealOnTimeout: false, sendAnyway: false },
  '6-10': { hideFirstPaint: true, revealOnTimeout: false, sendAnyway: false },
  '11-14': { hideFirstPaint: true, revealOnTimeout: true, sendAnyway: true },
  '15-17': { hideFirstPaint: false, revealOnTimeout: true, sendAnyway: true },
};
const REPORTS_KEY = 'reports';
const REPORTS_MAX = 200;
// How long the content script waits for a verdict before the age group
// decides (keep hidden for the youngest, show for the older ones).
const VERDICT_TIMEOUT_MS = 2000;
const ACTIVITY_KEY = 'activity';
const ACTIVITY_MAX = 20000;
const UNLOCKS_KEY = 'unlocks'; // { domain: untilMs }
const REQUESTS_KEY = 'requests'; // unlock requests, newest last
const REQUESTS_MAX = 100;
// A parent who typed the PIN on the settings page stays signed in this long.
const SESSION_MS = 15 * 60 * 1000;

let engine = null; // { settings, classifier, info, startMs }
let starting = null;
let domainBytes = null;
let modelBytes = null;
let namesBytes = null;
let lastError = null;

// Settings that change while the classifier is being built must not be
// lost: every rebuild bumps the generation, and a build that started under
// an older generation is thrown away and started again.
let generation = 0;

function start() {
  if (engine) return Promise.resolve(engine);
  if (!starting) {
    const gen = generation;
    starting = boot().then((e) => {
      if (gen !== generation) {
        starting = null;
        return start();
      }
      engine = e;
      starting = null;
      return e;
    }, (err) => {
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
    const [d, m, n] = await Promise.all(['domains.bin', 'model.bin', 'names.bin'].map((f) => fetch(chrome.runtime.getURL(f))));
    domainBytes = new Uint8Array(await d.arrayBuffer());
    modelBytes = new Uint8Array(await m.arrayBuffer());
    namesBytes = new Uint8Array(await n.arrayBuffer());
  }
  const local = await OcheSettings.load();
  const policy = await OchePolicy.load();
  for (const r of policy.rejected) console.warn(`Ô Che: policy key rejected: ${r.reason}`);
  const { effective, locked, managed } = OchePolicy.merge(local, policy);
  const unlocks = await activeUnlocks();
  lastError = null;
  const { classifier, problems } = makeClassifier(effective, Object.keys(unlocks));
  const info = classifier.info();
  const urlNames = JSON.parse(classifier.urlCodeNames());
  const built = { settings: effective, local, policy, locked, managed, problems, unlocks, classifier, info, urlNames, startMs: performance.now() - t0 };
  await applyRulesets(info).catch((err) => console.error('Ô Che: rulesets:', err));
  await syncDynamicRules(effective, unlocks).catch((err) => console.error('Ô Che: dynamic rules:', err));
  scheduleUnlockExpiry(unlocks);
  return built;
}

function coreSettings(settings, unlocked) {
  return {
    age: settings.age,
    actions: settings.actions || {},
    allowDomains: [...(settings.allowDomains || []), ...unlocked],
    blockDomains: settings.blockDomains || [],
    extraLexicon: settings.extraLexicon || null,
    extraDomains: settings.extraDomains || {},
  };
}

// Builds the classifier. A damaged setting or policy entry must not switch
// protection off: drop the part that failed (school extras first, then the
// parent's overrides), keep the rest, and say why on the settings page.
function makeClassifier(settings, unlocked) {
  const problems = [];
  const attempts = [
    () => coreSettings(settings, unlocked),
    () => ({ ...coreSettings(settings, unlocked), extraLexicon: null, extraDomains: {} }),
    () => ({ age: settings.age }),
  ];
  for (const attempt of attempts) {
    try {
      return { classifier: new wasm_bindgen.Classifier(attempt(), domainBytes, modelBytes, namesBytes), problems };
    } catch (err) {
      const msg = String(err && err.message ? err.message : err);
      console.error('Ô Che: settings rejected:', msg);
      problems.push(msg);
      lastError = `settings: ${msg}`;
    }
  }
  return { classifier: new wasm_bindgen.Classifier({}, domainBytes, modelBytes, namesBytes), problems };
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

// Rules added at run time (dynamic rules survive restarts; they are rebuilt
// from settings at every start, so they never drift from them):
//   priority 3: block-list (parent and school) — wins over everything;
//   priority 2: allow-list and unlocked sites — win over the built-in lists;
//   priority 1: the built-in lists (static rulesets).
const DYN_BLOCK_PRIORITY = 3;
const DYN_ALLOW_PRIORITY = 2;
const DOMAINS_PER_RULE = 1000;

function domainRules(domains, startId, priority, makeAction) {
  const rules = [];
  for (let i = 0; i < domains.length; i += DOMAINS_PER_RULE) {
    const requestDomains = domains.slice(i, i + DOMAINS_PER_RULE);
    for (const [type, action] of makeAction()) {
      rules.push({ id: startId + rules.length, priority, action, condition: { requestDomains, resourceTypes: [type] } });
    }
  }
  return rules;
}

// One update at a time: two builds racing would both remove the old rules
// and add theirs, and the second would fail on duplicate ids.
let rulesQueue = Promise.resolve();
function syncDynamicRules(settings, unlocks) {
  rulesQueue = rulesQueue.catch(() => {}).then(() => replaceDynamicRules(settings, unlocks));
  return rulesQueue;
}

async function replaceDynamicRules(settings, unlocks) {
  if (!chrome.declarativeNetRequest || !chrome.declarativeNetRequest.updateDynamicRules) return;
  const block = OchePolicy.cleanList(settings.blockDomains);
  const allow = OchePolicy.cleanList([...(settings.allowDomains || []), ...Object.keys(unlocks)]);
  const rules = [
    ...domainRules(block, 1, DYN_BLOCK_PRIORITY, () => [
      ['main_frame', { type: 'redirect', redirect: { extensionPath: '/blocked.html' } }],
      ['sub_frame', { type: 'block' }],
    ]),
  ];
  rules.push(...domainRules(allow, rules.length + 1, DYN_ALLOW_PRIORITY, () => [
    ['main_frame', { type: 'allow' }],
    ['sub_frame', { type: 'allow' }],
  ]));
  rules.push(...safeSearchRules(settings, rules.length + 1));
  // The worker restarts often and rebuilds at every start: leave the
  // rules alone when they are already these.
  const old = await chrome.declarativeNetRequest.getDynamicRules();
  if (sameRules(old, rules)) return;
  await chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds: old.map((r) => r.id), addRules: rules });
}

// The browser returns rules with its own key order: compare canonically.
function sameRules(a, b) {
  const canon = (v) => (Array.isArray(v)
    ? v.map(canon)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
      : v);
  return a.length === b.length && JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

// Safe search, enforced on every search request (the child's own choice in
// the search page's settings is overridden, request by request):
//   Google (every country domain, e.g. google.com.vn): safe=active
//   Bing: adlt=strict;  DuckDuckGo: kp=1
//   YouTube: the YouTube-Restrict header ("Strict" up to 14, "Moderate" 15-17)
// Cốc Cốc search has no documented safe-search parameter or header; nothing
// is guessed for it (see README).
const GOOGLE_SEARCH = '^https?://(www\\.)?google\\.([a-z]{2,3}|com?\\.[a-z]{2})/(search|webhp|images|imgres)';
const YOUTUBE_HOSTS = ['youtube.com', 'm.youtube.com', 'www.youtube.com', 'youtubei.googleapis.com', 'youtube.googleapis.com', 'www.youtube-nocookie.com'];

function safeSearchRules(settings, startId) {
  if (settings.safeSearch === false) return [];
  const types = ['main_frame', 'sub_frame', 'xmlhttprequest'];
  const param = (key, value) => ({ type: 'redirect', redirect: { transform: { queryTransform: { addOrReplaceParams: [{ key, value }] } } } });
  const rules = [
    { action: param('safe', 'active'), condition: { regexFilter: GOOGLE_SEARCH, resourceTypes: types } },
    { action: param('adlt', 'strict'), condition: { urlFilter: '||bing.com/search', resourceTypes: types } },
    { action: param('adlt', 'strict'), condition: { urlFilter: '||bing.com/images/search', resourceTypes: types } },
    { action: param('kp', '1'), condition: { urlFilter: '||duckduckgo.com/', resourceTypes: types } },
    {
      action: {
        type: 'modifyHeaders',
        requestHeaders: [{ header: 'YouTube-Restrict', operation: 'set', value: settings.age === '15-17' ? 'Moderate' : 'Strict' }],
      },
      // Without resourceTypes a rule skips main_frame: list them all.
      condition: {
        requestDomains: YOUTUBE_HOSTS,
        resourceTypes: ['main_frame', 'sub_frame', 'xmlhttprequest', 'script', 'image', 'media', 'websocket', 'other'],
      },
    },
  ];
  return rules.map((r, i) => ({ id: startId + i, priority: 1, ...r }));
}

function rebuild() {
  generation++;
  engine = null;
  starting = null;
  return start();
}

chrome.storage.onChanged.addListener((changes, area) => {
  if ((area === 'local' && (changes[OcheSettings.KEY] || changes[UNLOCKS_KEY])) || area === 'managed') {
    // Rebuild with the new settings (and the school's new policy).
    rebuild().catch(() => {});
  }
});

// --- unlocks: a parent allowed a blocked site for a while ---

async function activeUnlocks() {
  const got = (await chrome.storage.local.get(UNLOCKS_KEY))[UNLOCKS_KEY] || {};
  const now = Date.now();
  const out = {};
  for (const [d, until] of Object.entries(got)) if (typeof until === 'number' && until > now) out[d] = until;
  return out;
}

function scheduleUnlockExpiry(unlocks) {
  if (!chrome.alarms) return;
  const next = Math.min(...Object.values(unlocks));
  if (Number.isFinite(next)) chrome.alarms.create('unlock-expiry', { when: next + 500 });
  else chrome.alarms.clear('unlock-expiry');
}

if (chrome.alarms) {
  chrome.alarms.onAlarm.addListener(async (alarm) => {
    if (alarm.name !== 'unlock-expiry') return;
    // Drop expired entries; the storage change rebuilds rules and classifier.
    const live = await activeUnlocks();
    await chrome.storage.local.set({ [UNLOCKS_KEY]: live });
    await rebuild().catch(() => {});
  });
}

// A site on the allow list or unlocked by a parent (the core knows both:
// unlocked sites are in its allow list, and its block list wins).
function siteAllowed(e, url) {
  return urlAction(e, url)[1] === 'allowlist';
}

// --- per-tab state (survives a service-worker restart via storage.session) ---

const tabState = new Map(); // tabId -> { url, counts: {category: n}, blocked }

// One load per tab: two events for a tab the worker has not seen yet (the
// navigation and the blocked page asking what was blocked) used to load it
// twice, and the second object replaced the first with what was written to
// it — the blocked page then did not know the site it stood for.
const tabLoads = new Map();
function getTab(tabId) {
  if (tabState.has(tabId)) return Promise.resolve(tabState.get(tabId));
  if (!tabLoads.has(tabId)) {
    tabLoads.set(tabId, (async () => {
      const key = `tab:${tabId}`;
      let st = null;
      try {
        st = (await chrome.storage.session.get(key))[key];
      } catch (_) { /* storage.session missing: memory only */ }
      st = st || { url: '', counts: {}, blocked: null, lastSafeUrl: '' };
      tabState.set(tabId, st);
      tabLoads.delete(tabId);
      return st;
    })());
  }
  return tabLoads.get(tabId);
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
    st.alerted = [];
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

// Writes are queued one after another: two verdicts arriving together must
// not both read the old log and lose one entry.
let activityQueue = Promise.resolve();
function logActivity(url, category, action) {
  const entry = { t: Date.now(), domain: domainOf(url) || url, category, action };
  activityQueue = activityQueue.then(async () => {
    const days = (engine && engine.settings.activityDays) || 30;
    const got = await chrome.storage.local.get(ACTIVITY_KEY);
    const cutoff = entry.t - days * 86400e3;
    const log = (got[ACTIVITY_KEY] || []).filter((e) => e.t >= cutoff);
    log.push(entry);
    await chrome.storage.local.set({ [ACTIVITY_KEY]: log.slice(-ACTIVITY_MAX) });
  }).catch((err) => console.error('Ô Che: activity log:', err));
  return activityQueue;
}

// --- blocking ---

// [action, category to explain] for a URL; a broken URL decides nothing.
// The classifier answers with one number (no string crosses on every
// navigation); its names come from the classifier itself, once.
function urlAction(e, url) {
  const code = e.classifier.urlCode(url);
  return [e.urlNames.actions[code & 0xff] || 'allow', e.urlNames.reasons[code >> 8] || 'unknown'];
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
  for (const k of ['overlayBlurred', 'warnNotice', 'warnDismiss', 'warnGoBack', 'frameBlocked', 'pendingLabel',
    'alertTitle_grooming', 'alertTitle_scam', 'alertSteps_grooming', 'alertSteps_scam', 'alertHelp', 'alertLesson',
    'piiTitle', 'piiWhy', 'piiAskParent', 'piiSendAnyway', 'piiDontSend', 'piiOk']) out[k] = pick(k);
  for (const k of Object.keys(m)) if (k.startsWith('cat_') || k.startsWith('pii_')) out[k] = m[k].message;
  return out;
}

// An unlock that has run out must not let one more page through while the
// expiry alarm is on its way.
async function currentEngine() {
  const e = await start();
  const now = Date.now();
  if (Object.values(e.unlocks).some((until) => until <= now)) return rebuild();
  return e;
}

async function onHello(msg, sender) {
  const e = await currentEngine();
  const age = e.info.age;
  const lang = e.settings.lang === 'en' ? 'en' : 'vi';
  const labels = await labelsFor(lang, age).catch(() => ({}));
  const reply = { age, lang, labels, timeoutMs: VERDICT_TIMEOUT_MS, ...AGE_BEHAVIOUR[age] };
  if (typeof e.settings.privacySendAnyway === 'boolean') reply.sendAnyway = e.settings.privacySendAnyway;
  // URL words and lists: act as soon as the page commits.
  if (sender.tab && sender.frameId === 0 && /^https?:/.test(msg.url || '')) {
    // urlAction is the lean form of classifyUrl: "block gambling".
    const [action, category] = urlAction(e, msg.url);
    if (action === 'block') {
      await blockTab(sender.tab.id, msg.url, category, 'url');
      reply.blocked = true;
    }
  }
  return reply;
}

async function onClassify(msg, sender) {
  const e = await currentEngine();
  const tabId = sender.tab ? sender.tab.id : -1;
  const session = `${tabId}:${sender.frameId || 0}:${msg.doc}`;
  const [text, lengths] = batchText(msg);
  // Only the blocks that need something done come back (`flagged`, with
  // their index in the batch); the rest were allowed.
  const v = e.classifier.classifyBatch(session, text, lengths, msg.complete === true);
  if (tabId >= 0) {
    const st = await getTab(tabId);
    st.sessions = st.sessions || [];
    if (!st.sessions.includes(session)) st.sessions.push(session);
    for (const b of v.flagged) {
      if (b.action === 'allow' || !b.categories.length) continue;
      const c = b.categories[0].id;
      st.counts[c] = (st.counts[c] || 0) + 1;
    }
    saveTab(tabId);
  }
  let blocked = false;
  // A site on the allow-list or unlocked by a parent is not taken away;
  // its harmful blocks are still blurred.
  if (v.action === 'block' && tabId >= 0 && !siteAllowed(e, sender.url || msg.url || '')) {
    // The core names the category the block came from (`explain`).
    const category = v.explain || 'unknown';
    if ((sender.frameId || 0) === 0) {
      await blockTab(tabId, sender.url || msg.url || '', category, 'page');
    } else {
      logActivity(sender.url || '', category, 'block').catch(() => {});
    }
    blocked = true;
  }
  // Grooming and scam warnings beside messages: logged once per page and
  // kind (site, kind, time — never the message).
  const alerted = new Set(v.flagged.flatMap((b) => b.alerts));
  if (alerted.size && tabId >= 0) {
    const st = await getTab(tabId);
    st.alerted = st.alerted || [];
    for (const a of alerted) {
      if (st.alerted.includes(a)) continue;
      st.alerted.push(a);
      logActivity(sender.url || msg.url || '', a, 'alert');
    }
    saveTab(tabId);
  }
  // Only the blocks that need something done go back: most of a page is
  // allowed, and every value in a message is copied.
  const flagged = v.flagged.map((b) => ({ i: b.i, action: b.action, categories: b.categories.map((c) => c.id), alerts: b.alerts }));
  return { action: v.action, blocked, flagged, categories: v.categories.map((c) => c.id) };
}

// A batch from the content script: one string and the blocks' lengths in
// UTF-16 code units (one value to copy, not 200 strings). The core refuses
// lengths that do not add up to the text.
function batchText(msg) {
  const text = typeof msg.text === 'string' ? msg.text : '';
  const lens = Array.isArray(msg.lens) ? msg.lens : [];
  if (!lens.every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32)) throw new Error('classify: block lengths must be whole numbers');
  return [text, Uint32Array.from(lens)];
}

// --- lessons ---

async function onLessonsInfo(msg, sender) {
  requireExtensionPage(sender);
  const e = await start().catch(() => null);
  return {
    age: e ? e.info.age : OcheSettings.DEFAULT_AGE,
    lang: e ? e.settings.lang : 'vi',
    links: e && Array.isArray(e.policy.values.lessonLinks) ? e.policy.values.lessonLinks.filter((l) => /^https?:\/\//.test(l.url || '')) : [],
    done: (await chrome.storage.local.get('lessons')).lessons || {},
  };
}

// Only which lesson was finished, and when: not the quiz answers.
async function onLessonDone(msg, sender) {
  requireExtensionPage(sender);
  const index = await (await fetch(chrome.runtime.getURL('lessons/index.json'))).json();
  if (!index.lessons.includes(msg.id)) throw new Error('unknown lesson');
  const e = await start().catch(() => null);
  const lang = e && e.settings.lang === 'en' ? 'en' : 'vi';
  const lesson = await (await fetch(chrome.runtime.getURL(`lessons/${msg.id}.${lang}.json`))).json();
  const got = (await chrome.storage.local.get('lessons')).lessons || {};
  got[msg.id] = { t: Date.now(), title: lesson.title };
  await chrome.storage.local.set({ lessons: got });
  return { ok: true };
}

async function onOpenLesson(msg, sender) {
  const topic = /^[a-z-]{2,20}$/.test(msg.topic || '') ? msg.topic : '';
  await chrome.tabs.create({ url: chrome.runtime.getURL(`lessons.html${topic ? `?topic=${topic}` : ''}`), index: sender.tab ? sender.tab.index + 1 : undefined });
  return { ok: true };
}

// --- the privacy guard: what the child is typing ---
// The text is checked in memory and forgotten; only the kinds found go back.
// Nothing typed is ever stored or logged.

async function onPii(msg) {
  const e = await start();
  const text = typeof msg.text === 'string' ? msg.text : '';
  const found = text ? e.classifier.findPii(text) : [];
  return { kinds: [...new Set(found.map((f) => f.kind))] };
}

// The bubble was shown: the parent's summary gets the site and the kinds.
async function onPiiShown(msg, sender) {
  const kinds = (Array.isArray(msg.kinds) ? msg.kinds : []).filter((k) => /^[a-z-]{2,12}$/.test(k)).slice(0, 6);
  await logActivity(sender.url || '', 'pii', `warn:${kinds.join('+')}`);
  return { ok: true };
}

// --- "I need help" and reports ---
// The help page learns which site and category it is about from a context
// the background keeps (storage.session), never from its own address.

async function onOpenHelp(msg, sender) {
  const e = await start().catch(() => null);
  let url = sender.url || '';
  let category = typeof msg.category === 'string' ? msg.category.slice(0, 20) : '';
  if (fromExtensionPage(sender) && sender.tab) {
    const st = await getTab(sender.tab.id);
    if (st.blocked) {
      url = st.blocked.url;
      category = category || st.blocked.category;
    } else {
      url = '';
    }
  }
  const ctx = Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(16).padStart(2, '0')).join('');
  await chrome.storage.session.set({ [`help:${ctx}`]: { domain: domainOf(url), category, t: Date.now() } }).catch(() => {});
  const page = chrome.runtime.getURL(`help.html#${ctx}`);
  if (msg.sameTab && sender.tab) await chrome.tabs.update(sender.tab.id, { url: page });
  else await chrome.tabs.create({ url: page, index: sender.tab ? sender.tab.index + 1 : undefined });
  return { ok: true, age: e ? e.info.age : null };
}

async function onHelpInfo(msg, sender) {
  requireExtensionPage(sender);
  const e = await start().catch(() => null);
  const key = `help:${String(msg.ctx || '')}`;
  const ctx = (await chrome.storage.session.get(key).catch(() => ({})))[key] || null;
  return {
    age: e ? e.info.age : OcheSettings.DEFAULT_AGE,
    lang: e ? e.settings.lang : 'vi',
    domain: ctx ? ctx.domain : '',
    category: ctx ? ctx.category : '',
  };
}

// The one place the child's own words are kept (the child is told a parent
// will read them). Stays on this computer.
async function onReport(msg, sender) {
  requireExtensionPage(sender);
  const key = `help:${String(msg.ctx || '')}`;
  const ctx = (await chrome.storage.session.get(key).catch(() => ({})))[key] || {};
  const note = typeof msg.note === 'string' ? msg.note.trim().slice(0, 500) : '';
  const got = await chrome.storage.local.get(REPORTS_KEY);
  const list = got[REPORTS_KEY] || [];
  list.push({ t: Date.now(), domain: ctx.domain || '', category: ctx.category || 'unknown', note });
  await chrome.storage.local.set({ [REPORTS_KEY]: list.slice(-REPORTS_MAX) });
  logActivity(ctx.domain || '', ctx.category || 'report', 'report');
  return { ok: true };
}

// Extension pages only: a content script's sender.url is the web page's,
// so nothing a web page does can reach these handlers.
function fromExtensionPage(sender) {
  return sender.id === chrome.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(chrome.runtime.getURL(''));
}

function requireExtensionPage(sender) {
  if (!fromExtensionPage(sender)) throw new Error('not allowed');
}

async function onBlockedInfo(msg, sender) {
  if (!fromExtensionPage(sender) || !sender.tab) throw new Error('not allowed');
  const e = await start().catch(() => null);
  const st = await getTab(sender.tab.id);
  let info = st.blocked;
  if (!info && st.url && e) {
    // Blocked before any request left (declarativeNetRequest redirect):
    // the background saw the navigation; classify that URL here.
    info = { url: st.url, category: urlAction(e, st.url)[1], source: 'list', t: Date.now() };
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
    allowUnlock: e ? e.settings.allowUnlock : true,
    schoolName: e ? e.settings.schoolName : '',
    schoolContact: e ? e.settings.schoolContact : '',
    alternatives: e ? await alternativesFor(e) : [],
  };
}

// Good places to go instead: the school's list (first, or instead of ours
// with replaceAlternatives), then the parent's, then the built-in list.
// Every entry must pass the same URL check as any page (a lapsed domain can
// be bought by a gambling site).
async function alternativesFor(e) {
  const age = e.info.age;
  const lang = e.settings.lang === 'en' ? 'en' : 'vi';
  const pick = (x) => (typeof x === 'string' ? x : (x && (x[lang] || x.vi || x.en)) || '');
  const out = [];
  const p = e.policy.values;
  for (const a of [...(p.alternatives || []), ...(e.local.alternatives || [])]) {
    out.push({ url: a.url, name: pick(a.name), description: pick(a.description), ages: a.ages });
  }
  if (!p.replaceAlternatives) {
    try {
      const built = await (await fetch(chrome.runtime.getURL('content/alternatives.json'))).json();
      for (const a of built.entries) out.push({ url: a.url, name: pick(a.name), description: pick(a.description), ages: a.ages });
    } catch (_) { /* no list: nothing to offer */ }
  }
  return out.filter((a) => {
    if (!/^https?:\/\//.test(a.url || '') || !a.name) return false;
    if (a.ages && !a.ages.includes(age)) return false;
    return urlAction(e, a.url)[0] === 'allow';
  }).slice(0, 6);
}

// --- parent sign-in (settings page) ---
// A successful PIN gives the page a random token, valid SESSION_MS. Tokens
// live in storage.session (extension contexts only), so a service-worker
// restart does not sign the parent out; a browser restart does.

async function tokens() {
  const got = await chrome.storage.session.get('tokens').catch(() => ({}));
  const now = Date.now();
  return Object.fromEntries(Object.entries(got.tokens || {}).filter(([, until]) => until > now));
}

async function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const all = await tokens();
  all[token] = Date.now() + SESSION_MS;
  await chrome.storage.session.set({ tokens: all });
  return token;
}

async function requireToken(token) {
  const all = await tokens();
  if (typeof token !== 'string' || !all[token]) throw new Error('signed-out');
}

async function onAuthStatus(msg, sender) {
  requireExtensionPage(sender);
  const e = await start().catch(() => null);
  const st = await chrome.storage.local.get(OcheAuth.KEY);
  const a = st[OcheAuth.KEY] || {};
  const signedIn = typeof msg.token === 'string' && !!(await tokens())[msg.token];
  // What the school set is shown to anyone who opens the page (key names
  // and problems only, never values): a teacher or admin must see it
  // without the family's PIN.
  return {
    hasPin: !!a.hash,
    waitMs: a.nextTryAt && a.nextTryAt > Date.now() ? a.nextTryAt - Date.now() : 0,
    signedIn,
    lang: e ? e.settings.lang : 'vi',
    age: e ? e.info.age : OcheSettings.DEFAULT_AGE,
    managed: e ? e.managed : false,
    locked: e ? e.locked : { all: false, actions: [] },
    schoolName: e ? e.settings.schoolName : '',
    policy: e ? { keys: Object.keys(e.policy.values), rejected: e.policy.rejected, error: e.policy.error } : { keys: [], rejected: [] },
    problems: e ? e.problems : [],
  };
}

async function onSetPin(msg, sender) {
  requireExtensionPage(sender);
  // The first PIN needs none; changing it needs the parent signed in.
  if (await OcheAuth.hasPin()) await requireToken(msg.token);
  await OcheAuth.setPin(msg.pin);
  return { ok: true, token: await newToken() };
}

async function onSignIn(msg, sender) {
  requireExtensionPage(sender);
  const r = await OcheAuth.verify(msg.pin);
  if (!r.ok) return r;
  return { ok: true, token: await newToken() };
}

async function onSignOut(msg, sender) {
  requireExtensionPage(sender);
  const all = await tokens();
  delete all[msg.token];
  await chrome.storage.session.set({ tokens: all });
  return { ok: true };
}

// Everything the settings page shows, for a signed-in parent.
async function onSettingsInfo(msg, sender) {
  requireExtensionPage(sender);
  await requireToken(msg.token);
  const e = await start();
  const got = await chrome.storage.local.get([ACTIVITY_KEY, REQUESTS_KEY]);
  return {
    local: e.local,
    effective: e.settings,
    locked: e.locked,
    managed: e.managed,
    policy: { present: e.policy.present, keys: Object.keys(e.policy.values), rejected: e.policy.rejected, error: e.policy.error },
    problems: e.problems,
    profileActions: e.info.profileActions,
    actions: e.info.actions,
    unlocks: e.unlocks,
    activity: got[ACTIVITY_KEY] || [],
    requests: got[REQUESTS_KEY] || [],
    lessons: (await chrome.storage.local.get('lessons')).lessons || {},
    reports: (await chrome.storage.local.get('reports')).reports || [],
  };
}


const CATEGORY_IDS = ['sexual', 'violence', 'self-harm', 'drugs', 'gambling', 'weapons', 'hate', 'harassment', 'profanity', 'scam', 'grooming'];
const ACTIONS = ['allow', 'warn', 'blur', 'block'];

async function onSaveSettings(msg, sender) {
  requireExtensionPage(sender);
  await requireToken(msg.token);
  const e = await start();
  if (e.locked.all) throw new Error('managed');
  const p = msg.patch || {};
  const patch = { setupDone: true };
  if (OcheSettings.AGES.includes(p.age) && !e.locked.age) patch.age = p.age;
  if (OcheSettings.LANGS.includes(p.lang) && !e.locked.lang) patch.lang = p.lang;
  if (p.actions && typeof p.actions === 'object') {
    patch.actions = {};
    for (const [c, a] of Object.entries(p.actions)) {
      if (CATEGORY_IDS.includes(c) && ACTIONS.includes(a) && !e.locked.actions.includes(c)) patch.actions[c] = a;
    }
  }
  if (Array.isArray(p.allowDomains)) patch.allowDomains = OchePolicy.cleanList(p.allowDomains);
  if (Array.isArray(p.blockDomains)) patch.blockDomains = OchePolicy.cleanList(p.blockDomains);
  if (typeof p.safeSearch === 'boolean' && !e.locked.safeSearch) patch.safeSearch = p.safeSearch;
  if (Number.isInteger(p.activityDays) && p.activityDays >= 1 && p.activityDays <= 365) patch.activityDays = p.activityDays;
  if (typeof p.privacySendAnyway === 'boolean' || p.privacySendAnyway === null) patch.privacySendAnyway = p.privacySendAnyway;
  if (Array.isArray(p.alternatives)) {
    patch.alternatives = p.alternatives
      .filter((a) => a && /^https?:\/\/[^\s]+$/.test(a.url) && typeof a.name === 'string')
      .slice(0, 20)
      .map((a) => ({ url: a.url, name: a.name.slice(0, 80) }));
  }
  await OcheSettings.save(patch);
  await rebuild();
  return { ok: true };
}

async function onClearActivity(msg, sender) {
  requireExtensionPage(sender);
  await requireToken(msg.token);
  await chrome.storage.local.set({ [ACTIVITY_KEY]: [], [REQUESTS_KEY]: [], [REPORTS_KEY]: [] });
  return { ok: true };
}

// --- unlock requests ---
// The blocked page (child) files a request; the unlock page (parent, PIN)
// grants or refuses it. The request id is random and known only to the
// background and the tab that asked, and granting always needs the PIN, so
// neither an edited URL nor a web page can open a site.

const DURATIONS = { '15m': 15 * 60e3, '1h': 60 * 60e3 };

function untilFor(duration) {
  if (DURATIONS[duration]) return Date.now() + DURATIONS[duration];
  if (duration === 'today') {
    const d = new Date();
    d.setHours(24, 0, 0, 0);
    return d.getTime();
  }
  return null;
}

async function requests() {
  return (await chrome.storage.local.get(REQUESTS_KEY))[REQUESTS_KEY] || [];
}

async function saveRequests(list) {
  await chrome.storage.local.set({ [REQUESTS_KEY]: list.slice(-REQUESTS_MAX) });
}

async function onRequestUnlock(msg, sender) {
  requireExtensionPage(sender);
  if (!sender.tab) throw new Error('not allowed');
  const e = await start();
  if (!e.settings.allowUnlock) return { ok: false, reason: 'managed' };
  const st = await getTab(sender.tab.id);
  if (!st.blocked || !st.blocked.url) return { ok: false, reason: 'nothing-blocked' };
  const list = await requests();
  const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  list.push({ id, tabId: sender.tab.id, url: st.blocked.url, domain: domainOf(st.blocked.url), category: st.blocked.category, t: Date.now(), status: 'pending' });
  await saveRequests(list);
  return { ok: true, id };
}

async function findRequest(id) {
  const list = await requests();
  const r = list.find((x) => x.id === id && typeof id === 'string');
  // A request is answered within a day or not at all.
  if (!r || Date.now() - r.t > 86400e3) return { list, r: null };
  return { list, r };
}

async function onUnlockInfo(msg, sender) {
  requireExtensionPage(sender);
  const e = await start().catch(() => null);
  const { r } = await findRequest(msg.id);
  return {
    request: r ? { domain: r.domain, category: r.category, t: r.t, status: r.status } : null,
    hasPin: await OcheAuth.hasPin(),
    lang: e ? e.settings.lang : 'vi',
    allowUnlock: e ? e.settings.allowUnlock : true,
  };
}

async function onGrantUnlock(msg, sender) {
  requireExtensionPage(sender);
  const e = await start();
  if (!e.settings.allowUnlock) throw new Error('managed');
  const { list, r } = await findRequest(msg.id);
  if (!r || r.status !== 'pending') throw new Error('no-request');
  if (!['15m', '1h', 'today', 'always'].includes(msg.duration)) throw new Error('bad-duration');
  const check = await OcheAuth.verify(msg.pin);
  if (!check.ok) return check;
  if (msg.duration === 'always') {
    if (e.locked.all) throw new Error('managed');
    const local = await OcheSettings.load();
    await OcheSettings.save({ allowDomains: OchePolicy.cleanList([...local.allowDomains, r.domain]) });
  } else {
    const unlocks = await activeUnlocks();
    unlocks[r.domain] = untilFor(msg.duration);
    await chrome.storage.local.set({ [UNLOCKS_KEY]: unlocks });
  }
  r.status = 'granted';
  r.duration = msg.duration;
  r.answeredAt = Date.now();
  await saveRequests(list);
  logActivity(r.url, r.category, `unlock-${msg.duration}`);
  // Rules and classifier must know before the tab goes back to the site.
  await rebuild();
  return { ok: true, url: r.url };
}

async function onRefuseUnlock(msg, sender) {
  requireExtensionPage(sender);
  const { list, r } = await findRequest(msg.id);
  if (!r || r.status !== 'pending') throw new Error('no-request');
  r.status = 'refused';
  r.answeredAt = Date.now();
  await saveRequests(list);
  return { ok: true };
}

async function onEndUnlock(msg, sender) {
  requireExtensionPage(sender);
  await requireToken(msg.token);
  const unlocks = await activeUnlocks();
  delete unlocks[msg.domain];
  await chrome.storage.local.set({ [UNLOCKS_KEY]: unlocks });
  await rebuild();
  return { ok: true };
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
  authStatus: onAuthStatus,
  setPin: onSetPin,
  signIn: onSignIn,
  signOut: onSignOut,
  settingsInfo: onSettingsInfo,
  saveSettings: onSaveSettings,
  clearActivity: onClearActivity,
  requestUnlock: onRequestUnlock,
  unlockInfo: onUnlockInfo,
  grantUnlock: onGrantUnlock,
  refuseUnlock: onRefuseUnlock,
  endUnlock: onEndUnlock,
  lessonsInfo: onLessonsInfo,
  lessonDone: onLessonDone,
  openLesson: onOpenLesson,
  pii: onPii,
  piiShown: onPiiShown,
  openHelp: onOpenHelp,
  helpInfo: onHelpInfo,
  report: onReport,
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
  // An update keeps what is stored and only brings it to the current shape
  // (OcheSettings.load migrates on every read, so this write only saves the
  // migrated form). A fresh install writes nothing: the defaults apply until
  // the parent saves, and a write here could overwrite a first save that
  // raced with it.
  const stored = (await chrome.storage.local.get(OcheSettings.KEY))[OcheSettings.KEY];
  if (stored && stored.version !== OcheSettings.VERSION) {
    await chrome.storage.local.set({ [OcheSettings.KEY]: OcheSettings.migrate(stored) });
  }
  if (details.reason === 'install' && !(stored && stored.setupDone)) {
    chrome.runtime.openOptionsPage().catch(() => {});
  }
});

start().catch(() => {});
