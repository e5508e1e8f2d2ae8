// The blocked page. It learns what was blocked from the background (which
// saw the navigation), never from its own URL: nothing in the address bar
// can change what it shows or grant access.

/* global chrome, OcheI18n */
'use strict';

(async () => {
  // Any site could frame this page; inside a frame it shows nothing.
  if (window.top !== window) {
    document.getElementById('main').remove();
    document.getElementById('framed').hidden = false;
    return;
  }

  let info;
  try {
    info = await chrome.runtime.sendMessage({ type: 'blockedInfo' });
    if (!info || info.error) throw new Error(info ? info.error : 'no reply');
  } catch (_) {
    info = { category: 'unknown', age: '6-10', lang: 'vi', domain: '', lastSafeUrl: '' };
  }
  await OcheI18n.load(info.lang);
  const t = OcheI18n.t;
  const age = info.age;
  const ageClass = `age-${age.split('-')[0]}`;
  document.body.classList.add(ageClass);
  document.body.dataset.age = age;
  document.body.dataset.category = info.category;
  const opts = { age };
  const cat = t(`cat_${info.category}`) || t('cat_unknown');
  const older = age === '11-14' || age === '15-17';

  // Self-harm: a supportive page first, never a cold block.
  const support = info.category === 'self-harm' || location.hash === '#support';
  if (support) {
    document.getElementById('blocked-view').hidden = true;
    document.getElementById('support-view').hidden = false;
    document.getElementById('support-lead').textContent = t('supportLead', opts) || t('blockedLead', opts, cat);
    document.title = `${t('supportTitle')} — Ô Che`;
  } else {
    document.getElementById('title').textContent = t('blockedTitle', opts);
    document.getElementById('lead').textContent = t('blockedLead', opts, cat);
    document.getElementById('not-your-fault').textContent = t('blockedNotYourFault', opts);
    if (older) {
      const tip = t(`tip_${info.category}`) || t('blockedTip', opts);
      if (tip) {
        const el = document.getElementById('tip');
        el.textContent = tip;
        el.hidden = false;
      }
      if (info.domain) {
        const el = document.getElementById('page-for');
        el.textContent = t('blockedPageFor', opts, info.domain);
        el.hidden = false;
      }
    }
    document.title = `${t('blockedTitle', opts)} — Ô Che`;
  }
  OcheI18n.apply(document, opts);
  document.getElementById('help-adult').textContent = t('helpTrustedAdult', opts);

  document.getElementById('back').addEventListener('click', () => {
    if (info.lastSafeUrl) location.replace(info.lastSafeUrl);
    else if (history.length > 1) history.back();
    else window.close();
  });
  // The lesson that matches what just happened (category → lesson topic).
  const topic = { sexual: 'sexual', violence: 'violence', 'self-harm': 'self-harm', drugs: 'drugs', gambling: 'gambling',
    weapons: 'weapons', hate: 'hate', harassment: 'harassment', profanity: 'profanity', scam: 'scam', grooming: 'grooming' }[info.category];
  document.getElementById('learn').href = `lessons.html${topic ? `?topic=${topic}` : ''}`;
  // Good places to go instead, for the younger children.
  const alts = info.alternatives || [];
  if (!older && alts.length) {
    const ul = document.getElementById('alt-list');
    for (const a of alts) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = a.url;
      link.textContent = a.name;
      li.appendChild(link);
      if (a.description) {
        const d = document.createElement('span');
        d.className = 'small';
        d.textContent = ` — ${a.description}`;
        li.appendChild(d);
      }
      ul.appendChild(li);
    }
    document.getElementById('alternatives').hidden = false;
  }
  if (info.schoolContact) {
    const el = document.getElementById('school-contact');
    el.textContent = t('blockedSchoolContact', null, info.schoolContact);
    el.hidden = false;
  }
  // Asking files a request in the background; the adult then types the PIN
  // on the unlock page (an extension page no web page can open).
  document.getElementById('ask').addEventListener('click', async () => {
    const note = document.getElementById('ask-note');
    const r = await chrome.runtime.sendMessage({ type: 'requestUnlock' }).catch(() => null);
    if (r && r.ok) {
      note.textContent = t('askParentSent', opts);
      const parent = document.getElementById('parent-unlock');
      parent.hidden = false;
      parent.onclick = () => location.assign(chrome.runtime.getURL(`unlock.html#${r.id}`));
    } else if (r && r.reason === 'managed') {
      note.textContent = t('askSchoolManaged', opts);
    } else {
      note.textContent = t('askParentSoon', opts);
    }
    note.hidden = false;
  });
  const help = document.getElementById('help');
  help.addEventListener('click', () => {
    const panel = document.getElementById('help-panel');
    panel.hidden = !panel.hidden;
    help.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) panel.querySelector('a').focus();
  });
  document.getElementById('more-help').addEventListener('click', () => {
    chrome.runtime.sendMessage({ type: 'openHelp', category: info.category }).catch(() => {});
  });
  if (support) {
    // The help panel is the point of the support page: open it.
    help.click();
  }
  document.getElementById('main').hidden = false;
  document.getElementById(support ? 'support-call' : 'back').focus();
})();
