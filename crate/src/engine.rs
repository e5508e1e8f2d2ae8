//! The weighted phrase engine: the needles of every lexicon entry, built
//! once per view (exact and folded; see [`crate::needles`] for how they are
//! found), and the scoring of a block.
//!
//! Data flow for one block of text:
//!
//! ```text
//! text ─normalize─▶ exact view ─┐
//!                  folded view ─┴─ needles ─▶ hits ─ exceptions ─▶ entry counts ─▶ category scores + spans
//! ```
//!
//! A hit through the folded view counts only when the matched words carry no
//! marks and the words around them are written without diacritics either
//! (see [`FOLDED_CONTEXT_WINDOW`]): in accented text, `lon` is a can.

use crate::category::Category;
use crate::lexicon::{Entry, Kind, Pattern};
use crate::needles::Needles;
use crate::normalize::{Normalized, Normalizer};
use std::collections::HashMap;

/// Words on each side of a folded hit that decide whether the text around it
/// is written without diacritics.
pub const FOLDED_CONTEXT_WINDOW: usize = 8;
/// A folded hit counts when at most this share (in percent) of the nearby
/// words carry marks. Measured on the labelled sets (see README): 0 % loses
/// unaccented comments that quote one accented name; above ~25 % the
/// collision families (`lon`, `cac`, `di`) start firing in accented text.
pub const FOLDED_CONTEXT_MAX_ACCENTED_PERCENT: usize = 15;
/// An entry counts at most this many times in one block: repetition is
/// evidence, but a page that says one word forty times is not forty times worse.
pub const MAX_COUNT_PER_ENTRY: i32 = 3;
/// Weak entries (weight below [`WEAK_WEIGHT`]) count once per block: a weak
/// word is a topic (`đánh bạc`, `cờ bạc` in an encyclopedia article or
/// the news), and repeating the topic is not evidence of harm.
pub const WEAK_WEIGHT: i32 = 30;
/// An entry this heavy is unambiguous on its own (`nhà cái uy tín`, `phim
/// sex`): only such evidence may take a whole page away (see
/// `classify::PAGE_SHARE_PERCENT`); topic words at most blur their block.
pub const STRONG_WEIGHT: i32 = 60;

/// Which entry and which part of it a needle belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Target {
    entry: u32,
    part: u8,
}

/// A compiled set of lexicon entries.
pub struct Matcher {
    entries: Vec<Entry>,
    exact: Automaton,
    folded: Automaton,
}

/// The needles of one view and the entry parts each stands for.
struct Automaton {
    needles: Needles,
    targets: Vec<Vec<Target>>,
}

impl Automaton {
    /// `word_index: false` finds every needle byte by byte (the tests
    /// compare both ways).
    fn build(needles: Vec<(String, Target)>, word_index: bool) -> Automaton {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        for (needle, t) in needles {
            let i = *index.entry(needle.clone()).or_insert_with(|| {
                patterns.push(needle);
                targets.push(Vec::new());
                patterns.len() - 1
            });
            // `{a|a}` or two alternatives that normalise alike: one target.
            if !targets[i].contains(&t) {
                targets[i].push(t);
            }
        }
        Automaton {
            needles: Needles::new(&patterns, word_index),
            targets,
        }
    }

    /// Every occurrence of a needle in one view of `n`, as (needle, first
    /// token, last token), in no particular order.
    fn find(&self, n: &Normalized, exact: bool, found: impl FnMut(u32, u32, u32)) {
        let token_of = |start: usize, end: usize| token_range(n, start, end, exact);
        self.needles.find(n, exact, token_of, found);
    }
}

/// One counted occurrence of an entry part, in tokens of the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub entry: u32,
    pub part: u8,
    pub first: u32,
    pub last: u32,
}

