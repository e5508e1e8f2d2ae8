// The unlock page: a parent types the PIN to open a blocked site for a
// while. It is not web-accessible, so no web page can load or frame it; it
// only knows the request id in its address, and the background decides
// everything (the id must name a pending request, and the PIN must be right).

/* global chrome, OcheI18n */
'use strict';

(async () => {
  if (window.top !== window) return;
  const id = location.hash.slice(1);
  const info = await chrome.runtime.sendMessage({ type: 'unlockInfo', id }).catch(() => null);
  await OcheI18n.load(info && info.lang);
  const t = OcheI18n.t;
  OcheI18n.apply(document);
  const form = document.getElementById('unlock-form');
  const err = form.querySelector('.error');
  const r = info && info.request;
  if (!r || r.status !== 'pending' || !info.hasPin || !info.allowUnlock) {
    document.getElementById('missing').hidden = false;
    if (info && !info.hasPin) document.getElementById('missing').textContent = t('unlockNoPin');
    return;
  }
  const cat = t(`cat_${r.category}`) || t('cat_unknown');
  document.getElementById('what').textContent = t('unlockWhat', null, r.domain, cat);
  form.hidden = false;
  form.pin.focus();
  const finish = (text) => {
    form.hidden = true;
    const done = document.getElementById('done');
    done.textContent = text;
    done.hidden = false;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const res = await chrome.runtime.sendMessage({ type: 'grantUnlock', id, pin: form.pin.value, duration: form.duration.value }).catch((e) => ({ error: String(e) }));
    form.pin.value = '';
    if (res && res.ok) {
      finish(t('unlockDone'));
      location.replace(res.url);
      return;
    }
    err.hidden = false;
    if (res && res.waitMs) err.textContent = t('optWaitSec', null, String(Math.ceil(res.waitMs / 1000)));
    else if (res && res.error) err.textContent = res.error;
    else err.textContent = t('optPinWrong');
  });
  document.getElementById('refuse').addEventListener('click', async () => {
    await chrome.runtime.sendMessage({ type: 'refuseUnlock', id }).catch(() => null);
    finish(t('unlockRefused'));
  });
})();
