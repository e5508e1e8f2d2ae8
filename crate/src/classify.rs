//! The classifier: lexicons + age profile + domain lists → verdicts.
//!
//! [`Classifier::classify_page`] is the one function that turns a page (its
//! text blocks) into a verdict; the CLI and the WebAssembly build both call
//! it, so they cannot disagree. A page's verdict is built from its blocks:
//!
//! * a **block** (a paragraph, a comment) *triggers* a category when its
//!   score reaches the profile's threshold; its action is the profile's
//!   action for that category, capped at `blur` — one bad comment blurs that
//!   comment, it does not take the whole page away;
//! * the **page** gets the profile's full action (up to `block`) for a
//!   category when blocks triggering it hold at least [`PAGE_SHARE_PERCENT`]
//!   of the page's characters or number at least [`PAGE_MIN_BLOCKS`]. A
//!   single text is a page of one block, so it gets the full action.

use crate::category::{Action, Category};
use crate::domains::{self, DomainTable};
use crate::engine::{merge_spans, BlockScore, Matcher};
use crate::lexicon::{self, Entry};
use crate::model::Model;
use crate::normalize::{Normalizer, Teencode};
use crate::profile::{Age, Profile, Profiles};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Share of a page's characters, in percent, that blocks triggering a
/// category must hold for the whole page to get the category's action.
pub const PAGE_SHARE_PERCENT: usize = 20;
/// Number of triggering blocks that gives the whole page the action,
/// whatever their share (a long page full of short gambling ads).
pub const PAGE_MIN_BLOCKS: usize = 5;
/// Characters a page must have before the share rule may block it while
/// it is still loading (see [`Classifier::classify_more`]).
pub const PAGE_MIN_CHARS: usize = 600;
/// Blocks longer than this many characters are classified in chunks (cut at
/// a space near the limit), which bounds memory on a 50 MB single line.
pub const MAX_CHUNK_CHARS: usize = 64 * 1024;
/// Blocks up to this many bytes count as comments for the learned model.
pub const MODEL_MAX_BYTES: usize = 1200;
/// Model probability below which it adds nothing; at 1.0 it adds
/// [`MODEL_MAX_WEIGHT`] (so for 6-10, threshold 50, p ≥ 0.8 flags a block
/// with a cue; for 15-17, threshold 110, never). At 0.5 a lukewarm model
/// and a mere cue (`thằng`, `tao`) blurred comments the annotators found
/// clean: 3.2 % of SafeSense held-out, against 2.6 % at 0.6, for half a
/// point of recall.
pub const MODEL_FLOOR: f32 = 0.6;
pub const MODEL_MAX_WEIGHT: i32 = 100;
/// Profanity score that counts as a cue for the model.
pub const MODEL_PROFANITY_CUE: i32 = 50;
/// Probability at which the model counts without any lexicon cue: above 1,
/// that is never. Measured (`oche eval`, 6-10, data never trained on): with
/// the current model, judging blocks of up to 300 bytes alone at p ≥ 0.95
/// raises SafeSense held-out recall 69.7 → 76.2 % (2.6 → 3.0 % of clean
/// comments flagged) and ViHOS dev 56.6 → 65.4 % (1.0 → 1.7 %), adds no
/// false alarm on children's own chat (`kids-chat`), and blurs a block on 5
/// more of the 152 held-out Wikipedia pages. Children's books are the
/// obstacle: the comments it learned from say `con chó` and `mẹ` mostly in
/// insults, so `Con chim hót trên cành, con bướm bay, con chó nằm ngủ`
/// scores 0.97 and `Mẹ mua một lon sữa và cái dù mới cho con` 0.95.
/// Ordinary pages come first.
pub const MODEL_ALONE: f32 = 1.01;
/// Largest block (bytes) the model may judge without a lexicon cue.
pub const MODEL_ALONE_MAX_BYTES: usize = 160;
/// The pseudo entry index of the model in `BlockScore::fired`.
const MODEL_ENTRY: u32 = u32::MAX;
/// Reasons listed in a verdict, strongest first.
pub const MAX_REASONS: usize = 24;
/// Score given to a category by a domain-list hit.
pub const LIST_WEIGHT: i32 = 1000;

/// The lexicons compiled into the binary (`build.rs`: comments removed,
/// LZ-compressed), as (source name, text) pairs: `vi/profanity`, …, `url`,
/// `teencode`.
pub fn default_lexicons() -> Vec<(String, String)> {
    let packed = include_bytes!(concat!(env!("OUT_DIR"), "/lexicons.lz"));
    let blob = crate::lz::unpack(packed).expect("build.rs verified the packed lexicons");
    let text = String::from_utf8(blob).unwrap_or_else(|_| panic!("lexicons are UTF-8"));
    let mut parts = text.split('\0');
    let mut out = Vec::new();
    while let (Some(name), Some(body)) = (parts.next(), parts.next()) {
        if !name.is_empty() {
            out.push((name.to_string(), body.to_string()));
        }
    }
    out
}