/// Scores of one block.
#[derive(Clone, Debug, Default)]
pub struct BlockScore {
    pub scores: [i32; Category::COUNT],
    /// (entry index, weight counted) of every entry that contributed.
    pub fired: Vec<(u32, i32)>,
    /// Original character ranges of positive matches with the categories of
    /// the entry that matched (a bit per category), unsorted.
    pub spans: Vec<(u32, u32, u16)>,
    /// The learned model's probability, when it ran and counted.
    pub model_p: Option<f32>,
    /// Categories for which an entry of weight ≥ [`STRONG_WEIGHT`] fired.
    pub strong: u16,
}

impl Matcher {
    pub fn new(entries: Vec<Entry>) -> Matcher {
        Matcher::build(entries, true)
    }

    fn build(entries: Vec<Entry>, word_index: bool) -> Matcher {
        let mut exact = Vec::new();
        let mut folded = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let parts: Vec<&Vec<Pattern>> = match &e.kind {
                Kind::Phrase { parts, .. } => parts.iter().collect(),
                Kind::Exception(p) => vec![p],
            };
            // Every alternative of a part is a needle for that same part.
            for (k, alts) in parts.into_iter().enumerate() {
                let t = Target {
                    entry: i as u32,
                    part: k as u8,
                };
                for p in alts {
                    exact.push((p.exact.clone(), t));
                    if let Some(f) = &p.folded {
                        folded.push((f.clone(), t));
                    }
                }
            }
        }
        Matcher {
            entries,
            exact: Automaton::build(exact, word_index),
            folded: Automaton::build(folded, word_index),
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Finds every counted hit in a normalised block.
    pub fn hits(&self, n: &Normalized) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.hits_into(n, &mut hits);
        hits
    }

    /// [`hits`](Self::hits), appended to `hits`.
    fn hits_into(&self, n: &Normalized, hits: &mut Vec<Hit>) {
        if n.tokens.is_empty() {
            return;
        }
        self.exact.find(n, true, |needle, first, last| {
            for t in &self.exact.targets[needle as usize] {
                hits.push(Hit {
                    entry: t.entry,
                    part: t.part,
                    first,
                    last,
                });
            }
        });
        // A folded hit needs unaccented words around it. In a block where
        // most words carry marks that is (nearly) never the case, and the
        // second pass over the text is skipped.
        let (mut accented, mut alpha) = (0usize, 0usize);
        for t in &n.tokens {
            if t.alpha && t.exact.end - t.exact.start > 1 {
                alpha += 1;
                accented += t.accented as usize;
            }
        }
        if accented * 2 > alpha {
            return;
        }
        let mut ctx: Option<AccentContext> = None;
        self.folded.find(n, false, |needle, first, last| {
            if (first..=last).any(|i| n.tokens[i as usize].accented) {
                return;
            }
            let ctx = ctx.get_or_insert_with(|| AccentContext::new(n));
            if !ctx.unaccented_around(first as usize, last as usize) {
                return;
            }
            for t in &self.folded.targets[needle as usize] {
                hits.push(Hit {
                    entry: t.entry,
                    part: t.part,
                    first,
                    last,
                });
            }
        });
    }

    /// Scores a normalised block.
    pub fn score(&self, n: &Normalized) -> BlockScore {
        SCORE_SCRATCH.with(|cell| self.score_with(n, &mut cell.borrow_mut()))
    }

