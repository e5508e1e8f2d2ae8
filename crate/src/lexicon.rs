//! Parsing the lexicon format (see `data/README.md`) into entries.
//!
//! ```text
//! [sexual grooming]        section: the categories of the entries below
//! 80   địt @exact          WEIGHT PHRASE [@flags]
//! 40   *porn*              substring; `porn*` prefix; `*fucker` suffix
//! 50   ảnh nóng & gửi      combination: every part within a window of words
//! -40  giáo dục giới tính  negative weight: protective context
//! !    chích ngừa          exception: harmful matches inside it are ignored
//! ```

use crate::category::Category;
use crate::normalize::{strip_comment, Normalizer};

/// Default window of a combination, in words.
pub const DEFAULT_WINDOW: u32 = 12;

/// How a pattern is anchored to word boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Whole words (`nhà cái`).
    Words,
    /// Start of a word (`porn*`).
    Prefix,
    /// End of a word (`*fucker`).
    Suffix,
    /// Anywhere, even inside a word (`*porn*`).
    Substring,
}

/// One part of an entry, ready for the automata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// Needle for the exact view, with the spaces that anchor it.
    pub exact: String,
    /// Needle for the folded view; `None` when the phrase has no marks (the
    /// exact needle already covers it) or the entry is `@exact`.
    pub folded: Option<String>,
    pub form: Form,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Scores when all parts (one for a plain phrase) occur within `window`
    /// words. Each part is one or more alternative patterns (`{a|b}`).
    Phrase {
        parts: Vec<Vec<Pattern>>,
        window: u32,
    },
    /// Harmful matches lying inside one of these patterns' match are ignored.
    Exception(Vec<Pattern>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Bit `c.index()` set for each category the entry counts towards.
    pub categories: u16,
    pub weight: i32,
    pub kind: Kind,
    /// Where the entry came from (`vi/profanity`, `policy`…), for reasons.
    pub source: String,
    /// The phrase as written, for reason codes a parent can read.
    pub phrase: String,
}

impl Entry {
    pub fn categories(&self) -> impl Iterator<Item = Category> + '_ {
        Category::ALL
            .into_iter()
            .filter(move |c| self.categories & (1 << c.index()) != 0)
    }

    /// The reason code a parent reads: `source:phrase`. A long grouped line
    /// (`{a|b|…}`) is cut to its first 80 characters.
    pub fn code(&self) -> String {
        const MAX: usize = 80;
        match self.phrase.char_indices().nth(MAX) {
            Some((i, _)) => format!("{}:{}…", self.source, &self.phrase[..i]),
            None => format!("{}:{}", self.source, self.phrase),
        }
    }
}

/// A parse error with its line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub source: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}: {}", self.source, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses one lexicon file. `default_categories` applies before the first
/// section header (a file named after its category needs no header).
pub fn parse(
    source: &str,
    text: &str,
    default_categories: u16,
    normalizer: &Normalizer,
) -> Result<Vec<Entry>, ParseError> {
    let mut entries = Vec::new();
    let mut categories = default_categories;
    for (n, raw_line) in text.lines().enumerate() {
        let err = |message: String| ParseError {
            source: source.to_string(),
            line: n + 1,
            message,
        };
        let line = strip_comment(raw_line).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let inner = rest
                .strip_suffix(']')
                .ok_or_else(|| err("section header must end with `]`".into()))?;
            categories = 0;
            for id in inner.split_whitespace() {
                let c =
                    Category::from_id(id).ok_or_else(|| err(format!("unknown category `{id}`")))?;
                categories |= 1 << c.index();
            }
            if categories == 0 {
                return Err(err("empty section header".into()));
            }
            continue;
        }
        let (head, rest) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| err("expected `WEIGHT PHRASE` or `! PHRASE`".into()))?;
        let (body, flags) = split_flags(rest.trim()).map_err(&err)?;
        let mut exact_only = false;
        let mut window = DEFAULT_WINDOW;
        for flag in flags {
            if flag == "exact" {
                exact_only = true;
            } else if let Some(w) = flag.strip_prefix("window=") {
                window = w
                    .parse()
                    .ok()
                    .filter(|w| (1..=200).contains(w))
                    .ok_or_else(|| err(format!("bad window `{w}` (1..=200)")))?;
            } else {
                return Err(err(format!("unknown flag `@{flag}`")));
            }
        }
        if categories == 0 {
            return Err(err("entry before any `[category]` section".into()));
        }
        if head == "!" {
            if find_bytes(body, " & ").is_some() {
                return Err(err("an exception cannot be a combination".into()));
            }
            let p = alternatives(body, exact_only, normalizer).map_err(&err)?;
            entries.push(Entry {
                categories,
                weight: 0,
                kind: Kind::Exception(p),
                source: source.to_string(),
                phrase: body.to_string(),
            });
            continue;
        }
        let weight: i32 = head
            .parse()
            .map_err(|_| err(format!("weight `{head}` is not a whole number")))?;
        if weight == 0 || !(-1000..=1000).contains(&weight) {
            return Err(err(format!(
                "weight {weight} must be non-zero, between -1000 and 1000"
            )));
        }
        let parts = split_parts(body)
            .into_iter()
            .map(|p| alternatives(p.trim(), exact_only, normalizer))
            .collect::<Result<Vec<_>, _>>()
            .map_err(&err)?;
        if parts.len() > 8 {
            return Err(err("a combination has at most 8 parts".into()));
        }
        entries.push(Entry {
            categories,
            weight,
            kind: Kind::Phrase { parts, window },
            source: source.to_string(),
            phrase: body.to_string(),
        });
    }
    Ok(entries)
}

