//! `oche` — the command-line face of the Ô Che classifier.
//!
//! The `check`, `batch`, `url` and `pii` contract is a public interface that
//! schools and other checks rely on: extend it, never break it.

use oche::{Classifier, PageVerdict, Settings, Verdict};
use serde::Serialize;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::process::ExitCode;

mod eval;

/// Inputs larger than this are refused with a clear error (memory bound).
const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

const USAGE: &str = "\
oche — Ô Che child-safety classifier

USAGE:
  oche check [--age AGE] [--json] [--settings FILE] [FILE]
      Classify one document (FILE or stdin; blocks split at blank lines).
  oche batch [--age AGE] [--settings FILE]
      Read JSON Lines {\"id\": ..., \"text\": ...} or {\"id\": ..., \"url\": ...}
      on stdin; write one verdict line per input, in order.
  oche url [--age AGE] [--json] [--settings FILE] URL...
      A verdict per URL.
  oche pii [FILE]
      Personal information in FILE or stdin: {\"findings\": [{\"kind\":
      \"phone|id-number|email|address|school|name-age\", \"start\": n, \"end\": n}]}
      (offsets in characters of the input, end exclusive).
  oche eval-pii [FILE] | oche eval-warnings [--data DIR] [FILE]
      Privacy guard and grooming/scam warnings on the frozen labelled sets.
  oche eval [--data DIR]
      Recall and false-positive rate on the labelled sets, per age group.
  oche train [--data DIR] OUT
      Train the Vietnamese offensive-comment model (reproducible) into OUT.
  oche train-names [--data DIR] OUT | oche eval-names [--data DIR]
      Train / measure the new-domain name models (held-out fifth of each list).
  oche compile-domains DIR OUT
      Compile the domain lists in DIR (category.source.txt) into a table file.
  oche dnr-rules DIR OUTDIR
      Write one declarativeNetRequest ruleset per category (OUTDIR/CATEGORY.json).

AGE is 0-5, 6-10, 11-14 or 15-17 (default 6-10). --settings reads a JSON
settings object (age, actions, extraLexicon, extraDomains, allowDomains,
blockDomains). Exit codes: 0 input read (whatever the verdicts), 1 unreadable
input, 2 bad usage.";

struct Opts {
    age: Option<String>,
    json: bool,
    settings: Option<String>,
    data: Option<String>,
    args: Vec<String>,
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("oche: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn parse_opts(args: &[String], allow_json: bool) -> Result<Opts, String> {
    let mut o = Opts {
        age: None,
        json: false,
        settings: None,
        data: None,
        args: Vec::new(),
    };
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let value = |i: &mut usize| -> Result<String, String> {
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--age" => o.age = Some(value(&mut i)?),
            "--settings" => o.settings = Some(value(&mut i)?),
            "--data" => o.data = Some(value(&mut i)?),
            "--json" if allow_json => o.json = true,
            "--" => {
                o.args.extend(args[i + 1..].iter().cloned());
                break;
            }
            s if s.starts_with("--age=") => o.age = Some(s[6..].to_string()),
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option `{s}`")),
            _ => o.args.push(a.clone()),
        }
        i += 1;
    }
    if let Some(age) = &o.age {
        if oche::Age::from_id(age).is_none() {
            return Err(format!(
                "unknown age group `{age}` (expected 0-5, 6-10, 11-14 or 15-17)"
            ));
        }
    }
    Ok(o)
}

/// Builds the classifier, or says why not. Settings errors are usage errors.
fn classifier(o: &Opts) -> Result<Classifier, ExitCode> {
    let mut settings = match &o.settings {
        None => Settings::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage_error(&format!("cannot read settings `{path}`: {e}")))?;
            serde_json::from_str(&text)
                .map_err(|e| usage_error(&format!("settings `{path}`: {e}")))?
        }
    };
    if o.age.is_some() {
        settings.age = o.age.clone();
    }
    Classifier::with_data(
        &settings,
        oche::builtin_domains(),
        Some(oche::builtin_model()),
    )
    .map(|c| c.with_names(oche::builtin_names()))
    .map_err(|e| {
        eprintln!("oche: {e}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        return usage_error("no command given");
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "check" => run(rest, true, check),
        "batch" => run(rest, false, batch),
        "url" => run(rest, true, url),
        "eval" => run(rest, false, |o, _| eval::run(o.data.as_deref())),
        // Training needs only the normaliser: not the shipped model, which
        // may be the very file being replaced (or one of an older version).
        "train" => match parse_opts(rest, false) {
            Ok(o) => match (o.args.as_slice(), Classifier::new(&Settings::default())) {
                ([out], Ok(c)) => eval::train(o.data.as_deref(), out, &c),
                (_, Err(e)) => {
                    eprintln!("oche: {e}");
                    ExitCode::from(2)
                }
                _ => usage_error("train needs OUT (the model file to write)"),
            },
            Err(e) => usage_error(&e),
        },
        "pii" => pii(rest),
        "eval-pii" => eval::pii(rest.first().map(String::as_str)),
        "eval-warnings" => match parse_opts(rest, false) {
            Ok(o) => eval::warnings(o.data.as_deref(), o.args.first().map(String::as_str)),
            Err(e) => usage_error(&e),
        },
        "train-names" => match parse_opts(rest, false) {
            Ok(o) => match o.args.as_slice() {
                [out] => eval::train_names(o.data.as_deref(), out),
                _ => usage_error("train-names needs OUT (the model file to write)"),
            },
            Err(e) => usage_error(&e),
        },
        "eval-names" => match parse_opts(rest, false) {
            Ok(o) => eval::eval_names(o.data.as_deref()),
            Err(e) => usage_error(&e),
        },
        "compile-domains" => compile_domains(rest),
        "dnr-rules" => dnr_rules(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "-V" | "--version" => {
            println!("oche {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        other => usage_error(&format!("unknown command `{other}`")),
    }
}

fn run(
    rest: &[String],
    allow_json: bool,
    f: impl FnOnce(&Opts, Classifier) -> ExitCode,
) -> ExitCode {
    let o = match parse_opts(rest, allow_json) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    match classifier(&o) {
        Ok(c) => f(&o, c),
        Err(code) => code,
    }
}

/// Reads FILE or stdin, bounded, as UTF-8.
fn read_input(path: Option<&str>) -> Result<String, String> {
    let mut bytes = Vec::new();
    let (name, res) = match path {
        None | Some("-") => (
            "stdin".to_string(),
            io::stdin()
                .lock()
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut bytes),
        ),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => (
                p.to_string(),
                f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes),
            ),
            Err(e) => return Err(format!("cannot read `{p}`: {e}")),
        },
    };
    res.map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{name} is larger than {} MiB; split it",
            MAX_INPUT_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name} is not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// `oche pii [FILE]`: the privacy guard's findings as one JSON object.
fn pii(rest: &[String]) -> ExitCode {
    let path = match rest {
        [] => None,
        [p] if !p.starts_with("--") || p == "-" => Some(p.as_str()),
        _ => return usage_error("pii takes at most one FILE"),
    };
    let text = match read_input(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("oche: {e}");
            return ExitCode::from(1);
        }
    };
    #[derive(Serialize)]
    struct Out {
        findings: Vec<oche::pii::Finding>,
    }
    let out = Out {
        findings: oche::pii::find(&text),
    };
    println!(
        "{}",
        serde_json::to_string(&out).expect("findings serialise")
    );
    ExitCode::SUCCESS
}

/// Splits a document into blocks at blank lines: (start char, end char, text).
pub fn split_blocks(doc: &str) -> Vec<(u32, u32, &str)> {
    let mut blocks = Vec::new();
    let mut pos_chars = 0u32;
    let mut cur: Option<(usize, u32)> = None; // (byte start, char start)
    let mut last_end: (usize, u32) = (0, 0); // end of the last non-blank line
    let mut byte = 0usize;
    for line in doc.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let n_chars = line.chars().count() as u32;
        if content.trim().is_empty() {
            if let Some((bs, cs)) = cur.take() {
                blocks.push((cs, last_end.1, &doc[bs..last_end.0]));
            }
        } else {
            if cur.is_none() {
                cur = Some((byte, pos_chars));
            }
            last_end = (
                byte + content.len(),
                pos_chars + content.chars().count() as u32,
            );
        }
        byte += line.len();
        pos_chars += n_chars;
    }
    if let Some((bs, cs)) = cur {
        blocks.push((cs, last_end.1, &doc[bs..last_end.0]));
    }
    blocks
}