    fn score_with(&self, n: &Normalized, scratch: &mut ScoreScratch) -> BlockScore {
        let ScoreScratch {
            hits,
            exceptions,
            claims,
            claim_hits,
            order,
            taken,
        } = scratch;
        if hits.capacity() > 1 << 16 {
            // Do not keep a huge buffer after a huge block.
            *hits = Vec::new();
        }
        hits.clear();
        self.hits_into(n, hits);
        let mut out = BlockScore::default();
        if hits.is_empty() {
            return out;
        }
        // Exceptions: drop positive hits that lie inside an exception match
        // of a shared category.
        exceptions.clear();
        exceptions.extend(
            hits.iter()
                .filter_map(|h| match self.entries[h.entry as usize].kind {
                    Kind::Exception(_) => {
                        Some((self.entries[h.entry as usize].categories, h.first, h.last))
                    }
                    _ => None,
                }),
        );
        hits.retain(|h| {
            let e = &self.entries[h.entry as usize];
            match e.kind {
                Kind::Exception(_) => false,
                _ => {
                    e.weight < 0
                        || !exceptions.iter().any(|&(cats, a, b)| {
                            cats & e.categories != 0 && a <= h.first && h.last <= b
                        })
                }
            }
        });
        crate::sort::sort_by_key(hits, |h| (h.entry, h.part, h.first, h.last));
        hits.dedup();

        // Each positive entry that matched, with the token ranges it used
        // (`claim_hits[from..to]`); scored strongest first below.
        // (weight, entry, count, from, to)
        claims.clear();
        claim_hits.clear();
        let mut protective: u16 = 0;
        let mut i = 0;
        while i < hits.len() {
            let entry = hits[i].entry;
            let mut j = i;
            while j < hits.len() && hits[j].entry == entry {
                j += 1;
            }
            let group = &hits[i..j];
            i = j;
            let e = &self.entries[entry as usize];
            let Kind::Phrase { parts, window } = &e.kind else {
                continue;
            };
            let from = claim_hits.len();
            let count = if parts.len() == 1 {
                for h in group {
                    // Overlapping occurrences of one phrase count once.
                    if claim_hits[from..].last().is_none_or(|u| h.first > u.last) {
                        claim_hits.push(*h);
                    }
                }
                let cap = if e.weight > 0 && e.weight < WEAK_WEIGHT {
                    1
                } else {
                    MAX_COUNT_PER_ENTRY
                };
                ((claim_hits.len() - from) as i32).min(cap)
            } else if combination(group, parts.len(), *window, claim_hits) {
                1
            } else {
                continue;
            };
            if e.weight > 0 {
                claims.push((e.weight, entry, count, from as u32, claim_hits.len() as u32));
                continue;
            }
            claim_hits.truncate(from);
            let w = e.weight * count;
            for c in e.categories() {
                out.scores[c.index()] += w;
            }
            out.fired.push((entry, w));
            protective |= e.categories;
        }
        // Where protective or news context fired (a lesson quoting a scam, a
        // warning page), positive entries whose words overlap a stronger
        // entry's words of that category do not add up: "nhận kim cương
        // miễn phí", "kim cương miễn phí" and "kim cương & mật khẩu" over the
        // same words are one quotation, not three pieces of evidence. Without
        // such context, overlapping entries keep adding up, as they are
        // weighed to (a real scam message stacks its signs).
        // Strongest first: a u32 key (heavier weight, then earlier claim)
        // sorts with code the .wasm already has.
        order.clear();
        order.extend(
            claims
                .iter()
                .enumerate()
                .map(|(k, c)| ((1000 - c.0.min(1000)) as u32) << 21 | k as u32),
        );
        crate::sort::sort_by_key(order, |&k| k);
        taken.clear();
        for &key in order.iter() {
            let (weight, entry, count, from, to) = claims[(key & 0x1f_ffff) as usize];
            let used = &claim_hits[from as usize..to as usize];
            let e = &self.entries[entry as usize];
            let guarded = e.categories & protective;
            let overlaps = |h: &Hit| {
                guarded != 0
                    && taken
                        .iter()
                        .any(|&(cats, a, b)| cats & guarded != 0 && h.first <= b && a <= h.last)
            };
            let counted = if used.len() > 1 && count == 1 {
                // A combination: suppressed if any of its parts overlaps.
                u32::from(!used.iter().any(overlaps))
            } else {
                used.iter()
                    .filter(|h| !overlaps(h))
                    .count()
                    .min(count as usize) as u32
            };
            if counted == 0 {
                continue;
            }
            let w = weight * counted as i32;
            for c in e.categories() {
                out.scores[c.index()] += w;
            }
            out.fired.push((entry, w));
            if weight >= STRONG_WEIGHT {
                out.strong |= e.categories;
            }
            for h in used {
                taken.push((e.categories, h.first, h.last));
                out.spans.push((
                    n.tokens[h.first as usize].start,
                    n.tokens[h.last as usize].end,
                    e.categories,
                ));
            }
        }
        for s in &mut out.scores {
            *s = (*s).max(0);
        }
        out
    }
}

