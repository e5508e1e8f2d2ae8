//! Finding the lexicon's needles in one view of a normalised block.
//!
//! A view is its tokens, each followed by one space, after a leading space,
//! and no token holds a space (see [`crate::normalize`]). Most needles are
//! whole words (` nhà cái `, ` phim sex `): such a needle occurs exactly
//! where consecutive tokens read its words, so it is found token by token —
//! one table lookup per token of the text, and a short walk through a trie
//! of word ids from the tokens that are lexicon words (`WordIndex`). The
//! few needles that are parts of words (`*porn*`, `fuck*`: no space on one
//! side) go through a small DFA stepped byte by byte (`PartsDfa`), built
//! from an Aho-Corasick automaton of those needles alone.
//!
//! Both report every occurrence, overlapping ones included — what one
//! Aho-Corasick automaton of all needles reports in overlapping mode (a test
//! checks it on every shipped lexicon) — at a fraction of its cost: that
//! automaton stepped through every byte of every page, in both views.

use crate::normalize::Normalized;
use aho_corasick::automaton::{Automaton as _, OverlappingState, StateID};
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, Input, MatchKind};
use std::collections::HashMap;

const NONE: u32 = u32::MAX;

/// The needles of one view.
pub struct Needles {
    words: WordIndex,
    parts: Option<Parts>,
    /// Byte length of each needle.
    lens: Vec<u32>,
}

/// The needles that are parts of words: a DFA, or (past its size limit)
/// the automaton's own overlapping search, with the needle of each of its
/// patterns.
enum Parts {
    Dfa(PartsDfa),
    Nfa(NFA, Vec<u32>),
}

impl Needles {
    /// `word_index: false` sends every needle down the word-parts path (the
    /// tests compare both ways).
    pub fn new(patterns: &[String], word_index: bool) -> Needles {
        Needles::build(patterns, word_index, true)
    }

    /// `dfa: false` keeps the word parts in the automaton's own search.
    fn build(patterns: &[String], word_index: bool, dfa: bool) -> Needles {
        let (whole, parts): (Vec<(usize, &String)>, Vec<(usize, &String)>) = patterns
            .iter()
            .enumerate()
            .partition(|(_, p)| word_index && whole_words(p).is_some());
        let words = WordIndex::new(&whole);
        let parts: Vec<(&str, u32)> = parts.iter().map(|(i, p)| (p.as_str(), *i as u32)).collect();
        let parts = (!parts.is_empty()).then(|| {
            let nfa = NFA::builder()
                .match_kind(MatchKind::Standard)
                .build(parts.iter().map(|p| p.0))
                // Not `expect`: that would link the error type's Debug code
                // into the .wasm for a case that cannot happen.
                .unwrap_or_else(|_| panic!("lexicon automaton within size limits"));
            match PartsDfa::new(&nfa, &parts).filter(|_| dfa) {
                Some(dfa) => Parts::Dfa(dfa),
                None => Parts::Nfa(nfa, parts.iter().map(|p| p.1).collect()),
            }
        });
        Needles {
            words,
            parts,
            lens: patterns.iter().map(|p| p.len() as u32).collect(),
        }
    }

    /// Calls `found(needle, first token, last token)` for every occurrence
    /// in one view of `n`. `token_of(start, end)` maps a match in bytes of
    /// the view to the tokens it covers.
    pub fn find(
        &self,
        n: &Normalized,
        exact: bool,
        token_of: impl Fn(usize, usize) -> (u32, u32),
        mut found: impl FnMut(u32, u32, u32),
    ) {
        let view = if exact { &n.exact } else { &n.folded };
        let mut at = |needle: u32, end: usize| {
            let start = end - self.lens[needle as usize] as usize;
            let (first, last) = token_of(start, end);
            found(needle, first, last);
        };
        match &self.parts {
            Some(Parts::Dfa(dfa)) => dfa.find(view.as_bytes(), &mut at),
            Some(Parts::Nfa(nfa, needles)) => {
                let input = Input::new(view.as_str());
                let mut state = OverlappingState::start();
                loop {
                    nfa.try_find_overlapping(&input, &mut state)
                        .unwrap_or_else(|_| {
                            panic!("standard match kind supports overlapping search")
                        });
                    let Some(m) = state.get_match() else { break };
                    at(needles[m.pattern().as_usize()], m.end());
                }
            }
            None => {}
        }
        drop(at);
        let text = |i: usize| {
            if exact {
                n.exact_text(i)
            } else {
                n.folded_text(i)
            }
        };
        self.words.find(n.tokens.len(), text, found);
    }
}