/// Where `needle` first occurs in `hay`. Byte windows, not `str::find`:
/// the std substring searcher is several kilobytes of the .wasm, for a few
/// short needles in lexicon lines.
pub(crate) fn find_bytes(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// The parts of a combination, `a & b & c`.
fn split_parts(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(i) = find_bytes(rest, " & ") {
        parts.push(&rest[..i]);
        rest = &rest[i + 3..];
    }
    parts.push(rest);
    parts
}

/// Splits trailing `@flag` words off a phrase.
fn split_flags(s: &str) -> Result<(&str, Vec<&str>), String> {
    let mut body = s;
    let mut flags = Vec::new();
    while let Some(i) = body.as_bytes().windows(2).rposition(|w| w == b" @") {
        let flag = &body[i + 2..];
        if flag.is_empty() || flag.contains(' ') {
            break;
        }
        flags.push(flag);
        body = body[..i].trim_end();
    }
    if let Some(f) = body.strip_prefix('@') {
        return Err(format!("phrase missing before flag `@{f}`"));
    }
    if body.is_empty() {
        return Err("empty phrase".into());
    }
    Ok((body, flags))
}

/// Most alternatives one phrase may expand to.
const MAX_ALTERNATIVES: usize = 512;

/// Expands `{a|b|c}` groups: `đừng {nói|kể} với {bố mẹ|bme}` is four
/// phrases. An empty alternative makes a word optional (`{rất |}xinh`).
pub fn expand(text: &str) -> Result<Vec<String>, String> {
    let Some(open) = text.find('{') else {
        if text.contains('}') || text.contains('|') {
            return Err(format!("`}}` or `|` outside a `{{…}}` group in `{text}`"));
        }
        return Ok(vec![text.to_string()]);
    };
    let close = text[open..]
        .find('}')
        .map(|i| open + i)
        .ok_or_else(|| format!("unclosed `{{` in `{text}`"))?;
    let inner = &text[open + 1..close];
    if inner.contains('{') {
        return Err(format!("groups cannot nest in `{text}`"));
    }
    let (head, tail) = (&text[..open], &text[close + 1..]);
    if head.contains('}') || head.contains('|') {
        return Err(format!("`}}` or `|` outside a `{{…}}` group in `{text}`"));
    }
    let rest = expand(tail)?;
    let mut out = Vec::new();
    for alt in inner.split('|') {
        for r in &rest {
            out.push(format!("{head}{alt}{r}"));
            if out.len() > MAX_ALTERNATIVES {
                return Err(format!(
                    "`{text}` expands to more than {MAX_ALTERNATIVES} phrases"
                ));
            }
        }
    }
    Ok(out)
}

/// The patterns of one part, with its `{a|b}` groups expanded.
fn alternatives(
    text: &str,
    exact_only: bool,
    normalizer: &Normalizer,
) -> Result<Vec<Pattern>, String> {
    expand(text)?
        .iter()
        .map(|t| {
            // Words separated by one space (no `join`: its generic code is
            // a kilobyte of the .wasm).
            let mut words = String::with_capacity(t.len());
            for w in t.split_whitespace() {
                if !words.is_empty() {
                    words.push(' ');
                }
                words.push_str(w);
            }
            pattern(&words, exact_only, normalizer)
        })
        .collect()
}

/// Builds the needles of one phrase.
fn pattern(text: &str, exact_only: bool, normalizer: &Normalizer) -> Result<Pattern, String> {
    let (inner, form) = match (text.strip_prefix('*'), text.strip_suffix('*')) {
        (Some(_), Some(_)) if text.len() > 2 => (&text[1..text.len() - 1], Form::Substring),
        (Some(rest), None) => (rest, Form::Suffix),
        (None, Some(rest)) => (rest, Form::Prefix),
        (None, None) => (text, Form::Words),
        _ => return Err(format!("bad phrase `{text}`")),
    };
    if inner.contains('*') {
        return Err(format!("`*` only at the start or end of `{text}`"));
    }
    let n = normalizer.normalize(inner);
    if n.tokens.is_empty() {
        return Err(format!("`{text}` has no letters or digits"));
    }
    let exact_core = n.exact.trim();
    let folded_core = n.folded.trim();
    // A part of a word must stay specific after normalisation: `*xxx*`
    // squeezes to `*x*`, which would match "expert" and "exxon".
    let kept = exact_core.chars().filter(|c| c.is_alphanumeric()).count();
    let written = inner.chars().filter(|c| c.is_alphanumeric()).count();
    if form != Form::Words && (kept < 2 || (written >= 3 && kept < 3)) {
        return Err(format!(
            "`{text}` normalises to `{exact_core}`: too short to match inside words (write it as a whole word)"
        ));
    }
    let wrap = |core: &str| match form {
        Form::Words => format!(" {core} "),
        Form::Prefix => format!(" {core}"),
        Form::Suffix => format!("{core} "),
        Form::Substring => core.to_string(),
    };
    let folded = (!exact_only && folded_core != exact_core).then(|| wrap(folded_core));
    Ok(Pattern {
        exact: wrap(exact_core),
        folded,
        form,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Vec<Entry>, ParseError> {
        parse("test", text, 0, &Normalizer::default())
    }

    #[test]
    fn alternatives_expand_to_every_combination() {
        assert_eq!(
            expand("đừng {nói|kể} với {bố mẹ|bme}").unwrap(),
            [
                "đừng nói với bố mẹ",
                "đừng nói với bme",
                "đừng kể với bố mẹ",
                "đừng kể với bme"
            ]
        );
        assert_eq!(expand("{rất |}xinh").unwrap(), ["rất xinh", "xinh"]);
        assert_eq!(expand("plain").unwrap(), ["plain"]);
        for bad in ["{a|b", "a|b", "a}", "{a|{b}}"] {
            assert!(expand(bad).is_err(), "{bad}");
        }
        let huge = "{a|b|c|d|e|f|g|h} ".repeat(4);
        assert!(expand(&huge).is_err());
        // All alternatives of a part count as that part, once per match.
        let e = p("[grooming]\n50 đừng {nói|kể} với {bố mẹ|bme} & {ảnh|hình}\n").unwrap();
        let Kind::Phrase { parts, .. } = &e[0].kind else {
            panic!()
        };
        assert_eq!(
            (e.len(), parts.len(), parts[0].len(), parts[1].len()),
            (1, 2, 4, 2)
        );
    }

    #[test]
    fn parses_every_form() {
        let e = p("[sexual grooming]\n80 địt @exact\n40 *porn* # comment\n30 porn*\n20 *fucker\n50 ảnh nóng & gửi @window=8\n-40 giáo dục giới tính\n! chích ngừa\n").unwrap();
        assert_eq!(e.len(), 7);
        assert_eq!(
            e[0].categories,
            (1 << Category::Sexual.index()) | (1 << Category::Grooming.index())
        );
        match &e[0].kind {
            Kind::Phrase { parts, .. } => {
                assert_eq!(parts[0][0].exact, " địt ");
                assert_eq!(parts[0][0].folded, None);
            }
            _ => panic!(),
        }
        match &e[1].kind {
            Kind::Phrase { parts, .. } => assert_eq!(
                (parts[0][0].exact.as_str(), parts[0][0].form),
                ("porn", Form::Substring)
            ),
            _ => panic!(),
        }
        match &e[4].kind {
            Kind::Phrase { parts, window } => {
                assert_eq!(*window, 8);
                assert_eq!(parts.len(), 2);
                assert_eq!(parts[0][0].folded.as_deref(), Some(" anh nong "));
            }
            _ => panic!(),
        }
        assert_eq!(e[5].weight, -40);
        assert!(matches!(e[6].kind, Kind::Exception(_)));
    }

    #[test]
    fn old_and_new_tone_spelling_give_one_needle() {
        let a = p("[sexual]\n10 hòa\n").unwrap();
        let b = p("[sexual]\n10 hoà\n").unwrap();
        assert_eq!(a[0].kind, b[0].kind);
    }

    #[test]
    fn errors_name_the_line() {
        for (text, needle) in [
            ("[sexual]\nabc def\n", "not a whole number"),
            ("[nope]\n", "unknown category"),
            ("10 foo\n", "before any"),
            ("[sexual]\n10 foo @bar\n", "unknown flag"),
            ("[sexual]\n0 foo\n", "non-zero"),
            ("[sexual]\n10 ...\n", "no letters"),
            ("[sexual]\n10 a*b\n", "only at the start"),
            ("[sexual]\n10 foo @window=0\n", "bad window"),
        ] {
            let e = p(text).unwrap_err();
            assert!(e.message.contains(needle), "{text:?}: {e}");
            assert!(e.line >= 1);
        }
    }
}
