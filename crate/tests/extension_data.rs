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
    allowed_at_every_age(&urls);
}

/// Every URL gets `allow` from the CLI at every age group.
fn allowed_at_every_age(urls: &[&str]) {
    for age in ["0-5", "6-10", "11-14", "15-17"] {
        let mut args = vec!["url", "--json", "--age", age];
        args.extend(urls.iter().copied());
        let (code, out, err) = oche(&args, b"");
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.lines().count(), urls.len());
        for line in out.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["action"], "allow", "{age}: {line}");
        }
    }
}

/// Sites for children and sex-education sites are never blocked by the
/// lists, the address words or the new-domain name model, at any age.
#[test]
fn child_and_sex_education_sites_are_never_blocked() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/benign");
    let mut urls = Vec::new();
    for f in ["ut1-child.txt", "ut1-sexual_education.txt"] {
        let text = std::fs::read_to_string(format!("{dir}/{f}")).unwrap();
        for d in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            urls.push(format!("https://{d}/"));
        }
    }
    assert!(urls.len() >= 80);
    allowed_at_every_age(&urls.iter().map(String::as_str).collect::<Vec<_>>());
}

/// A new gambling name is caught by the name model; an ordinary Vietnamese
/// shop with "win" in its name is not.
#[test]
fn new_domain_names_are_judged_by_the_name_model() {
    let (_, out, _) = oche(
        &[
            "url",
            "--json",
            "--age",
            "6-10",
            "https://nohu-doithuong79.club/",
            "https://winmart.vn/",
        ],
        b"",
    );
    let v: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[0]["action"], "block", "{}", v[0]);
    assert!(
        v[0]["reasons"].to_string().contains("name-model:gambling"),
        "{}",
        v[0]
    );
    assert_eq!(v[1]["action"], "allow", "{}", v[1]);
}
