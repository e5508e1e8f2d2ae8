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
    for cand in [
        "../shared/data",
        "../../shared/data",
        "../../../shared/data",
    ] {
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
    /// News titles that head the SafeSense comments: journalists' formal
    /// text, used by `oche train` as clean examples of news language.
    pub titles: Vec<String>,
    pub name: &'static str,
    pub lang: &'static str,
    pub items: Vec<Item>,
}

pub fn load_datasets(dir: &Path) -> Result<Vec<Dataset>, String> {
    let read = |p: &str| {
        std::fs::read_to_string(dir.join(p)).map_err(|e| format!("{}: {e}", dir.join(p).display()))
    };
    let mut out = Vec::new();
    let rows = read_csv(&read("labelled/safesense-vi.csv")?);
    let mut titles: Vec<String> = rows[1..]
        .iter()
        .filter_map(|r| {
            r.first()?
                .split_once("</s>")
                .map(|x| x.0.trim().to_string())
        })
        .filter(|t| !t.is_empty())
        .collect();
    titles.sort();
    titles.dedup();
    let items: Vec<Item> = rows[1..]
        .iter()
        .filter(|r| r.len() >= 2)
        .map(|r| Item {
            text: r[0]
                .split_once("</s>")
                .map_or(r[0].as_str(), |x| x.1)
                .trim()
                .to_string(),
            harmful: r[1].trim() != "0",
        })
        .collect();
    let (test, train): (Vec<Item>, Vec<Item>) = items.into_iter().partition(|i| held_out(&i.text));
    out.push(Dataset {
        titles,
        name: "safesense-vi",
        lang: "vi",
        items: train,
    });
    out.push(Dataset {
        titles: Vec::new(),
        name: "safesense-hold",
        lang: "vi",
        items: test,
    });
    for (name, file) in [
        ("vihos-train", "labelled/vihos-train.csv"),
        ("vihos-dev", "labelled/vihos-dev.csv"),
    ] {
        let rows = read_csv(&read(file)?);
        out.push(Dataset {
            titles: Vec::new(),
            name,
            lang: "vi",
            items: rows[1..]
                .iter()
                .filter(|r| r.len() >= 3)
                .map(|r| Item {
                    text: r[1].clone(),
                    harmful: r[2].trim() != "[]",
                })
                .collect(),
        });
    }
    let rows = read_csv(&read("labelled/davidson-labeled_data.csv")?);
    out.push(Dataset {
        titles: Vec::new(),
        name: "davidson",
        lang: "en",
        items: rows[1..]
            .iter()
            .filter(|r| r.len() >= 7)
            .map(|r| Item {
                text: r[6].clone(),
                harmful: r[5].trim() != "2",
            })
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
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}", p.display()))?;
        out.push(Page {
            source: v["source"].as_str().unwrap_or("").to_string(),
            text: v["text"].as_str().unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

/// Splits a page into blocks the way the extension does (paragraphs).
pub fn page_blocks(text: &str) -> Vec<&str> {
    text.split('\n')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect()
}

pub fn run(data: Option<&str>) -> ExitCode {
    let dir = data_dir(data);
    let datasets = match load_datasets(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oche eval: {e}\n(point --data or $OCHE_DATA at the shared data folder)");
            return ExitCode::from(1);
        }
    };
    // OCHE_EVAL_SHOW=fp|fn|kids lists, at 6-10, the clean comments flagged,
    // the harmful ones missed, or the children's messages flagged.
    let show = std::env::var("OCHE_EVAL_SHOW").ok();
    println!("Flagged = any action other than allow. Recall on harmful items, false-positive rate (FPR) on clean items.");
    println!("The comment model was trained on safesense-vi and vihos-train (in-sample rows); safesense-hold (a fixed");
    println!("fifth of SafeSense, by hash) and vihos-dev were never trained on: judge the model on those. It also");
    println!("trained on half of the viwiki pages as article text; viwiki-held below is the other half.\n");
    println!(
        "{:<14} {:<4} {:>7} {:>7} | {:>15} {:>15} {:>15} {:>15}",
        "dataset",
        "lang",
        "harmful",
        "clean",
        "0-5 rec/FPR",
        "6-10 rec/FPR",
        "11-14 rec/FPR",
        "15-17 rec/FPR"
    );
    let classifiers: Vec<Classifier> = Age::ALL
        .iter()
        .map(|a| {
            Classifier::with_data(
                &Settings {
                    age: Some(a.id().into()),
                    ..Default::default()
                },
                oche::DomainTable::empty(),
                Some(oche::builtin_model()),
            )
            .expect("defaults build")
        })
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
                        if (mode == "fp" && flagged && !item.harmful)
                            || (mode == "fn" && !flagged && item.harmful)
                        {
                            eprintln!(
                                "[{}] {} || {}",
                                ds.name,
                                item.text.replace('\n', " "),
                                reason_codes(&v)
                            );
                        }
                    }
                }
            }
            cols.push(format!(
                "{:>6.1}% /{:>5.1}%",
                pct(tp, harmful),
                pct(fp, clean)
            ));
        }
        println!(
            "{:<14} {:<4} {:>7} {:>7} | {}",
            ds.name,
            ds.lang,
            harmful,
            clean,
            cols.join(" ")
        );
    }
    // Children's own ordinary chat (`data/eval/kids-chat.tsv`, frozen):
    // every line should stay `allow`.
    let kids = kids_chat();
    if !kids.is_empty() {
        let mut cols = Vec::new();
        for (ai, c) in classifiers.iter().enumerate() {
            let flagged = kids
                .iter()
                .filter(|(id, t)| {
                    let v = c.classify_text(t);
                    let flagged = v.action != "allow";
                    if flagged && ai == 1 && show.as_deref() == Some("kids") {
                        eprintln!("[kids-chat] {id} {t} || {}", reason_codes(&v));
                    }
                    flagged
                })
                .count();
            cols.push(format!("{:>6.1}% ({flagged})", pct(flagged, kids.len())));
        }
        println!(
            "{:<14} {:<4} {:>7} {:>7} | {}   (ordinary children's chat: flagged)",
            "kids-chat",
            "vi",
            0,
            kids.len(),
            cols.join(" ")
        );
    }
    match load_pages(&dir) {
        Ok(pages) => {
            // How the comment model behaves on ordinary text it never saw.
            let model = oche::builtin_model();
            let c = &classifiers[1];
            for src in ["viwiki", "vihos"] {
                let mut ps: Vec<f32> = Vec::new();
                for p in pages.iter().filter(|p| p.source == src) {
                    for b in page_blocks(&p.text) {
                        if b.len() <= oche::classify::MODEL_MAX_BYTES {
                            ps.push(model.predict(&c.normalizer().normalize(b)));
                        }
                    }
                }
                let share = |t: f32| pct(ps.iter().filter(|p| **p >= t).count(), ps.len());
                println!(
                    "\nmodel on {src} short blocks{} (n={}): p>=0.5 {:.1}%, p>=0.7 {:.1}%, p>=0.9 {:.1}%, p>=0.97 {:.1}%",
                    if src == "viwiki" { ", half of them trained on as clean text" } else { "" },
                    ps.len(),
                    share(0.5),
                    share(0.7),
                    share(0.9),
                    share(0.97)
                );
            }
            println!("\nOrdinary pages (bench/pages.jsonl): pages whose verdict is not allow / blocked, per age group");
            let mut sources: Vec<&str> = pages.iter().map(|p| p.source.as_str()).collect();
            sources.sort();
            sources.dedup();
            // The comment model trained on half of the Wikipedia pages: the
            // other half is the fair measure of how it treats articles.
            let mut rows: Vec<(String, Vec<&Page>)> = Vec::new();
            for s in sources {
                rows.push((
                    s.to_string(),
                    pages.iter().filter(|p| p.source == s).collect(),
                ));
                if s == "viwiki" {
                    let held = pages
                        .iter()
                        .filter(|p| p.source == s && page_held_out(&p.text))
                        .collect();
                    rows.push(("viwiki-held".to_string(), held));
                }
            }
            for (s, ps) in rows {
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

/// A verdict's reasons as `code+weight`, for the lists OCHE_EVAL_SHOW asks for.
fn reason_codes(v: &oche::Verdict) -> String {
    let codes: Vec<String> = v
        .reasons
        .iter()
        .map(|r| format!("{}{:+}", r.code, r.weight))
        .collect();
    codes.join(" ")
}

/// The frozen set of ordinary messages children write to each other
/// (`data/eval/kids-chat.tsv`: `id<TAB>text`): (id, text).
pub fn kids_chat() -> Vec<(String, String)> {
    include_str!("../data/eval/kids-chat.tsv")
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(id, t)| (id.to_string(), t.to_string()))
        .collect()
}

/// Whether an ordinary page of the bench corpus is in the held-out half:
/// the comment model trains on the other half of the Wikipedia pages.
pub fn page_held_out(text: &str) -> bool {
    oche::domains::hash(text) % 2 == 1
}

/// Whether a SafeSense item is in the held-out fifth (never trained on).
pub fn held_out(text: &str) -> bool {
    oche::domains::hash(text) % 5 == 0
}

/// `oche train`: trains the Vietnamese offensive-comment model on the
/// SafeSense items outside the held-out fifth and on ViHOS train, reports
/// figures on the held-out SafeSense fifth and ViHOS dev, and writes OUT.
pub fn train(data: Option<&str>, out: &str, c: &Classifier) -> ExitCode {
    let dir = data_dir(data);
    let datasets = match load_datasets(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oche train: {e}");
            return ExitCode::from(1);
        }
    };
    let bits = oche::model::TRAIN_BITS;
    let feats = |t: &str| {
        let mut f = Vec::new();
        oche::model::features(&c.normalizer().normalize(t), bits, &mut f);
        f
    };
    let mut train = Vec::new();
    let mut test: Vec<(&str, Vec<u32>, bool)> = Vec::new();
    for ds in &datasets {
        for t in &ds.titles {
            if !held_out(t) {
                train.push((feats(t), false));
            }
        }
        for item in &ds.items {
            match ds.name {
                "safesense-hold" => {
                    test.push(("safesense-vi holdout", feats(&item.text), item.harmful))
                }
                "safesense-vi" | "vihos-train" => train.push((feats(&item.text), item.harmful)),
                "vihos-dev" => test.push(("vihos-dev", feats(&item.text), item.harmful)),
                _ => {}
            }
        }
    }
    // Article prose as clean examples: half of the Vietnamese Wikipedia
    // pages of the bench corpus (the other half measures it, see `oche
    // eval`). Without them the model, which saw only comments and news
    // titles, read list entries such as `(m. 1975)` as insults.
    let mut articles = 0;
    match load_pages(&dir) {
        Ok(pages) => {
            for p in pages
                .iter()
                .filter(|p| p.source == "viwiki" && !page_held_out(&p.text))
            {
                for b in page_blocks(&p.text) {
                    if b.len() <= oche::classify::MODEL_MAX_BYTES {
                        train.push((feats(b), false));
                        articles += 1;
                    }
                }
            }
        }
        Err(e) => {
            eprintln!("oche train: {e}");
            return ExitCode::from(1);
        }
    }
    // Children's own informal chat as clean examples (written for the
    // project, `data/model/kids-chat-train.tsv`): the comments above use
    // `tao`, `mày`, `thằng`, `bọn` mostly in insults; children use them
    // with every friend.
    let mut kids = 0;
    for line in include_str!("../data/model/kids-chat-train.tsv").lines() {
        if let Some((_, t)) = line.split_once('\t') {
            train.push((feats(t), false));
            kids += 1;
        }
    }
    eprintln!(
        "training on {} comments and titles, {articles} article blocks and {kids} children's messages ({bits} bits)",
        train.len() - articles - kids
    );
    let model = oche::model::Model::train(
        &train,
        bits,
        oche::model::TRAIN_EPOCHS,
        oche::model::COMMENT_LEARNING_RATE,
        oche::model::COMMENT_VERSION,
    );
    for name in ["safesense-vi holdout", "vihos-dev"] {
        let rows: Vec<(f32, bool)> = test
            .iter()
            .filter(|t| t.0 == name)
            .map(|t| (model.predict_features(&t.1), t.2))
            .collect();
        let pos = rows.iter().filter(|r| r.1).count();
        let neg = rows.len() - pos;
        print!("{name:<22} n={:<5}", rows.len());
        for th in [0.5f32, 0.7, 0.8, 0.9, 0.95] {
            let tp = rows.iter().filter(|r| r.1 && r.0 >= th).count();
            let fp = rows.iter().filter(|r| !r.1 && r.0 >= th).count();
            print!(
                " | p>={th}: rec {:.1}% fpr {:.1}%",
                pct(tp, pos),
                pct(fp, neg)
            );
        }
        println!();
    }
    if let Err(e) = std::fs::write(out, model.to_bytes()) {
        eprintln!("oche train: cannot write `{out}`: {e}");
        return ExitCode::from(1);
    }
    eprintln!("wrote {out}");
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
        assert_eq!(
            rows,
            vec![vec!["a", "b"], vec!["x, \"y\"\nz", "2"], vec!["last", "3"]]
        );
    }
}