/// The category a lexicon file counts towards before any section header:
/// its file name, if that is a category.
pub(crate) fn default_categories(source: &str) -> u16 {
    let name = source.rsplit('/').next().unwrap_or(source);
    Category::from_id(name).map_or(0, |c| 1 << c.index())
}

/// Settings a classifier is created from. Every field is optional; the
/// extension, the CLI and school policy fill in what they have.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// `0-5`, `6-10`, `11-14` or `15-17`; `6-10` when absent.
    pub age: Option<String>,
    /// Per-category action overrides on top of the age profile.
    pub actions: BTreeMap<String, String>,
    /// Extra lexicon entries, in the lexicon file format.
    pub extra_lexicon: Option<String>,
    /// Extra listed domains, by category id.
    pub extra_domains: BTreeMap<String, Vec<String>>,
    /// Domains (and their subdomains) never blocked by lists or URL words.
    pub allow_domains: Vec<String>,
    /// Domains (and their subdomains) always blocked.
    pub block_domains: Vec<String>,
}

/// A category with its score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryScore {
    pub id: &'static str,
    pub score: i32,
}

/// Why a verdict was reached: the lexicon entry or rule, for parents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: String,
    pub category: &'static str,
    pub weight: i32,
}

/// A range of characters (Unicode scalar values), end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// The verdict for one block of text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlockVerdict {
    pub action: &'static str,
    pub categories: Vec<CategoryScore>,
    pub reasons: Vec<Reason>,
    /// Character ranges of the block to blur, sorted, non-overlapping.
    pub spans: Vec<Span>,
    /// `grooming` and `scam` when they reached the profile's threshold: the
    /// extension shows the child a warning beside this message (absent when
    /// empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<&'static str>,
    #[serde(skip)]
    pub(crate) triggered: u16,
    #[serde(skip)]
    pub(crate) chars: usize,
    /// Triggered categories with unambiguous (strong) evidence.
    #[serde(skip)]
    pub(crate) strong: u16,
}

/// The verdict for a page, a single text or a URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub action: &'static str,
    pub categories: Vec<CategoryScore>,
    pub reasons: Vec<Reason>,
}

/// A page verdict with the verdict of each of its blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PageVerdict {
    #[serde(flatten)]
    pub page: Verdict,
    pub blocks: Vec<BlockVerdict>,
    /// The category to explain to the child when the page is taken away
    /// or warned about (see [`Classifier::explain`]); absent for `allow`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<&'static str>,
}

/// What is known about a page whose blocks arrive in pieces.
#[derive(Clone, Debug, Default)]
pub struct PageState {
    total_chars: usize,
    hot_chars: [usize; Category::COUNT],
    hot_blocks: [usize; Category::COUNT],
    /// Triggering blocks with strong evidence, per category.
    strong_blocks: [usize; Category::COUNT],
    scores: [i32; Category::COUNT],
    reasons: BTreeMap<(String, &'static str), i32>,
    action: Action,
    complete: bool,
}

pub struct Classifier {
    model: Option<Model>,
    normalizer: Normalizer,
    text: Matcher,
    url: Matcher,
    profile: Profile,
    domains: DomainTable,
    extra_domains: DomainTable,
    /// New-domain detection by name (empty unless given).
    names: crate::names::NameModels,
    allow: DomainTable,
    block: DomainTable,
}

impl Classifier {
    /// A classifier with the built-in lexicons and profiles, no domain list.
    pub fn new(settings: &Settings) -> Result<Classifier, String> {
        Classifier::with_domains(settings, DomainTable::empty())
    }

    pub fn with_domains(settings: &Settings, domains: DomainTable) -> Result<Classifier, String> {
        Classifier::with_data(settings, domains, None)
    }

