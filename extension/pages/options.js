// Settings page (parents). First run: age group, language, PIN. Afterwards
// everything is behind the PIN, which only the background checks (see
// lib/auth.js). Fields a school's policy sets are shown locked.

/* global chrome, OcheI18n */
'use strict';

const CATEGORIES = ['sexual', 'violence', 'self-harm', 'drugs', 'gambling', 'weapons', 'hate', 'harassment', 'profanity', 'scam', 'grooming'];
const ACTIONS = ['allow', 'warn', 'blur', 'block'];
const COLORS = {
  sexual: '#c2185b', violence: '#d84315', 'self-harm': '#6a1b9a', drugs: '#2e7d32', gambling: '#f9a825',
  weapons: '#5d4037', hate: '#ad1457', harassment: '#1565c0', profanity: '#00838f', scam: '#ef6c00',
  grooming: '#4527a0', blocklist: '#546e7a', unknown: '#90a4ae', pii: '#0277bd', report: '#37474f',
};
const TOKEN_KEY = 'oche-parent-token';

const $ = (id) => document.getElementById(id);
const send = (msg) => chrome.runtime.sendMessage(msg);
let t = (k) => k;
let token = sessionStorage.getItem(TOKEN_KEY) || '';

function show(view) {
  for (const v of ['view-setup', 'view-signin', 'view-settings']) $(v).hidden = v !== view;
}

function showError(form, text) {
  const el = form.querySelector('.error');
  el.textContent = text;
  el.hidden = !text;
}

function waitText(ms) {
  const s = Math.ceil(ms / 1000);
  return s >= 120 ? t('optWaitMin', null, String(Math.ceil(s / 60))) : t('optWaitSec', null, String(s));
}

function catLabel(c) {
  const s = t(`cat_${c}`) || c;
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// One copy of the age-group and language fields for both forms.
for (const slot of document.querySelectorAll('[data-fields="age-lang"]')) {
  slot.replaceWith(document.getElementById('age-lang').content.cloneNode(true));
}

async function main() {
  const status = await send({ type: 'authStatus', token });
  await OcheI18n.load(status.lang);
  t = OcheI18n.t;
  OcheI18n.apply(document);
  await checkAccess();
  managedBanner({ managed: status.managed, problems: status.problems, policy: status.policy, effective: { schoolName: status.schoolName } });
  if (!status.hasPin) return setup(status);
  if (status.signedIn) return settings();
  return signin(status);
}

// The extension must run in incognito windows and on every site, or a child
// can step around it. Say so plainly, with the fix.
async function checkAccess() {
  let incognito = true;
  let sites = true;
  try {
    incognito = await chrome.extension.isAllowedIncognitoAccess();
  } catch (_) { /* unknown: say nothing */ }
  try {
    sites = await chrome.permissions.contains({ origins: ['<all_urls>'] });
  } catch (_) { /* unknown */ }
  $('access-incognito').hidden = incognito;
  $('access-sites').hidden = sites;
  $('access').hidden = incognito && sites;
}

function setup(status) {
  show('view-setup');
  const form = $('setup-form');
  form.age.value = status.age;
  form.lang.value = OcheI18n.lang;
  for (const r of form.age) r.disabled = status.locked.all || status.locked.age;
  for (const r of form.lang) r.disabled = status.locked.all || status.locked.lang;
  form.lang.forEach((r) => r.addEventListener('change', async () => {
    await OcheI18n.load(form.lang.value);
    OcheI18n.apply(document);
  }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (form.pin.value !== form.pin2.value) return showError(form, t('optPinMismatch'));
    if (form.pin.value.length < 4) return showError(form, t('optPinShort'));
    const r = await send({ type: 'setPin', pin: form.pin.value });
    if (!r || !r.ok) return showError(form, (r && r.error) || 'error');
    token = r.token;
    sessionStorage.setItem(TOKEN_KEY, token);
    if (!status.locked.all) await send({ type: 'saveSettings', token, patch: { age: form.age.value, lang: form.lang.value } });
    location.reload();
  });
}

function signin(status) {
  show('view-signin');
  const form = $('signin-form');
  if (status.waitMs) showError(form, waitText(status.waitMs));
  form.pin.focus();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    const r = await send({ type: 'signIn', pin: form.pin.value }).catch(() => null);
    button.disabled = false;
    form.pin.value = '';
    if (r && r.ok) {
      token = r.token;
      sessionStorage.setItem(TOKEN_KEY, token);
      return settings();
    }
    if (r && r.waitMs) return showError(form, waitText(r.waitMs));
    showError(form, t('optPinWrong'));
  });
}

