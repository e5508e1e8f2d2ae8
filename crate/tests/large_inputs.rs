//! Very large and odd inputs through the real CLI. These run in an optimised
//! build (`cargo test --release --test large_inputs -- --include-ignored`):
//! in a debug build they are ignored, to keep `cargo test` fast.

mod common;
use common::oche;

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run in release")]
fn a_50_mb_document_gets_a_verdict() {
    let para = "Hôm nay trời đẹp, các bạn nhỏ đi học và chơi ở sân trường. ";
    let mut doc = String::new();
    while doc.len() < 50 * 1024 * 1024 {
        doc.push_str(para);
        if doc.len() % 7 == 0 {
            doc.push_str("\n\n");
        }
    }
    doc.push_str("\n\nThằng ngu vãi lồn, đm mày\n");
    let (code, out, err) = oche(&["check", "--json"], doc.as_bytes());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let blocks = v["blocks"].as_array().unwrap();
    let last = blocks.last().unwrap();
    assert_ne!(last["action"], "allow", "the harmful last block is caught");
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run in release")]
fn a_line_of_a_million_characters() {
    let mut line = "a".repeat(1_000_000);
    line.push_str(" địt mẹ ");
    line.push_str(&"ô".repeat(1_000_000));
    let (code, out, _) = oche(&["check", "--json"], line.as_bytes());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_ne!(v["action"], "allow");
    let span = &v["blocks"][0]["spans"][0];
    assert_eq!(span["start"], 1_000_001);
    assert_eq!(span["end"], 1_000_007);
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run in release")]
fn batch_of_100k_lines() {
    let mut input = String::new();
    for i in 0..100_000 {
        if i % 3 == 0 {
            input.push_str(&format!(
                "{{\"id\": {i}, \"text\": \"nhà cái uy tín soi kèo tài xỉu {i}\"}}\n"
            ));
        } else if i % 3 == 1 {
            input.push_str(&format!(
                "{{\"id\": \"u{i}\", \"url\": \"https://fb88.com/{i}\"}}\n"
            ));
        } else {
            input.push_str(&format!(
                "{{\"id\": [{i}], \"text\": \"bé đi học đủ buổi {i}\"}}\n"
            ));
        }
    }
    let t = std::time::Instant::now();
    let (code, out, _) = oche(&["batch"], input.as_bytes());
    let took = t.elapsed();
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 100_000);
    for (i, l) in lines.iter().enumerate().step_by(997) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        match i % 3 {
            0 => assert_eq!(
                (v["id"].as_u64(), v["action"].as_str()),
                (Some(i as u64), Some("block"))
            ),
            1 => assert_eq!(v["action"], "block"),
            _ => assert_eq!(v["action"], "allow"),
        }
    }
    eprintln!("100k batch lines in {took:?}");
}

#[test]
#[cfg_attr(debug_assertions, ignore = "large input: run in release")]
fn control_characters_and_mixed_scripts() {
    let mut doc = String::new();
    for i in 0..200_000u32 {
        if let Some(c) = char::from_u32((i * 7919) % 0x3_0000) {
            doc.push(c);
        }
    }
    let (code, out, _) = oche(&["check", "--json"], doc.as_bytes());
    assert_eq!(code, 0);
    assert!(out.starts_with('{'));
}
