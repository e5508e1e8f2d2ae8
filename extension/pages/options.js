// Settings page (parents). Issue #4 adds the PIN, overrides, lists and policy.

/* global OcheSettings, OcheI18n */
'use strict';

(async () => {
  const s = await OcheSettings.load();
  await OcheI18n.load(s.lang);
  OcheI18n.apply(document);
  const form = document.getElementById('form');
  form.age.value = s.age;
  form.lang.value = s.lang;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const next = await OcheSettings.save({ age: form.age.value, lang: form.lang.value, setupDone: true });
    await OcheI18n.load(next.lang);
    OcheI18n.apply(document);
    document.getElementById('saved').hidden = false;
  });
})();