async function settings() {
  const info = await send({ type: 'settingsInfo', token });
  if (!info || info.error) {
    sessionStorage.removeItem(TOKEN_KEY);
    token = '';
    return signin({});
  }
  show('view-settings');
  managedBanner(info);
  summary(info);
  fillForm(info);
  $('signout').onclick = async () => {
    await send({ type: 'signOut', token });
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  };
}

function managedBanner(info) {
  const probs = info.problems || [];
  $('problems').hidden = probs.length === 0;
  $('problem-list').replaceChildren(...probs.map((p) => li(p)));
  if (!info.managed && !info.policy.rejected.length) return;
  $('managed').hidden = false;
  const name = info.effective.schoolName;
  $('managed-by').textContent = name ? t('optManagedBy', null, name) : t('optManaged');
  $('managed-keys').textContent = t('optManagedKeys', null, info.policy.keys.join(', ') || '—');
  // Chrome drops values that do not match the schema before we see them.
  $('managed-chrome').hidden = !navigator.userAgent.includes('Chrome/');
  const rej = info.policy.rejected;
  $('managed-rejected').hidden = rej.length === 0;
  $('rejected-list').replaceChildren(...rej.map((r) => li(r.reason)));
}

function li(text) {
  const el = document.createElement('li');
  el.textContent = text;
  return el;
}

