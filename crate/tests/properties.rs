//! Property tests: never panic, NFC and NFD agree, offsets land on character
//! boundaries of the original input.

use oche::{Classifier, Settings};
use proptest::prelude::*;
use std::sync::OnceLock;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| {
        Classifier::with_data(
            &Settings::default(),
            oche::DomainTable::empty(),
            Some(oche::builtin_model()),
        )
        .unwrap()
    })
}

/// Text mixing Vietnamese, separators, digits, invisible characters and
/// anything at all.
fn texty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("địt".to_string()),
        Just("mẹ".to_string()),
        Just("đ.ị.t".to_string()),
        Just("lồn".to_string()),
        Just("các".to_string()),
        Just("ngủ".to_string()),
        Just("nhà cái".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{0301}".to_string()),
        Just(" ".to_string()),
        Just("\n\n".to_string()),
        Just("s3x".to_string()),
        "[a-zđ0-9 .*_-]{0,8}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// Vietnamese-looking text: letters with any combination of Vietnamese
/// marks, đ, spaces, separators, digits, zero-width characters.
fn vietnamese_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zđA-ZĐ]{1,6}",
        "[aeiouyAEIOUY][\u{300}\u{301}\u{303}\u{309}\u{323}\u{302}\u{306}\u{31B}]{0,2}",
        "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]{1,3}",
        "[ .,*_\n0-9\u{200B}-]{1,3}",
        Just("địt mẹ".to_string()),
        Just("thằng ngu".to_string()),
        Just("nhà cái".to_string()),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_spans_are_valid(text in texty()) {
        let c = classifier();
        let n = text.chars().count() as u32;
        let v = c.classify_page(&[text.as_str()]);
        for b in &v.blocks {
            let mut last = 0;
            for s in &b.spans {
                prop_assert!(s.start < s.end && s.end <= n);
                prop_assert!(s.start >= last, "sorted and non-overlapping");
                last = s.end;
            }
        }
        let _ = c.classify_url(&text);
    }

    /// NFC and NFD agree for Vietnamese and Latin text with any marks (other
    /// scripts agree too where the build-time tables cover them; the
    /// arbitrary-Unicode strategy is used for "never panics" above).
    #[test]
    fn nfc_and_nfd_give_the_same_verdict(text in vietnamese_text()) {
        use unicode_normalization::UnicodeNormalization;
        let c = classifier();
        let nfc: String = text.nfc().collect();
        let nfd: String = text.nfd().collect();
        let a = c.classify_text(&nfc);
        let b = c.classify_text(&nfd);
        prop_assert_eq!(a.action, b.action);
        prop_assert_eq!(a.categories, b.categories);
    }

    #[test]
    fn tokens_map_to_char_boundaries(text in texty()) {
        let n = oche::normalize::Normalizer::default().normalize(&text);
        let len = text.chars().count() as u32;
        for t in &n.tokens {
            prop_assert!(t.start < t.end && t.end <= len);
            prop_assert!(n.exact.is_char_boundary(t.exact.start as usize) && n.exact.is_char_boundary(t.exact.end as usize));
        }
    }
}
