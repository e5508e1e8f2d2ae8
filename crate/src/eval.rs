//! `oche eval`: recall and false-positive rate on the labelled sets, per
//! age group, and false alarms on the ordinary pages of the bench corpus.
//!
//! "Flagged" means any action other than `allow`. Datasets (in `--data DIR`,
//! default `../shared/data`, or `$OCHE_DATA`):
//!
//! * `labelled/safesense-vi.csv` — Vietnamese comments under news titles;
//!   label 0 clean, 1 offensive, 2 hate. Only the comment (after `</s>`) is
//!   classified: the title is the news item, not what the commenter wrote.
//! * `labelled/vihos-train.csv`, `vihos-dev.csv` — Vietnamese comments;
//!   harmful when annotators marked a span.
//! * `labelled/davidson-labeled_data.csv` — English tweets; class 0 hate,
//!   1 offensive, 2 neither.
//! * `bench/pages.jsonl` — ordinary pages (viwiki, medquad, grimm) and
//!   comment pages (vihos, safesense).

use oche::{Age, Classifier, Settings};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn data_dir(arg: Option<&str>) -> PathBuf {
    if let Some(a) = arg {
        return PathBuf::from(a);
    }
    if let Ok(d) = std::env::var("OCHE_DATA") {
        return PathBuf::from(d);
    }
    for cand in ["../shared/data", "../../shared/data", "../../../shared/data"] {
        if Path::new(cand).join("labelled").is_dir() {
            return PathBuf::from(cand);
        }
    }
    PathBuf::from("../shared/data")
}

/// A small RFC 4180 reader: quoted fields may hold commas, quotes (`""`)
/// and line breaks. Returns rows of fields, header included.
pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            '\r' => {}
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// One labelled item.
pub struct Item {
    pub text: String,
    pub harmful: bool,
}

pub struct Dataset {
    pub name: &'static str,
    pub lang: &'static str,
    pub items: Vec<Item>,
}

pub fn load_datasets(dir: &Path) -> Result<Vec<Dataset>, String> {
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).map_err(|e| format!("{}: {e}", dir.join(p).display()));
    let mut out = Vec::new();
    let rows = read_csv(&read("labelled/safesense-vi.csv")?);
    out.push(Dataset {
        name: "safesense-vi",
        lang: "vi",
        items: rows[1..]
            .iter()
            .filter(|r| r.len() >= 2)
            .map(|r| Item {
                text: r[0].split_once("</s>").map_or(r[0].as_str(), |x| x.1).trim().to_string(),
                harmful: r[1].trim() != "0",
            })
            .collect(),
    });
    for (name, file) in [("vihos-train", "labelled/vihos-train.csv"), ("vihos-dev", "labelled/vihos-dev.csv")] {
        let rows = read_csv(&read(file)?);
        out.push(Dataset {
            name,
            lang: "vi",
            items: rows[1..]
                .iter()
                .filter(|r| r.len() >= 3)
                .map(|r| Item { text: r[1].clone(), harmful: r[2].trim() != "[]" })
                .collect(),
        });
    }
    let rows = read_csv(&read("labelled/davidson-labeled_data.csv")?);
    out.push(Dataset {
        name: "davidson",
        lang: "en",
        items: rows[1..]
            .iter()
            .filter(|r| r.len() >= 7)
            .map(|r| Item { text: r[6].clone(), harmful: r[5].trim() != "2" })
            .collect(),
    });
    Ok(out)
}

pub struct Page {
    pub source: String,
    pub text: String,
}