/// The first and last token a match covers. Needles may begin or end with the
/// anchoring space, which belongs to no token.
fn token_range(n: &Normalized, start: usize, end: usize, exact: bool) -> (u32, u32) {
    let view = if exact {
        n.exact.as_bytes()
    } else {
        n.folded.as_bytes()
    };
    let s = if view[start] == b' ' {
        start + 1
    } else {
        start
    };
    let e = if end > s && view[end - 1] == b' ' {
        end - 2
    } else {
        end - 1
    };
    let (a, b) = if exact {
        (
            n.token_at_exact(s as u32),
            n.token_at_exact(e.max(s) as u32),
        )
    } else {
        (
            n.token_at_folded(s as u32),
            n.token_at_folded(e.max(s) as u32),
        )
    };
    (a as u32, b.max(a) as u32)
}

/// Finds one occurrence of every part within `window` words of each other
/// and appends them to `out`; appends nothing and returns `false` when
/// there is none.
fn combination(group: &[Hit], parts: usize, window: u32, out: &mut Vec<Hit>) -> bool {
    // `group` is sorted by part, then position: each part's hits are one run.
    let part = |p: usize| {
        let a = group.partition_point(|h| (h.part as usize) < p);
        let b = group.partition_point(|h| (h.part as usize) <= p);
        &group[a..b]
    };
    if (0..parts).any(|p| part(p).is_empty()) {
        return false;
    }
    let from = out.len();
    for anchor in part(0) {
        out.truncate(from);
        out.push(*anchor);
        let mut lo = anchor.first;
        let mut hi = anchor.last;
        let mut ok = true;
        for p in 1..parts {
            // The occurrence closest to the anchor that keeps the whole
            // combination within the window.
            let best = part(p)
                .iter()
                .filter(|h| h.last.max(hi) - h.first.min(lo) <= window)
                .min_by_key(|h| h.first.abs_diff(anchor.first));
            match best {
                Some(h) => {
                    lo = lo.min(h.first);
                    hi = hi.max(h.last);
                    out.push(*h);
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return true;
        }
    }
    out.truncate(from);
    false
}

/// Buffers [`Matcher::score`] reuses from block to block: a page has
/// thousands of blocks, and allocating these afresh for each cost more
/// than the scoring.
#[derive(Default)]
struct ScoreScratch {
    hits: Vec<Hit>,
    exceptions: Vec<(u16, u32, u32)>,
    claims: Vec<(i32, u32, i32, u32, u32)>,
    claim_hits: Vec<Hit>,
    order: Vec<u32>,
    taken: Vec<(u16, u32, u32)>,
}

thread_local! {
    static SCORE_SCRATCH: std::cell::RefCell<ScoreScratch> = std::cell::RefCell::new(ScoreScratch::default());
}

/// Sorts and merges character ranges; touching ranges merge too.
pub fn merge_spans(mut spans: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    crate::sort::sort_by_key(&mut spans, |&s| s);
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Prefix counts of accented and alphabetic tokens, for the folded-view rule.
struct AccentContext {
    accented: Vec<u32>,
    alpha: Vec<u32>,
}

impl AccentContext {
    fn new(n: &Normalized) -> AccentContext {
        let mut accented = Vec::with_capacity(n.tokens.len() + 1);
        let mut alpha = Vec::with_capacity(n.tokens.len() + 1);
        accented.push(0);
        alpha.push(0);
        for t in &n.tokens {
            // One-letter words (a, o, e) say little about the writer's habit.
            let counts = t.alpha && t.exact.end - t.exact.start > 1;
            accented.push(accented.last().unwrap() + (counts && t.accented) as u32);
            alpha.push(alpha.last().unwrap() + counts as u32);
        }
        AccentContext { accented, alpha }
    }

    fn unaccented_around(&self, first: usize, last: usize) -> bool {
        let n = self.alpha.len() - 1;
        let lo = first.saturating_sub(FOLDED_CONTEXT_WINDOW);
        let hi = (last + 1 + FOLDED_CONTEXT_WINDOW).min(n);
        let acc = (self.accented[first] - self.accented[lo])
            + (self.accented[hi] - self.accented[last + 1]);
        let alpha = (self.alpha[first] - self.alpha[lo]) + (self.alpha[hi] - self.alpha[last + 1]);
        (acc as usize) * 100 <= (alpha as usize) * FOLDED_CONTEXT_MAX_ACCENTED_PERCENT
    }
}

/// Convenience for tests and tools: normalise and score in one call.
pub fn score_text(matcher: &Matcher, normalizer: &Normalizer, text: &str) -> BlockScore {
    matcher.score(&normalizer.normalize(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::parse;

    fn matcher(lex: &str) -> (Matcher, Normalizer) {
        let n = Normalizer::default();
        (Matcher::new(parse("t", lex, 0, &n).unwrap()), n)
    }

    fn score(lex: &str, text: &str, c: Category) -> i32 {
        let (m, n) = matcher(lex);
        score_text(&m, &n, text).scores[c.index()]
    }

    const P: Category = Category::Profanity;

    #[test]
    fn word_index_finds_what_the_automaton_finds() {
        // Every shipped lexicon, matched both ways over text made of its own
        // phrases (as written, run together in sixes, and without marks):
        // the same hits. The word parts (`*porn*`) go through the small DFA
        // on one side, through the automaton on the other.
        let lexicons = crate::classify::default_lexicons();
        let find = |name: &str| {
            lexicons
                .iter()
                .find(|l| l.0 == name)
                .map_or("", |l| l.1.as_str())
        };
        let normalizer =
            Normalizer::new(crate::normalize::Teencode::parse(find("teencode")).unwrap());
        let mut entries = Vec::new();
        let mut phrases = Vec::new();
        for (source, text) in lexicons
            .iter()
            .filter(|l| l.0.contains('/') || l.0 == "url")
        {
            let cats = crate::classify::default_categories(source);
            entries.extend(parse(source, text, cats, &normalizer).unwrap());
            for line in text.lines() {
                let line = crate::normalize::strip_comment(line).trim();
                if let Some((_, phrase)) = line.split_once(char::is_whitespace) {
                    phrases.push(phrase.replace(['*', '{', '}', '|', '+', '@'], " "));
                }
            }
        }
        // Byte by byte, every needle at once, is what the engine did before
        // the word index: Aho-Corasick's own overlapping search.
        let fast = Matcher::build(entries.clone(), true);
        let slow = Matcher::build(entries, false);
        let mut texts = Vec::new();
        for (k, group) in phrases.chunks(6).enumerate() {
            let sep = [" ", ". ", ", chuyện ", "-"][k % 4];
            let text = group.join(sep);
            texts.push(normalizer.normalize(&text).folded.clone());
            texts.push(text);
        }
        let mut hits = 0;
        for text in &texts {
            let n = normalizer.normalize(text);
            let mut a = fast.hits(&n);
            let mut b = slow.hits(&n);
            a.sort_unstable_by_key(|h| (h.entry, h.part, h.first, h.last));
            b.sort_unstable_by_key(|h| (h.entry, h.part, h.first, h.last));
            assert_eq!(a, b, "{text}");
            hits += a.len();
        }
        assert!(hits > phrases.len(), "{hits} hits");
    }

    #[test]
    fn whole_words_only() {
        let lex = "[profanity]\n50 cặc @exact\n40 ass\n";
        assert_eq!(score(lex, "thằng cặc", P), 50);
        assert_eq!(score(lex, "các bạn", P), 0);
        assert_eq!(score(lex, "assessment class", P), 0);
        assert_eq!(score(lex, "kiss my ass", P), 40);
    }

    #[test]
    fn folded_hits_need_unaccented_text() {
        let lex = "[profanity]\n60 địt mẹ\n";
        assert_eq!(score(lex, "dit me may", P), 60);
        // Accented text around it: the folded form means something else.
        assert_eq!(
            score(lex, "Hôm nay bé đi học, mẹ đưa bé đến trường dit me", P),
            0
        );
        // The exact form always counts.
        assert_eq!(score(lex, "Hôm nay bé đi học, địt mẹ", P), 60);
        // Accented words never match through the folded view.
        assert_eq!(score(lex, "đít mẹ", P), 0);
    }

    #[test]
    fn exact_flag_disables_folding() {
        assert_eq!(score("[profanity]\n60 lồn @exact\n", "lon nuoc ngot", P), 0);
        assert_eq!(score("[profanity]\n60 lồn\n", "cai lon", P), 60);
    }

    #[test]
    fn substring_prefix_suffix() {
        let lex = "[sexual]\n40 *porn*\n30 xvid*\n20 *fucker\n";
        let s = Category::Sexual;
        assert_eq!(score(lex, "watch xvidpornxxx now", s), 40 + 30);
        assert_eq!(score(lex, "motherfucker", s), 20);
        assert_eq!(score(lex, "fuckers", s), 0);
        // Squeezed to one letter, `*xxx*` would match "expert": refused.
        assert!(parse("t", "[sexual]\n40 *xxx*\n", 0, &Normalizer::default()).is_err());
    }

    #[test]
    fn combinations_need_all_parts_in_the_window() {
        let lex = "[grooming]\n70 gửi ảnh & đừng nói @window=6\n";
        let g = Category::Grooming;
        assert_eq!(score(lex, "em gửi ảnh cho anh nhé, đừng nói với ai", g), 70);
        assert_eq!(score(lex, "gửi ảnh", g), 0);
        let far = format!("gửi ảnh {} đừng nói", "và ".repeat(20));
        assert_eq!(score(lex, &far, g), 0);
        // Fires once however often the parts repeat.
        assert_eq!(score(lex, "gửi ảnh đừng nói gửi ảnh đừng nói", g), 70);
    }

    #[test]
    fn negative_context_and_floor_at_zero() {
        let lex = "[sexual]\n40 sex\n-60 giáo dục giới tính\n";
        let s = Category::Sexual;
        assert_eq!(score(lex, "sex", s), 40);
        assert_eq!(score(lex, "giáo dục giới tính: sex là gì", s), 0);
    }

    #[test]
    fn exceptions_clear_matches_inside_them() {
        let lex = "[sexual]\n50 chịch\n! chích ngừa\n";
        let s = Category::Sexual;
        assert_eq!(score(lex, "chich ngua cho be", s), 0);
        assert_eq!(score(lex, "chich nhau", s), 50);
    }

    #[test]
    fn repeats_are_capped() {
        assert_eq!(score("[profanity]\n40 vcl\n", &"vcl ".repeat(10), P), 120);
        // A weak (topic) word counts once.
        assert_eq!(score("[profanity]\n10 vcl\n", &"vcl ".repeat(10), P), 10);
    }

    #[test]
    fn spans_are_original_char_offsets() {
        let (m, n) = matcher("[profanity]\n60 địt mẹ\n");
        let text = "Ôi đ.ị.t  mẹ nó";
        let s = score_text(&m, &n, text);
        assert_eq!(s.spans.len(), 1);
        let chars: Vec<char> = text.chars().collect();
        let (a, b, _) = s.spans[0];
        assert_eq!(
            chars[a as usize..b as usize].iter().collect::<String>(),
            "đ.ị.t  mẹ"
        );
    }

    #[test]
    fn merge_spans_sorts_and_merges() {
        assert_eq!(
            merge_spans(vec![(5, 8), (0, 2), (7, 10), (10, 12)]),
            vec![(0, 2), (5, 12)]
        );
    }
}