/// `oche eval-pii [FILE]`: precision and recall of the privacy guard on the
/// frozen labelled set (`data/eval/pii.tsv`). A finding matches a label of
/// the same kind when their spans overlap.
pub fn pii(path: Option<&str>) -> ExitCode {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/data/eval/pii.tsv");
    let path = path.unwrap_or(default);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("oche: cannot read `{path}`: {e}");
            return ExitCode::from(1);
        }
    };
    let kinds = [
        "phone",
        "id-number",
        "email",
        "address",
        "school",
        "name-age",
    ];
    // kind -> (true positives, labels, findings)
    let mut counts = std::collections::BTreeMap::<&str, (usize, usize, usize)>::new();
    let (mut neg_lines, mut neg_fired) = (0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 4 {
            eprintln!("oche: bad line in {path}: {line}");
            return ExitCode::from(1);
        }
        let (id, msg, labels) = (cols[0], cols[2], cols[3]);
        let chars: Vec<char> = msg.chars().collect();
        let mut gold = Vec::new();
        if labels != "-" {
            for item in labels.split(';') {
                let Some((kind, span)) = item.split_once('=') else {
                    continue;
                };
                let Some(byte) = msg.find(span) else { continue };
                let start = msg[..byte].chars().count() as u32;
                gold.push((kind.to_string(), start, start + span.chars().count() as u32));
            }
        }
        let found = oche::pii::find(msg);
        if gold.is_empty() {
            neg_lines += 1;
            if !found.is_empty() {
                neg_fired += 1;
            }
        }
        for k in kinds {
            let g: Vec<_> = gold.iter().filter(|x| x.0 == k).collect();
            let f: Vec<_> = found.iter().filter(|x| x.kind == k).collect();
            let overlap = |a: (u32, u32), b: (u32, u32)| a.0 < b.1 && b.0 < a.1;
            let tp = g
                .iter()
                .filter(|x| f.iter().any(|y| overlap((x.1, x.2), (y.start, y.end))))
                .count();
            let fp: Vec<_> = f
                .iter()
                .filter(|y| !g.iter().any(|x| overlap((x.1, x.2), (y.start, y.end))))
                .collect();
            let e = counts.entry(k).or_default();
            e.0 += tp;
            e.1 += g.len();
            e.2 += f.len();
            for y in fp {
                let s: String = chars[y.start as usize..y.end as usize].iter().collect();
                eprintln!("  false alarm {id} {k}: {s:?}");
            }
            if tp < g.len() {
                eprintln!("  missed {id} {k}: {msg}");
            }
        }
    }
    println!("privacy guard on {path}");
    println!(
        "{:<10} {:>6} {:>9} {:>7}",
        "kind", "labels", "precision", "recall"
    );
    let (mut tp_all, mut g_all, mut f_all) = (0, 0, 0);
    for (k, (tp, g, f)) in &counts {
        // Precision counts findings that overlap a label.
        println!(
            "{k:<10} {g:>6} {:>8.1}% {:>6.1}%",
            pct(*tp.min(f), *f),
            pct(*tp, *g)
        );
        tp_all += tp;
        g_all += g;
        f_all += f;
    }
    println!(
        "{:<10} {g_all:>6} {:>8.1}% {:>6.1}%",
        "all",
        pct(tp_all.min(f_all), f_all),
        pct(tp_all, g_all)
    );
    println!("lines without personal information that raised a finding: {neg_fired}/{neg_lines}");
    ExitCode::SUCCESS
}

