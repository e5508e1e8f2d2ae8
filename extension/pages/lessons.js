// "Học an toàn trên mạng": short lessons by age group. The lessons are data
// (lessons/<id>.<lang>.json, schema in lessons/README.md); this page shows
// the ones written for the child's age, one screen at a time, then a short
// quiz with kind feedback. Finishing a lesson is recorded locally (lesson
// id, title, time) for the parent's summary; quiz answers are not kept.
//
// ?topic=gambling opens the lesson for that topic (from a blocked page or a
// warning); ?id=scams opens one lesson.

/* global chrome, OcheI18n */
'use strict';

(async () => {
  const params = new URLSearchParams(location.search);
  const info = await chrome.runtime.sendMessage({ type: 'lessonsInfo' }).catch(() => null) || { age: '6-10', lang: 'vi', links: [], done: {} };
  await OcheI18n.load(info.lang);
  const t = OcheI18n.t;
  const age = info.age;
  const opts = { age };
  document.body.classList.add(`age-${age.split('-')[0]}`);
  OcheI18n.apply(document, opts);
  document.title = `${t('lessonsTitle', opts)} — Ô Che`;

  const index = await (await fetch(chrome.runtime.getURL('lessons/index.json'))).json();
  const lessons = [];
  for (const id of index.lessons) {
    try {
      const res = await fetch(chrome.runtime.getURL(`lessons/${id}.${OcheI18n.lang}.json`));
      const l = await res.json();
      if (l.ages && l.ages[age]) lessons.push(l);
    } catch (_) { /* a missing translation: skip that lesson */ }
  }

  const done = info.done || {};
  const list = document.getElementById('lesson-list');
  for (const l of lessons) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.lesson = l.id;
    const icon = document.createElement('span');
    icon.className = 'icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = l.icon || '☂';
    const body = document.createElement('span');
    const title = document.createElement('strong');
    title.textContent = l.title;
    const sum = document.createElement('span');
    sum.className = 'sum';
    sum.textContent = l.summary || '';
    body.append(title, sum);
    if (done[l.id]) {
      const mark = document.createElement('span');
      mark.className = 'done-mark';
      mark.textContent = ` ✓ ${t('lessonsFinished', opts)}`;
      title.appendChild(mark);
    }
    b.append(icon, body);
    b.addEventListener('click', () => open(l));
    li.appendChild(b);
    list.appendChild(li);
  }
  const links = (info.links || []).filter((x) => !x.ages || x.ages.includes(age));
  if (links.length) {
    document.getElementById('school-box').hidden = false;
    document.getElementById('school-links').replaceChildren(...links.map((x) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = x.url;
      a.textContent = x.title;
      a.rel = 'noopener';
      li.appendChild(a);
      return li;
    }));
  }

  let current = null;
  let screen = 0;

  function open(l) {
    current = l;
    screen = 0;
    document.getElementById('list-view').hidden = true;
    document.getElementById('lesson-view').hidden = false;
    document.getElementById('lesson-title').textContent = l.title;
    document.title = `${l.title} — Ô Che`;
    renderQuiz(l.ages[age].quiz);
    document.getElementById('quiz').hidden = true;
    render();
    document.getElementById('lesson-title').focus?.();
  }

  function render() {
    const screens = current.ages[age].screens;
    const s = screens[screen];
    const box = document.getElementById('screen');
    box.querySelector('.picture').textContent = s.picture || '';
    box.querySelector('.text').textContent = s.text;
    box.querySelector('.progress').textContent = t('lessonsProgress', null, String(screen + 1), String(screens.length));
    document.getElementById('prev').disabled = screen === 0;
    const last = screen === screens.length - 1;
    document.getElementById('next').textContent = t(last ? 'lessonsToQuiz' : 'lessonsNext', opts);
  }

  document.getElementById('prev').addEventListener('click', () => {
    if (screen > 0) screen--;
    render();
  });
  document.getElementById('next').addEventListener('click', () => {
    const screens = current.ages[age].screens;
    if (screen < screens.length - 1) {
      screen++;
      render();
    } else {
      const q = document.getElementById('quiz');
      q.hidden = false;
      q.querySelector('button')?.focus();
    }
  });
  document.getElementById('to-list').addEventListener('click', () => {
    document.getElementById('lesson-view').hidden = true;
    document.getElementById('list-view').hidden = false;
  });

  function renderQuiz(quiz) {
    const out = document.getElementById('questions');
    out.replaceChildren();
    document.getElementById('done').hidden = true;
    const solved = new Set();
    quiz.forEach((q, qi) => {
      const div = document.createElement('div');
      div.className = 'question';
      const fs = document.createElement('fieldset');
      const legend = document.createElement('legend');
      legend.textContent = q.question;
      fs.appendChild(legend);
      const answers = document.createElement('div');
      answers.className = 'answers';
      const feedback = document.createElement('p');
      feedback.className = 'feedback';
      feedback.setAttribute('role', 'status');
      feedback.hidden = true;
      for (const a of q.answers) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = a.text;
        b.setAttribute('aria-pressed', 'false');
        b.addEventListener('click', () => {
          for (const other of answers.querySelectorAll('button')) other.setAttribute('aria-pressed', 'false');
          b.setAttribute('aria-pressed', 'true');
          b.classList.add(a.correct ? 'right' : 'wrong');
          feedback.textContent = a.feedback;
          feedback.hidden = false;
          if (a.correct) {
            solved.add(qi);
            if (solved.size === quiz.length) finish();
          }
        });
        answers.appendChild(b);
      }
      fs.append(answers, feedback);
      div.appendChild(fs);
      out.appendChild(div);
    });
  }

  async function finish() {
    document.getElementById('done').hidden = false;
    await chrome.runtime.sendMessage({ type: 'lessonDone', id: current.id }).catch(() => {});
  }

  document.getElementById('main').hidden = false;
  const wanted = params.get('id') || '';
  const topic = params.get('topic') || '';
  const first = lessons.find((l) => l.id === wanted) || lessons.find((l) => topic && (l.topics || []).includes(topic));
  if (first) open(first);
})();