    /// A classifier with domain lists and the learned comment model.
    pub fn with_data(
        settings: &Settings,
        domains: DomainTable,
        model: Option<Model>,
    ) -> Result<Classifier, String> {
        if let Some(m) = &model {
            if m.version() != crate::model::COMMENT_VERSION {
                return Err(format!(
                    "comment model: version {} reads other features than this build (version {}); rebuild it with `oche train`",
                    m.version(),
                    crate::model::COMMENT_VERSION
                ));
            }
        }
        let lexicons = default_lexicons();
        let find = |name: &str| {
            lexicons
                .iter()
                .find(|l| l.0 == name)
                .map(|l| l.1.as_str())
                .unwrap_or("")
        };
        let teencode = Teencode::parse(find("teencode"))?;
        let normalizer = Normalizer::new(teencode);
        let mut entries: Vec<Entry> = Vec::new();
        for (source, text) in lexicons.iter().filter(|l| l.0.contains('/')) {
            entries.extend(
                lexicon::parse(source, text, default_categories(source), &normalizer)
                    .map_err(|e| e.to_string())?,
            );
        }
        if let Some(extra) = &settings.extra_lexicon {
            entries.extend(
                lexicon::parse("extra", extra, 0, &normalizer)
                    .map_err(|e| format!("extra lexicon: {e}"))?,
            );
        }
        let url_entries =
            lexicon::parse("url", find("url"), 0, &normalizer).map_err(|e| e.to_string())?;

        let age = match &settings.age {
            None => Age::default(),
            Some(a) => Age::from_id(a).ok_or_else(|| {
                format!("unknown age group `{a}` (expected 0-5, 6-10, 11-14 or 15-17)")
            })?,
        };
        let mut profile = Profiles::defaults().get(age).clone();
        for (cat, act) in &settings.actions {
            let c = Category::from_id(cat)
                .ok_or_else(|| format!("unknown category `{cat}` in actions"))?;
            let a = Action::from_id(act).ok_or_else(|| {
                format!("unknown action `{act}` for `{cat}` (expected allow, warn, blur or block)")
            })?;
            profile.actions[c.index()] = a;
        }
        let mut extra = Vec::new();
        for (cat, list) in &settings.extra_domains {
            let c = Category::from_id(cat)
                .ok_or_else(|| format!("unknown category `{cat}` in extra domains"))?;
            for d in list {
                let h = domains::clean_host(d).ok_or_else(|| format!("`{d}` is not a domain"))?;
                extra.push((h, 1u16 << c.index()));
            }
        }
        let table = |list: &[String]| -> Result<DomainTable, String> {
            let mut v = Vec::new();
            for d in list {
                v.push((
                    domains::clean_host(d).ok_or_else(|| format!("`{d}` is not a domain"))?,
                    1u16,
                ));
            }
            DomainTable::from_bytes(domains::build(v))
        };
        Ok(Classifier {
            model,
            normalizer,
            text: Matcher::new(entries),
            url: Matcher::new(url_entries),
            profile,
            domains,
            extra_domains: DomainTable::from_bytes(domains::build(extra))?,
            allow: table(&settings.allow_domains)?,
            block: table(&settings.block_domains)?,
            names: crate::names::NameModels::default(),
        })
    }

