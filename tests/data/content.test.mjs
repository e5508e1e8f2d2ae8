// The extension's content files (lessons, guidance, help, alternatives)
// against their documented schemas: extension/lessons/README.md and
// extension/content/README.md. A teacher who edits a lesson runs this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const AGES = ['0-5', '6-10', '11-14', '15-17'];
const LANGS = ['vi', 'en'];
const TOPICS = ['pii', 'grooming', 'scam', 'gambling', 'harassment', 'hate', 'profanity', 'sexual', 'violence', 'self-harm', 'drugs', 'weapons', 'help', 'time'];
const read = (p) => {
  const text = fs.readFileSync(path.join(root, p), 'utf8');
  assert.equal(text, text.normalize('NFC'), `${p} must be NFC`);
  return JSON.parse(text);
};
const nonEmpty = (s, where) => assert.ok(typeof s === 'string' && s.trim().length > 0, `${where}: empty text`);

test('every lesson has both languages, the ages it claims, and quizzes with exactly one right answer', () => {
  const index = read('extension/lessons/index.json');
  assert.ok(index.lessons.length >= 7);
  const files = fs.readdirSync(path.join(root, 'extension/lessons')).filter((f) => f.endsWith('.json') && f !== 'index.json');
  for (const f of files) assert.ok(index.lessons.includes(f.split('.')[0]), `${f} is not listed in index.json`);
  for (const id of index.lessons) {
    const byLang = {};
    for (const lang of LANGS) {
      const where = `${id}.${lang}`;
      const l = read(`extension/lessons/${id}.${lang}.json`);
      byLang[lang] = l;
      assert.equal(l.id, id, `${where}: id`);
      assert.equal(l.lang, lang, `${where}: lang`);
      nonEmpty(l.title, `${where}.title`);
      nonEmpty(l.summary, `${where}.summary`);
      assert.ok(Array.isArray(l.topics) && l.topics.length > 0, `${where}: topics`);
      for (const t of l.topics) assert.ok(TOPICS.includes(t), `${where}: unknown topic ${t}`);
      const ages = Object.keys(l.ages);
      assert.ok(ages.length > 0, `${where}: no age group`);
      for (const age of ages) {
        assert.ok(AGES.includes(age), `${where}: unknown age ${age}`);
        const a = l.ages[age];
        assert.ok(a.screens.length >= 1, `${where}.${age}: screens`);
        for (const s of a.screens) nonEmpty(s.text, `${where}.${age} screen`);
        assert.ok(a.quiz.length >= 1, `${where}.${age}: quiz`);
        for (const q of a.quiz) {
          nonEmpty(q.question, `${where}.${age} question`);
          assert.ok(q.answers.length >= 2, `${where}.${age}: ${q.question}: answers`);
          assert.equal(q.answers.filter((x) => x.correct === true).length, 1, `${where}.${age}: ${q.question}: exactly one right answer`);
          for (const x of q.answers) {
            nonEmpty(x.text, `${where}.${age} answer`);
            nonEmpty(x.feedback, `${where}.${age} feedback`);
          }
        }
      }
    }
    assert.deepEqual(Object.keys(byLang.vi.ages).sort(), Object.keys(byLang.en.ages).sort(), `${id}: same ages in both languages`);
    assert.deepEqual(byLang.vi.topics, byLang.en.topics, `${id}: same topics in both languages`);
  }
  // Every category the blocked page and the warnings link to has a lesson.
  const covered = new Set(index.lessons.flatMap((id) => read(`extension/lessons/${id}.vi.json`).topics));
  for (const t of TOPICS) assert.ok(covered.has(t), `no lesson for topic ${t}`);
});

test('guidance and help pages have every section and age group in both languages', () => {
  const ids = {};
  for (const lang of LANGS) {
    const g = read(`extension/content/guidance.${lang}.json`);
    assert.equal(g.lang, lang);
    nonEmpty(g.title, `guidance.${lang}.title`);
    ids[lang] = g.sections.map((s) => s.id);
    for (const s of g.sections) {
      nonEmpty(s.title, `guidance.${lang}.${s.id}`);
      assert.ok(s.points.length >= 2, `guidance.${lang}.${s.id}: points`);
      for (const a of s.ages || []) assert.ok(AGES.includes(a));
    }
    for (const need of ['grooming', 'bullying', 'report', 'what-oche-does']) assert.ok(ids[lang].includes(need), `guidance.${lang}: ${need}`);
    const h = read(`extension/content/help.${lang}.json`);
    for (const age of AGES) {
      const a = h.ages[age];
      assert.ok(a, `help.${lang}: ${age}`);
      nonEmpty(a.title, `help.${lang}.${age}.title`);
      nonEmpty(a.notYourFault, `help.${lang}.${age}.notYourFault`);
      assert.match(a.hotline, /111/, `help.${lang}.${age}: 111`);
      assert.ok(a.steps.length >= 2 && a.calm.steps.length >= 2 && a.report.points.length >= 1);
    }
  }
  assert.deepEqual(ids.vi, ids.en, 'guidance sections match across languages');
});

test('safe alternatives: https, both languages, an age group and a source note each', () => {
  const a = read('extension/content/alternatives.json');
  for (const age of AGES) assert.ok(a.entries.filter((e) => e.ages.includes(age)).length >= 5, `at least 5 for ${age}`);
  for (const e of a.entries) {
    assert.match(e.url, /^https:\/\/[a-z0-9.-]+\//, e.url);
    for (const lang of LANGS) {
      nonEmpty(e.name[lang], `${e.url} name.${lang}`);
      nonEmpty(e.description[lang], `${e.url} description.${lang}`);
    }
    nonEmpty(e.source, `${e.url} source`);
    for (const age of e.ages) assert.ok(AGES.includes(age));
  }
});
