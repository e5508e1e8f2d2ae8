// Managed policy (schools): reads storage.managed, checks every key against
// managed_schema.json, and merges the policy over the parent's settings.
//
// Chrome checks policy values against the schema itself and silently drops
// what does not match; Firefox passes values through unchecked. So the same
// check runs here in both browsers: in Firefox it is what rejects a bad
// value, in Chrome it finds nothing (and the settings page points the admin
// to chrome://policy for what Chrome dropped).
//
// A rejected key is reported by name and reason only; its value is never
// logged (a school's list of sites is not ours to print).

/* global chrome */
'use strict';

const OchePolicy = (() => {
  let schemaCache = null;

  async function schema() {
    if (!schemaCache) {
      const res = await fetch(chrome.runtime.getURL('managed_schema.json'));
      schemaCache = await res.json();
    }
    return schemaCache;
  }

  function typeOf(v) {
    if (Array.isArray(v)) return 'array';
    if (v === null) return 'null';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    return typeof v;
  }

  // The subset of JSON Schema that Chrome's policy schemas use. Returns the
  // first problem as a short English phrase, or null.
  function check(value, s, where) {
    const t = typeOf(value);
    if (s.type && !(t === s.type || (s.type === 'number' && t === 'integer'))) return `${where}: expected ${s.type}, got ${t}`;
    if (s.enum && !s.enum.includes(value)) return `${where}: must be one of ${s.enum.join(', ')}`;
    if (typeof s.minimum === 'number' && value < s.minimum) return `${where}: below ${s.minimum}`;
    if (typeof s.maximum === 'number' && value > s.maximum) return `${where}: above ${s.maximum}`;
    if (t === 'array' && s.items) {
      for (let i = 0; i < value.length; i++) {
        const p = check(value[i], s.items, `${where}[${i}]`);
        if (p) return p;
      }
    }
    if (t === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const sub = s.properties && s.properties[k];
        if (sub) {
          const p = check(v, sub, `${where}.${k}`);
          if (p) return p;
        } else if (s.properties && !s.additionalProperties) {
          // Chrome's schema format has no "additionalProperties": false;
          // an object with named properties is closed unless it says so.
          return `${where}.${k}: unknown key`;
        }
      }
    }
    return null;
  }

  // Splits a raw policy object into accepted values and rejected keys.
  function validate(raw, sch) {
    const values = {};
    const rejected = [];
    if (!raw || typeOf(raw) !== 'object') return { values, rejected };
    for (const [key, value] of Object.entries(raw)) {
      const s = sch.properties[key];
      if (!s) {
        rejected.push({ key, reason: `${key}: unknown key` });
        continue;
      }
      const problem = check(value, s, key);
      if (problem) rejected.push({ key, reason: problem });
      else values[key] = value;
    }
    return { values, rejected };
  }

  // { present, values, rejected, error }. No policy is the normal case for a
  // family: Firefox then rejects storage.managed.get ("manifest not found").
  async function load() {
    let raw = null;
    let error = null;
    try {
      if (chrome.storage.managed) raw = await chrome.storage.managed.get(null);
    } catch (err) {
      const msg = String(err && err.message ? err.message : err);
      if (!/not found|no managed|undefined/i.test(msg)) error = msg;
    }
    const present = !!raw && Object.keys(raw).length > 0;
    const { values, rejected } = validate(raw, await schema());
    return { present, values, rejected, error };
  }

  function cleanDomain(d) {
    return String(d).trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/[/?#].*$/, '').replace(/^\*\./, '').replace(/^www\./, '').replace(/\.$/, '');
  }

  function cleanList(list) {
    const out = [];
    for (const d of list || []) {
      const c = cleanDomain(d);
      if (c && !out.includes(c)) out.push(c);
    }
    return out;
  }

  // The settings in effect: the policy's values win; the parent's values fill
  // what the policy leaves open, unless the policy locks local changes.
  // Returns the merged settings and which fields are locked.
  function merge(local, policy) {
    const p = policy && policy.present ? policy.values : {};
    const managed = !!(policy && policy.present);
    const localOpen = !managed || p.allowLocalChanges === true;
    const own = localOpen ? local : { ...local, actions: {}, allowDomains: [], blockDomains: [] };
    // On both lists, the block list wins (the core and the browser's rules
    // both put it first), so a school's block beats a parent's allow.
    const block = cleanList([...(p.blockDomains || []), ...(own.blockDomains || [])]);
    const allow = cleanList([...(p.allowDomains || []), ...(own.allowDomains || [])]);
    const effective = {
      ...local,
      age: p.ageGroup || local.age,
      lang: p.language || local.lang,
      actions: { ...(own.actions || {}), ...(p.categoryActions || {}) },
      allowDomains: allow,
      blockDomains: block,
      extraLexicon: Array.isArray(p.extraPhrases) ? p.extraPhrases.join('\n') : '',
      extraDomains: p.extraDomains || {},
      activityDays: p.activityRetentionDays || local.activityDays || 30,
      safeSearch: typeof p.safeSearch === 'boolean' ? p.safeSearch : local.safeSearch !== false,
      allowUnlock: managed ? p.allowUnlockRequests === true : true,
      schoolName: p.schoolName || '',
      schoolContact: p.schoolContact || '',
      privacySendAnyway: typeof p.privacySendAnyway === 'boolean' ? p.privacySendAnyway : local.privacySendAnyway,
      // Once a school manages the browser, setting-up is the school's job.
      setupDone: local.setupDone || managed,
    };
    const locked = {
      all: !localOpen,
      age: 'ageGroup' in p,
      lang: 'language' in p,
      actions: Object.keys(p.categoryActions || {}),
      safeSearch: 'safeSearch' in p,
    };
    return { effective, locked, managed };
  }

  return { schema, validate, load, merge, cleanDomain, cleanList };
})();

if (typeof module !== 'undefined') module.exports = OchePolicy;