    /// Adds the new-domain name models (see [`crate::names`]).
    pub fn with_names(mut self, names: crate::names::NameModels) -> Classifier {
        self.names = names;
        self
    }

    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    pub fn age(&self) -> Age {
        self.profile.age
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn lexicon_entries(&self) -> usize {
        self.text.entries().len()
    }

    pub fn domain_count(&self) -> usize {
        self.domains.len() + self.extra_domains.len()
    }

    /// Scores one block, chunking very long ones.
    fn score_block(&self, text: &str) -> BlockScore {
        if text.len() <= MAX_CHUNK_CHARS {
            let n = self.normalizer.normalize(text);
            let mut s = self.text.score(&n);
            self.add_model(&n, text, &mut s);
            return s;
        }
        let mut total = BlockScore::default();
        let mut offset = 0u32;
        for chunk in chunks(text, MAX_CHUNK_CHARS) {
            let s = self.text.score(&self.normalizer.normalize(chunk));
            for c in 0..Category::COUNT {
                total.scores[c] += s.scores[c];
            }
            total.fired.extend(s.fired);
            total.strong |= s.strong;
            total.spans.extend(
                s.spans
                    .into_iter()
                    .map(|(a, b, c)| (a + offset, b + offset, c)),
            );
            offset += chunk.chars().count() as u32;
        }
        total
    }

    /// The learned model adds evidence to `harassment` for short blocks
    /// (comments, chat messages), where it was trained and measured.
    fn add_model(&self, n: &crate::normalize::Normalized, text: &str, s: &mut BlockScore) {
        let Some(model) = &self.model else { return };
        if text.len() > MODEL_MAX_BYTES || n.tokens.len() < 2 {
            return;
        }
        // The model was trained on comments; on other text (articles,
        // stories) it needs a cue from the lexicon — an insult, a slur or a
        // hostile form of address (`data/lexicon/vi/tone.txt`) — before it
        // may add its weight.
        // Weak profanity is not a cue: its abbreviations (`vl`, `cl`, `dm`,
        // weighted below 50) are also school words, and the model has
        // learned them as offensive, so it would only repeat the lexicon's
        // doubt louder. A strong swear word is a cue.
        let cue = [Category::Harassment, Category::Hate]
            .iter()
            .any(|c| s.scores[c.index()] > 0)
            || s.scores[Category::Profanity.index()] >= MODEL_PROFANITY_CUE;
        // Without a cue, only a short, comment-sized block may be judged by
        // the model alone, and only when it is nearly sure (a probability
        // above 1 is never reached: then it is not even asked, which spares
        // nearly every block of a page its features).
        if !cue && (text.len() > MODEL_ALONE_MAX_BYTES || MODEL_ALONE > 1.0) {
            return;
        }
        if !looks_vietnamese(n) {
            return;
        }
        let p = model.predict(n);
        if p <= MODEL_FLOOR || (!cue && p < MODEL_ALONE) {
            return;
        }
        let w = ((p - MODEL_FLOOR) / (1.0 - MODEL_FLOOR) * MODEL_MAX_WEIGHT as f32).round() as i32;
        if w <= 0 {
            return;
        }
        let i = Category::Harassment.index();
        // Protective context already counted for harassment still applies.
        s.scores[i] = (s.scores[i] + w).max(0);
        s.fired.push((MODEL_ENTRY, w));
        s.model_p = Some(p);
    }

    fn block_verdict(&self, text: &str) -> BlockVerdict {
        let s = self.score_block(text);
        let mut triggered = 0u16;
        let mut action = Action::Allow;
        for c in Category::ALL {
            let a = self.profile.actions[c.index()];
            if a != Action::Allow && s.scores[c.index()] >= self.profile.thresholds[c.index()] {
                triggered |= 1 << c.index();
                action = action.max(a.min(Action::Blur));
            }
        }
        let spans = if triggered == 0 {
            Vec::new()
        } else {
            merge_spans(
                s.spans
                    .iter()
                    .filter(|sp| sp.2 & triggered != 0)
                    .map(|sp| (sp.0, sp.1))
                    .collect(),
            )
            .into_iter()
            .map(|(start, end)| Span { start, end })
            .collect()
        };
        // A warning beside a message is gentler than a blur, so it starts
        // at a lower score (profiles.txt, `alert` row).
        let alerts = [Category::Grooming, Category::Scam]
            .into_iter()
            .filter(|c| {
                self.profile.actions[c.index()] != Action::Allow
                    && s.scores[c.index()] >= self.profile.alert_threshold
            })
            .map(Category::id)
            .collect();
        BlockVerdict {
            action: action.id(),
            categories: category_scores(&s.scores),
            reasons: self.reasons(&s.fired, &s.scores, &self.text),
            spans,
            alerts,
            triggered,
            chars: text.chars().count(),
            strong: s.strong & triggered,
        }
    }

    fn reasons(
        &self,
        fired: &[(u32, i32)],
        scores: &[i32; Category::COUNT],
        m: &Matcher,
    ) -> Vec<Reason> {
        let mut by_code: BTreeMap<(String, &'static str), i32> = BTreeMap::new();
        for &(entry, w) in fired {
            if entry == MODEL_ENTRY {
                *by_code
                    .entry(("model:offensive-vi".to_string(), Category::Harassment.id()))
                    .or_default() += w;
                continue;
            }
            let e = &m.entries()[entry as usize];
            for c in e.categories() {
                if scores[c.index()] > 0 || w > 0 {
                    *by_code.entry((e.code(), c.id())).or_default() += w;
                }
            }
        }
        let mut v: Vec<Reason> = by_code
            .into_iter()
            .map(|((code, category), weight)| Reason {
                code,
                category,
                weight,
            })
            .collect();
        strongest_first(&mut v);
        v
    }

    /// Classifies a page from its text blocks. The one function behind the
    /// CLI's `check` and `batch` and the extension's page verdicts.
    pub fn classify_page<S: AsRef<str>>(&self, blocks: &[S]) -> PageVerdict {
        let mut state = PageState::default();
        self.classify_more(&mut state, blocks, true)
    }

    /// Classifies the next blocks of a page that arrives in pieces (the
    /// extension sends blocks as the page loads and as comments appear).
    /// Block verdicts are for `blocks` only; the page verdict covers every
    /// block seen so far. Until `complete`, the share rule waits for
    /// [`PAGE_MIN_CHARS`] characters, so a page is not judged on its title.
    pub fn classify_more<S: AsRef<str>>(
        &self,
        state: &mut PageState,
        blocks: &[S],
        complete: bool,
    ) -> PageVerdict {
        let blocks: Vec<BlockVerdict> = blocks
            .iter()
            .map(|b| self.block_verdict(b.as_ref()))
            .collect();
        self.judge_page(state, blocks, complete)
    }

    /// The page rules over the block verdicts (not generic: one copy in the
    /// .wasm whatever string type the blocks came as).
    fn judge_page(
        &self,
        state: &mut PageState,
        blocks: Vec<BlockVerdict>,
        complete: bool,
    ) -> PageVerdict {
        for b in &blocks {
            state.total_chars += b.chars;
            state.action = state
                .action
                .max(Action::from_id(b.action).unwrap_or_default());
            for c in Category::ALL {
                if b.triggered & (1 << c.index()) != 0 {
                    state.hot_chars[c.index()] += b.chars;
                    state.hot_blocks[c.index()] += 1;
                }
                if b.strong & (1 << c.index()) != 0 {
                    state.strong_blocks[c.index()] += 1;
                }
            }
            for cs in &b.categories {
                state.scores[Category::from_id(cs.id).unwrap().index()] += cs.score;
            }
            for r in &b.reasons {
                *state
                    .reasons
                    .entry((r.code.clone(), r.category))
                    .or_default() += r.weight;
            }
        }
        state.complete |= complete;
        let total = state.total_chars.max(1);
        for c in Category::ALL {
            let i = c.index();
            let share = state.hot_chars[i] * 100 >= total * PAGE_SHARE_PERCENT
                && (state.complete || state.total_chars >= PAGE_MIN_CHARS);
            // The whole page only on unambiguous evidence: an article that
            // is about gambling names it many times, a gambling site also
            // solicits (`nhà cái uy tín`, `nạp tiền`, `link vào`).
            if state.strong_blocks[i] > 0 && (share || state.hot_blocks[i] >= PAGE_MIN_BLOCKS) {
                state.action = state.action.max(self.profile.actions[i]);
            }
        }
        let mut reasons: Vec<Reason> = state
            .reasons
            .iter()
            .map(|((code, category), weight)| Reason {
                code: code.clone(),
                category,
                weight: *weight,
            })
            .collect();
        strongest_first(&mut reasons);
        let categories = category_scores(&state.scores);
        let explain = (state.action != Action::Allow).then(|| {
            self.explain(state.action, &state.scores)
                .map_or("", Category::id)
        });
        PageVerdict {
            page: Verdict {
                action: state.action.id(),
                categories,
                reasons,
            },
            blocks,
            explain,
        }
    }

    /// Which category a verdict's action came from, to name it to the
    /// child and in the parent's log: the highest-scoring category the age
    /// profile answers with that action (a page blocked for gambling that
    /// also swears is explained as gambling), else the highest-scoring one.
    /// Ties go to the category id that sorts first, as in the verdict's
    /// ranked categories. Read straight from the scores: the URL hot path
    /// has no ranked list.
    pub fn explain(&self, action: Action, scores: &[i32; Category::COUNT]) -> Option<Category> {
        let stronger = |a: Category, b: Option<Category>| {
            b.is_none_or(|b| {
                let (sa, sb) = (scores[a.index()], scores[b.index()]);
                sa > sb || (sa == sb && a.id() < b.id())
            })
        };
        let (mut best, mut best_matching) = (None, None);
        for c in Category::ALL {
            if scores[c.index()] <= 0 {
                continue;
            }
            if stronger(c, best) {
                best = Some(c);
            }
            if self.profile.actions[c.index()] == action && stronger(c, best_matching) {
                best_matching = Some(c);
            }
        }
        best_matching.or(best)
    }

    /// Classifies one text as a page of one block.
    pub fn classify_text(&self, text: &str) -> Verdict {
        self.classify_page(&[text]).page
    }

    /// Classifies a URL: the school's and parent's lists, the domain lists
    /// (suffix-aware), words in the host and path, and a search query.
    pub fn classify_url(&self, url: &str) -> Result<Verdict, String> {
        let mut reasons = Vec::new();
        let d = self.decide_url(url, Some(&mut reasons))?;
        strongest_first(&mut reasons);
        Ok(Verdict {
            action: d.action.id(),
            categories: category_scores(&d.scores),
            reasons,
        })
    }

    /// The same decision as [`classify_url`](Self::classify_url) without
    /// its reasons, for the hot path of every navigation: the action and
    /// the category to explain — the strongest one the action came from —
    /// or `allowlist` / `blocklist` for the school's and parent's lists.
    /// Formatting reasons cost more than the decision itself.
    pub fn url_action(&self, url: &str) -> Result<(Action, &'static str), String> {
        let (action, why) = self.url_why(url)?;
        Ok((action, why.id()))
    }

    /// [`url_action`](Self::url_action) with the explanation as a value,
    /// for callers that pass it on as a number (the extension's hot path).
    pub fn url_why(&self, url: &str) -> Result<(Action, UrlWhy), String> {
        let d = self.decide_url(url, None)?;
        let why = match d.list {
            Some(ListKind::Allow) => UrlWhy::AllowList,
            Some(ListKind::Block) => UrlWhy::BlockList,
            None => self
                .explain(d.action, &d.scores)
                .map_or(UrlWhy::Nothing, UrlWhy::Category),
        };
        Ok((d.action, why))
    }

    /// One place for the URL rules; reasons are written only when asked.
    fn decide_url(
        &self,
        url: &str,
        mut reasons: Option<&mut Vec<Reason>>,
    ) -> Result<UrlDecision, String> {
        let parts = crate::url::parse(url)?;
        let mut scores = [0i32; Category::COUNT];
        if !parts.host.is_empty() {
            // The block list wins over the allow list (as the browser's rules
            // do: block priority 3, allow 2).
            for (table, kind) in [
                (&self.block, ListKind::Block),
                (&self.allow, ListKind::Allow),
            ] {
                if let Some(hit) = table.lookup(&parts.host) {
                    let (action, prefix, weight) = match kind {
                        ListKind::Block => (Action::Block, "block-list:", LIST_WEIGHT),
                        ListKind::Allow => (Action::Allow, "allow-list:", 0),
                    };
                    if let Some(r) = reasons.as_deref_mut() {
                        r.push(Reason {
                            code: format!("{prefix}{}", hit.domain),
                            category: "",
                            weight,
                        });
                    }
                    return Ok(UrlDecision {
                        action,
                        scores,
                        list: Some(kind),
                    });
                }
            }
        }
        let mut action = Action::Allow;
        let mut listed = false;
        for table in [&self.extra_domains, &self.domains] {
            if let Some(hit) = table.lookup(&parts.host) {
                listed = true;
                for c in Category::ALL {
                    if hit.categories & (1 << c.index()) != 0 {
                        scores[c.index()] += LIST_WEIGHT;
                        if let Some(r) = reasons.as_deref_mut() {
                            r.push(Reason {
                                code: format!("domain-list:{}", hit.domain),
                                category: c.id(),
                                weight: LIST_WEIGHT,
                            });
                        }
                        // A listed site exists for its category: block it
                        // whenever the profile acts on that category at all.
                        if self.profile.actions[c.index()] != Action::Allow {
                            action = Action::Block;
                        }
                    }
                }
                break;
            }
        }
        if action == Action::Block {
            // A listed site is blocked whatever its address says: the words
            // would add nothing a parent needs, and this is the hot path of
            // every navigation to a listed site.
            return Ok(UrlDecision {
                action,
                scores,
                list: None,
            });
        }
        // An unlisted name that looks like a gambling or adult site's: on
        // its own this reaches the threshold of the younger age groups only;
        // for older children the page's text decides once it loads.
        if !listed && !parts.host.is_empty() {
            for (c, p) in self.names.classify(&parts.host) {
                scores[c.index()] += NAME_WEIGHT;
                if let Some(r) = reasons.as_deref_mut() {
                    r.push(Reason {
                        // A whole percentage: formatting floats would pull
                        // several KB of code into the .wasm.
                        code: format!("name-model:{}:{}%", c.id(), (p * 100.0) as u32),
                        category: c.id(),
                        weight: NAME_WEIGHT,
                    });
                }
            }
        }
        let words = self.url.score(&self.normalizer.normalize(&parts.words()));
        for c in Category::ALL {
            scores[c.index()] += words.scores[c.index()];
        }
        if let Some(r) = reasons.as_deref_mut() {
            r.extend(self.reasons(&words.fired, &words.scores, &self.url));
        }
        if let Some(q) = &parts.query() {
            // Judged like a block of page text.
            let qs = self.score_block(q);
            for c in Category::ALL {
                scores[c.index()] += qs.scores[c.index()].max(0);
            }
            if let Some(r) = reasons.as_deref_mut() {
                r.extend(
                    self.reasons(&qs.fired, &qs.scores, &self.text)
                        .into_iter()
                        .map(|r| Reason {
                            code: format!("query:{}", r.code),
                            ..r
                        }),
                );
            }
        }
        for c in Category::ALL {
            if scores[c.index()] >= self.profile.thresholds[c.index()] {
                action = action.max(self.profile.actions[c.index()]);
            }
        }
        Ok(UrlDecision {
            action,
            scores,
            list: None,
        })
    }
}

/// What a URL verdict is explained by (see [`Classifier::url_why`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlWhy {
    Nothing,
    Category(Category),
    /// The school's or the parent's allow list.
    AllowList,
    /// The school's or the parent's block list.
    BlockList,
}

impl UrlWhy {
    /// Every explanation, in the order of [`UrlWhy::code`].
    pub fn all() -> impl Iterator<Item = UrlWhy> {
        std::iter::once(UrlWhy::Nothing)
            .chain(Category::ALL.into_iter().map(UrlWhy::Category))
            .chain([UrlWhy::AllowList, UrlWhy::BlockList])
    }