function dayKey(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// The last seven days as counts per category per day: a stacked bar chart
// and the same numbers as a table (for screen readers and for printing).
function summary(info) {
  const now = Date.now();
  const days = [];
  for (let i = 6; i >= 0; i--) days.push(dayKey(now - i * 86400e3));
  const counts = Object.fromEntries(days.map((d) => [d, {}]));
  const cats = new Set();
  const sites = {};
  let total = 0;
  for (const e of info.activity) {
    const d = dayKey(e.t);
    if (!counts[d]) continue;
    counts[d][e.category] = (counts[d][e.category] || 0) + 1;
    cats.add(e.category);
    sites[e.domain] = (sites[e.domain] || 0) + 1;
    total++;
  }
  $('summary-total').textContent = total ? t('optWeekTotal', null, String(total)) : t('optWeekNone');
  const catList = [...cats];
  const dayLabel = (d) => new Date(`${d}T12:00:00`).toLocaleDateString(OcheI18n.lang === 'vi' ? 'vi-VN' : 'en-GB', { weekday: 'short', day: 'numeric', month: 'numeric' });

  // Chart.
  const max = Math.max(1, ...days.map((d) => Object.values(counts[d]).reduce((a, b) => a + b, 0)));
  const W = 560;
  const H = 180;
  const bw = 50;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 30}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('optSummary'));
  days.forEach((d, i) => {
    let y = H;
    const x = 20 + i * ((W - 40) / 7);
    for (const c of catList) {
      const n = counts[d][c] || 0;
      if (!n) continue;
      const h = (n / max) * (H - 10);
      y -= h;
      const r = document.createElementNS(ns, 'rect');
      Object.entries({ x, y, width: bw, height: h, fill: COLORS[c] || '#777' }).forEach(([k, v]) => r.setAttribute(k, v));
      const title = document.createElementNS(ns, 'title');
      title.textContent = `${catLabel(c)}: ${n}`;
      r.appendChild(title);
      svg.appendChild(r);
    }
    const label = document.createElementNS(ns, 'text');
    Object.entries({ x: x + bw / 2, y: H + 20, 'text-anchor': 'middle', 'font-size': 12 }).forEach(([k, v]) => label.setAttribute(k, v));
    label.textContent = new Date(`${d}T12:00:00`).toLocaleDateString(OcheI18n.lang === 'vi' ? 'vi-VN' : 'en-GB', { day: 'numeric', month: 'numeric' });
    svg.appendChild(label);
  });
  const legend = document.createElement('ul');
  legend.className = 'legend';
  for (const c of catList) {
    const item = li(catLabel(c));
    item.style.setProperty('--swatch', COLORS[c] || '#777');
    legend.appendChild(item);
  }
  $('chart').replaceChildren(svg, legend);

  // Table.
  const table = $('summary-table');
  table.replaceChildren();
  if (catList.length) {
    const head = table.createTHead().insertRow();
    head.appendChild(document.createElement('th'));
    for (const d of days) {
      const th = document.createElement('th');
      th.textContent = dayLabel(d);
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const c of catList) {
      const row = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = catLabel(c);
      row.appendChild(th);
      for (const d of days) row.insertCell().textContent = String(counts[d][c] || 0);
    }
  }

  const top = Object.entries(sites).sort((a, b) => b[1] - a[1]).slice(0, 8);
  $('top-sites').replaceChildren(...(top.length ? top.map(([d, n]) => li(`${d} — ${n}`)) : [li('—')]));

  const reqs = info.requests.slice(-10).reverse();
  $('request-list').replaceChildren(...(reqs.length ? reqs.map((r) => li(`${new Date(r.t).toLocaleString()} — ${r.domain} (${catLabel(r.category)}): ${t(`optRequest_${r.status}`) || r.status}`)) : [li('—')]));

  const reports = info.reports || [];
  $('reports-box').hidden = reports.length === 0;
  $('report-list').replaceChildren(...reports.slice(-20).reverse().map((r) => li(`${new Date(r.t).toLocaleString()} — ${r.domain || '—'} (${catLabel(r.category)})${r.note ? `: “${r.note}”` : ''}`)));

  const lessons = Object.entries(info.lessons || {});
  $('lessons-box').hidden = lessons.length === 0;
  $('lesson-list').replaceChildren(...lessons.map(([id, l]) => li(`${l.title || id} — ${new Date(l.t).toLocaleDateString()}`)));

  $('export').onclick = () => exportCsv(info.activity);
  $('clear').onclick = async () => {
    if (!confirm(t('optClearConfirm'))) return;
    await send({ type: 'clearActivity', token });
    settings();
  };
}

// UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly.
function exportCsv(activity) {
  const q = (s) => `"${String(s).replace(/"/g, '""')}"`;
  const rows = [[t('csvTime'), t('csvDomain'), t('csvCategory'), t('csvAction')].map(q).join(',')];
  for (const e of activity) {
    const d = new Date(e.t);
    const time = `${dayKey(e.t)} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    rows.push([time, e.domain, catLabel(e.category), e.action].map(q).join(','));
  }
  const blob = new Blob(['\uFEFF' + rows.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `oche-${dayKey(Date.now())}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function fillForm(info) {
  const form = $('settings-form');
  const eff = info.effective;
  const locked = info.locked;
  form.age.value = eff.age;
  form.lang.value = eff.lang;
  for (const r of form.age) r.disabled = locked.all || locked.age;
  for (const r of form.lang) r.disabled = locked.all || locked.lang;

  const table = $('category-table');
  table.replaceChildren();
  for (const c of CATEGORIES) {
    const row = table.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    const label = document.createElement('label');
    label.htmlFor = `cat-${c}`;
    label.textContent = catLabel(c);
    th.appendChild(label);
    row.appendChild(th);
    const select = document.createElement('select');
    select.id = `cat-${c}`;
    select.name = `cat-${c}`;
    const def = info.profileActions[c];
    const opt0 = new Option(t('optByAge', null, t(`act_${def}`)), '');
    select.add(opt0);
    for (const a of ACTIONS) select.add(new Option(t(`act_${a}`), a));
    select.value = (info.local.actions || {})[c] || '';
    if (locked.actions.includes(c)) select.value = eff.actions[c];
    select.disabled = locked.all || locked.actions.includes(c);
    row.insertCell().appendChild(select);
  }
  form.allowDomains.value = (locked.all ? eff.allowDomains : info.local.allowDomains).join('\n');
  form.blockDomains.value = (locked.all ? eff.blockDomains : info.local.blockDomains).join('\n');
  form.allowDomains.disabled = locked.all;
  form.blockDomains.disabled = locked.all;
  form.privacySendAnyway.value = typeof info.local.privacySendAnyway === 'boolean' ? (info.local.privacySendAnyway ? 'yes' : 'no') : '';
  form.privacySendAnyway.disabled = locked.all;
  form.alternatives.value = (info.local.alternatives || []).map((a) => `${a.url} ${a.name}`).join('\n');
  form.alternatives.disabled = locked.all;
  form.safeSearch.checked = eff.safeSearch !== false;
  form.safeSearch.disabled = locked.all || locked.safeSearch;
  form.activityDays.value = eff.activityDays || 30;
  form.activityDays.disabled = locked.all;
  form.querySelector('button[type=submit]').disabled = locked.all;

  const unlocked = Object.entries(info.unlocks || {});
  $('unlocked-box').hidden = unlocked.length === 0;
  $('unlocked-list').replaceChildren(...unlocked.map(([d, until]) => {
    const item = li(`${d} — ${t('optUntil', null, new Date(until).toLocaleString())} `);
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = t('optEndNow');
    b.onclick = async () => {
      await send({ type: 'endUnlock', token, domain: d });
      settings();
    };
    item.appendChild(b);
    return item;
  }));

  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const actions = {};
    for (const c of CATEGORIES) {
      const v = form[`cat-${c}`].value;
      if (v) actions[c] = v;
    }
    const lines = (s) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
    const patch = {
      age: form.age.value,
      lang: form.lang.value,
      actions,
      allowDomains: lines(form.allowDomains.value),
      blockDomains: lines(form.blockDomains.value),
      safeSearch: form.safeSearch.checked,
      activityDays: Number(form.activityDays.value) || 30,
      privacySendAnyway: { yes: true, no: false }[form.privacySendAnyway.value] ?? null,
      // "https://example.org Name of the site", one per line.
      alternatives: form.alternatives.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
        const [url, ...name] = l.split(/\s+/);
        return { url, name: name.join(' ') || url };
      }),
    };
    const r = await send({ type: 'saveSettings', token, patch });
    if (!r || !r.ok) return showError(form, (r && r.error) || 'error');
    showError(form, '');
    await OcheI18n.load(patch.lang);
    OcheI18n.apply(document);
    $('saved').hidden = false;
    await settings();
  };

  const pinForm = $('pin-form');
  pinForm.onsubmit = async (ev) => {
    ev.preventDefault();
    if (pinForm.pin.value !== pinForm.pin2.value) return showError(pinForm, t('optPinMismatch'));
    const r = await send({ type: 'setPin', token, pin: pinForm.pin.value });
    pinForm.reset();
    if (!r || !r.ok) return showError(pinForm, (r && r.error) || 'error');
    token = r.token;
    sessionStorage.setItem(TOKEN_KEY, token);
    showError(pinForm, '');
    const st = pinForm.querySelector('.status');
    st.textContent = t('optPinChanged');
    st.hidden = false;
  };
}

main().catch((err) => {
  document.body.appendChild(li(String(err && err.message ? err.message : err)));
});