/// Whole-word needles as a trie of word ids, in open-addressed tables.
struct WordIndex {
    /// Every word of a whole-word needle, one after the other; word `i` is
    /// `text[spans[i].0..][..spans[i].1]`.
    text: String,
    spans: Vec<(u32, u32)>,
    /// At the slot a word's hash leads to: the hash's high 32 bits, then
    /// the word id + 1 (0: empty). At most half full, so a probe ends soon,
    /// and the hash bits spare comparing the bytes of other words.
    slots: Vec<u64>,
    /// The root's children by word id (NONE: no phrase starts with it):
    /// every token that is a lexicon word takes this step.
    root: Vec<u32>,
    /// Deeper trie edges, `node << 32 | word id` → child node (`u64::MAX`:
    /// empty).
    edge_keys: Vec<u64>,
    edge_nodes: Vec<u32>,
    /// The needle that ends at each node (node 0 is the root), or NONE.
    needle_at: Vec<u32>,
}

/// The words of a whole-word needle ` w1 … wk ` (`None` for a part of a
/// word, or an empty word).
fn whole_words(needle: &str) -> Option<std::str::Split<'_, char>> {
    let inner = needle.strip_prefix(' ')?.strip_suffix(' ')?;
    (!inner.is_empty() && !inner.split(' ').any(str::is_empty)).then(|| inner.split(' '))
}

/// A hash of a word, eight bytes at a time (tokens are short).
fn word_hash(w: &[u8]) -> u64 {
    let mut h = (w.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut chunks = w.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ x).wrapping_mul(0xA24B_AED4_963E_E407);
        h ^= h >> 29;
    }
    let mut x = 0u64;
    for (i, &b) in chunks.remainder().iter().enumerate() {
        x |= u64::from(b) << (8 * i);
    }
    h = (h ^ x).wrapping_mul(0xA24B_AED4_963E_E407);
    h ^ (h >> 29)
}

fn edge_hash(key: u64) -> u64 {
    let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 31)
}

impl WordIndex {
    /// `needles`: (needle index, whole-word needle).
    fn new(needles: &[(usize, &String)]) -> WordIndex {
        // Tables sized for the worst case (every word new, every edge new)
        // at most half full.
        let words: usize = needles.iter().map(|(_, p)| p.split(' ').count()).sum();
        let size = (words * 2).next_power_of_two().max(2);
        let mut index = WordIndex {
            text: String::new(),
            spans: Vec::new(),
            slots: vec![0; size],
            root: Vec::new(),
            edge_keys: vec![u64::MAX; size],
            edge_nodes: vec![0; size],
            needle_at: vec![NONE],
        };
        for &(i, needle) in needles {
            let mut node = 0u32;
            for word in whole_words(needle).into_iter().flatten() {
                let id = index.id_or_insert(word);
                node = index.child_or_insert(node, id);
            }
            index.needle_at[node as usize] = i as u32;
        }
        index
    }

    fn id_or_insert(&mut self, w: &str) -> u32 {
        let (at, h) = self.word_slot(w.as_bytes());
        match self.slots[at] {
            0 => {
                self.spans.push((self.text.len() as u32, w.len() as u32));
                self.text.push_str(w);
                self.root.push(NONE);
                self.slots[at] = (h >> 32) << 32 | self.spans.len() as u64;
                self.spans.len() as u32 - 1
            }
            v => (v as u32) - 1,
        }
    }

    fn child_or_insert(&mut self, node: u32, word: u32) -> u32 {
        if node == 0 {
            if self.root[word as usize] == NONE {
                self.root[word as usize] = self.needle_at.len() as u32;
                self.needle_at.push(NONE);
            }
            return self.root[word as usize];
        }
        let key = u64::from(node) << 32 | u64::from(word);
        let at = self.edge_slot(key);
        if self.edge_keys[at] == u64::MAX {
            self.edge_keys[at] = key;
            self.edge_nodes[at] = self.needle_at.len() as u32;
            self.needle_at.push(NONE);
        }
        self.edge_nodes[at]
    }

