//! A small learned model for insults and hate in short Vietnamese comments:
//! logistic regression over hashed word unigrams and bigrams of the exact
//! and folded views, and character 3- and 4-grams of the words (see
//! [`features`] for which view speaks when).
//!
//! Why: the ViHOS and SafeSense annotations mark as offensive many comments
//! with no swear word at all (`đồ óc chó`, `sủa`, `ngu như bò`, `bọn nó`
//! in a hostile sentence). Phrase lists catch the swearing; the model
//! catches the tone. The character n-grams carry what the words alone miss
//! in comments: misspellings and stretched or clipped forms (`buooi`,
//! `moẹ`, `nulooo`) share most of their n-grams with the word they stand
//! for. The model only adds evidence to the `harassment` category of a
//! short block (a comment, not an article paragraph), so the lexicon's
//! context rules and exceptions still decide pages.
//!
//! File format (little endian): `"OCHM" | version u32 | bits u32 | scale f32
//! | bias f32 | 2^bits × i8 weights` — weight = i8 × scale. The version names
//! the features the weights were trained on: [`COMMENT_VERSION`] for the
//! comment model ([`features`]); the new-domain name models (`names.rs`)
//! keep version 1 with their own features. Trained by `oche train`
//! (reproducible: fixed seed, fixed data order).

use crate::normalize::Normalized;

pub const MAGIC: &[u8; 4] = b"OCHM";
/// Hash buckets (as a power of two) of the shipped comment model:
/// 2^19 × 1 byte (512 KB, outside the `.wasm`). With character n-grams,
/// 2^17 buckets collide enough to cost 1–2 points of held-out recall.
pub const TRAIN_BITS: u32 = 19;
pub const TRAIN_EPOCHS: usize = 8;
/// AdaGrad learning rate of the comment model. At 0.2 (the name models'
/// rate) it flagged more clean held-out comments for the same recall.
pub const COMMENT_LEARNING_RATE: f32 = 0.1;
/// Learning rate of the new-domain name models.
pub const NAME_LEARNING_RATE: f32 = 0.2;
/// File version of a model over [`features`] (words and character n-grams).
pub const COMMENT_VERSION: u32 = 2;
/// File version of a model over other features (the name models).
pub const PLAIN_VERSION: u32 = 1;
const HEADER: usize = 20;

#[derive(Clone, Debug)]
pub struct Model {
    version: u32,
    bits: u32,
    scale: f32,
    bias: f32,
    weights: Vec<i8>,
}

fn fnv(h0: u64, bytes: &[u8]) -> u64 {
    let mut h = h0;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// Hashed feature ids of a normalised text, in no particular order. A
/// feature that occurs twice is there twice and counts twice, in training
/// and in prediction alike (no sort, no set: this runs on every short block
/// of a page that holds a cue).
///
/// The lexicon's rule for the folded view holds here too: in a text typed
/// with marks, `lon` is a can and `lớn` is big, never `lồn`. So a text
/// written with marks ([`written_with_marks`]) gives no folded features, its
/// character n-grams come from the exact view, and its unmarked words are
/// features of their own (`lon` among accented words is not the `lon` of an
/// unaccented comment). Without marks, the folded view speaks for the text.
pub fn features(n: &Normalized, bits: u32, out: &mut Vec<u32>) {
    out.clear();
    let f = Features::new(n, bits);
    for i in 0..n.tokens.len() {
        f.word(i, out);
        if i > 0 {
            f.pair(i - 1, out);
        }
    }
}

/// How the features of one text are hashed (see [`features`]).
struct Features<'a> {
    n: &'a Normalized,
    bits: u32,
    mask: u64,
    marked: bool,
    gram_seed: u64,
}