/// `oche eval-warnings [--data DIR] [FILE]`: recall of grooming and scam
/// warnings on the frozen labelled messages (`data/eval/warnings.tsv`), their
/// false alarms there, on the clean comments of the shared labelled sets
/// and on the performance corpus (Wikipedia, medicine, fairy tales).
pub fn warnings(data: Option<&str>, file: Option<&str>) -> ExitCode {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/data/eval/warnings.tsv");
    let path = file.unwrap_or(default);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("oche: cannot read `{path}`: {e}");
            return ExitCode::from(1);
        }
    };
    let dir = data_dir(data);
    let datasets = match load_datasets(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oche: {e}");
            return ExitCode::from(1);
        }
    };
    let pages = load_pages(&dir).unwrap_or_default();
    println!("grooming and scam warnings on {path}");
    for age in ["6-10", "11-14", "15-17"] {
        let settings = Settings {
            age: Some(age.to_string()),
            ..Settings::default()
        };
        let c = match Classifier::new(&settings) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("oche: {e}");
                return ExitCode::from(1);
            }
        };
        // label -> (lines, warned with the right label)
        let mut by_label = std::collections::BTreeMap::<&str, (usize, usize)>::new();
        let (mut none_lines, mut none_warned) = (0, 0);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 4 {
                continue;
            }
            let (id, label, msg) = (cols[0], cols[2], cols[3]);
            let alerts = alerts_of(&c, msg);
            if label == "none" {
                none_lines += 1;
                if !alerts.is_empty() {
                    none_warned += 1;
                    if age == "11-14" {
                        eprintln!("  false alarm {id} {alerts:?}: {msg}");
                    }
                }
            } else {
                let e = by_label
                    .entry(if label == "grooming" {
                        "grooming"
                    } else {
                        "scam"
                    })
                    .or_default();
                e.0 += 1;
                if alerts.contains(&label) {
                    e.1 += 1;
                } else if age == "11-14" {
                    eprintln!("  missed {id} {label}: {msg}");
                }
            }
        }
        let (mut clean, mut clean_warned) = (0, 0);
        for d in &datasets {
            for item in d.items.iter().filter(|i| !i.harmful) {
                clean += 1;
                if !alerts_of(&c, &item.text).is_empty() {
                    clean_warned += 1;
                }
            }
        }
        let (mut page_n, mut page_warned, mut blocks_n, mut blocks_warned) = (0, 0, 0, 0);
        for p in &pages {
            if p.source == "vihos" || p.source == "safesense" {
                continue; // comment pages: labelled above, item by item
            }
            page_n += 1;
            let mut any = false;
            for b in page_blocks(&p.text) {
                blocks_n += 1;
                if !alerts_of(&c, b).is_empty() {
                    blocks_warned += 1;
                    any = true;
                }
            }
            page_warned += usize::from(any);
        }
        print!("{age:>6}:");
        for (label, (n, hit)) in &by_label {
            print!("  {label} recall {:.1}% ({hit}/{n})", pct(*hit, *n));
        }
        println!(
            "  false alarms: labelled none {:.1}% ({none_warned}/{none_lines}), clean comments {:.2}% ({clean_warned}/{clean}), corpus pages {page_warned}/{page_n} ({blocks_warned}/{blocks_n} paragraphs)",
            pct(none_warned, none_lines),
            pct(clean_warned, clean)
        );
    }
    ExitCode::SUCCESS
}