    /// A small number for the explanation: 0 nothing, 1 + the category's
    /// index, then the allow list and the block list.
    pub fn code(self) -> u32 {
        match self {
            UrlWhy::Nothing => 0,
            UrlWhy::Category(c) => 1 + c.index() as u32,
            UrlWhy::AllowList => 1 + Category::COUNT as u32,
            UrlWhy::BlockList => 2 + Category::COUNT as u32,
        }
    }

    /// The category id, `allowlist`, `blocklist`, or empty.
    pub fn id(self) -> &'static str {
        match self {
            UrlWhy::Nothing => "",
            UrlWhy::Category(c) => c.id(),
            UrlWhy::AllowList => "allowlist",
            UrlWhy::BlockList => "blocklist",
        }
    }
}

/// Which of the school's and parent's lists decided a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListKind {
    Allow,
    Block,
}

/// What the URL rules decided (see `Classifier::decide_url`).
struct UrlDecision {
    action: Action,
    scores: [i32; Category::COUNT],
    list: Option<ListKind>,
}

/// Evidence of a name-model hit (see `classify_url`).
const NAME_WEIGHT: i32 = 60;

/// Common Vietnamese syllables, folded, that are not also common English
/// words: with the accented words they tell a Vietnamese comment typed
/// without diacritics from English text. Sorted: every unaccented word of a
/// block is looked up (a test checks the order).
const VI_COMMON: &[&str] = &[
    "biet", "bon", "cai", "chi", "cho", "chu", "con", "cua", "cung", "day", "dc", "den", "di",
    "duoc", "gi", "it", "j", "khong", "ko", "la", "lai", "lam", "len", "luon", "minh", "mot",
    "nao", "nay", "nen", "neu", "nguoi", "nhieu", "nhu", "nhung", "noi", "nua", "qua", "ra", "rat",
    "roi", "tao", "thang", "thi", "toi", "vao", "vay", "ve", "vi", "voi", "xuong",
];

