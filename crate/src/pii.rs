//! The privacy guard: finds a child's personal information in text they are
//! about to send — phone numbers, citizen ID numbers, email addresses, home
//! addresses, school and class, and a full name given with an age or a
//! birthday.
//!
//! ```
//! let found = oche::pii::find("sdt cua minh la 0912 345 678 nhe");
//! assert_eq!(found[0].kind, "phone");
//! assert_eq!((found[0].start, found[0].end), (16, 28));
//! ```
//!
//! Precision comes first: a child who is warned about every price, date, year
//! or maths exercise stops reading the warning. So every kind needs its own
//! shape *and* its own context:
//!
//! * numbers are read with their separators (`0912 345 678`, `0987.654.321`,
//!   `+84 912…`), must have exactly the length and prefix of a Vietnamese
//!   mobile, landline or 12-digit ID (which starts with a province code), and
//!   must not sit next to a unit (`1.250.000đ`, `250k`) or follow words that
//!   make them an order, account or tracking number;
//! * addresses need a house or alley number *and* a street or area, or a
//!   clear "my address is" context (`đường` alone is also sugar, `xa` is
//!   also "far");
//! * schools need a level (`tiểu học`, `THCS`) or a capitalised name after
//!   `trường` (so `trường hợp`, `thị trường` never fire); classes need a
//!   letter (`lớp 5A`, not `lớp 10` or `lớp da`);
//! * a name counts only with an age or a recent birthday next to it
//!   (`Nguyễn Du sinh năm 1765` is history, not a child).
//!
//! Words are matched on a folded view (lower case, marks removed). As in the
//! phrase engine, a folded keyword counts for an accented one only when the
//! text itself is typed without marks: in `nhà xa lắm`, `xa` is "far", not
//! `xã`.
//!
//! Offsets are in Unicode scalar values of the input, end exclusive, sorted.

use crate::normalize::{combining_marks, fold_char, letter_marks};
use serde::Serialize;

/// One piece of personal information found in the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `phone`, `id-number`, `email`, `address`, `school` or `name-age`.
    pub kind: &'static str,
    pub start: u32,
    pub end: u32,
}

/// What the extension checks of a text being typed: its last 20,000
/// characters. What a child is about to send is at the end of what they
/// typed, and a pasted book must not freeze the page.
pub const TYPING_TAIL_CHARS: usize = 20_000;

/// Finds personal information in all of `text`.
pub fn find(text: &str) -> Vec<Finding> {
    find_in_tail(text, usize::MAX)
}

/// Finds personal information in the last `max_chars` characters of `text`
/// (offsets still count from the start of `text`).
pub fn find_in_tail(text: &str, max_chars: usize) -> Vec<Finding> {
    let view = View::new(text, max_chars);
    let toks = view.tokens();
    let mut out = Vec::new();
    numbers(&view, &mut out);
    emails(&view, &mut out);
    let accented = mostly_accented(&view, &toks);
    let ctx = Ctx {
        v: &view,
        t: &toks,
        accented,
    };
    addresses(&ctx, &mut out);
    schools(&ctx, &mut out);
    names_with_age(&ctx, &mut out);
    crate::sort::sort_by_key(&mut out, |f| (f.start, f.end));
    // Overlaps of one kind become one finding.
    let mut merged: Vec<Finding> = Vec::with_capacity(out.len());
    for f in out {
        if let Some(last) = merged.iter_mut().rev().find(|m| m.kind == f.kind) {
            if f.start < last.end {
                last.end = last.end.max(f.end);
                continue;
            }
        }
        merged.push(f);
    }
    merged
}

/// The folded text with a map back to the original characters.
struct View {
    /// Folded characters (marks and invisible characters dropped).
    f: Vec<char>,
    /// Original index of each folded character.
    start: Vec<u32>,
    /// Original index just after it (and after its combining marks).
    end: Vec<u32>,
    /// Whether the original letter was upper case.
    upper: Vec<bool>,
    /// Whether the original letter carried a mark (or was `đ`).
    marked: Vec<bool>,
    /// Its shape and tone (see `letter_marks`).
    marks: Vec<(u8, u8)>,
}

fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

impl View {
    fn new(text: &str, max_chars: usize) -> View {
        let skip = if max_chars == usize::MAX {
            0
        } else {
            text.chars().count().saturating_sub(max_chars)
        };
        let mut v = View {
            f: Vec::new(),
            start: Vec::new(),
            end: Vec::new(),
            upper: Vec::new(),
            marked: Vec::new(),
            marks: Vec::new(),
        };
        for (i, c) in text.chars().enumerate().skip(skip) {
            let i = i as u32;
            if invisible(c) {
                continue;
            }
            match fold_char(c) {
                None => {
                    // A combining mark: part of the letter before it.
                    if let Some(last) = v.end.last_mut() {
                        *last = i + 1;
                        *v.marked.last_mut().unwrap() = true;
                        let (shape, tone) = combining_marks(c);
                        let m = v.marks.last_mut().unwrap();
                        if shape != 0 {
                            m.0 = shape;
                        }
                        if tone != 0 {
                            m.1 = tone;
                        }
                    }
                }
                Some(fc) => {
                    v.f.push(if fc.is_whitespace() { ' ' } else { fc });
                    v.start.push(i);
                    v.end.push(i + 1);
                    v.upper.push(c.is_uppercase());
                    let marks = letter_marks(c).unwrap_or((0, 0));
                    v.marked.push(marks != (0, 0));
                    v.marks.push(marks);
                }
            }
        }
        v
    }

