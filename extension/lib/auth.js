// The parent's PIN. Used only by the background: extension pages send the
// PIN to the background, which checks it here and answers yes or no.
//
// The PIN is stored only as a salted PBKDF2-SHA-256 hash (WebCrypto; nothing
// hand-rolled). After FREE_TRIES wrong tries in a row, each further try has
// to wait, and the wait doubles (30 s, 1 min, 2 min … up to 1 hour). The
// count and the time of the next allowed try live in storage.local, so
// restarting the service worker or the browser does not reset them.
//
// Forgotten PIN: there is no back door. Removing the extension and adding it
// again clears everything (settings, PIN, activity); under a school's policy
// the school's settings come back by themselves.

/* global chrome */
'use strict';

const OcheAuth = (() => {
  const KEY = 'auth';
  const ITERATIONS = 210000; // OWASP 2023 figure for PBKDF2-SHA-256
  const FREE_TRIES = 5;
  const FIRST_WAIT_MS = 30 * 1000;
  const MAX_WAIT_MS = 60 * 60 * 1000;
  const MIN_LENGTH = 4;
  const MAX_LENGTH = 32;

  const enc = new TextEncoder();
  const toB64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
  const fromB64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

  async function derive(pin, salt, iterations) {
    const key = await crypto.subtle.importKey('raw', enc.encode(pin.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
    return crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  }

  async function state() {
    const got = await chrome.storage.local.get(KEY);
    return got[KEY] || { failures: 0, nextTryAt: 0 };
  }

  async function hasPin() {
    return !!(await state()).hash;
  }

  function checkShape(pin) {
    if (typeof pin !== 'string' || pin.length < MIN_LENGTH || pin.length > MAX_LENGTH) {
      throw new Error(`PIN must be ${MIN_LENGTH}-${MAX_LENGTH} characters`);
    }
  }

  async function setPin(pin) {
    checkShape(pin);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const hash = await derive(pin, salt, ITERATIONS);
    const st = await state();
    await chrome.storage.local.set({
      [KEY]: { ...st, v: 1, salt: toB64(salt), hash: toB64(hash), iterations: ITERATIONS, failures: 0, nextTryAt: 0 },
    });
  }

  function waitAfter(failures) {
    if (failures < FREE_TRIES) return 0;
    return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - FREE_TRIES));
  }

  // { ok } or { ok: false, waitMs } — waitMs > 0 means "try again later";
  // while waiting, the PIN is not even looked at.
  async function verify(pin) {
    const st = await state();
    if (!st.hash) return { ok: false, noPin: true, waitMs: 0 };
    const now = Date.now();
    if (st.nextTryAt && now < st.nextTryAt) return { ok: false, waitMs: st.nextTryAt - now };
    let ok = false;
    if (typeof pin === 'string' && pin.length <= MAX_LENGTH) {
      const got = new Uint8Array(await derive(pin, fromB64(st.salt), st.iterations));
      const want = fromB64(st.hash);
      let diff = got.length ^ want.length;
      for (let i = 0; i < want.length; i++) diff |= got[i] ^ want[i];
      ok = diff === 0;
    }
    const failures = ok ? 0 : (st.failures || 0) + 1;
    const wait = ok ? 0 : waitAfter(failures);
    await chrome.storage.local.set({ [KEY]: { ...st, failures, nextTryAt: wait ? Date.now() + wait : 0 } });
    return ok ? { ok: true } : { ok: false, waitMs: wait, triesLeft: Math.max(0, FREE_TRIES - failures) };
  }

  return { KEY, FREE_TRIES, MIN_LENGTH, hasPin, setPin, verify, waitAfter };
})();

if (typeof module !== 'undefined') module.exports = OcheAuth;