#[derive(Serialize)]
struct CheckBlock<'a> {
    start: u32,
    end: u32,
    action: &'a str,
    categories: &'a [oche::CategoryScore],
    spans: Vec<oche::Span>,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    #[serde(flatten)]
    page: &'a Verdict,
    blocks: Vec<CheckBlock<'a>>,
}

fn check(o: &Opts, c: Classifier) -> ExitCode {
    if o.args.len() > 1 {
        return usage_error("check takes at most one FILE");
    }
    let doc = match read_input(o.args.first().map(String::as_str)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oche: {e}");
            return ExitCode::from(1);
        }
    };
    let blocks = split_blocks(&doc);
    let texts: Vec<&str> = blocks.iter().map(|b| b.2).collect();
    let v: PageVerdict = c.classify_page(&texts);
    let shifted: Vec<CheckBlock> = blocks
        .iter()
        .zip(&v.blocks)
        .map(|(b, bv)| CheckBlock {
            start: b.0,
            end: b.1,
            action: bv.action,
            categories: &bv.categories,
            spans: bv
                .spans
                .iter()
                .map(|s| oche::Span {
                    start: s.start + b.0,
                    end: s.end + b.0,
                })
                .collect(),
        })
        .collect();
    let mut out = BufWriter::new(io::stdout().lock());
    if o.json {
        let _ = serde_json::to_writer(
            &mut out,
            &CheckJson {
                page: &v.page,
                blocks: shifted,
            },
        );
        let _ = writeln!(out);
    } else {
        let _ = writeln!(out, "{} (age {})", v.page.action, c.age());
        if !v.page.categories.is_empty() {
            let cats: Vec<String> = v
                .page
                .categories
                .iter()
                .map(|c| format!("{} {}", c.id, c.score))
                .collect();
            let _ = writeln!(out, "categories: {}", cats.join(", "));
        }
        for r in &v.page.reasons {
            let _ = writeln!(out, "  {:+5}  {:<10} {}", r.weight, r.category, r.code);
        }
        for b in shifted.iter().filter(|b| b.action != "allow") {
            let spans: Vec<String> = b
                .spans
                .iter()
                .map(|s| format!("{}..{}", s.start, s.end))
                .collect();
            let _ = writeln!(
                out,
                "block {}..{}: {} [{}]",
                b.start,
                b.end,
                b.action,
                spans.join(" ")
            );
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

#[derive(Serialize)]
struct BatchLine<'a> {
    id: &'a serde_json::Value,
    #[serde(flatten)]
    verdict: &'a Verdict,
}

#[derive(Serialize)]
struct BatchError<'a> {
    id: &'a serde_json::Value,
    line: usize,
    error: String,
}