    fn span(&self, a: usize, b: usize) -> (u32, u32) {
        (self.start[a], self.end[b - 1])
    }

    fn tokens(&self) -> Vec<Tok> {
        let mut toks = Vec::new();
        let mut i = 0;
        while i < self.f.len() {
            if !self.f[i].is_alphanumeric() {
                i += 1;
                continue;
            }
            let s = i;
            while i < self.f.len() && self.f[i].is_alphanumeric() {
                i += 1;
            }
            let word: String = self.f[s..i].iter().collect();
            let digits = word.chars().all(|c| c.is_ascii_digit());
            let alpha = word.chars().all(|c| c.is_alphabetic());
            toks.push(Tok {
                s,
                e: i,
                word,
                digits,
                alpha,
                cap: self.upper[s],
                marked: self.marked[s..i].iter().any(|&m| m),
                marks: self.marks[s..i].to_vec(),
            });
        }
        toks
    }

    /// The characters between two tokens.
    fn gap(&self, a: &Tok, b: &Tok) -> String {
        self.f[a.e..b.s].iter().collect()
    }
}

struct Tok {
    s: usize,
    e: usize,
    word: String,
    digits: bool,
    alpha: bool,
    cap: bool,
    marked: bool,
    marks: Vec<(u8, u8)>,
}

struct Ctx<'a> {
    v: &'a View,
    t: &'a [Tok],
    accented: bool,
}

/// True when the text is typed with marks: then an unaccented word is that
/// word, not a keyword typed without marks.
fn mostly_accented(v: &View, toks: &[Tok]) -> bool {
    let alpha: Vec<&Tok> = toks.iter().filter(|t| t.alpha).collect();
    let marked = alpha.iter().filter(|t| t.marked).count();
    let _ = v;
    !alpha.is_empty() && marked * 100 >= alpha.len() * 25
}

// --- numbers: phones and ID numbers ---

const NUMBER_SEPARATORS: &[char] = &[' ', '.', '-', '(', ')'];

/// Words that make a number an order, account or tracking number.
const NOT_PERSONAL_NUMBER: &[&str] = &[
    "ma don",
    "don hang",
    "ma van don",
    "mvd",
    "order",
    "tracking",
    "stk",
    "so tai khoan",
    "tai khoan so",
    "account",
    "ma giao dich",
    "transaction",
    "ma so thue",
    "mst",
    "invoice",
    "hoa don",
    "ma sp",
    "san pham",
    "serial",
    "imei",
    "ma game",
    "id game",
    "uid",
];

fn numbers(v: &View, out: &mut Vec<Finding>) {
    let f = &v.f;
    let mut i = 0;
    while i < f.len() {
        let c = f[i];
        let starts =
            c.is_ascii_digit() || (c == '+' && i + 1 < f.len() && f[i + 1].is_ascii_digit());
        if !starts || (i > 0 && (f[i - 1].is_ascii_digit() || f[i - 1] == '.' || f[i - 1] == ',')) {
            i += 1;
            continue;
        }
        let s = i;
        let plus = c == '+';
        if plus {
            i += 1;
        }
        let mut digits = String::new();
        // (digits so far, end) at the end of every group: "0912 345 678"
        // is one number, "0912345678 0987654321" two.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        while j < f.len() {
            if f[j].is_ascii_digit() {
                digits.push(f[j]);
                j += 1;
                continue;
            }
            groups.push((digits.len(), j));
            // Up to two separators between digit groups.
            let mut k = j;
            while k < f.len() && k - j < 2 && NUMBER_SEPARATORS.contains(&f[k]) {
                k += 1;
            }
            if k > j && k < f.len() && f[k].is_ascii_digit() && digits.len() < 13 {
                j = k;
                continue;
            }
            break;
        }
        if groups.last().is_none_or(|g| g.0 != digits.len()) {
            groups.push((digits.len(), j));
        }
        let pick = groups
            .iter()
            .rev()
            .find(|(n, _)| number_kind(&digits[..*n], plus).is_some());
        let (len, e) = match pick {
            Some(&(n, e)) => (n, e),
            None => {
                i = groups[0].1.max(s + 1);
                continue;
            }
        };
        let digits = &digits[..len];
        i = e.max(s + 1);
        // A unit or a decimal right after the number: a price or a measure.
        let next = f.get(e).copied();
        if next.is_some_and(|n| {
            n.is_alphanumeric() || matches!(n, '%' | '$' | '€' | '₫' | '/' | '*' | '+' | '=')
        }) {
            continue;
        }
        if matches!(next, Some('.' | ',')) && f.get(e + 1).is_some_and(|n| n.is_ascii_digit()) {
            continue;
        }
        let Some(kind) = number_kind(digits, plus) else {
            continue;
        };
        // Maths around it: "0912 + 345 = ?".
        let before: String = f[s.saturating_sub(30)..s].iter().collect();
        let trimmed = before.trim_end();
        if trimmed.ends_with(['+', '=', '*', 'x', '×', ':', '/']) && !trimmed.ends_with(':') {
            continue;
        }
        if NOT_PERSONAL_NUMBER
            .iter()
            .any(|w| contains_word(&before, w))
        {
            continue;
        }
        let (a, b) = v.span(s, e);
        out.push(Finding {
            kind,
            start: a,
            end: b,
        });
    }
}

