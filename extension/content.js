// Ô Che content script: finds the text of the page in blocks, sends them to
// the background for verdicts, and applies the verdicts. It classifies
// nothing itself.
//
// Order matters more than speed here: text must never be shown to a child
// before its verdict. So:
//   * at document_start the page's body is hidden (the "gate", younger age
//     groups), and text blocks are revealed one by one as verdicts arrive;
//     the gate opens once the parsed page has been walked and sent (each block
//     then stays hidden on its own until its verdict) — or, on a long page,
//     once its first screen has been checked, with what the walk has not
//     reached yet hidden by CSS rules that follow the walk (the "frontier");
//   * every block found later (feeds, comments, single-page apps) is hidden
//     from the moment it is inserted (in the MutationObserver callback, which
//     runs before the next paint) until its verdict arrives;
//   * if no verdict arrives within the timeout the background gave (2 s), the
//     age group decides: 0-5 and 6-10 keep it hidden (fail closed), 11-14 and
//     15-17 show it.
// All work is done in small slices so a huge page never freezes.

/* global chrome */
(() => {
  'use strict';
  if (window.__ocheContent) return;
  window.__ocheContent = true;

  const ATTR_PENDING = 'data-oche-pending';
  const ATTR_BLUR = 'data-oche-blur';
  const ATTR_UI = 'data-oche-ui';
  const GATE = 'data-oche-gate';
  const SLICE_MS = 8; // longest slice of our own work before yielding
  const BATCH_CHARS = 20000; // characters per message (a bigger message is a long task to send)
  const BATCH_BLOCKS = 200;
  const WALK_AHEAD = BATCH_BLOCKS; // blocks found and not yet read, at most (see work)
  const MAX_BLOCK_CHARS = 100000; // longer blocks are sent in parts
  const MAX_READ_CHARS = 4000000; // text read from one block at most

  // Tags that do not start a new block: their text belongs to the nearest
  // block ancestor (a link inside a paragraph is part of the paragraph).
  const INLINE = new Set(['A', 'ABBR', 'B', 'BDI', 'BDO', 'BR', 'CITE', 'CODE', 'DATA', 'DFN', 'EM', 'FONT', 'I', 'KBD',
    'MARK', 'Q', 'RP', 'RT', 'RUBY', 'S', 'SAMP', 'SMALL', 'SPAN', 'STRONG', 'SUB', 'SUP', 'TIME', 'U', 'VAR', 'WBR',
    'STRIKE', 'BIG', 'TT', 'INS', 'DEL', 'NOBR']);
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'MATH', 'HEAD', 'TITLE', 'META', 'LINK', 'IFRAME', 'OBJECT', 'EMBED']);
  const ATTRS = ['alt', 'title', 'aria-label', 'placeholder'];
  const doc = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const isTop = window === window.top;

  let config = null; // from the background: age, lang, timeoutMs, hideFirstPaint, revealOnTimeout
  let pageBlocked = false;
  let domParsed = false;
  let observing = false; // the MutationObserver watches the document
  const known = new WeakMap(); // element -> text sent last
  const dirty = new Set(); // elements whose text must be (re)checked
  const waiting = new Map(); // element -> time it was hidden
  const outstanding = new Map(); // element -> verdicts sent for and not back yet
  // Walks still to run. A queue with a head index: during parsing the
  // observer adds one walk per inserted node (100k on a big page), and
  // Array.shift() on that would be quadratic.
  const scanQueue = {
    items: [],
    head: 0,
    push(w) { this.items.push(w); },
    get length() { return this.items.length - this.head; },
    first() { return this.items[this.head]; },
    drop() {
      this.items[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    },
  };
  // A subtree inserted after load is hidden as a whole until every block
  // found inside it has its verdict: el -> group, group = {root, open, walking}.
  const groupOf = new WeakMap();
  const rootGroup = new WeakMap(); // group root -> its group
  let scheduled = false;
  let inFlight = 0;

  const root = document.documentElement;
  // Hide first paint until we know the age group (fail closed).
  if (root) root.setAttribute(GATE, '');

  // Our own long tasks are marked on the page's performance timeline
  // ("oche:<what>", only those over LONG_MS), so a benchmark can tell them
  // from the browser's parsing and the page's own scripts.
  const LONG_MS = 10;
  function timed(what, fn) {
    return function timedRun(...args) {
      const t0 = performance.now();
      try {
        return fn.apply(this, args);
      } finally {
        const t1 = performance.now();
        if (t1 - t0 > LONG_MS) {
          try {
            performance.measure(`oche:${what}`, { start: t0, end: t1 });
          } catch (_) { /* old browsers: no measure options */ }
        }
      }
    };
  }

  function send(msg) {
    return new Promise((resolve, reject) => {
      try {
        chrome.runtime.sendMessage(msg, (reply) => {
          const err = chrome.runtime.lastError;
          if (err) reject(new Error(err.message));
          else if (!reply || reply.error) reject(new Error(reply ? reply.error : 'no reply'));
          else resolve(reply);
        });
      } catch (e) {
        reject(e); // extension reloaded: the context is gone
      }
    });
  }

  // --- finding blocks ---

  // Our own labels, and text the child is editing (contenteditable: a
  // chat box, a rich editor), are never hidden or re-read: hiding a block
  // while the caret is in it would lose keystrokes.
  // Attribute selectors, not `isContentEditable`: that property makes the
  // browser bring style up to date, and asked once per node right after we
  // hid the previous block, it recomputed style thousands of times on a
  // long page.
  const EDITABLE = '[contenteditable]:not([contenteditable="false"])';
  const OURS_OR_EDITABLE = `[${ATTR_UI}], ${EDITABLE}`;
  function isOurs(el) {
    return el.closest ? el.closest(OURS_OR_EDITABLE) !== null : false;
  }

  // The block an element's text belongs to: the nearest ancestor that is
  // not an inline element. Never <body> itself for text inside inline
  // elements: a page made of 100k loose <span>s would otherwise be one block,
  // re-read whole at every insertion.
  function blockOf(el) {
    while (el && el.nodeType === 1 && INLINE.has(el.tagName) && el.parentElement) {
      const up = el.parentElement;
      if (up === document.body || up === document.documentElement) break;
      el = up;
    }
    return el;
  }

  // Text of a block: its own text nodes, not those of nested blocks.
  function blockText(block) {
    // Most blocks hold only text (a paragraph, a comment): one textContent
    // call reads it (comments and processing instructions are not in it).
    if (block.firstElementChild === null) return squeeze(block.textContent);
    let out = '';
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode(n) {
        if (n === block) return NodeFilter.FILTER_SKIP;
        if (n.nodeType === 3) return NodeFilter.FILTER_ACCEPT;
        if (SKIP.has(n.tagName) || n.hasAttribute(ATTR_UI)) return NodeFilter.FILTER_REJECT;
        return INLINE.has(n.tagName) ? NodeFilter.FILTER_SKIP : NodeFilter.FILTER_REJECT;
      },
    });
    let n;
    while ((n = walker.nextNode())) {
      out += n.data;
      if (out.length > MAX_READ_CHARS) break; // enough to judge a block
    }
    return squeeze(out);
  }

  // Runs of white space as one space, none at the ends. Most text needs no
  // change, and a test finds that three times faster than the replace
  // (which builds a new string for every single space it matches).
  const LOOSE_SPACE = /[^\S ]| {2}|^ | $/;
  function squeeze(text) {
    return LOOSE_SPACE.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
  }

  function attrText(el) {
    let out = '';
    for (const a of ATTRS) {
      const v = el.getAttribute(a);
      if (v && /\S/.test(v)) out += (out ? ' \n ' : '') + v;
    }
    return out;
  }

  function join(group, el) {
    if (!group || groupOf.has(el)) return;
    group.open.add(el);
    groupOf.set(el, group);
  }

  function settle(group) {
    if (group && !group.walking && group.open.size === 0 && rootGroup.get(group.root) === group) {
      rootGroup.delete(group.root);
      reveal(group.root);
    }
  }

  // Walks a subtree in slices, collecting blocks into `dirty`. Pre-order,
  // following firstChild / nextSibling / parentNode, so an element with
  // 100k children costs nothing up front (pushing them all onto a stack was
  // a 30 ms step).
  // `pos`, when given, is kept pointing at the element the walk stands on
  // whenever it pauses: that element's subtree and everything after it in
  // document order are not walked yet (the first-screen frontier uses it).
  function* walk(start, group, pos) {
    // Our own elements and editable regions are never walked: checked once
    // here, so the walk need not ask it of every block it finds.
    if (start.nodeType === 1 ? isOurs(start) : start.parentElement && isOurs(start.parentElement)) return;
    yield* traverse(start, group, pos);
    if (group) {
      group.walking = false;
      settle(group);
    }
  }

  // Shadow roots are walked where their host stands, in the same walk: the
  // walk stays in document order (the frontier depends on it), and an
  // inserted subtree is revealed only when all of it has been seen.
  function* traverse(start, group, pos) {
    let node = start;
    let visited = 0;
    while (node) {
      let descend = true;
      if (node.nodeType === 3) {
        descend = false;
        // No isOurs() check per text node: the walk never enters our own
        // elements or editable regions, and walk() checked where it starts.
        if (/\S/.test(node.data) && node.parentElement) {
          const b = blockOf(node.parentElement);
          if (b) {
            dirty.add(b);
            if (pos) fromFirstWalk.add(b);
            join(group, b);
          }
        }
      } else if (node.nodeType === 1) {
        // Most elements have no attributes at all: one hasAttributes() call
        // spares them the other lookups (a selector match among them).
        const attrs = node.hasAttributes();
        if (SKIP.has(node.tagName) || (attrs && (node.hasAttribute(ATTR_UI) || node.matches(EDITABLE)))) {
          descend = false;
        } else {
          if (attrs && ATTRS.some((a) => node.hasAttribute(a))) {
            dirty.add(node);
            if (pos) fromFirstWalk.add(node);
            join(group, node);
          }
          if (node.shadowRoot) {
            observe(node.shadowRoot);
            yield* traverse(node.shadowRoot, group, pos);
          }
          if ((++visited & 31) === 0) {
            if (pos) pos.node = node;
            yield;
          }
        }
      } else if (node.nodeType !== 9 && node.nodeType !== 11) {
        descend = false;
      }
      // Next node in pre-order, never leaving `start`.
      if (descend && node.firstChild) {
        node = node.firstChild;
      } else {
        while (node && node !== start && !node.nextSibling) node = node.parentNode;
        node = node && node !== start ? node.nextSibling : null;
      }
    }
  }

  // --- hiding, blurring, revealing ---

  // Blocks found while the gate is closed are not hidden one by one: the
  // gate already hides them, and most verdicts are back before it opens.
  // Only those still waiting when it opens are hidden on their own
  // (openGate). Setting and then removing an attribute on each of the 15k
  // paragraphs of a 1 MB page cost more than a third of our time on it.
  // The gate (and the frontier, when it moves or goes) waits until at most
  // this many are still waiting: they are hidden in one go, and that must
  // stay a short task (on a 5 MB page 50k at once took 90 ms, 10k 74 ms).
  // A long page opens on its first screen, when few are waiting; only the
  // timeout of 11-14 and 15-17 opens the gate whatever the count (the
  // classifier has not answered for seconds).
  const behindGate = new Set();
  const MAX_BEHIND_GATE = 2000;

  // --- the first-screen frontier ---
  // A long page need not stay hidden until all of it has been walked. Once
  // the first walk has sent FIRST_SCREEN_CHARS characters and their verdicts
  // are back, the gate opens, and what the walk has not reached yet stays
  // hidden by a few CSS rules instead: the element the walk stands on and
  // everything after it in document order. For that element and each of
  // its ancestors, the parent is marked (data-oche-rest="<level>") and a
  // rule hides its children from that index on:
  //   [data-oche-rest="0"] > :nth-child(n+K0), [data-oche-rest="1"] > ...
  // The indexes change as the walk goes, so the rules live in a constructed
  // style sheet adopted by the document (CSSOM: no page CSP applies to it).
  // Not the `~` combinator: with it, Chromium matched every element of a
  // 10k-paragraph page against all its earlier siblings, seconds per style
  // update. The frontier moves on with the walk, at most every
  // FRONTIER_MOVE_MS (each move restyles the rest of the page: 10-50 ms of
  // the browser's time on a long page), and is gone when the first walk
  // ends. If the page removes an element from a marked parent, the rules
  // are counted again; if it removes the frontier element or drops our
  // sheet, the gate closes again until the frontier is put back
  // (checkFrontier).
  const REST = 'data-oche-rest';
  const FIRST_SCREEN_CHARS = 8000; // a full 1920×1080 screen of dense text holds about that
  const FRONTIER_MOVE_MS = 500;
  const FRONTIER_FIRST_MOVE_MS = 150; // sooner the first time: the rest of a tall first screen
  let firstWalk = null; // the walk of the whole page started at DOMContentLoaded
  let frontier = null; // the element the rules hide from, or null
  let frontierMarks = []; // the marked parents, level by level
  let frontierSheet = null; // the adopted CSSStyleSheet holding the rules
  let frontierMovedAt = 0;
  let frontierMoves = 0; // since the gate last opened
  // The first screen's batches: characters sent, answers awaited. `round`
  // tells the batches of a restarted walk from those of the first try.
  const firstScreen = { chars: 0, full: false, waiting: 0, round: 0 };
  const MAX_FRONTIER_DEPTH = 200; // deeper than this, the gate waits for the whole walk

  // Blocks the first walk found and collect() has not read yet. The
  // frontier is only ever put where the walk stands once all it found has
  // been read, so each of these lies behind the frontier, which hides it.
  // (Not compareDocumentPosition: for two siblings far apart it walks from
  // one to the other — quadratic on a long flat page.)
  const fromFirstWalk = new Set();

  // The element a frontier at the walk's position `at` would start from, or
  // null when none can (the walk has not gone past <body> yet, or `at` has
  // left the page). Inside a shadow tree it is the outermost host.
  function frontierFor(at) {
    while (at && at.getRootNode && at.getRootNode() !== document) at = at.getRootNode().host;
    return at && at.isConnected && at !== root && at !== document.body ? at : null;
  }

  function sheetAdopted() {
    try {
      return frontierSheet !== null && document.adoptedStyleSheets.includes(frontierSheet);
    } catch (_) {
      return false;
    }
  }

  function clearFrontierMarks() {
    for (const m of frontierMarks) m.removeAttribute(REST);
    frontierMarks = [];
    frontier = null;
  }

  // Hides `at` and everything after it, in place of the frontier before.
  // False when it cannot (no constructed style sheets, a DOM deeper than
  // MAX_FRONTIER_DEPTH, loose text right in <body> after it): then nothing
  // has changed.
  function setFrontier(at) {
    const rules = [];
    const marks = [];
    for (let x = at; x && x !== root && x.parentElement; x = x.parentElement) {
      if (marks.length >= MAX_FRONTIER_DEPTH) return false;
      let index = 1;
      for (let y = x.previousElementSibling; y; y = y.previousElementSibling) index++;
      // Level 0 hides the frontier element itself; the others, the siblings
      // after the ancestor the walk is inside.
      rules.push(`[${REST}="${marks.length}"]>:nth-child(n+${marks.length === 0 ? index : index + 1})`);
      marks.push(x.parentElement);
    }
    // Loose text after the frontier inside one of its ancestors is not an
    // element the rules can hide: its block is hidden and sent on its own.
    // Loose text right in <body> cannot be (that would hide the page): no
    // frontier then.
    const loose = [];
    for (let n = at; n && n.parentElement; n = n.parentElement) {
      if (!hasLooseText(n.parentElement)) continue;
      for (let t = n.nextSibling; t; t = t.nextSibling) {
        if (t.nodeType === 3 && /\S/.test(t.data)) {
          const b = blockOf(n.parentElement);
          if (!b || b === root || b === document.body) return false;
          loose.push(b);
          break;
        }
      }
    }
    try {
      if (!frontierSheet) frontierSheet = new CSSStyleSheet();
      frontierSheet.replaceSync(`${rules.join(',')}{visibility:hidden!important}`);
      if (!sheetAdopted()) document.adoptedStyleSheets = [...document.adoptedStyleSheets, frontierSheet];
    } catch (_) {
      return false;
    }
    clearFrontierMarks();
    marks.forEach((m, i) => m.setAttribute(REST, String(i)));
    frontierMarks = marks;
    frontier = at;
    frontierMovedAt = performance.now();
    for (const b of loose) {
      hide(b);
      dirty.add(b);
    }
    if (loose.length) schedule();
    return true;
  }

  // Whether an element holds text of its own (not only white space between
  // its children), asked once per element while the first walk lasts: a
  // flat page's <body> has 100k children, and the frontier asks at every
  // move. Text added later is seen by the observer, which hides its block.
  const looseText = new WeakMap();
  function hasLooseText(el) {
    let known = looseText.get(el);
    if (known === undefined) {
      known = false;
      for (let t = el.firstChild; t && !known; t = t.nextSibling) known = t.nodeType === 3 && /\S/.test(t.data);
      looseText.set(el, known);
    }
    return known;
  }

  // The first walk is over (or no verdict came for the timeout): the rules
  // go, the sheet leaves the page, and the blocks still waiting are hidden
  // on their own.
  function dropFrontier() {
    clearFrontierMarks();
    if (frontierSheet) {
      try {
        frontierSheet.replaceSync('');
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((x) => x !== frontierSheet);
      } catch (_) { /* its rules are empty: nothing left to hide */ }
    }
    releaseBehind();
  }

  // The frontier can no longer be trusted to hide the rest: the whole page
  // is hidden again until it is put back (maybeOpenGate).
  function closeGateAgain() {
    root.setAttribute(GATE, '');
    clearFrontierMarks();
  }

  // The frontier moved on or went: the blocks it covered, whose verdicts
  // are still on the way, are hidden on their own. (It only moves to where
  // the walk stands, so it no longer covers any of them.)
  function releaseBehind() {
    const waitingBlocks = [...behindGate];
    behindGate.clear();
    for (const el of waitingBlocks) if (el.isConnected) hide(el);
  }

  // `walked`: a block of the first walk, read right now (see fromFirstWalk).
  function hide(el, walked = false) {
    // Behind the gate or the frontier first: the editable check below runs
    // when the block is hidden for real (openGate and releaseBehind call
    // hide again), not for every block of the first walk.
    if (!pageBlocked && (root.hasAttribute(GATE) || (walked && frontier !== null))) {
      behindGate.add(el);
      return;
    }

    if (el.closest && el.closest(EDITABLE)) return;
    if (!el.hasAttribute(ATTR_PENDING)) {
      el.setAttribute(ATTR_PENDING, '');
      waiting.set(el, performance.now());
    }
  }

  function reveal(el) {
    behindGate.delete(el);
    const g = groupOf.get(el);
    if (g) {
      groupOf.delete(el);
      g.open.delete(el);
    }
    const own = rootGroup.get(el);
    if (own && (own.walking || own.open.size)) return; // its subtree is still being checked
    el.removeAttribute(ATTR_PENDING);
    waiting.delete(el);
    if (g) settle(g);
  }

  // Labels come with the background's first answer, already in the child's
  // language and age wording (pages cannot read the extension's files).
  function label(key) {
    return (config && config.labels && config.labels[key]) || '';
  }

  function blur(el) {
    if (el.hasAttribute(ATTR_BLUR)) return;
    el.setAttribute(ATTR_BLUR, '');
    const voidLike = /^(IMG|INPUT|VIDEO|CANVAS|PICTURE|AUDIO|TEXTAREA|SELECT|BR|HR)$/.test(el.tagName);
    if (voidLike) return;
    const tag = document.createElement('span');
    tag.setAttribute(ATTR_UI, 'label');
    tag.className = 'oche-label';
    tag.setAttribute('role', 'note');
    tag.textContent = label('overlayBlurred') || 'Ô Che';
    el.insertBefore(tag, el.firstChild);
  }

  let banner = null;
  function warn(categories) {
    if (banner || !document.body) return;
    banner = document.createElement('div');
    banner.setAttribute(ATTR_UI, 'warn');
    banner.className = 'oche-warn';
    banner.setAttribute('role', 'alert');
    const shadow = banner.attachShadow({ mode: 'closed' });
    const cat = categories.length ? label(`cat_${categories[0].replace(/-/g, '_')}`) : '';
    const text = (label('warnNotice') || 'This page may contain $1.').replace('$1', cat);
    shadow.innerHTML = `<style>
      :host{all:initial}
      div{position:fixed;top:12px;left:50%;transform:translateX(-50%);z-index:2147483647;max-width:min(560px,92vw);
        background:#fff8e6;color:#3b2f12;border:2px solid #e0b84c;border-radius:14px;padding:12px 16px;
        font:16px/1.45 system-ui,sans-serif;box-shadow:0 6px 24px rgba(0,0,0,.18);display:flex;gap:12px;align-items:center}
      button{font:inherit;border-radius:10px;border:1px solid #b08a2a;background:#fff;padding:6px 12px;cursor:pointer}
      button:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}
    </style><div><span></span><button type="button"></button></div>`;
    shadow.querySelector('span').textContent = text;
    const btn = shadow.querySelector('button');
    btn.textContent = label('warnDismiss') || 'OK';
    btn.addEventListener('click', () => banner.remove());
    document.body.appendChild(banner);
  }

  function blockFrame() {
    // A page inside a frame cannot be sent to the blocked page (it refuses to
    // run in frames); hide it and say why, calmly.
    pageBlocked = true;
    const msg = label('frameBlocked') || 'Ô Che';
    document.documentElement.setAttribute(GATE, '');
    const note = document.createElement('div');
    note.setAttribute(ATTR_UI, 'frame');
    note.className = 'oche-frame-note';
    note.textContent = msg;
    document.documentElement.appendChild(note);
  }

  // A grooming or scam message gets a calm card right after it, so the
  // child sees which message is the danger and what to do. The page stays.
  function alertCard(el, kinds) {
    if (el.hasAttribute('data-oche-alert') || !el.parentNode) return;
    el.setAttribute('data-oche-alert', kinds.join(' '));
    const kind = kinds.includes('grooming') ? 'grooming' : 'scam';
    const card = document.createElement('div');
    card.setAttribute(ATTR_UI, 'alert');
    card.className = 'oche-alert';
    card.setAttribute('role', 'alert');
    const shadow = card.attachShadow({ mode: 'closed' });
    shadow.innerHTML = `<style>
      :host{all:initial;display:block;margin:6px 0}
      div{background:#fff4e5;color:#3b2a12;border:2px solid #e59a2f;border-left-width:8px;border-radius:12px;
        padding:10px 14px;font:15px/1.45 system-ui,sans-serif;max-width:40em}
      strong{display:block;font-size:16px;margin-bottom:4px}
      ul{margin:4px 0 8px;padding-left:1.2em}
      button{font:inherit;border-radius:10px;border:1px solid #b07416;background:#fff;padding:5px 12px;margin:2px 6px 2px 0;cursor:pointer;color:#3b2a12}
      button:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}
    </style><div><strong></strong><ul></ul><button type="button" class="help"></button><button type="button" class="learn"></button></div>`;
    shadow.querySelector('strong').textContent = label(`alertTitle_${kind}`) || 'Ô Che';
    const ul = shadow.querySelector('ul');
    for (const step of (label(`alertSteps_${kind}`) || '').split('|').filter(Boolean)) {
      const li = document.createElement('li');
      li.textContent = step.trim();
      ul.appendChild(li);
    }
    const help = shadow.querySelector('.help');
    help.textContent = label('alertHelp') || 'Help';
    help.addEventListener('click', () => send({ type: 'openHelp', category: kind }).catch(() => {}));
    const learn = shadow.querySelector('.learn');
    learn.textContent = label('alertLesson') || 'Learn';
    learn.addEventListener('click', () => send({ type: 'openLesson', topic: kind }).catch(() => {}));
    el.insertAdjacentElement('afterend', card);
  }

  // The reply lists only the blocks that need something done (`flagged`,
  // each with its index in the batch); every other block was allowed.
  const apply = timed('apply', (items, reply) => {
    const flagged = Array.isArray(reply.flagged) ? reply.flagged : [];
    for (const v of flagged) {
      const item = items[v.i];
      if (!item) continue;
      const el = item.el;
      if (v.action === 'blur' || (v.action === 'block')) blur(el);
      if (v.alerts && v.alerts.length) alertCard(el, v.alerts);
    }
    for (const item of items) {
      // A block sent in parts is revealed when all its parts are back.
      if (!item.last) continue;
      // A block whose text changed again while this verdict was on its way
      // stays hidden until the verdict on its new text.
      const left = (outstanding.get(item.el) || 1) - 1;
      if (left > 0) {
        outstanding.set(item.el, left);
      } else {
        outstanding.delete(item.el);
        reveal(item.el);
      }
    }
    // A message with its own warning card needs no page-wide notice too.
    const carded = (b) => b.alerts && b.alerts.length > 0;
    const warnCats = flagged.filter((b) => b.action === 'warn' && !carded(b)).flatMap((b) => b.categories);
    if (warnCats.length && isTop) warn(warnCats);
    if (reply.action === 'warn' && isTop && !flagged.some(carded)) warn(reply.categories);
    if (reply.blocked) {
      if (isTop) pageBlocked = true; // the background is sending the tab away
      else blockFrame();
    }
  });

  // --- the work loop ---

  // Slices are chained through a MessageChannel, not setTimeout(0): after
  // a few nested timeouts the browser waits at least 4 ms each time, which
  // left a 1 MB page idle a third of the time between our 8 ms slices.
  // Each message is its own task, so the page still gets its turn.
  const tick = new MessageChannel();
  tick.port1.onmessage = () => work();
  // Right after the gate opens on the first screen, the next slice waits
  // for the frame that shows it: the child sees the page first, and the
  // rest of the walk goes on behind the frontier.
  let paintFirst = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    if (paintFirst) {
      // Once the browser is idle after showing it (at most 250 ms later).
      paintFirst = false;
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => tick.port2.postMessage(0), { timeout: 250 });
      else setTimeout(() => tick.port2.postMessage(0), 50);
    } else {
      tick.port2.postMessage(0);
    }
  }

  const work = timed('work', () => {
    scheduled = false;
    // The first screen has been sent: nothing more is done until its
    // verdicts are back, so that their answer, the gate opening and the
    // first paint do not wait behind our next slices.
    if (root.hasAttribute(GATE) && firstWalk !== null && firstScreen.full && firstScreen.waiting > 0) return;
    const deadline = performance.now() + SLICE_MS;
    let steps = 0;
    const rq = recordQueue;
    while (rq.head < rq.items.length) {
      if ((++steps & 63) === 0 && performance.now() > deadline) break;
      onRecord(rq.items[rq.head]);
      rq.items[rq.head++] = undefined;
    }
    if (rq.head === rq.items.length) {
      rq.items = [];
      rq.head = 0;
    }
    // The walk stays at most WALK_AHEAD blocks ahead of what has been read
    // and sent: where it stands is then where the checked part of the page
    // ends (the frontier), and the first batches are full ones.
    let late = false;
    while (!late) {
      while (scanQueue.length && rq.head === rq.items.length && dirty.size < WALK_AHEAD) {
        if ((++steps & 3) === 0 && performance.now() > deadline) { // a step is up to 32 elements
          late = true;
          break;
        }
        const item = scanQueue.first();
        if (item === firstWalk && item.gen && item.pos.node && !item.pos.node.isConnected) restartFirstWalk();
        if (!item.gen) item.gen = walk(item.node, item.group, item.pos);
        if (item.gen.next().done) {
          scanQueue.drop();
          if (item === firstWalk) firstWalk = null;
        }
      }
      // What the walk found in this slice is read in this slice too (at
      // most WALK_AHEAD blocks, a few ms): the frontier can then follow it.
      collect(dirty.size <= 2 * WALK_AHEAD ? Infinity : deadline);
      if (!scanQueue.length || rq.head < rq.items.length || performance.now() > deadline) break;
    }
    checkFrontier(null);
    followFrontier();
    if (scanQueue.length || dirty.size || recordQueue.items.length) schedule();
    maybeOpenGate();
  });

  function collect(deadline) {
    let items = [];
    let chars = 0;
    for (const el of dirty) {
      if (performance.now() > deadline && items.length) break;
      dirty.delete(el);
      const walked = fromFirstWalk.delete(el);
      if (!el.isConnected) continue;
      // hasAttributes() first: most blocks have none, and four lookups each
      // add up on a page of 15k paragraphs.
      const own = el.hasAttributes && el.hasAttributes() && ATTRS.some((a) => el.hasAttribute(a)) ? attrText(el) : '';
      const text = (own ? own + ' \n ' : '') + blockText(el);
      if (!/\S/.test(text) || known.get(el) === text) {
        // Nothing new to check (a blurred block stays blurred) — unless its
        // verdict is still on the way: then that verdict reveals it.
        if (!outstanding.has(el)) reveal(el);
        continue;
      }
      known.set(el, text);
      hide(el, walked);
      for (let off = 0; off < text.length; off += MAX_BLOCK_CHARS) {
        const part = text.slice(off, off + MAX_BLOCK_CHARS);
        items.push({ el, text: part, last: off + MAX_BLOCK_CHARS >= text.length });
        chars += part.length;
      }
      outstanding.set(el, (outstanding.get(el) || 0) + 1);
      // The first screen goes in a batch of its own, as soon as it is read:
      // the gate opens when its verdicts are back.
      const firstScreenRead = !firstScreen.full && firstWalk !== null && root.hasAttribute(GATE) &&
        firstScreen.chars + chars >= FIRST_SCREEN_CHARS;
      if (chars >= BATCH_CHARS || items.length >= BATCH_BLOCKS || firstScreenRead) {
        flush(items);
        items = [];
        chars = 0;
      }
    }
    if (items.length) flush(items);
  }

  // The background may be restarting (service worker stopped mid-page):
  // a failed batch is tried once more; if it fails again, the timeout rule
  // decides.
  function flush(items, complete, retried = false) {
    inFlight++;
    // Batches of the first screen: the gate may open when they are answered.
    const counted = !retried && !firstScreen.full && firstWalk !== null && root.hasAttribute(GATE);
    const round = firstScreen.round;
    if (counted) {
      firstScreen.waiting++;
      for (const i of items) firstScreen.chars += i.text.length;
      if (firstScreen.chars >= FIRST_SCREEN_CHARS) firstScreen.full = true;
    }
    // One string and the blocks' lengths, not an array of strings: the
    // browser copies a message value by value, and 200 small strings cost
    // several times what their characters do in one.
    send({ type: 'classify', doc, url: location.href, text: items.map((i) => i.text).join(''), lens: items.map((i) => i.text.length), complete: !!complete })
      .then((reply) => apply(items, reply))
      .catch(() => {
        if (!retried) setTimeout(() => flush(items, complete, true), 300);
      })
      .finally(() => {
        inFlight--;
        if (counted && round === firstScreen.round) firstScreen.waiting--;
        // The frontier may be waiting for verdicts to move or go, and once
        // the walk is over no slice comes to check again.
        followFrontier();
        maybeOpenGate();
        if (scanQueue.length || dirty.size || recordQueue.items.length) schedule();
      });
  }

  // The gate can open as soon as the whole parsed page has been walked and
  // sent: from then on every block is either checked or hidden on its own
  // (data-oche-pending) until its verdict, so nothing unchecked shows. The
  // page no longer waits for the last verdict of a long page.
  // On a long page it opens sooner, on the first screen: once the first
  // walk has sent FIRST_SCREEN_CHARS characters and their verdicts are
  // back, with the frontier hiding what the walk has not reached.
  function maybeOpenGate() {
    if (pageBlocked || !config || !root.hasAttribute(GATE)) return;
    if (!domParsed || dirty.size || recordQueue.items.length) return;
    // ... and once at most MAX_BEHIND_GATE of its blocks still wait for
    // their verdicts, so that hiding those one by one stays a short task.
    if (behindGate.size > MAX_BEHIND_GATE) return;
    if (!scanQueue.length) {
      openGate(null);
    } else if (firstScreen.full && firstScreen.waiting === 0 && scanQueue.first() === firstWalk) {
      const at = frontierFor(firstWalk.pos.node);
      if (at) openGate(at);
    }
  }

  function openGate(at) {
    if (!root.hasAttribute(GATE)) return;
    if (at && !setFrontier(at)) return; // the rest cannot be hidden: the gate stays
    if (at) {
      paintFirst = true;
      frontierMoves = 0;
    }
    const waitingBlocks = [...behindGate];
    behindGate.clear();
    root.removeAttribute(GATE);
    // Hidden on their own now — unless the frontier covers them.
    for (const el of waitingBlocks) if (el.isConnected) hide(el);
    if (dirty.size) schedule();
  }

  // After each slice: the frontier follows the first walk, and goes when the
  // walk is over. Not while blocks walked in this slice wait in `dirty`:
  // they are not hidden on their own yet.
  // Blocks still waiting for verdicts are hidden one by one when it moves
  // or goes: it waits while there are too many (the background is behind).
  function followFrontier() {
    if (!frontier || dirty.size) return;
    if (!firstWalk) {
      if (behindGate.size > MAX_BEHIND_GATE) return;
      dropFrontier();
    } else if (performance.now() - frontierMovedAt >= (frontierMoves ? FRONTIER_MOVE_MS : FRONTIER_FIRST_MOVE_MS) &&
        behindGate.size <= MAX_BEHIND_GATE) {
      const at = frontierFor(firstWalk.pos.node);
      if (at && setFrontier(at)) {
        frontierMoves++;
        releaseBehind();
      } // else it stays where it was
    }
  }

  // The page changed what the frontier's rules count on. Called from the
  // observer (before the next paint) and at each slice.
  //   * An element removed from a marked parent: the indexes after it shift
  //     down by one, so the rules are counted again for the same frontier
  //     (nothing new is shown).
  //   * The frontier element itself removed, or the document's adopted
  //     style sheets replaced by the page: the gate closes again until the
  //     frontier is put back.
  function checkFrontier(records) {
    if (!frontier) return;
    if (frontier.isConnected && sheetAdopted()) {
      if (!records) return;
      const shifted = records.some((r) => r.type === 'childList' && r.removedNodes.length > 0 &&
        r.target.nodeType === 1 && r.target.hasAttribute(REST));
      if (!shifted || setFrontier(frontier)) return;
    }
    closeGateAgain();
  }

  // The page removed the node the first walk stood on: the walk has lost
  // its place (it would end there, leaving the rest unwalked). It starts
  // again from the top, behind the gate; blocks already checked are not
  // sent twice, and the gate opens as it did the first time.
  function restartFirstWalk() {
    if (frontier) closeGateAgain();
    firstWalk.gen = null;
    firstWalk.pos.node = null;
    Object.assign(firstScreen, { chars: 0, full: false, waiting: 0, round: firstScreen.round + 1 });
  }

  // Blocks with no verdict after the timeout: the age group decides.
  function sweepTimeouts() {
    if (!config) return;
    const now = performance.now();
    for (const [el, since] of waiting) {
      if (now - since < config.timeoutMs) continue;
      if (config.revealOnTimeout) reveal(el);
      else el.setAttribute(ATTR_PENDING, 'unverified');
    }
    // 11-14, 15-17: the page is shown after the timeout even if the walk
    // has not finished (see the header); blocks sent and still waiting stay
    // hidden on their own, each for its own timeout.
    if (config.revealOnTimeout && domParsed && now - startedAt > config.timeoutMs && !pageBlocked) openGate();
    // So is a frontier that could not move for as long (no verdicts come):
    // what it hides is shown by the same rule, block by block.
    if (config.revealOnTimeout && frontier && now - frontierMovedAt > config.timeoutMs && !pageBlocked) dropFrontier();
  }
  const startedAt = performance.now();
  setInterval(sweepTimeouts, 500);

  // --- watching the page ---

  // One mutation record. Inserted subtrees are queued for a walk in slices,
  // never walked here.
  function onRecord(r) {
    if (r.type === 'childList') {
      for (const n of r.addedNodes) {
        if (n.nodeType === 1 && n.hasAttribute(ATTR_UI)) continue;
        if (n.nodeType === 3) {
          const b = n.parentElement && blockOf(n.parentElement);
          if (b && !isOurs(b) && /\S/.test(n.data)) {
            hide(b);
            dirty.add(b);
          }
        } else if (n.nodeType === 1 && !SKIP.has(n.tagName)) {
          // Hide the new subtree now (before paint); its blocks are found
          // by the walk, and it is revealed when all their verdicts are in.
          let group = null;
          if (domParsed && !root.hasAttribute(GATE) && !isOurs(n) && /\S/.test(n.textContent || '')) {
            const b = blockOf(n);
            hide(b);
            group = { root: b, open: new Set(), walking: true };
            rootGroup.set(b, group);
          }
          scanQueue.push({ node: n, group, gen: null });
        }
      }
    } else if (r.type === 'characterData') {
      const b = r.target.parentElement && blockOf(r.target.parentElement);
      if (b && !isOurs(b)) {
        hide(b);
        dirty.add(b);
      }
    } else if (r.type === 'attributes' && r.target.nodeType === 1 && !isOurs(r.target)) {
      dirty.add(r.target);
    }
  }

  // While the gate is closed nothing of the page can be seen, so records
  // wait in a queue and are handled in work()'s slices: parsing a 5 MB page
  // delivers tens of thousands of records at once, and handling them inside
  // the observer was a 400 ms task. With the gate open they are handled at
  // once, before the next paint.
  const recordQueue = { items: [], head: 0 };
  const observer = new MutationObserver(timed('mutations', (records) => {
    if (pageBlocked) return;
    checkFrontier(records);
    // While the page is still being parsed, the records are not needed: the
    // walk at DOMContentLoaded covers the whole document (and the gate hides
    // it until then, or for 15-17 the first paint is not held anyway).
    // Walking every parsed node twice doubled our cost on long pages.
    if (!domParsed) return;
    if (root.hasAttribute(GATE)) {
      for (const r of records) recordQueue.items.push(r);
    } else {
      for (const r of records) onRecord(r);
    }
    schedule();
  }));

  function observe(target) {
    if (target === document) observing = true;
    observer.observe(target, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRS });
  }

  // --- the privacy guard: what the child is about to send ---
  // While the child types, the field's text is checked (debounced) for
  // personal information. Enter must be decided synchronously, so the last
  // verdict decides: when it found something, Enter (or the form's submit)
  // is held once and a bubble explains. "Send anyway" (older children) lets
  // the next real Enter through. Password fields are never read, IME
  // composition (Telex/VNI) is never interrupted, and nothing typed is kept.

  const PII_DEBOUNCE_MS = 150;
  const PII_TAIL_CHARS = 20000;
  const TEXT_INPUTS = new Set(['text', 'search', 'email', 'tel', 'url', '']);
  const fieldState = new WeakMap(); // field -> { text, kinds, allowNext, timer }

  function editableRoot(t) {
    if (!t || t.nodeType !== 1) return null;
    if (t.tagName === 'TEXTAREA') return t;
    if (t.tagName === 'INPUT') {
      const type = (t.getAttribute('type') || '').toLowerCase();
      return TEXT_INPUTS.has(type) && !/password/i.test(t.autocomplete || '') ? t : null;
    }
    if (t.isContentEditable) {
      let el = t;
      while (el.parentElement && el.parentElement.isContentEditable) el = el.parentElement;
      return el;
    }
    return null;
  }

  function fieldText(f) {
    const v = f.tagName === 'TEXTAREA' || f.tagName === 'INPUT' ? f.value : f.textContent || '';
    return v.length > PII_TAIL_CHARS ? v.slice(-PII_TAIL_CHARS) : v;
  }

  function checkField(f) {
    const st = fieldState.get(f) || { text: '', kinds: [], allowNext: false, timer: 0 };
    fieldState.set(f, st);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      const text = fieldText(f);
      if (text === st.text) return;
      send({ type: 'pii', text }).then((r) => {
        st.text = text;
        st.kinds = r.kinds || [];
      }).catch(() => {});
    }, PII_DEBOUNCE_MS);
  }

  let bubble = null;
  function closeBubble() {
    if (bubble) bubble.remove();
    bubble = null;
  }

  function showBubble(f, st) {
    closeBubble();
    send({ type: 'piiShown', kinds: st.kinds }).catch(() => {});
    bubble = document.createElement('div');
    bubble.setAttribute(ATTR_UI, 'bubble');
    bubble.className = 'oche-bubble';
    const shadow = bubble.attachShadow({ mode: 'closed' });
    shadow.innerHTML = `<style>
      :host{all:initial}
      .b{position:fixed;z-index:2147483647;max-width:min(380px,92vw);background:#f3f9ff;color:#15324a;
        border:2px solid #4a90c8;border-radius:16px;padding:12px 16px;font:15px/1.45 system-ui,sans-serif;
        box-shadow:0 8px 28px rgba(0,0,0,.2)}
      strong{display:block;font-size:16px;margin-bottom:4px}
      p{margin:4px 0}
      .row{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
      button{font:inherit;border-radius:10px;border:1px solid #2f6f9f;background:#fff;color:#15324a;padding:6px 12px;cursor:pointer}
      button.primary{background:#1f6f8b;border-color:#1f6f8b;color:#fff}
      button:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
    </style><div class="b" role="alertdialog" aria-modal="false"><strong></strong><p class="what"></p><p class="why"></p><p class="ask"></p>
      <div class="row"><button type="button" class="primary stop"></button><button type="button" class="anyway"></button><button type="button" class="learn"></button></div></div>`;
    const kinds = st.kinds.map((k) => label(`pii_${k.replace(/-/g, '_')}`) || k).join(', ');
    shadow.querySelector('strong').textContent = label('piiTitle') || 'Ô Che';
    shadow.querySelector('.what').textContent = kinds;
    shadow.querySelector('.why').textContent = label('piiWhy');
    shadow.querySelector('.ask').textContent = label('piiAskParent');
    const stop = shadow.querySelector('.stop');
    stop.textContent = label(config && config.sendAnyway ? 'piiDontSend' : 'piiOk') || 'OK';
    stop.addEventListener('click', () => {
      closeBubble();
      f.focus();
    });
    const anyway = shadow.querySelector('.anyway');
    if (config && config.sendAnyway) {
      anyway.textContent = label('piiSendAnyway') || 'Send';
      anyway.addEventListener('click', () => {
        // The next real Enter goes through (chat apps ignore synthetic ones).
        st.allowNext = true;
        closeBubble();
        f.focus();
      });
    } else {
      anyway.remove();
    }
    const learn = shadow.querySelector('.learn');
    learn.textContent = label('alertLesson') || 'Learn';
    learn.addEventListener('click', () => send({ type: 'openLesson', topic: 'pii' }).catch(() => {}));
    const box = shadow.querySelector('.b');
    const r = f.getBoundingClientRect();
    const top = r.top > 220 ? Math.max(8, r.top - 12) : Math.min(window.innerHeight - 40, r.bottom + 12);
    box.style.left = `${Math.max(8, Math.min(r.left, window.innerWidth - 400))}px`;
    if (r.top > 220) box.style.bottom = `${window.innerHeight - top}px`;
    else box.style.top = `${top}px`;
    (document.body || document.documentElement).appendChild(bubble);
    stop.focus();
  }

  // Whether this Enter (or submit) must be held.
  function mustHold(f) {
    const st = fieldState.get(f);
    if (!st || !st.kinds.length) return null;
    if (st.allowNext) {
      st.allowNext = false;
      return null;
    }
    return st;
  }

  function onKeydown(e) {
    if (!e.isTrusted || e.key !== 'Enter' || e.isComposing || e.keyCode === 229) return;
    if (e.shiftKey && !(e.target && e.target.tagName === 'INPUT')) return; // a new line, not "send"
    const f = editableRoot(e.target);
    if (!f) return;
    const st = mustHold(f);
    if (!st) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    showBubble(f, st);
  }

  function onSubmit(e) {
    if (!e.isTrusted || !e.target || !e.target.elements) return;
    for (const el of e.target.elements) {
      const f = editableRoot(el);
      if (!f) continue;
      const st = mustHold(f);
      if (!st) continue;
      e.preventDefault();
      e.stopImmediatePropagation();
      showBubble(f, st);
      return;
    }
  }

  if (!window.__ocheTypingGuard) {
    window.__ocheTypingGuard = true;
    // Capture on window: before the page's own handlers see the key.
    window.addEventListener('keydown', onKeydown, true);
    window.addEventListener('submit', onSubmit, true);
    window.addEventListener('input', (e) => {
      if (!e.isTrusted || e.isComposing) return;
      const f = editableRoot(e.target);
      if (f) checkField(f);
    }, true);
    window.addEventListener('compositionend', (e) => {
      const f = editableRoot(e.target);
      if (f) checkField(f);
    }, true);
  }

  async function init() {
    // While the page is parsed, observing it would make the browser build a
    // mutation record for every node it inserts (a third of the load time
    // of a 1 MB page), and the walk at DOMContentLoaded covers those nodes
    // anyway. So the observer starts there.
    if (document.readyState !== 'loading') observe(document);
    try {
      config = await send({ type: 'hello', url: location.href });
    } catch (e) {
      // The classifier did not answer: behave as for 6-10 (fail closed) and
      // keep trying through the normal retries.
      config = { age: '6-10', lang: 'vi', timeoutMs: 2000, hideFirstPaint: true, revealOnTimeout: false, failed: true };
    }
    if (config.blocked) {
      pageBlocked = true;
      return;
    }
    if (!config.hideFirstPaint) {
      behindGate.clear(); // 15-17: the first paint is not held
      root.removeAttribute(GATE);
    }
    // Content parsed so far: checked now when it is already visible (15-17),
    // otherwise by the walk at DOMContentLoaded (already queued if the page
    // was parsed before this answer came: a second walk would only repeat it).
    if (!config.hideFirstPaint && !domParsed) {
      scanQueue.push({ node: document.documentElement, group: null, gen: null });
      schedule();
    }
    // The walk may have finished before this answer came.
    maybeOpenGate();
  }

  function onParsed() {
    domParsed = true;
    if (!observing) observe(document);
    firstWalk = { node: document.documentElement, group: null, gen: null, pos: { node: null } };
    scanQueue.push(firstWalk);
    // The first slice runs now, not after the browser's first layout of
    // the page (hundreds of ms on a long page): the first screen's batch
    // is on its way and classified while the browser lays the page out.
    work();
    // Tell the background the page is complete (so the share rule can decide).
    const wait = () => {
      if (scanQueue.length || dirty.size || recordQueue.items.length) return setTimeout(wait, 50);
      flush([], true);
    };
    setTimeout(wait, 0);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', onParsed, { once: true });
  else setTimeout(onParsed, 0);
  init();
})();