fn batch(o: &Opts, c: Classifier) -> ExitCode {
    if !o.args.is_empty() {
        return usage_error("batch reads stdin and takes no file argument");
    }
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let null = serde_json::Value::Null;
    loop {
        buf.clear();
        match input
            .by_ref()
            .take(MAX_INPUT_BYTES)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("oche: cannot read stdin: {e}");
                let _ = out.flush();
                return ExitCode::from(1);
            }
        }
        line_no += 1;
        let line = match std::str::from_utf8(&buf) {
            Ok(s) => s.trim(),
            Err(e) => {
                let err = BatchError {
                    id: &null,
                    line: line_no,
                    error: format!("line is not valid UTF-8 (byte {})", e.valid_up_to()),
                };
                let _ = serde_json::to_writer(&mut out, &err);
                let _ = writeln!(out);
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        let result = batch_line(&c, line);
        let ok = match &result {
            Ok((id, v)) => serde_json::to_writer(&mut out, &BatchLine { id, verdict: v }),
            Err((id, e)) => serde_json::to_writer(
                &mut out,
                &BatchError {
                    id: id.as_ref().unwrap_or(&null),
                    line: line_no,
                    error: e.clone(),
                },
            ),
        };
        if ok.is_err() || writeln!(out).is_err() {
            return ExitCode::SUCCESS; // stdout closed (e.g. `| head`): stop quietly
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

type LineResult = Result<(serde_json::Value, Verdict), (Option<serde_json::Value>, String)>;

fn batch_line(c: &Classifier, line: &str) -> LineResult {
    let mut v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| (None, format!("invalid JSON: {e}")))?;
    let Some(obj) = v.as_object_mut() else {
        return Err((None, "expected a JSON object".into()));
    };
    let id = obj.remove("id").unwrap_or(serde_json::Value::Null);
    match (obj.get("text"), obj.get("url")) {
        (Some(serde_json::Value::String(t)), None) => Ok((id, c.classify_text(t))),
        (None, Some(serde_json::Value::String(u))) => match c.classify_url(u) {
            Ok(v) => Ok((id, v)),
            Err(e) => Err((Some(id), e)),
        },
        (Some(_), Some(_)) => Err((Some(id), "give either \"text\" or \"url\", not both".into())),
        (Some(_), None) => Err((Some(id), "\"text\" must be a string".into())),
        (None, Some(_)) => Err((Some(id), "\"url\" must be a string".into())),
        (None, None) => Err((Some(id), "missing \"text\" or \"url\"".into())),
    }
}

fn url(o: &Opts, c: Classifier) -> ExitCode {
    if o.args.is_empty() {
        return usage_error("url needs at least one URL");
    }
    let mut out = BufWriter::new(io::stdout().lock());
    for u in &o.args {
        let id = serde_json::Value::String(u.clone());
        match c.classify_url(u) {
            Ok(v) if o.json => {
                let _ = serde_json::to_writer(
                    &mut out,
                    &BatchLine {
                        id: &id,
                        verdict: &v,
                    },
                );
                let _ = writeln!(out);
            }
            Ok(v) => {
                let cats: Vec<String> = v
                    .categories
                    .iter()
                    .map(|c| format!("{} {}", c.id, c.score))
                    .collect();
                let _ = writeln!(out, "{u}\t{}\t{}", v.action, cats.join(", "));
            }
            Err(e) if o.json => {
                let _ = serde_json::to_writer(&mut out, &serde_json::json!({"id": u, "error": e}));
                let _ = writeln!(out);
            }
            Err(e) => {
                let _ = writeln!(out, "{u}\terror\t{e}");
            }
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

fn compile_domains(rest: &[String]) -> ExitCode {
    let [dir, out] = rest else {
        return usage_error("compile-domains needs DIR and OUT");
    };
    match oche::domains::compile_dir(std::path::Path::new(dir)) {
        Ok((bytes, n)) => match std::fs::write(out, &bytes) {
            Ok(()) => {
                eprintln!("{out}: {n} domains, {} bytes", bytes.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("oche: cannot write `{out}`: {e}");
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("oche: {e}");
            ExitCode::from(1)
        }
    }
}

/// Domains per declarativeNetRequest rule. Chrome documents no limit on
/// `requestDomains`; smaller rules keep each one cheap to parse and let a
/// ruleset load even where a browser caps a rule's size.
const DNR_DOMAINS_PER_RULE: usize = 5000;

fn dnr_rules(rest: &[String]) -> ExitCode {
    let [dir, outdir] = rest else {
        return usage_error("dnr-rules needs DIR and OUTDIR");
    };
    let entries = match oche::domains::read_dir_lists(std::path::Path::new(dir)) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("oche: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::create_dir_all(outdir) {
        eprintln!("oche: cannot create `{outdir}`: {e}");
        return ExitCode::from(1);
    }
    for c in oche::Category::ALL {
        let bit = 1u16 << c.index();
        let mut domains: Vec<&str> = entries
            .iter()
            .filter(|e| e.1 & bit != 0)
            .map(|e| e.0.as_str())
            .collect();
        if domains.is_empty() {
            continue;
        }
        domains.sort_unstable();
        domains.dedup();
        let mut rules = Vec::new();
        for chunk in domains.chunks(DNR_DOMAINS_PER_RULE) {
            // Top-level pages go to the blocked page; frames are blocked
            // outright (the blocked page refuses to run inside a frame).
            rules.push(serde_json::json!({
                "id": rules.len() + 1, "priority": 1,
                "action": {"type": "redirect", "redirect": {"extensionPath": "/blocked.html"}},
                "condition": {"requestDomains": chunk, "resourceTypes": ["main_frame"]}
            }));
            rules.push(serde_json::json!({
                "id": rules.len() + 1, "priority": 1,
                "action": {"type": "block"},
                "condition": {"requestDomains": chunk, "resourceTypes": ["sub_frame"]}
            }));
        }
        let path = std::path::Path::new(outdir).join(format!("{}.json", c.id()));
        if let Err(e) = std::fs::write(&path, serde_json::to_vec(&rules).unwrap()) {
            eprintln!("oche: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        eprintln!(
            "{}: {} domains in {} rules",
            path.display(),
            domains.len(),
            rules.len()
        );
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::split_blocks;

    #[test]
    fn blocks_split_at_blank_lines_with_char_offsets() {
        let doc = "Xin chào\nbạn\n\n  \nĐoạn hai\r\n\nba";
        let b = split_blocks(doc);
        let chars: Vec<char> = doc.chars().collect();
        let texts: Vec<String> = b
            .iter()
            .map(|(s, e, _)| chars[*s as usize..*e as usize].iter().collect())
            .collect();
        assert_eq!(texts, ["Xin chào\nbạn", "Đoạn hai", "ba"]);
        assert_eq!(
            b.iter().map(|x| x.2).collect::<Vec<_>>(),
            ["Xin chào\nbạn", "Đoạn hai", "ba"]
        );
        assert!(split_blocks("").is_empty());
        assert!(split_blocks("\n\n \n").is_empty());
    }
}