    /// The slot of word `w`, or the empty slot where it would go; and its
    /// hash.
    fn word_slot(&self, w: &[u8]) -> (usize, u64) {
        let h = word_hash(w);
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let v = self.slots[at];
            if v == 0 {
                return (at, h);
            }
            if v >> 32 == h >> 32 {
                let (start, len) = self.spans[(v as u32 - 1) as usize];
                if len as usize == w.len()
                    && &self.text.as_bytes()[start as usize..][..w.len()] == w
                {
                    return (at, h);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The slot of edge `key`, or the empty slot where it would go.
    fn edge_slot(&self, key: u64) -> usize {
        let mask = self.edge_keys.len() - 1;
        let mut at = edge_hash(key) as usize & mask;
        while self.edge_keys[at] != key && self.edge_keys[at] != u64::MAX {
            at = (at + 1) & mask;
        }
        at
    }

    fn id(&self, w: &str) -> u32 {
        let (at, _) = self.word_slot(w.as_bytes());
        (self.slots[at] as u32).wrapping_sub(1)
    }

    fn child(&self, node: u32, word: u32) -> u32 {
        if node == 0 {
            return self.root[word as usize];
        }
        let key = u64::from(node) << 32 | u64::from(word);
        let at = self.edge_slot(key);
        if self.edge_keys[at] == u64::MAX {
            NONE
        } else {
            self.edge_nodes[at]
        }
    }

    fn find<'t>(
        &self,
        tokens: usize,
        text: impl Fn(usize) -> &'t str,
        mut found: impl FnMut(u32, u32, u32),
    ) {
        if self.spans.is_empty() {
            return;
        }
        let ids: Vec<u32> = (0..tokens).map(|i| self.id(text(i))).collect();
        for first in 0..ids.len() {
            let mut node = 0u32;
            for (last, &id) in ids.iter().enumerate().skip(first) {
                if id == NONE {
                    break;
                }
                node = self.child(node, id);
                if node == NONE {
                    break;
                }
                let needle = self.needle_at[node as usize];
                if needle != NONE {
                    found(needle, first as u32, last as u32);
                }
            }
        }
    }
}

/// A dense DFA of the needles that are parts of words, read off the
/// Aho-Corasick automaton of those needles (the automaton's overlapping
/// search, minus its general-purpose loop).
struct PartsDfa {
    /// Byte → equivalence class.
    classes: [u16; 256],
    stride: usize,
    /// `state * stride + class` → the next state's `state * stride`, times
    /// two, plus one if needles end there.
    next: Vec<u32>,
    /// Needles ending at each state: `ends[state]..ends[state + 1]` in `needles`.
    ends: Vec<u32>,
    needles: Vec<u32>,
}

/// States beyond which no DFA is built and the needles stay in the
/// automaton's own search (a school adding thousands of word parts).
const MAX_DFA_STATES: usize = 4_000;

impl PartsDfa {
    /// `parts[p]`: the automaton's pattern `p` and its needle.
    fn new(nfa: &NFA, parts: &[(&str, u32)]) -> Option<PartsDfa> {
        // A byte that occurs in no needle leads wherever any other such
        // byte does: those share one class; every other byte has its own.
        let mut present = [false; 256];
        for (p, _) in parts {
            for &b in p.as_bytes() {
                present[b as usize] = true;
            }
        }
        let mut classes = [0u16; 256];
        let mut reps: Vec<u8> = Vec::new();
        let mut absent_class = None;
        for b in 0..=255u8 {
            classes[b as usize] = if present[b as usize] {
                reps.push(b);
                reps.len() as u16 - 1
            } else {
                *absent_class.get_or_insert_with(|| {
                    reps.push(b);
                    reps.len() as u16 - 1
                })
            };
        }
        let stride = reps.len();
        let start = nfa
            .start_state(Anchored::No)
            .unwrap_or_else(|_| panic!("unanchored start state"));
        // Breadth first over the states the unanchored search can reach.
        let mut ids: HashMap<StateID, u32> = HashMap::new();
        let mut order: Vec<StateID> = vec![start];
        ids.insert(start, 0);
        let mut next: Vec<u32> = Vec::new();
        while next.len() < order.len() * stride {
            if order.len() > MAX_DFA_STATES {
                return None;
            }
            let sid = order[next.len() / stride];
            for &b in &reps {
                let to = nfa.next_state(Anchored::No, sid, b);
                let fresh = order.len() as u32;
                next.push(*ids.entry(to).or_insert_with(|| {
                    order.push(to);
                    fresh
                }));
            }
        }
        let mut ends = vec![0u32];
        let mut found = Vec::new();
        for &sid in &order {
            if nfa.is_match(sid) {
                for i in 0..nfa.match_len(sid) {
                    found.push(parts[nfa.match_pattern(sid, i).as_usize()].1);
                }
            }
            ends.push(found.len() as u32);
        }
        for to in &mut next {
            let t = *to as usize;
            *to = ((t * stride) << 1 | (ends[t] != ends[t + 1]) as usize) as u32;
        }
        Some(PartsDfa {
            classes,
            stride,
            next,
            ends,
            needles: found,
        })
    }

    /// Calls `found(needle, end)` for every occurrence, `end` exclusive.
    fn find(&self, hay: &[u8], mut found: impl FnMut(u32, usize)) {
        let mut at = 0usize;
        for (i, &b) in hay.iter().enumerate() {
            let v = self.next[at + self.classes[b as usize] as usize] as usize;
            at = v >> 1;
            if v & 1 != 0 {
                let s = at / self.stride;
                for &needle in &self.needles[self.ends[s] as usize..self.ends[s + 1] as usize] {
                    found(needle, i + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalizer;

    fn all(needles: &Needles, n: &Normalized, exact: bool) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        let view = if exact { &n.exact } else { &n.folded };
        // Report byte ranges, not tokens, to compare the DFA exactly.
        needles.find(
            n,
            exact,
            |s, e| (s as u32, e as u32),
            |k, a, b| out.push((k, a as usize, b as usize)),
        );
        assert!(out.iter().all(|&(_, a, b)| a <= b && b <= view.len()));
        out.sort_unstable();
        out
    }

    #[test]
    fn the_dfa_finds_what_the_automaton_finds() {
        // Overlapping, nested and repeated needles, parts of words and
        // whole words, through the DFA and through Aho-Corasick's search.
        let patterns: Vec<String> = [
            "he",
            "she",
            "hers",
            "his",
            " porn",
            "porn ",
            "rn p",
            "ornh",
            "a",
            "aa",
            " nhà",
            "nhà cái",
            " cái ",
            "ái",
            "xxx",
            " sex ",
            "sex",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        let dfa = Needles::build(&patterns, false, true);
        let nfa = Needles::build(&patterns, false, false);
        assert!(matches!(dfa.parts, Some(Parts::Dfa(_))));
        assert!(matches!(nfa.parts, Some(Parts::Nfa(..))));
        let norm = Normalizer::default();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let words = [
            "she", "hers", "his", "porn", "pornhub", "nhà", "cái", "aaa", "sex", "xxxx", "hé", "o",
        ];
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(words[(seed % words.len() as u64) as usize]);
                text.push(if seed & 64 == 0 { ' ' } else { '-' });
            }
            let n = norm.normalize(&text);
            for exact in [true, false] {
                assert_eq!(all(&dfa, &n, exact), all(&nfa, &n, exact), "{text}");
            }
        }
    }

    #[test]
    fn too_many_word_parts_keep_the_automaton() {
        // Thousands of distinct parts of words: past the DFA's size limit.
        let patterns: Vec<String> = (0..3000).map(|i| format!("q{i:04}z")).collect();
        let needles = Needles::new(&patterns, true);
        assert!(matches!(needles.parts, Some(Parts::Nfa(..))));
        let n = Normalizer::default().normalize("aq0042zb q2999z");
        let mut found = Vec::new();
        needles.find(
            &n,
            true,
            |s, e| (s as u32, e as u32),
            |k, _, _| found.push(k),
        );
        found.sort_unstable();
        assert_eq!(found, vec![42, 2999]);
    }
}