pub fn load_pages(dir: &Path) -> Result<Vec<Page>, String> {
    let p = dir.join("bench/pages.jsonl");
    let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{}: {e}", p.display()))?;
        out.push(Page {
            source: v["source"].as_str().unwrap_or("").to_string(),
            text: v["text"].as_str().unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

/// Splits a page into blocks the way the extension does (paragraphs).
pub fn page_blocks(text: &str) -> Vec<&str> {
    text.split('\n').map(str::trim).filter(|b| !b.is_empty()).collect()
}

pub fn run(data: Option<&str>, _default: &Classifier) -> ExitCode {
    let dir = data_dir(data);
    let datasets = match load_datasets(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oche eval: {e}\n(point --data or $OCHE_DATA at the shared data folder)");
            return ExitCode::from(1);
        }
    };
    let show = std::env::var("OCHE_EVAL_SHOW").ok();
    println!("Flagged = any action other than allow. Recall on harmful items, false-positive rate (FPR) on clean items.\n");
    println!("{:<14} {:<4} {:>7} {:>7} | {:>15} {:>15} {:>15} {:>15}", "dataset", "lang", "harmful", "clean", "0-5 rec/FPR", "6-10 rec/FPR", "11-14 rec/FPR", "15-17 rec/FPR");
    let classifiers: Vec<Classifier> = Age::ALL
        .iter()
        .map(|a| Classifier::with_domains(&Settings { age: Some(a.id().into()), ..Default::default() }, oche::DomainTable::empty()).expect("defaults build"))
        .collect();
    for ds in &datasets {
        let harmful = ds.items.iter().filter(|i| i.harmful).count();
        let clean = ds.items.len() - harmful;
        let mut cols = Vec::new();
        for (ai, c) in classifiers.iter().enumerate() {
            let (mut tp, mut fp) = (0usize, 0usize);
            for item in &ds.items {
                let v = c.classify_text(&item.text);
                let flagged = v.action != "allow";
                if flagged && item.harmful {
                    tp += 1;
                } else if flagged {
                    fp += 1;
                }
                if ai == 1 {
                    if let Some(mode) = &show {
                        if (mode == "fp" && flagged && !item.harmful) || (mode == "fn" && !flagged && item.harmful) {
                            let codes: Vec<String> = v.reasons.iter().map(|r| format!("{}{:+}", r.code, r.weight)).collect();
                            eprintln!("[{}] {} || {}", ds.name, item.text.replace('\n', " "), codes.join(" "));
                        }
                    }
                }
            }
            cols.push(format!("{:>6.1}% /{:>5.1}%", pct(tp, harmful), pct(fp, clean)));
        }
        println!("{:<14} {:<4} {:>7} {:>7} | {}", ds.name, ds.lang, harmful, clean, cols.join(" "));
    }
    match load_pages(&dir) {
        Ok(pages) => {
            println!("\nOrdinary pages (bench/pages.jsonl): pages whose verdict is not allow / blocked, per age group");
            let mut sources: Vec<&str> = pages.iter().map(|p| p.source.as_str()).collect();
            sources.sort();
            sources.dedup();
            for s in sources {
                let ps: Vec<&Page> = pages.iter().filter(|p| p.source == s).collect();
                let mut cols = Vec::new();
                for c in &classifiers {
                    let (mut flagged, mut blocked) = (0, 0);
                    for p in &ps {
                        let v = c.classify_page(&page_blocks(&p.text));
                        flagged += (v.page.action != "allow") as usize;
                        blocked += (v.page.action == "block") as usize;
                    }
                    cols.push(format!("{flagged:>4} / {blocked:<4}"));
                }
                println!("{:<10} {:>4} pages | {}", s, ps.len(), cols.join("   "));
            }
        }
        Err(e) => eprintln!("oche eval: skipping pages: {e}"),
    }
    ExitCode::SUCCESS
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::read_csv;

    #[test]
    fn csv_quotes_commas_and_newlines() {
        let rows = read_csv("\u{FEFF}a,b\n\"x, \"\"y\"\"\nz\",2\r\nlast,3");
        assert_eq!(rows, vec![vec!["a", "b"], vec!["x, \"y\"\nz", "2"], vec!["last", "3"]]);
    }
}
