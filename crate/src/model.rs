//! A small learned model for insults and hate in short Vietnamese comments:
//! logistic regression over hashed word unigrams and bigrams of the exact
//! and folded views.
//!
//! Why: the ViHOS and SafeSense annotations mark as offensive many comments
//! with no swear word at all (`đồ óc chó`, `sủa`, `ngu như bò`, `bọn nó`
//! in a hostile sentence). Phrase lists catch the swearing; the model
//! catches the tone. It only adds evidence to the `harassment` category of a
//! short block (a comment, not an article paragraph), so the lexicon's
//! context rules and exceptions still decide pages.
//!
//! File format (little endian): `"OCHM" | version u32 | bits u32 | scale f32
//! | bias f32 | 2^bits × i8 weights` — weight = i8 × scale. Trained by
//! `oche train` (reproducible: fixed seed, fixed data order).

use crate::normalize::Normalized;

pub const MAGIC: &[u8; 4] = b"OCHM";
/// Hash buckets (as a power of two) of the shipped model: 2^17 × 1 byte.
pub const TRAIN_BITS: u32 = 17;
pub const TRAIN_EPOCHS: usize = 8;
pub const VERSION: u32 = 1;
const HEADER: usize = 20;

#[derive(Clone, Debug)]
pub struct Model {
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

/// Hashed feature ids of a normalised text (deduplicated, sorted).
pub fn features(n: &Normalized, bits: u32, out: &mut Vec<u32>) {
    out.clear();
    let mask = (1u64 << bits) - 1;
    let mut prev_e: Option<&str> = None;
    let mut prev_f: Option<&str> = None;
    for i in 0..n.tokens.len() {
        let e = n.exact_text(i);
        let f = n.folded_text(i);
        out.push((fnv(fnv(SEED, b"u"), e.as_bytes()) & mask) as u32);
        out.push((fnv(fnv(SEED, b"f"), f.as_bytes()) & mask) as u32);
        if let Some(p) = prev_e {
            out.push(
                (fnv(fnv(fnv(fnv(SEED, b"b"), p.as_bytes()), b" "), e.as_bytes()) & mask) as u32,
            );
        }
        if let Some(p) = prev_f {
            out.push(
                (fnv(fnv(fnv(fnv(SEED, b"g"), p.as_bytes()), b" "), f.as_bytes()) & mask) as u32,
            );
        }
        prev_e = Some(e);
        prev_f = Some(f);
    }
    crate::sort::sort_by_key(out, |&f| f);
    out.dedup();
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
        if u32_at(4) != VERSION {
            return Err(format!("model: version {}, expected {VERSION}", u32_at(4)));
        }
        let bits = u32_at(8);
        if !(8..=24).contains(&bits) || b.len() != HEADER + (1usize << bits) {
            return Err("model: size does not match its header".into());
        }
        Ok(Model {
            bits,
            scale: f32_at(12),
            bias: f32_at(16),
            weights: b[HEADER..].iter().map(|x| *x as i8).collect(),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend(self.weights.iter().map(|w| *w as u8));
        out
    }

    /// Hash buckets, as a power of two.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Probability that the text is offensive or hateful.
    pub fn predict(&self, n: &Normalized) -> f32 {
        let mut f = Vec::with_capacity(n.tokens.len() * 4);
        features(n, self.bits, &mut f);
        self.predict_features(&f)
    }

    pub fn predict_features(&self, f: &[u32]) -> f32 {
        let s: i32 = f.iter().map(|&i| self.weights[i as usize] as i32).sum();
        sigmoid(self.bias + s as f32 * self.scale)
    }

    /// Trains on (features, label) pairs with AdaGrad on the logistic loss
    /// and L2 regularisation; deterministic for the same input.
    pub fn train(examples: &[(Vec<u32>, bool)], bits: u32, epochs: usize) -> Model {
        let dim = 1usize << bits;
        let mut w = vec![0f32; dim];
        let mut g2 = vec![1e-8f32; dim];
        let mut bias = 0f32;
        let mut bias_g2 = 1e-8f32;
        // Settings of the shipped model, chosen on the held-out sets (see
        // `oche train`): class-balanced logistic loss, light L2, and
        // features seen fewer than MIN_COUNT times left at zero — rare
        // n-grams memorise single comments and misfire on other text.
        let lr = 0.2f32;
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
        let m = Model::train(&ex, 12, 5);
        assert!(m.predict(&n.normalize("mày ngu quá")) > 0.8);
        assert!(m.predict(&n.normalize("bé đi học")) < 0.2);
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(
            back.predict(&n.normalize("đồ óc chó")),
            m.predict(&n.normalize("đồ óc chó"))
        );
        assert!(Model::from_bytes(b"OCHMxxxx").is_err());
    }
}