impl<'a> Features<'a> {
    fn new(n: &'a Normalized, bits: u32) -> Features<'a> {
        let marked = written_with_marks(n);
        Features {
            n,
            bits,
            mask: (1u64 << bits) - 1,
            marked,
            // Character n-grams of exact words (with marks) and of folded
            // words are different features.
            gram_seed: fnv(SEED, if marked { b"C" } else { b"c" }),
        }
    }

    fn hash(&self, kind: &[u8], a: &str, b: Option<&str>) -> u32 {
        let mut h = fnv(fnv(SEED, kind), a.as_bytes());
        if let Some(b) = b {
            h = fnv(fnv(h, b" "), b.as_bytes());
        }
        (h & self.mask) as u32
    }

    /// The features of word `i` alone: the word and its character n-grams.
    fn word(&self, i: usize, out: &mut Vec<u32>) {
        let (e, f) = (self.n.exact_text(i), self.n.folded_text(i));
        let unmarked_among_marked = self.marked && !self.n.tokens[i].accented;
        out.push(self.hash(if unmarked_among_marked { b"U" } else { b"u" }, e, None));
        if self.marked {
            char_grams(self.gram_seed, e, self.bits, out);
        } else {
            out.push(self.hash(b"f", f, None));
            char_grams(self.gram_seed, f, self.bits, out);
        }
    }

    /// The features of words `i` and `i + 1` together.
    fn pair(&self, i: usize, out: &mut Vec<u32>) {
        let n = self.n;
        out.push(self.hash(b"b", n.exact_text(i), Some(n.exact_text(i + 1))));
        if !self.marked {
            out.push(self.hash(b"g", n.folded_text(i), Some(n.folded_text(i + 1))));
        }
    }
}

/// Whether the writer typed diacritics: more than
/// [`FOLDED_CONTEXT_MAX_ACCENTED_PERCENT`](crate::engine::FOLDED_CONTEXT_MAX_ACCENTED_PERCENT)
/// of the words of two letters or more carry marks (the lexicon's measure).
pub fn written_with_marks(n: &Normalized) -> bool {
    let (mut accented, mut words) = (0usize, 0usize);
    for t in &n.tokens {
        if t.alpha && t.exact.end - t.exact.start > 1 {
            words += 1;
            accented += t.accented as usize;
        }
    }
    accented * 100 > words * crate::engine::FOLDED_CONTEXT_MAX_ACCENTED_PERCENT
}

/// Character 3- and 4-grams of a word of three characters or more, with
/// `^` and `$` marking its ends (`ngu` → `^ng ngu gu$ ^ngu ngu$`), hashed
/// from `seed`. Characters, not bytes: a byte window would cut `ớ` in two
/// and make `lớn` share n-grams with `lồn`. The last three characters are
/// kept packed in one integer (21 bits each), so a 3-gram is one
/// multiplication and a 4-gram one more. Words of more than 62 characters
/// give none.
fn char_grams(seed: u64, word: &str, bits: u32, out: &mut Vec<u32>) {
    const START: u64 = 0x11_0000; // beyond every character
    const END: u64 = 0x11_0001;
    const K3: u64 = 0x9E37_79B9_7F4A_7C15;
    const K4: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let len = word.chars().take(63).count();
    if !(3..=62).contains(&len) {
        return;
    }
    let top = |h: u64| (h >> (64 - bits)) as u32;
    let codes = std::iter::once(START)
        .chain(word.chars().map(|c| c as u64))
        .chain(std::iter::once(END));
    // The last three characters; shifting one in drops the fourth last,
    // which with them makes the 4-gram.
    let mut three = 0u64;
    for (i, c) in codes.enumerate() {
        let fourth = three >> 42;
        three = (three << 21 | c) & ((1 << 63) - 1);
        if i >= 2 {
            let h3 = (three ^ seed).wrapping_mul(K3);
            out.push(top(h3));
            if i >= 3 {
                out.push(top((h3 ^ fourth).wrapping_mul(K4)));
            }
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    pub fn from_bytes(b: &[u8]) -> Result<Model, String> {
        if b.len() < HEADER || &b[..4] != MAGIC {
            return Err("model: not an Ô Che model file".into());
        }
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        let f32_at = |o: usize| f32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        let version = u32_at(4);
        if version != COMMENT_VERSION && version != PLAIN_VERSION {
            return Err(format!("model: unknown version {version}"));
        }
        let bits = u32_at(8);
        if !(8..=24).contains(&bits) || b.len() != HEADER + (1usize << bits) {
            return Err("model: size does not match its header".into());
        }
        Ok(Model {
            version,
            bits,
            scale: f32_at(12),
            bias: f32_at(16),
            weights: b[HEADER..].iter().map(|x| *x as i8).collect(),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend(self.weights.iter().map(|w| *w as u8));
        out
    }

    /// [`COMMENT_VERSION`] or [`PLAIN_VERSION`]: which features it reads.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Hash buckets, as a power of two.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Probability that the text is offensive or hateful.
    pub fn predict(&self, n: &Normalized) -> f32 {
        let mut f = Vec::with_capacity(n.tokens.len() * 12);
        features(n, self.bits, &mut f);
        self.predict_features(&f)
    }

    pub fn predict_features(&self, f: &[u32]) -> f32 {
        let s: i32 = f.iter().map(|&i| self.weights[i as usize] as i32).sum();
        sigmoid(self.bias + s as f32 * self.scale)
    }

    /// Trains on (features, label) pairs with AdaGrad on the logistic loss
    /// and L2 regularisation; deterministic for the same input. `version`
    /// records which features the examples were made of.
    pub fn train(
        examples: &[(Vec<u32>, bool)],
        bits: u32,
        epochs: usize,
        lr: f32,
        version: u32,
    ) -> Model {
        let dim = 1usize << bits;
        let mut w = vec![0f32; dim];
        let mut g2 = vec![1e-8f32; dim];
        let mut bias = 0f32;
        let mut bias_g2 = 1e-8f32;
        // Settings of the shipped model, chosen on the held-out sets (see
        // `oche train`): class-balanced logistic loss, light L2, and
        // features seen fewer than MIN_COUNT times left at zero — rare
        // n-grams memorise single comments and misfire on other text.
        let l2 = 1e-5f32;
        let balance = true;
        const MIN_COUNT: u32 = 3;
        let min_count = MIN_COUNT;
        let mut counts = vec![0u32; dim];
        for (f, _) in examples {
            for &i in f {
                counts[i as usize] += 1;
            }
        }
        // Weigh classes so the model is not tuned to the majority class.
        let pos = examples.iter().filter(|e| e.1).count().max(1) as f32;
        let neg = (examples.len() as f32 - pos).max(1.0);
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..epochs {
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            for &k in &order {
                let (f, y) = &examples[k];
                let z: f32 = bias + f.iter().map(|&i| w[i as usize]).sum::<f32>();
                let p = sigmoid(z);
                let cw = if !balance {
                    1.0
                } else if *y {
                    examples.len() as f32 / (2.0 * pos)
                } else {
                    examples.len() as f32 / (2.0 * neg)
                };
                let g = (p - if *y { 1.0 } else { 0.0 }) * cw;
                for &i in f {
                    let i = i as usize;
                    if counts[i] < min_count {
                        continue;
                    }
                    let gi = g + l2 * w[i];
                    g2[i] += gi * gi;
                    w[i] -= lr * gi / g2[i].sqrt();
                }
                bias_g2 += g * g;
                bias -= lr * g / bias_g2.sqrt();
            }
        }
        let max = w.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
        let scale = max / 127.0;
        let weights = w
            .iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
            .collect();
        Model {
            version,
            bits,
            scale,
            bias,
            weights,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalizer;

    #[test]
    fn learns_a_toy_task_and_round_trips() {
        let n = Normalizer::default();
        let mut ex = Vec::new();
        for (t, y) in [
            ("mày ngu quá", true),
            ("đồ óc chó", true),
            ("bé đi học", false),
            ("hôm nay trời đẹp", false),
        ] {
            let mut f = Vec::new();
            features(&n.normalize(t), 12, &mut f);
            for _ in 0..20 {
                ex.push((f.clone(), y));
            }
        }
        let m = Model::train(&ex, 12, 5, COMMENT_LEARNING_RATE, COMMENT_VERSION);
        assert!(m.predict(&n.normalize("mày ngu quá")) > 0.8);
        assert!(m.predict(&n.normalize("bé đi học")) < 0.2);
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(
            back.predict(&n.normalize("đồ óc chó")),
            m.predict(&n.normalize("đồ óc chó"))
        );
        assert_eq!(back.version(), COMMENT_VERSION);
        assert!(Model::from_bytes(b"OCHMxxxx").is_err());
        let mut unknown = m.to_bytes();
        unknown[4] = 9;
        assert!(Model::from_bytes(&unknown)
            .unwrap_err()
            .contains("version 9"));
    }

    #[test]
    fn text_typed_with_marks_gives_no_folded_features() {
        let n = Normalizer::default();
        let bits = 20;
        let feats = |t: &str| {
            let mut f = Vec::new();
            features(&n.normalize(t), bits, &mut f);
            f
        };
        let mask = (1u64 << bits) - 1;
        let word = |kind: &[u8], w: &str| (fnv(fnv(SEED, kind), w.as_bytes()) & mask) as u32;
        let marked = feats("Mẹ mua một lon sữa cho con");
        let plain = feats("me mua mot lon sua cho con");
        // `lon` among accented words is not the `lon` of an unaccented comment.
        assert!(!marked.contains(&word(b"u", "lon")));
        assert!(marked.contains(&word(b"U", "lon")));
        assert!(plain.contains(&word(b"u", "lon")));
        // And `lớn` gives no folded `lon` at all.
        let big = feats("Bé lớn nhanh quá");
        assert!(!big.contains(&word(b"f", "lon")));
        assert!(feats("be lon nhanh qua").contains(&word(b"f", "lon")));
    }

    #[test]
    fn character_grams_mark_the_word_ends() {
        let grams = |w: &str| {
            let mut out = Vec::new();
            char_grams(fnv(SEED, b"c"), w, 20, &mut out);
            out
        };
        let shared = |a: &str, b: &str| {
            let (a, b) = (grams(a), grams(b));
            a.iter().filter(|g| b.contains(g)).count()
        };
        // `^ng ngu gu$ ^ngu ngu$`
        assert_eq!(grams("ngu").len(), 5);
        assert!(grams("ng").is_empty());
        // The ends are marked: `ngu` and `ngo` share `^ng` only; `ngu` and
        // `angu` share `ngu gu$ ngu$`, not the start.
        assert_eq!(shared("ngu", "ngo"), 1);
        assert_eq!(shared("ngu", "angu"), 3);
        // A stretched spelling shares most of its n-grams with the word.
        assert!(shared("buoi", "buooi") >= 4);
        // Characters, not bytes: `lớn` and `lồn` share no n-gram.
        assert_eq!(shared("lớn", "lồn"), 0);
        assert!(grams("lớn").iter().all(|g| *g < 1 << 20));
        // Very long words (a URL, a run of letters) add nothing, safely.
        assert!(grams(&"a".repeat(200)).is_empty());
        assert_eq!(grams(&"ớ".repeat(62)).len(), 62 + 61);
        assert!(grams(&"ớ".repeat(63)).is_empty());
    }
}
