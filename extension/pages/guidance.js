// Guidance for parents, teachers and caregivers. The text lives in
// content/guidance.<lang>.json (see content/README.md); this page only lays
// it out and filters it by age group.

/* global chrome, OcheI18n */
'use strict';

(async () => {
  const stored = (await chrome.storage.local.get('settings')).settings || {};
  const form = document.getElementById('filter');
  form.lang.value = stored.lang === 'en' ? 'en' : 'vi';
  form.age.value = new URLSearchParams(location.search).get('age') || '';

  async function render() {
    const lang = form.lang.value;
    await OcheI18n.load(lang);
    OcheI18n.apply(document);
    const res = await fetch(chrome.runtime.getURL(`content/guidance.${lang}.json`));
    const g = await res.json();
    document.getElementById('title').textContent = g.title;
    document.getElementById('intro').textContent = g.intro;
    document.title = `${g.title} — Ô Che`;
    const age = form.age.value;
    const toc = document.querySelector('#toc ul');
    const out = document.getElementById('sections');
    toc.replaceChildren();
    out.replaceChildren();
    for (const s of g.sections) {
      if (age && s.ages && !s.ages.includes(age)) continue;
      const sec = document.createElement('section');
      sec.className = 'guide';
      sec.id = s.id;
      const h = document.createElement('h2');
      h.textContent = s.title;
      sec.appendChild(h);
      if (s.ages && s.ages.length < 4) {
        const a = document.createElement('p');
        a.className = 'ages';
        a.textContent = s.ages.map((x) => OcheI18n.t(`age_${x.replace('-', '_')}`)).join(' · ');
        sec.appendChild(a);
      }
      const ul = document.createElement('ul');
      for (const p of s.points) {
        const li = document.createElement('li');
        li.textContent = p;
        ul.appendChild(li);
      }
      sec.appendChild(ul);
      out.appendChild(sec);
      const link = document.createElement('a');
      link.href = `#${s.id}`;
      link.textContent = s.title;
      const li = document.createElement('li');
      li.appendChild(link);
      toc.appendChild(li);
    }
  }
  form.addEventListener('change', render);
  await render();
})();
