// "I need help": what to do now, calming steps, 111, and how to report.
// The text is in content/help.<lang>.json, by age group. A report keeps the
// site, the kind of content, the time and the child's optional note (the
// child is told a parent will read it); nothing leaves the computer.

/* global chrome, OcheI18n */
'use strict';

(async () => {
  if (window.top !== window) return;
  const ctx = location.hash.slice(1);
  const info = await chrome.runtime.sendMessage({ type: 'helpInfo', ctx }).catch(() => null) || { age: '6-10', lang: 'vi' };
  await OcheI18n.load(info.lang);
  const t = OcheI18n.t;
  OcheI18n.apply(document, { age: info.age });
  const res = await fetch(chrome.runtime.getURL(`content/help.${OcheI18n.lang}.json`));
  const help = (await res.json()).ages[info.age] || {};
  document.body.dataset.age = info.age;
  const set = (id, text) => { document.getElementById(id).textContent = text || ''; };
  const list = (id, items) => {
    const el = document.getElementById(id);
    el.replaceChildren(...(items || []).map((x) => {
      const li = document.createElement('li');
      li.textContent = x;
      return li;
    }));
  };
  set('title', help.title);
  document.title = `${help.title} — Ô Che`;
  set('not-your-fault', help.notYourFault);
  set('call', help.hotline);
  list('steps', help.steps);
  set('calm-title', help.calm && help.calm.title);
  list('calm-steps', help.calm && help.calm.steps);
  set('report-title', help.report && help.report.title);
  list('report-points', help.report && help.report.points);
  if (info.domain) set('report-about', t('reportAbout', null, info.domain));
  document.getElementById('lessons').href = `lessons.html${info.category ? `?topic=${encodeURIComponent(info.category)}` : ''}`;
  const form = document.getElementById('report-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await chrome.runtime.sendMessage({ type: 'report', ctx, note: form.note.value });
    form.hidden = true;
    document.getElementById('report-done').hidden = false;
  });
  document.getElementById('main').hidden = false;
})();
