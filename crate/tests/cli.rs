//! The CLI contract (`check`, `batch`, `url`): a public interface schools and
//! other checks rely on.

mod common;
use common::oche;

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

#[test]
fn check_json_has_the_batch_fields_and_blocks() {
    let doc = "Bé đi học.\n\nThằng ngu vãi lồn\n";
    let (code, out, _) = oche(&["check", "--json"], doc.as_bytes());
    assert_eq!(code, 0);
    let v = json(&out);
    assert!(v.get("id").is_none());
    assert_ne!(v["action"], "allow");
    assert!(v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["score"].as_i64().unwrap() > 0));
    let blocks = v["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(
        (blocks[0]["start"].as_u64(), blocks[0]["end"].as_u64()),
        (Some(0), Some(10))
    );
    assert_eq!(blocks[0]["action"], "allow");
    assert_eq!(blocks[1]["start"], 12);
    let span = &blocks[1]["spans"][0];
    let chars: Vec<char> = doc.chars().collect();
    let s: String = chars
        [span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize]
        .iter()
        .collect();
    assert!(doc.contains(&s) && !s.is_empty());
}

#[test]
fn check_human_output_and_ages() {
    let (code, out, _) = oche(
        &["check", "--age", "15-17"],
        "Nhà cái uy tín, soi kèo, tài xỉu, nổ hũ đổi thưởng".as_bytes(),
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("block (age 15-17)"), "{out}");
    assert!(out.contains("gambling"));
}

#[test]
fn batch_echoes_ids_in_order_and_reports_bad_lines() {
    let input = concat!(
        "{\"id\": 1, \"text\": \"Nhà cái uy tín, soi kèo, tài xỉu\"}\n",
        "{\"id\": \"two\", \"url\": \"https://fb88.com/\"}\n",
        "not json\n",
        "{\"id\": {\"x\": [1]}, \"text\": \"Bé đi học\"}\n",
        "{\"id\": 5}\n",
        "\n",
        "{\"text\": \"Con chim hót\"}\n",
    );
    let (code, out, _) = oche(&["batch", "--age", "11-14"], input.as_bytes());
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["action"], "block");
    assert_eq!(lines[0]["categories"][0]["id"], "gambling");
    assert!(lines[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["code"].is_string() && r["weight"].is_number()));
    assert_eq!(lines[1]["id"], "two");
    assert_eq!(lines[1]["action"], "block");
    assert_eq!(lines[2]["id"], serde_json::Value::Null);
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"].as_str().unwrap().contains("JSON"));
    assert_eq!(lines[3]["id"], serde_json::json!({"x": [1]}));
    assert_eq!(lines[3]["action"], "allow");
    assert_eq!(lines[3]["categories"], serde_json::json!([]));
    assert_eq!(lines[4]["id"], 5);
    assert_eq!(lines[4]["line"], 5);
    assert_eq!(lines[5]["id"], serde_json::Value::Null);
    assert_eq!(lines[5]["action"], "allow");
}

#[test]
fn batch_invalid_utf8_line_gets_an_error_line() {
    let mut input = b"{\"id\": 1, \"text\": \"ok\"}\n".to_vec();
    input.extend_from_slice(b"{\"id\": 2, \"text\": \"\xff\xfe\"}\n");
    input.extend_from_slice(b"{\"id\": 3, \"text\": \"ok\"}\n");
    let (code, out, _) = oche(&["batch"], &input);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[2]["id"], 3);
}

#[test]
fn url_verdicts() {
    let (code, out, _) = oche(
        &[
            "url",
            "--json",
            "https://a.b.fb88.com/x",
            "https://vnexpress.net/",
            "https://nhacaiuytin.xyz/tai-xiu",
            ":::",
        ],
        b"",
    );
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "https://a.b.fb88.com/x");
    assert_eq!(lines[0]["action"], "block");
    assert!(lines[0]["reasons"][0]["code"]
        .as_str()
        .unwrap()
        .contains("fb88.com"));
    assert_eq!(lines[1]["action"], "allow");
    assert_eq!(lines[2]["action"], "block");
    assert!(lines[3]["error"].is_string());
    let (code, out, _) = oche(&["url", "https://fb88.com"], b"");
    assert_eq!(code, 0);
    assert!(out.contains("\tblock\t"));
}

#[test]
fn usage_errors_exit_2_and_bad_input_exits_1() {
    for args in [
        &["check", "--age", "18+"][..],
        &["nope"],
        &["url"],
        &["check", "--bogus"],
        &[],
        &["batch", "file"],
    ] {
        let (code, _, err) = oche(args, b"");
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("oche:"), "{err}");
    }
    let (code, _, err) = oche(&["check"], b"ok \xff\xfe bad");
    assert_eq!(code, 1);
    assert!(err.contains("not valid UTF-8"), "{err}");
    let (code, _, err) = oche(&["check", "/nonexistent/file"], b"");
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"));
    let (code, out, _) = oche(&["check", "--json"], b"");
    assert_eq!(code, 0);
    assert_eq!(json(&out)["action"], "allow");
}

#[test]
fn pii_prints_findings_with_character_offsets() {
    let text = "Chào, mình tên Nguyễn Văn An, 10 tuổi. Sđt 0912 345 678, học lớp 5A.";
    let (code, out, _) = oche(&["pii"], text.as_bytes());
    assert_eq!(code, 0);
    let v = json(&out);
    let chars: Vec<char> = text.chars().collect();
    let found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let (s, e) = (
                f["start"].as_u64().unwrap() as usize,
                f["end"].as_u64().unwrap() as usize,
            );
            (
                f["kind"].as_str().unwrap().to_string(),
                chars[s..e].iter().collect(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("name-age".to_string(), "Nguyễn Văn An, 10 tuổi".to_string()),
            ("phone".to_string(), "0912 345 678".to_string()),
            ("school".to_string(), "lớp 5A".to_string()),
        ]
    );
}

#[test]
fn pii_reads_a_file_and_reports_nothing_for_prices_and_dates() {
    let dir = std::env::temp_dir().join(format!("oche-pii-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("msg.txt");
    std::fs::write(
        &file,
        "Giá 1.250.000đ, giao ngày 12/03/2024, mã đơn 0912345678.",
    )
    .unwrap();
    let (code, out, _) = oche(&["pii", file.to_str().unwrap()], b"");
    assert_eq!(code, 0);
    assert_eq!(json(&out), serde_json::json!({ "findings": [] }));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn pii_rejects_invalid_utf8_and_extra_arguments() {
    let (code, _, err) = oche(&["pii"], b"0912\xff345678");
    assert_eq!(code, 1);
    assert!(err.contains("UTF-8"), "{err}");
    let (code, _, _) = oche(&["pii", "a", "b"], b"");
    assert_eq!(code, 2);
}
