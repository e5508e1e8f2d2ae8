//! New-domain detection: is an unlisted host name a gambling or an adult
//! site, judged by the name alone?
//!
//! Gambling and adult sites register new names faster than any list follows,
//! and many names carry their trade in fragments: `nhacai`, `taixiu`, `nohu`,
//! `bet`, `88`, `porn`, `sex`. Words alone are not enough (`win` is also
//! winmart.vn, `sex` also a sex-education site, and `zzv52.com` has no word
//! at all), so this is a small learned model: logistic regression (the same
//! trainer as [`crate::model`]) over hashed character n-grams of the name,
//! one model per category, trained by `oche train-names` on the shared
//! harmful lists against ordinary sites (UT1 benign categories and
//! Vietnamese sites assembled for the project), with a fifth of every list
//! held out for `oche eval-names`.
//!
//! File format: `"OCHN" | u32 count | count × (category id length u8 |
//! category id | f32 threshold | u32 model length | model bytes)`.

use crate::category::Category;
use crate::model::Model;

pub const MAGIC: &[u8; 4] = b"OCHN";
/// Hash buckets of each shipped model: 2^16 × 1 byte.
pub const BITS: u32 = 16;

/// One category's model and the probability from which a name counts.
#[derive(Clone, Debug)]
pub struct NameModel {
    pub category: Category,
    pub threshold: f32,
    pub model: Model,
}

/// The models of all categories that have one.
#[derive(Clone, Debug, Default)]
pub struct NameModels {
    pub models: Vec<NameModel>,
}

