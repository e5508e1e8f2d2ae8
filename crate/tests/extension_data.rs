//! The extension's data files that the core must vouch for.

mod common;
use common::oche;

/// Every safe alternative offered on the blocked page must pass the
/// project's own URL classifier and domain lists at every age: a domain
/// left to expire can be bought by a gambling site, and this test is the
/// alarm.
#[test]
fn every_safe_alternative_passes_the_url_classifier_at_every_age() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../extension/content/alternatives.json"
    );
    let text = std::fs::read_to_string(path).expect("alternatives.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("alternatives.json is JSON");
    let entries = v["entries"].as_array().expect("entries");
    assert!(entries.len() >= 10, "a real list");
    let urls: Vec<&str> = entries
        .iter()
        .map(|e| e["url"].as_str().expect("url"))
        .collect();
    for e in entries {
        let url = e["url"].as_str().unwrap();
        assert!(url.starts_with("https://"), "{url}: https only");
        assert!(
            e["source"].as_str().is_some_and(|s| s.len() > 10),
            "{url}: a source note"
        );
        for lang in ["vi", "en"] {
            assert!(
                e["name"][lang].as_str().is_some_and(|s| !s.is_empty()),
                "{url}: name.{lang}"
            );
        }
    }
    for age in ["0-5", "6-10", "11-14", "15-17"] {
        let mut args = vec!["url", "--json", "--age", age];
        args.extend(urls.iter().copied());
        let (code, out, err) = oche(&args, b"");
        assert_eq!(code, 0, "{err}");
        for line in out.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["action"], "allow", "{age}: {line}");
        }
    }
}