fn number_kind(d: &str, plus: bool) -> Option<&'static str> {
    let b = d.as_bytes();
    let mobile = |c: u8| matches!(c, b'3' | b'5' | b'7' | b'8' | b'9');
    match (b.first(), b.len()) {
        (Some(b'0'), 10) if mobile(b[1]) => Some("phone"),
        (Some(b'0'), 11) if b[1] == b'2' => Some("phone"),
        (Some(b'0'), 12) if !plus => {
            // Citizen ID: a province code 001–096 first.
            let code: u32 = d[..3].parse().ok()?;
            (1..=96).contains(&code).then_some("id-number")
        }
        (Some(b'8'), 11) if b[1] == b'4' && mobile(b[2]) => Some("phone"),
        (Some(b'8'), 12) if b[1] == b'4' && b[2] == b'2' => Some("phone"),
        _ => None,
    }
}

/// `needle` occurs in `hay` as whole words.
fn contains_word(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(p) = hay[from..].find(needle) {
        let a = from + p;
        let b = a + needle.len();
        let before_ok = hay[..a]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = hay[b..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        from = a + needle.len().max(1);
    }
    false
}

// --- email ---

fn emails(v: &View, out: &mut Vec<Finding>) {
    let f = &v.f;
    let local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let host = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    for (at, &c) in f.iter().enumerate() {
        if c != '@' {
            continue;
        }
        let mut s = at;
        while s > 0 && local(f[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < f.len() && host(f[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(f[e - 1], '.' | '-') {
            e -= 1;
        }
        while s < at && f[s] == '.' {
            s += 1;
        }
        if s == at || e <= at + 1 {
            continue;
        }
        let domain: String = f[at + 1..e].iter().collect();
        let Some(tld) = domain.rsplit('.').next() else {
            continue;
        };
        if !domain.contains('.') || tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let (a, b) = v.span(s, e);
        out.push(Finding {
            kind: "email",
            start: a,
            end: b,
        });
    }
}

// --- words: keyword matching on tokens ---

impl Ctx<'_> {
    /// Whether the words starting at token `i` are `phrase` (folded words
    /// separated by spaces). `accented` is the keyword with its marks: an
    /// unmarked token matches a marked keyword only in unaccented text.
    fn words_at(&self, i: usize, phrase: &str) -> Option<usize> {
        let mut k = i;
        for w in phrase.split(' ') {
            let t = self.t.get(k)?;
            let folded: String = w.chars().filter_map(fold_char).collect();
            if t.word != folded {
                return None;
            }
            // A word typed with marks must have the keyword's marks
            // ("Trương" is a name, "trường" a school); "xã" typed "xa"
            // counts only in text typed without marks.
            let want: Vec<(u8, u8)> = w.chars().filter_map(letter_marks).collect();
            let has_marks = want.iter().any(|&m| m != (0, 0));
            if t.marked && t.marks != want {
                return None;
            }
            if has_marks && !t.marked && self.accented {
                return None;
            }
            if k > i && !self.v.gap(&self.t[k - 1], t).chars().all(|c| c == ' ') {
                return None;
            }
            k += 1;
        }
        Some(k)
    }

    /// The first keyword of `list` at token `i`: (end token, keyword index).
    fn keyword_at(&self, i: usize, list: &[&str]) -> Option<(usize, usize)> {
        list.iter()
            .enumerate()
            .find_map(|(n, p)| self.words_at(i, p).map(|e| (e, n)))
    }

    /// Punctuation that ends a phrase between tokens `a` and `a + 1`.
    fn breaks_after(&self, a: usize) -> bool {
        match self.t.get(a + 1) {
            None => true,
            Some(next) => self
                .v
                .gap(&self.t[a], next)
                .chars()
                .any(|c| matches!(c, '.' | '!' | '?' | ';' | '\n' | '(' | ')' | '"' | ':')),
        }
    }

    fn comma_after(&self, a: usize) -> bool {
        self.t
            .get(a + 1)
            .is_some_and(|next| self.v.gap(&self.t[a], next).contains(','))
    }
}

fn is_house_number(t: &Tok) -> bool {
    let w = &t.word;
    let digits = w.chars().take_while(|c| c.is_ascii_digit()).count();
    // "12", "12A"; not "100g", "5m", "2h" (units).
    (1..=4).contains(&digits)
        && (w.len() == digits || (w.len() == digits + 1 && w.ends_with(['a', 'b', 'c'])))
}

// --- addresses ---

/// House-number keywords ("số nhà 12").
const HOUSE: &[&str] = &["số nhà", "nhà số", "sn", "số", "no"];
/// Alleys and hamlets: with a number, nearly always an address.
const ALLEY: &[&str] = &[
    "ngõ",
    "ngách",
    "hẻm",
    "kiệt",
    "thôn",
    "ấp",
    "xóm",
    "tổ",
    "khu phố",
    "kp",
    "tổ dân phố",
];
/// Streets and administrative areas.
const AREA: &[&str] = &[
    "đường",
    "phố",
    "phường",
    "xã",
    "quận",
    "huyện",
    "thị xã",
    "thị trấn",
    "tp",
    "thành phố",
    "tỉnh",
    "street",
    "district",
    "ward",
];
/// "My address is…", "I live at…".
const HOME: &[&str] = &[
    "địa chỉ",
    "đc",
    "dc",
    "nhà mình ở",
    "nhà em ở",
    "nhà tớ ở",
    "nhà con ở",
    "nhà tui ở",
    "nha t o",
    "mình ở",
    "em ở",
    "tớ ở",
    "address",
    "i live at",
    "i live in",
    "i live on",
];

/// Words that end a place name ("… đường Láng **nhé**").
const NAME_STOP: &[&str] = &[
    "nha", "nhe", "ne", "nha", "a", "ah", "oi", "day", "do", "nay", "kia", "minh", "em", "anh",
    "chi", "toi", "tao", "to", "cua", "va", "thi", "la", "o", "gan", "canh", "doi", "dien", "sau",
    "truoc", "qua", "choi", "di", "den", "ve", "khong", "ko", "k", "co", "roi", "luon", "nhan",
    "ship", "giao", "gui", "cho", "voi", "and", "the", "near", "please", "ok",
];

/// A place keyword starts at token `k` ("thành phố", but not "Thanh Xuân").
fn is_keyword_at(c: &Ctx, k: usize) -> bool {
    c.keyword_at(k, ALLEY).is_some()
        || c.keyword_at(k, AREA).is_some()
        || c.keyword_at(k, HOUSE).is_some()
}

/// The value after a keyword that ends at token `k`: a number (with the
/// street name after it, "ngõ 15 Xuân Thủy"), or a name of up to four words.
struct Place {
    end: usize,
    number: bool,
    street: bool,
}

fn capitalised_name(c: &Ctx, k: usize, max: usize) -> usize {
    let mut e = k;
    while let Some(n) = c.t.get(e) {
        if e - k >= max
            || !n.alpha
            || !n.cap
            || is_keyword_at(c, e)
            || (e > k && c.comma_after(e - 1))
        {
            break;
        }
        if e > k && c.breaks_after(e - 1) {
            break;
        }
        e += 1;
    }
    e
}

fn place_value(c: &Ctx, k: usize) -> Option<Place> {
    let t = c.t.get(k)?;
    if k > 0 && (c.breaks_after(k - 1) || c.comma_after(k - 1)) {
        return None;
    }
    if t.digits || is_house_number(t) {
        let mut e = k + 1;
        // "12/3", "12/3/4", "45-47": house numbers with slashes.
        while let Some(n) = c.t.get(e) {
            let gap = c.v.gap(&c.t[e - 1], n);
            if (gap == "/" || gap == "-") && n.digits {
                e += 1;
            } else {
                break;
            }
        }
        let mut street = false;
        if c.accented && !c.breaks_after(e - 1) && !c.comma_after(e - 1) {
            let ne = capitalised_name(c, e, 4);
            street = ne > e;
            e = ne;
        }
        return Some(Place {
            end: e,
            number: true,
            street,
        });
    }
    // A name: capitalised words in accented text; plain words otherwise.
    let mut e = k;
    while let Some(n) = c.t.get(e) {
        if e - k >= 4 || !n.alpha || NAME_STOP.contains(&n.word.as_str()) || is_keyword_at(c, e) {
            break;
        }
        if c.accented && !n.cap {
            break;
        }
        e += 1;
        if c.breaks_after(e - 1) || c.comma_after(e - 1) {
            break;
        }
    }
    (e > k).then_some(Place {
        end: e,
        number: false,
        street: false,
    })
}

/// Hamlets are named as often as numbered ("thôn Đông", "thôn 3").
const NAMED_HAMLET: &[&str] = &["thôn", "ấp", "xóm", "khu phố"];

fn addresses(c: &Ctx, out: &mut Vec<Finding>) {
    let n = c.t.len();
    let mut i = 0;
    // One address: a run of elements close together. Scores: a house or
    // alley number 2 (+1 with the street name after it), a street or area
    // 1, a named hamlet 1, "my address is" 1, place names after a comma 1.
    struct Run {
        start: usize,
        end: usize,
        score: u32,
        gap: usize,
    }
    let mut run: Option<Run> = None;
    let mut home_until: Option<usize> = None;
    let finish = |run: &mut Option<Run>, out: &mut Vec<Finding>| {
        let Some(r) = run.take() else { return };
        // ", Đống Đa, Hà Nội": place names after the last keyword.
        let mut end = r.end;
        for _ in 0..2 {
            if !c.accented || !c.comma_after(end - 1) {
                break;
            }
            let e = capitalised_name(c, end, 3);
            if e == end {
                break;
            }
            end = e;
        }
        let score = r.score + u32::from(end > r.end);
        if score >= 3 {
            let (a, b) = c.v.span(c.t[r.start].s, c.t[end - 1].e);
            out.push(Finding {
                kind: "address",
                start: a,
                end: b,
            });
        }
    };
    while i < n {
        if let Some((e, _)) = c.keyword_at(i, HOME) {
            home_until = Some(e + 3);
            if let Some(r) = run.as_mut() {
                r.gap += 1;
            }
            i = e;
            continue;
        }
        let element = if let Some((e, _)) = c.keyword_at(i, HOUSE) {
            place_value(c, e)
                .filter(|p| p.number)
                .map(|p| (p.end, 2 + u32::from(p.street)))
        } else if let Some((e, kw)) = c.keyword_at(i, ALLEY) {
            place_value(c, e).and_then(|p| {
                if p.number {
                    Some((p.end, 2 + u32::from(p.street)))
                } else {
                    NAMED_HAMLET.contains(&ALLEY[kw]).then_some((p.end, 1))
                }
            })
        } else if let Some((e, _)) = c.keyword_at(i, AREA) {
            place_value(c, e).map(|p| (p.end, 1))
        } else if is_house_number(&c.t[i])
            && !c.breaks_after(i)
            && !c.comma_after(i)
            && c.t.get(i + 1).is_some_and(|nx| {
                c.keyword_at(i + 1, ALLEY).is_some()
                    || c.keyword_at(i + 1, AREA).is_some()
                    || (c.accented && nx.cap && nx.alpha && !NAME_STOP.contains(&nx.word.as_str()))
            })
        {
            // "12 ngõ 34", "45 Nguyễn Trãi": a bare house number (and the
            // street name after it).
            let e = if c.keyword_at(i + 1, ALLEY).is_some() || c.keyword_at(i + 1, AREA).is_some() {
                i + 1
            } else {
                capitalised_name(c, i + 1, 4)
            };
            Some((e, 2))
        } else {
            None
        };
        match element {
            Some((e, score)) => {
                let bonus = u32::from(home_until.is_some_and(|h| i <= h) && run.is_none());
                match run.as_mut() {
                    Some(r) if r.gap <= 2 => {
                        r.end = e;
                        r.score += score;
                        r.gap = 0;
                    }
                    _ => {
                        finish(&mut run, out);
                        run = Some(Run {
                            start: i,
                            end: e,
                            score: score + bonus,
                            gap: 0,
                        });
                    }
                }
                if c.breaks_after(e - 1) {
                    finish(&mut run, out);
                }
                i = e;
            }
            None => {
                if let Some(r) = run.as_mut() {
                    r.gap += 1;
                    if r.gap > 2 || c.breaks_after(i) {
                        finish(&mut run, out);
                    }
                }
                i += 1;
            }
        }
    }
    finish(&mut run, out);
}

// --- school and class ---

const SCHOOL_LEVEL: &[&str] = &[
    "trung học cơ sở",
    "trung học phổ thông",
    "tiểu học",
    "mầm non",
    "mẫu giáo",
    "phổ thông",
    "thcs",
    "thpt",
    "th",
    "mn",
    "ptdtnt",
    "liên cấp",
    "quốc tế",
    "chuyên",
    "dân lập",
    "tư thục",
];
const SCHOOL_WORD: &[&str] = &["trường", "school", "trường học"];
/// Vietnamese surnames: in text typed without capitals, a school named after
/// a person ("truong nguyen du") still starts with one.
const SURNAMES: &[&str] = &[
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "dinh", "trinh", "truong", "mai", "dao", "luong", "lam", "cao",
    "ha", "ta", "chu", "quach", "kim", "thai", "doan", "la", "tang", "vuong", "luu", "to", "nong",
    "lo", "khuc", "trieu",
];

/// "quảng trường", "thị trường", "môi trường": words, not schools.
const NOT_SCHOOL_BEFORE: &[&str] = &[
    "quảng", "chiến", "thị", "môi", "hiện", "lập", "công", "nông", "ngư", "phi", "đấu", "pháp",
    "từ", "điện", "trọng", "sa", "sân", "võ", "thương", "hội", "trực", "đến", "tới", "về", "cổng",
    "ngoài", "trong",
];
/// "Trường Sa", "Trường Sơn", "trường hợp", "trường kỳ": places and words.
const NOT_SCHOOL_AFTER: &[&str] = &[
    "sa", "son", "giang", "hop", "ky", "thi", "doan", "ca", "thanh", "xuan", "tho",
];

fn school_name(c: &Ctx, k: usize, level: bool) -> Option<usize> {
    let t = c.t.get(k)?;
    if k > 0 && c.breaks_after(k - 1) {
        return None;
    }
    let name_start = if c.accented || t.cap {
        t.cap && t.alpha
    } else {
        level || SURNAMES.contains(&t.word.as_str())
    };
    if !name_start && !(t.digits && level) {
        return None;
    }
    let mut e = k;
    while let Some(n) = c.t.get(e) {
        let ok = if e == k {
            true
        } else if c.accented || t.cap {
            n.cap || (n.digits && e == k + 1)
        } else {
            n.alpha && !NAME_STOP.contains(&n.word.as_str())
        };
        if !ok || e - k >= 5 || n.word == "lop" {
            break;
        }
        e += 1;
        if c.breaks_after(e - 1) || c.comma_after(e - 1) {
            break;
        }
    }
    Some(e)
}

fn class_token(w: &str) -> bool {
    let d = w.chars().take_while(|c| c.is_ascii_digit()).count();
    let rest = &w[d..];
    let letters = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let tail = &rest[letters..];
    (1..=2).contains(&d)
        && (1..=2).contains(&letters)
        && tail.len() <= 2
        && tail.chars().all(|c| c.is_ascii_digit())
}

fn schools(c: &Ctx, out: &mut Vec<Finding>) {
    let n = c.t.len();
    let push = |out: &mut Vec<Finding>, a: usize, b: usize| {
        let (s, e) = c.v.span(c.t[a].s, c.t[b - 1].e);
        out.push(Finding {
            kind: "school",
            start: s,
            end: e,
        });
    };
    for i in 0..n {
        let w = c.t[i].word.as_str();
        // Class: "lớp 5A", "lop 7a3", "lớp 6/3", "class 6A1".
        if (w == "lop" && (!c.accented || c.t[i].marked)) || w == "class" {
            if let Some(v) = c.t.get(i + 1) {
                let gap_ok = c.v.gap(&c.t[i], v).chars().all(|ch| ch == ' ');
                if gap_ok && class_token(&v.word) {
                    push(out, i, i + 2);
                } else if gap_ok && v.digits && v.word.len() <= 2 {
                    if let Some(v2) = c.t.get(i + 2) {
                        if c.v.gap(v, v2) == "/" && v2.digits && v2.word.len() <= 2 {
                            push(out, i, i + 3);
                        }
                    }
                }
            }
        }
        // School: "trường Tiểu học Kim Đồng", "THCS Nguyễn Du", "trường Lê Quý Đôn".
        let compound = i > 0 && c.keyword_at(i - 1, NOT_SCHOOL_BEFORE).is_some();
        if let Some((e, _)) = c
            .keyword_at(i, SCHOOL_WORD)
            .filter(|_| w != "school" && !compound)
        {
            if c.t
                .get(e)
                .is_some_and(|t| NOT_SCHOOL_AFTER.contains(&t.word.as_str()))
            {
                continue;
            }
            let (after, level) = match c.keyword_at(e, SCHOOL_LEVEL) {
                Some((le, _)) => (le, true),
                None => (e, false),
            };
            if let Some(end) = school_name(c, after, level) {
                if end > after {
                    push(out, i, end);
                }
            }
        } else if i == 0 || c.keyword_at(i - 1, SCHOOL_WORD).is_none() {
            if let Some((le, lvl)) = c.keyword_at(i, SCHOOL_LEVEL) {
                // Without "trường", only the unambiguous levels, and only
                // before a capitalised name ("THCS Nguyễn Du").
                let strong = matches!(
                    SCHOOL_LEVEL[lvl],
                    "thcs"
                        | "thpt"
                        | "tiểu học"
                        | "mầm non"
                        | "trung học cơ sở"
                        | "trung học phổ thông"
                );
                let named =
                    c.t.get(le)
                        .is_some_and(|t| t.cap || (!c.accented && t.alpha));
                if strong && named {
                    if let Some(end) = school_name(c, le, true) {
                        if end > le {
                            push(out, i, end);
                        }
                    }
                }
            }
        }
        // English: "Nguyen Du Secondary School", "Springfield Primary School".
        if w == "school" && i >= 2 {
            let mut a = i;
            let kinds = [
                "primary",
                "secondary",
                "high",
                "middle",
                "elementary",
                "international",
            ];
            if a > 0 && kinds.contains(&c.t[a - 1].word.as_str()) {
                a -= 1;
            }
            let mut s = a;
            while s > 0 && a - s < 4 && c.t[s - 1].cap && c.t[s - 1].alpha && !c.breaks_after(s - 1)
            {
                s -= 1;
            }
            if s < a && c.t[s..a].iter().all(|t| t.word != "my" && t.word != "the") {
                push(out, s, i + 1);
            }
        }
    }
}

// --- full name with age or birthday ---

const INTRO: &[&str] = &[
    "tên là",
    "tên mình là",
    "tên em là",
    "tên tớ là",
    "tên con là",
    "tên tôi là",
    "tên",
    "mình là",
    "em là",
    "tớ là",
    "tôi là",
    "con là",
    "my name is",
    "i am",
    "i m",
    "im",
    "name",
];

const AGE_FILLER: &[&str] = &[
    "nam", "nay", "la", "da", "hien", "vua", "tron", "duoc", "hoc", "sinh", "and", "i", "am", "m",
    "im", "age", "aged", "here", "from", "co", "em", "minh",
];

/// The end (exclusive token) of an age or birthday expression at `k`.
fn age_at(c: &Ctx, k: usize) -> Option<usize> {
    let t = c.t.get(k)?;
    let w = t.word.as_str();
    let num = |s: &str| s.parse::<u32>().ok();
    let recent_year = |y: u32| (2000..=2030).contains(&y);
    // "2k13", "2k8": a birth year.
    if let Some(rest) = w.strip_prefix("2k") {
        if !rest.is_empty() && rest.len() <= 2 && rest.chars().all(|ch| ch.is_ascii_digit()) {
            return Some(k + 1);
        }
    }
    // "10 tuổi", "10t", "11 years old", "12yo".
    if let Some(d) = w
        .strip_suffix('t')
        .or_else(|| w.strip_suffix("yo"))
        .or_else(|| w.strip_suffix("tuoi"))
    {
        if num(d).is_some_and(|a| (3..=25).contains(&a)) {
            return Some(k + 1);
        }
    }
    if t.digits && num(w).is_some_and(|a| (3..=25).contains(&a)) {
        let next = c.t.get(k + 1).map(|n| n.word.as_str());
        let prev = k.checked_sub(1).map(|p| c.t[p].word.as_str());
        // "I am 10", "năm nay 10": a bare age after its verb.
        if matches!(prev, Some("am" | "nay")) && c.t.get(k + 1).is_none_or(|n| !n.digits) {
            return Some(if matches!(next, Some("tuoi" | "t")) {
                k + 2
            } else {
                k + 1
            });
        }
        // "12 y/o".
        if next == Some("y") && c.t.get(k + 2).is_some_and(|n| n.word == "o") {
            return Some(k + 3);
        }
        if matches!(next, Some("tuoi" | "t" | "yo")) {
            return Some(k + 2);
        }
        if next == Some("years") || next == Some("year") {
            return Some(if c.t.get(k + 2).is_some_and(|n| n.word == "old") {
                k + 3
            } else {
                k + 2
            });
        }
    }
    // "sinh ngày 12/3/2014", "sinh năm 2013", "sn 2012", "ngày sinh 5-6-2014", "born in 2013".
    let date_from = |d: usize| -> Option<usize> {
        let mut e = d;
        let mut year = None;
        while let Some(n) = c.t.get(e) {
            // "3 tháng 8 năm 2013": month and year words between the numbers.
            if (n.word == "thang" || n.word == "nam")
                && e > d
                && c.t.get(e + 1).is_some_and(|x| x.digits)
            {
                e += 1;
                continue;
            }
            if !n.digits || e - d >= 6 {
                break;
            }
            if n.word.len() == 4 {
                year = num(&n.word);
            }
            e += 1;
            if let Some(nx) = c.t.get(e) {
                let gap = c.v.gap(&c.t[e - 1], nx);
                if !matches!(gap.as_str(), "/" | "-" | "." | " ") {
                    break;
                }
            }
        }
        if year.is_some_and(recent_year) {
            return Some(e);
        }
        // "12/3" without a year: a birthday, but only right after "sinh".
        (e > d && year.is_none() && e - d == 2).then_some(e)
    };
    for p in [
        "sinh ngày",
        "sinh năm",
        "ngày sinh",
        "sn",
        "sinh",
        "born on",
        "born in",
        "born",
        "birthday",
        "dob",
    ] {
        if let Some(e) = c.words_at(k, p) {
            if let Some(end) = date_from(e) {
                return Some(end);
            }
        }
    }
    None
}

fn names_with_age(c: &Ctx, out: &mut Vec<Finding>) {
    let n = c.t.len();
    let mut i = 0;
    while i < n {
        // A name: 2–4 capitalised words, or 2–4 words after "tên là" / "my name is".
        let mut s = i;
        let mut e = i;
        let intro = c.keyword_at(i, INTRO).map(|(e, _)| e);
        if let Some(ie) = intro {
            s = ie;
            e = ie;
            while e < n
                && e - s < 4
                && c.t[e].alpha
                && age_at(c, e).is_none()
                // After "tên là Phạm", "minh" is the name Minh, not "mình".
                && (e == s || SURNAMES.contains(&c.t[s].word.as_str()) || !NAME_STOP.contains(&c.t[e].word.as_str()))
            {
                e += 1;
                if c.breaks_after(e - 1) || c.comma_after(e - 1) {
                    break;
                }
            }
        } else {
            while e < n
                && e - s < 4
                && c.t[e].cap
                && c.t[e].alpha
                && c.t[e].word.chars().count() <= 8
            {
                e += 1;
                if c.breaks_after(e - 1) || c.comma_after(e - 1) {
                    break;
                }
            }
            // A capital at the start of a sentence is not a name on its own:
            // ask for a surname first, or for three words.
            let surname = SURNAMES.contains(&c.t[s].word.as_str());
            if e - s >= 2 && !surname && e - s < 3 {
                let english = c.t[s..e]
                    .iter()
                    .any(|t| !SURNAMES.contains(&t.word.as_str()))
                    && c.t[s..e]
                        .iter()
                        .any(|t| SURNAMES.contains(&t.word.as_str()));
                if !english {
                    e = s;
                }
            }
        }
        if e - s < 2 {
            i = intro.unwrap_or(i + 1).max(i + 1);
            continue;
        }
        // The age within a few words after the name.
        let mut k = e;
        let mut found = None;
        while k < n && k - e <= 3 {
            if let Some(end) = age_at(c, k) {
                found = Some(end);
                break;
            }
            if !AGE_FILLER.contains(&c.t[k].word.as_str()) {
                break;
            }
            k += 1;
        }
        if let Some(end) = found {
            let (a, b) = c.v.span(c.t[s].s, c.t[end - 1].e);
            out.push(Finding {
                kind: "name-age",
                start: a,
                end: b,
            });
            i = end;
        } else {
            i = e.max(i + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&'static str, String)> {
        let chars: Vec<char> = text.chars().collect();
        find(text)
            .into_iter()
            .map(|f| {
                (
                    f.kind,
                    chars[f.start as usize..f.end as usize].iter().collect(),
                )
            })
            .collect()
    }

    fn one(text: &str, kind: &str, span: &str) {
        let got = kinds(text);
        assert!(
            got.iter().any(|(k, s)| *k == kind && s == span),
            "{text:?}: expected {kind}={span:?}, got {got:?}"
        );
    }

    fn none(text: &str) {
        assert_eq!(kinds(text), vec![], "{text:?} must not fire");
    }

    #[test]
    fn phones_vietnamese_and_english() {
        one("sdt cua minh la 0912 345 678 nhe", "phone", "0912 345 678");
        one("Số của mẹ: 0987.654.321", "phone", "0987.654.321");
        one(
            "call me on +84 912 345 678 after school",
            "phone",
            "+84 912 345 678",
        );
        one("zalo 0356-123-456 kb đi", "phone", "0356-123-456");
        one("nhà mình 024 3826 1234", "phone", "024 3826 1234");
    }

    #[test]
    fn numbers_that_are_not_phones() {
        none("Giá 1.250.000đ thôi bạn ơi");
        none("hẹn ngày 12/03/2024 nhé");
        none("năm 2014 mình học lớp 1");
        none("0912 + 345 = ?");
        none("mã đơn hàng 0912345678 giao chưa");
        none("tính 123456789 x 2");
        none("điểm 9.5, 10, 8.75");
        none("đo được 0912345678m");
    }

    #[test]
    fn citizen_ids() {
        one(
            "CCCD của mình là 001 203 004 567",
            "id-number",
            "001 203 004 567",
        );
        one("so dinh danh 079204001234", "id-number", "079204001234");
        none("số tài khoản 012345678901");
        none("123456789012");
    }

    #[test]
    fn emails() {
        one(
            "mail mình là an.nguyen2013@gmail.com nha",
            "email",
            "an.nguyen2013@gmail.com",
        );
        one(
            "write to me: linh_tran@yahoo.com.vn.",
            "email",
            "linh_tran@yahoo.com.vn",
        );
        none("gặp nhau @ sân trường nhé");
    }

    #[test]
    fn addresses() {
        one(
            "Nhà mình ở số 12 ngõ 34 đường Láng, Đống Đa",
            "address",
            "số 12 ngõ 34 đường Láng, Đống Đa",
        );
        one(
            "nha minh o so 12 ngo 34 duong lang",
            "address",
            "so 12 ngo 34 duong lang",
        );
        one(
            "em ở thôn 3, xã Hòa Phong, huyện Hòa Vang",
            "address",
            "thôn 3, xã Hòa Phong, huyện Hòa Vang",
        );
        one(
            "địa chỉ: 45 Nguyễn Trãi, phường 2, quận 5",
            "address",
            "45 Nguyễn Trãi, phường 2, quận 5",
        );
        none("Mẹ mua hai cân đường ăn ở chợ");
        none("Đường về nhà xa lắm bạn ơi");
        none("Bệnh tiểu đường cần ăn ít đường");
        none("đường Láng hôm nay tắc quá");
    }

    #[test]
    fn schools_and_classes() {
        one(
            "mình học trường Tiểu học Kim Đồng",
            "school",
            "trường Tiểu học Kim Đồng",
        );
        one("em học lớp 5A", "school", "lớp 5A");
        one("t hoc lop 7a3 truong thcs nguyen du", "school", "lop 7a3");
        one(
            "t hoc lop 7a3 truong thcs nguyen du",
            "school",
            "truong thcs nguyen du",
        );
        one("Con học THCS Nguyễn Du", "school", "THCS Nguyễn Du");
        none("Trong trường hợp này thì sao");
        none("thị trường chứng khoán hôm nay");
        none("bảo vệ môi trường là việc của mọi người");
        none("mình học lớp 10 chuyên");
        none("lớp da của con rắn");
        none("sáng mai đến trường sớm nhé");
    }

    #[test]
    fn names_with_age() {
        one(
            "mình tên Nguyễn Văn An, 10 tuổi",
            "name-age",
            "Nguyễn Văn An, 10 tuổi",
        );
        one(
            "Trần Thị Mai sinh ngày 12/3/2014",
            "name-age",
            "Trần Thị Mai sinh ngày 12/3/2014",
        );
        one(
            "I'm Linh Nguyen, 11 years old",
            "name-age",
            "Linh Nguyen, 11 years old",
        );
        one(
            "ten minh la do thu trang 2k13",
            "name-age",
            "do thu trang 2k13",
        );
        none("Nguyễn Du sinh năm 1765 ở Hà Tĩnh");
        none("em 10 tuổi rồi");
        none("Hồ Chí Minh đọc bản Tuyên ngôn Độc lập");
    }

    #[test]
    fn offsets_count_characters_of_the_original() {
        // Decomposed marks and zero-width characters keep offsets right.
        let text = "Sđt: 0\u{200B}912 345 678 — lớp 5A";
        let f = find(text);
        let chars: Vec<char> = text.chars().collect();
        let spans: Vec<String> = f
            .iter()
            .map(|x| chars[x.start as usize..x.end as usize].iter().collect())
            .collect();
        assert_eq!(
            spans,
            vec!["0\u{200B}912 345 678".to_string(), "lớp 5A".to_string()]
        );
        let nfd = "lo\u{301}p 5A";
        assert_eq!(kinds(nfd), vec![("school", nfd.to_string())]);
    }

    #[test]
    fn odd_input_is_safe() {
        for t in [
            "",
            "@",
            "@@.",
            "+",
            "0",
            "\u{301}",
            "lớp",
            "số",
            "trường",
            "🙂🙂 0912345678 🙂",
            "a@b.c",
        ] {
            let _ = find(t);
        }
        let long = "0912345678 ".repeat(10_000);
        let f = find_in_tail(&long, TYPING_TAIL_CHARS);
        // The tail starts inside a number; the 1,818 whole ones are found.
        assert_eq!(f.len(), 1818);
        let f = find(&long);
        assert_eq!(f.len(), 10_000);
        assert!(!f.is_empty());
        assert!(f.iter().all(|x| (x.end as usize) <= long.chars().count()));
    }
}