/// At least a quarter of the words are Vietnamese (accented, or common
/// Vietnamese syllables): the comment model is only asked about Vietnamese.
fn looks_vietnamese(n: &crate::normalize::Normalized) -> bool {
    let mut alpha = 0usize;
    let mut vi = 0usize;
    for (i, t) in n.tokens.iter().enumerate() {
        if !t.alpha {
            continue;
        }
        alpha += 1;
        if t.accented || VI_COMMON.binary_search(&n.folded_text(i)).is_ok() {
            vi += 1;
        }
    }
    vi * 4 >= alpha && alpha > 0
}

/// Orders reasons by the size of their weight (ties by code) and keeps the
/// first [`MAX_REASONS`].
fn strongest_first(reasons: &mut Vec<Reason>) {
    crate::sort::sort_by(reasons, |a, b| {
        (b.weight.abs(), &a.code) < (a.weight.abs(), &b.code)
    });
    reasons.truncate(MAX_REASONS);
}

/// Categories scoring above zero, highest first (ties in id order).
fn category_scores(scores: &[i32; Category::COUNT]) -> Vec<CategoryScore> {
    let mut v: Vec<CategoryScore> = Category::ALL
        .iter()
        .filter(|c| scores[c.index()] > 0)
        .map(|c| CategoryScore {
            id: c.id(),
            score: scores[c.index()],
        })
        .collect();
    crate::sort::sort_by(&mut v, |a, b| (b.score, a.id) < (a.score, b.id));
    v
}