/// The warnings the extension would show beside one message.
fn alerts_of(c: &Classifier, text: &str) -> Vec<&'static str> {
    c.classify_page(&[text]).blocks.swap_remove(0).alerts
}

/// Domains of one list file (one per line; `#` comments).
fn read_domains(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| {
            l.split('#')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .next()
                .unwrap_or("")
        })
        .filter(|d| !d.is_empty())
        .map(|d| d.to_ascii_lowercase())
        .collect())
}

struct NameData {
    /// (category, domain) for every listed harmful domain.
    harmful: Vec<(oche::Category, String)>,
    /// (source, domain) for ordinary sites.
    benign: Vec<(&'static str, String)>,
    /// Lists that must never be flagged (UT1 `child`, `sexual_education`).
    never: Vec<String>,
}

fn name_data(data: Option<&str>) -> Result<NameData, String> {
    let lists = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/domains");
    let mut harmful = Vec::new();
    for c in [oche::Category::Gambling, oche::Category::Sexual] {
        for e in std::fs::read_dir(&lists)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with(&format!("{}.", c.id())) && name.ends_with(".txt") {
                for d in read_domains(&e.path())? {
                    harmful.push((c, d));
                }
            }
        }
    }
    harmful.sort();
    harmful.dedup();
    let dir = data_dir(data);
    let mut benign = Vec::new();
    let ut1 = std::fs::read_to_string(dir.join("domains/ut1-benign.tsv"))
        .map_err(|e| format!("ut1-benign.tsv: {e}"))?;
    for line in ut1.lines() {
        if let Some(d) = line.split('\t').next().filter(|d| !d.is_empty()) {
            benign.push(("ut1-benign", d.to_ascii_lowercase()));
        }
    }
    for d in
        read_domains(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/benign/vi-domains.txt"))?
    {
        benign.push(("vi-benign", d));
    }
    let mut never = read_domains(&dir.join("domains/ut1-child.txt"))?;
    never.extend(read_domains(&dir.join("domains/ut1-sexual_education.txt"))?);
    Ok(NameData {
        harmful,
        benign,
        never,
    })
}

/// The share of benign training names a category's threshold may flag.
const NAME_TARGET_FPR: f64 = 0.002;

/// `oche train-names OUT`: trains the gambling and adult name models on the
/// lists without the fifth `held_out(domain)` keeps for `oche eval-names`;
/// a further fifth of the rest sets each threshold so that at most 0.2 % of
/// those benign names pass it. Writes OUT.
pub fn train_names(data: Option<&str>, out: &str) -> ExitCode {
    let d = match name_data(data) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oche train-names: {e}");
            return ExitCode::from(1);
        }
    };
    let bits = oche::names::BITS;
    let feats = |host: &str| {
        let mut f = Vec::new();
        oche::names::features(host, bits, &mut f);
        f
    };
    // Names not held out are split again: most train the model, the rest
    // (a different hash) set the threshold — a model scores the names it
    // was trained on too low, so a threshold set on them flags far more
    // unseen benign names than it should.
    let calibration = |h: &str| held_out(&format!("calibrate:{h}"));
    let benign_train: Vec<Vec<u32>> = d
        .benign
        .iter()
        .filter(|(_, h)| !held_out(h) && !calibration(h))
        .map(|(_, h)| feats(h))
        .chain(d.never.iter().map(|h| feats(h)))
        .collect();
    let benign_cal: Vec<Vec<u32>> = d
        .benign
        .iter()
        .filter(|(_, h)| !held_out(h) && calibration(h))
        .map(|(_, h)| feats(h))
        .collect();
    let mut models = oche::names::NameModels::default();
    for c in [oche::Category::Gambling, oche::Category::Sexual] {
        let mut examples: Vec<(Vec<u32>, bool)> = d
            .harmful
            .iter()
            .filter(|(k, h)| *k == c && !held_out(h) && !calibration(h))
            .map(|(_, h)| (feats(h), true))
            .collect();
        let pos = examples.len();
        examples.extend(benign_train.iter().map(|f| (f.clone(), false)));
        let model = oche::model::Model::train(
            &examples,
            bits,
            oche::model::TRAIN_EPOCHS,
            oche::model::NAME_LEARNING_RATE,
            oche::model::PLAIN_VERSION,
        );
        let mut scores: Vec<f32> = benign_cal
            .iter()
            .map(|f| model.predict_features(f))
            .collect();
        scores.sort_by(|a, b| b.total_cmp(a));
        let k = (scores.len() as f64 * NAME_TARGET_FPR) as usize;
        let threshold = scores.get(k).copied().unwrap_or(0.5).max(0.5) + 1e-6;
        eprintln!(
            "{}: {pos} listed names, {} benign; threshold p >= {threshold:.4}",
            c.id(),
            benign_train.len()
        );
        models.models.push(oche::names::NameModel {
            category: c,
            threshold,
            model,
        });
    }
    if let Err(e) = std::fs::write(out, models.to_bytes()) {
        eprintln!("oche train-names: cannot write `{out}`: {e}");
        return ExitCode::from(1);
    }
    eprintln!("wrote {out}");
    ExitCode::SUCCESS
}