fn fnv(h0: u64, bytes: &[u8]) -> u64 {
    let mut h = h0;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const SEED: u64 = 0x9ae1_6a3b_2f90_404f;

/// The part of a host that names the site: without `www.`, `m.` and the
/// public suffix (a short list of the common ones, `.com.vn` included).
pub fn site_name(host: &str) -> (&str, &str) {
    let h = host.trim_end_matches('.');
    let h = h
        .strip_prefix("www.")
        .or_else(|| h.strip_prefix("m."))
        .unwrap_or(h);
    const TWO: &[&str] = &[
        ".com.vn", ".net.vn", ".org.vn", ".edu.vn", ".gov.vn", ".info.vn", ".biz.vn", ".co.uk",
        ".com.au", ".co.jp", ".com.br", ".co.kr", ".com.cn", ".co.in", ".com.tw", ".com.sg",
        ".co.id", ".com.my", ".com.ph",
    ];
    for s in TWO {
        if let Some(name) = h.strip_suffix(s) {
            return (name, &s[1..]);
        }
    }
    match h.rfind('.') {
        Some(i) => (&h[..i], &h[i + 1..]),
        None => (h, ""),
    }
}

/// Hashed features of a host name: character 3-, 4- and 5-grams of the
/// site name with start and end marks, the suffix, and the shape of its
/// digits and length (gambling names love `88`, `789`, `k8`).
///
/// The last five bytes are kept packed in one integer as the name is read,
/// so each n-gram is a mask of it, hashed with one multiplication: this runs
/// on every navigation, and allocates nothing beyond `out`. A repeated
/// n-gram counts twice, in training and in prediction alike.
pub fn features(host: &str, bits: u32, out: &mut Vec<u32>) {
    out.clear();
    let mask = (1u64 << bits) - 1;
    let lower = |b: u8| match b {
        b'-' | b'.' => b'|',
        _ => b.to_ascii_lowercase(),
    };
    let (name, suffix) = site_name(host);
    let mut window = 0u64;
    let marked = std::iter::once(b'^')
        .chain(name.bytes().map(lower))
        .chain(std::iter::once(b'$'));
    for (i, b) in marked.enumerate() {
        window = (window << 8 | b as u64) & 0xff_ffff_ffff;
        for k in 3..=5usize.min(i + 1) {
            // The n-gram's bytes, with its length above them: `abc` and
            // `\0abc` differ.
            let gram = (window & ((1u64 << (8 * k)) - 1)) | (k as u64) << 56;
            let h = gram.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            // The top bits of a multiplicative hash are the well-mixed ones.
            out.push((h >> (64 - bits)) as u32);
        }
    }
    let bytes = name.as_bytes();
    let tld = suffix.bytes().fold(fnv(SEED, b"tld"), |h, b| {
        (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(0x0000_0100_0000_01b3)
    });
    out.push((tld & mask) as u32);
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    let shape: &[u8] = match digits {
        0 => b"d0",
        1 => b"d1",
        2 | 3 => b"d23",
        _ => b"d4",
    };
    out.push((fnv(fnv(SEED, b"shape"), shape) & mask) as u32);
    let size: &[u8] = match bytes.len() {
        0..=4 => b"l4",
        5..=8 => b"l8",
        9..=14 => b"l14",
        _ => b"l15",
    };
    out.push((fnv(fnv(SEED, b"len"), size) & mask) as u32);
}

impl NameModels {
    pub fn from_bytes(b: &[u8]) -> Result<NameModels, String> {
        let bad = || "names: not an Ô Che name-model file".to_string();
        if b.len() < 8 || &b[..4] != MAGIC {
            return Err(bad());
        }
        let count = u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize;
        let mut at = 8;
        let mut models = Vec::new();
        for _ in 0..count {
            let n = *b.get(at).ok_or_else(bad)? as usize;
            let id = std::str::from_utf8(b.get(at + 1..at + 1 + n).ok_or_else(bad)?)
                .map_err(|_| bad())?;
            let category =
                Category::from_id(id).ok_or_else(|| format!("names: unknown category `{id}`"))?;
            at += 1 + n;
            let threshold =
                f32::from_le_bytes(b.get(at..at + 4).ok_or_else(bad)?.try_into().unwrap());
            let len = u32::from_le_bytes(b.get(at + 4..at + 8).ok_or_else(bad)?.try_into().unwrap())
                as usize;
            at += 8;
            let model = Model::from_bytes(b.get(at..at + len).ok_or_else(bad)?)?;
            at += len;
            models.push(NameModel {
                category,
                threshold,
                model,
            });
        }
        if at != b.len() {
            return Err(bad());
        }
        Ok(NameModels { models })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.models.len() as u32).to_le_bytes());
        for m in &self.models {
            let id = m.category.id().as_bytes();
            out.push(id.len() as u8);
            out.extend_from_slice(id);
            out.extend_from_slice(&m.threshold.to_le_bytes());
            let bytes = m.model.to_bytes();
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        out
    }

    /// The categories whose model finds the name above its threshold, with
    /// the probability.
    pub fn classify(&self, host: &str) -> Vec<(Category, f32)> {
        if self.models.is_empty() || host.is_empty() {
            return Vec::new();
        }
        let mut f = Vec::with_capacity(3 * (host.len() + 2) + 3);
        let mut out = Vec::new();
        let mut bits = 0;
        for m in &self.models {
            if m.model.bits() != bits {
                bits = m.model.bits();
                features(host, bits, &mut f);
            }
            let p = m.model.predict_features(&f);
            if p >= m.threshold {
                out.push((m.category, p));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_drop_www_and_public_suffixes() {
        assert_eq!(site_name("www.nhacai88.com"), ("nhacai88", "com"));
        assert_eq!(site_name("vnexpress.net"), ("vnexpress", "net"));
        assert_eq!(site_name("m.tuoitre.com.vn"), ("tuoitre", "com.vn"));
        assert_eq!(site_name("localhost"), ("localhost", ""));
    }

    #[test]
    fn features_are_deterministic_and_bounded() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        features("taixiu88.club", BITS, &mut a);
        features("TAIXIU88.club", BITS, &mut b);
        assert_eq!(a, b);
        // 3-, 4- and 5-grams of "^taixiu88$" (10 marks) and three more.
        assert_eq!(a.len(), 8 + 7 + 6 + 3);
        assert!(a.iter().all(|&x| x < 1 << BITS));
        features("", BITS, &mut a);
        assert!(!a.is_empty());
    }

    #[test]
    fn damaged_files_are_refused() {
        assert!(NameModels::from_bytes(b"").is_err());
        assert!(NameModels::from_bytes(b"OCHN\x01\x00\x00\x00").is_err());
        let empty = NameModels::default().to_bytes();
        assert!(NameModels::from_bytes(&empty).unwrap().models.is_empty());
    }
}