/// Cuts text into pieces of at most about `max` bytes, at a whitespace near
/// the limit when there is one, always on a character boundary.
pub fn chunks(text: &str, max: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() <= max {
            let r = rest;
            rest = "";
            return Some(r);
        }
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut window_start = cut.saturating_sub(512);
        while !rest.is_char_boundary(window_start) {
            window_start += 1;
        }
        if let Some(i) = rest[window_start..cut].rfind(char::is_whitespace) {
            cut = window_start + i + 1;
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
        }
        let (a, b) = rest.split_at(cut);
        rest = b;
        Some(a)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every data file parses, with errors naming the file and line of the
    /// source (the compiled copy drops comments but keeps line numbers).
    #[test]
    fn every_shipped_lexicon_file_is_valid() {
        let n = Normalizer::new(
            Teencode::parse(&std::fs::read_to_string("data/teencode.tsv").unwrap()).unwrap(),
        );
        let mut count = 0;
        for lang in ["vi", "en"] {
            for e in std::fs::read_dir(format!("data/lexicon/{lang}"))
                .unwrap()
                .flatten()
            {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "txt") {
                    let name = format!("{lang}/{}", p.file_stem().unwrap().to_string_lossy());
                    let text = std::fs::read_to_string(&p).unwrap();
                    let entries = lexicon::parse(&name, &text, default_categories(&name), &n)
                        .unwrap_or_else(|e| panic!("{e}"));
                    count += entries.len();
                    assert!(
                        default_lexicons().iter().any(|l| l.0 == name),
                        "{name} is not compiled in (add it to build.rs)"
                    );
                }
            }
        }
        lexicon::parse(
            "url",
            &std::fs::read_to_string("data/lexicon/url.txt").unwrap(),
            0,
            &n,
        )
        .unwrap();
        assert!(count > 1000, "{count} entries");
    }

    #[test]
    fn the_lean_url_decision_explains_like_the_full_verdict() {
        let urls = [
            "https://www.fb88.com/",
            "https://nha-cai-uy-tin.xyz/tai-xiu?ref=1",
            "https://example.vn/phim-sex-moi",
            "https://www.google.com/search?q=c%C3%A1ch+t%E1%BB%B1+t%E1%BB%AD",
            "https://www.google.com/search?q=mua+s%C3%BAng+v%C3%A0+ma+t%C3%BAy",
            "https://vnexpress.net/thoi-su",
            "https://taixiu88.club/",
            "https://blocked.example/",
            "https://allowed.fb88.com/",
        ];
        for age in ["0-5", "6-10", "11-14", "15-17"] {
            let settings = Settings {
                age: Some(age.into()),
                block_domains: vec!["blocked.example".into()],
                allow_domains: vec!["allowed.fb88.com".into()],
                ..Settings::default()
            };
            let c = Classifier::with_data(&settings, crate::builtin_domains(), None)
                .unwrap()
                .with_names(crate::builtin_names());
            for url in urls {
                let full = c.classify_url(url).unwrap();
                let (action, why) = c.url_why(url).unwrap();
                assert_eq!(action.id(), full.action, "{url}");
                // From the full verdict's ranked categories: the first one
                // the profile answers with this action, else the first.
                let ranked = &full.categories;
                let expected = match why {
                    UrlWhy::AllowList | UrlWhy::BlockList => why.id(),
                    _ => ranked
                        .iter()
                        .find(|k| {
                            Category::from_id(k.id)
                                .is_some_and(|k| c.profile().actions[k.index()] == action)
                        })
                        .or(ranked.first())
                        .map_or("", |k| k.id),
                };
                assert_eq!(why.id(), expected, "{age} {url}");
                assert_eq!(UrlWhy::all().nth(why.code() as usize), Some(why));
            }
        }
    }

    #[test]
    fn common_vietnamese_words_are_sorted_for_binary_search() {
        assert!(VI_COMMON.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn chunks_cut_on_char_boundaries() {
        for text in [
            "ô".repeat(100_000),
            "a\u{3000}ệ".repeat(40_000),
            format!("{}x", "€".repeat(70_000)),
        ] {
            let parts: Vec<&str> = chunks(&text, MAX_CHUNK_CHARS).collect();
            assert_eq!(parts.concat(), text);
            assert!(parts.iter().all(|p| p.len() <= MAX_CHUNK_CHARS + 4));
        }
    }

    #[test]
    fn every_category_has_entries_in_both_languages() {
        let lexicons = default_lexicons();
        let n = Normalizer::default();
        for lang in ["vi", "en"] {
            let mut seen = 0u16;
            for (name, text) in lexicons.iter().filter(|l| l.0.starts_with(lang)) {
                for e in lexicon::parse(name, text, default_categories(name), &n).unwrap() {
                    if e.weight > 0 {
                        seen |= e.categories;
                    }
                }
            }
            for c in Category::ALL {
                assert!(seen & (1 << c.index()) != 0, "{lang}: no entries for {c}");
            }
        }
    }
}