/// `oche eval-names`: name-only recall on the held-out fifth of the listed
/// gambling and adult domains, and the share of held-out benign names
/// flagged, with the shipped models.
pub fn eval_names(data: Option<&str>) -> ExitCode {
    let d = match name_data(data) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oche eval-names: {e}");
            return ExitCode::from(1);
        }
    };
    let models = oche::builtin_names();
    println!("new-domain detection by name alone (held-out fifth of each list)");
    for c in [oche::Category::Gambling, oche::Category::Sexual] {
        let test: Vec<&String> = d
            .harmful
            .iter()
            .filter(|(k, h)| *k == c && held_out(h))
            .map(|(_, h)| h)
            .collect();
        let hit = test
            .iter()
            .filter(|h| models.classify(h).iter().any(|(k, _)| *k == c))
            .count();
        println!(
            "  {:<9} recall {:>5.1}% ({hit}/{})",
            c.id(),
            pct(hit, test.len()),
            test.len()
        );
    }
    let both: Vec<&String> = d
        .harmful
        .iter()
        .filter(|(_, h)| held_out(h))
        .map(|(_, h)| h)
        .collect();
    let any = both
        .iter()
        .filter(|h| !models.classify(h).is_empty())
        .count();
    println!(
        "  {:<9} recall {:>5.1}% ({any}/{})",
        "either",
        pct(any, both.len()),
        both.len()
    );
    for source in ["ut1-benign", "vi-benign"] {
        let test: Vec<&String> = d
            .benign
            .iter()
            .filter(|(s, h)| *s == source && held_out(h))
            .map(|(_, h)| h)
            .collect();
        let flagged: Vec<&&String> = test
            .iter()
            .filter(|h| !models.classify(h).is_empty())
            .collect();
        println!(
            "  benign {source:<10} flagged {:>5.2}% ({}/{}) e.g. {:?}",
            pct(flagged.len(), test.len()),
            flagged.len(),
            test.len(),
            flagged.iter().take(5).collect::<Vec<_>>()
        );
    }
    let never_flagged: Vec<&String> = d
        .never
        .iter()
        .filter(|h| !models.classify(h).is_empty())
        .collect();
    println!(
        "  child and sex-education lists flagged: {} of {} {:?}",
        never_flagged.len(),
        d.never.len(),
        never_flagged
    );
    ExitCode::SUCCESS
}
