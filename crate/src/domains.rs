//! A compact, zero-copy table of listed domains.
//!
//! The table stores no names, only a 64-bit FNV-1a hash of each domain and a
//! bit set of its categories, sorted by hash:
//!
//! ```text
//! "OCHD" | version u32 | count u32 | count × hash u64 | count × categories u16   (little endian)
//! ```
//!
//! 10 bytes a domain: 106k domains take about 1 MB, 300k about 3 MB. A lookup
//! hashes each suffix of the host at a label boundary (`a.b.example.com`,
//! `b.example.com`, `example.com`, `com`) and searches the hashes in place,
//! so loading is a copy of the bytes and a header check — no parsing.
//! With 64-bit hashes a false match between two different names is about
//! one in 10^14 lookups at this size.
//!
//! Loading also builds one small index (about 2 bytes a domain): where each
//! run of hashes sharing their top bits starts. A lookup reads that index
//! and scans a run of one or two hashes, instead of a binary search that
//! touches 17 cache lines for every suffix of every host — most lookups
//! are misses (ordinary sites), and a miss paid the full search each time.
//!
//! This file depends on nothing but `std`: `build.rs` includes it to compile
//! the lists shipped in `data/domains/` at build time.

pub const MAGIC: &[u8; 4] = b"OCHD";
pub const VERSION: u32 = 1;
const HEADER: usize = 12;
/// Hosts deeper than this many labels are looked up by their last labels only.
const MAX_LABELS: usize = 12;

/// FNV-1a, 64 bit: simple, stable across platforms and versions.
pub fn hash(domain: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in domain.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Punycode (RFC 3492) of one label's code points.
fn punycode(input: &[char]) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    fn adapt(mut delta: u32, numpoints: u32, first: bool) -> u32 {
        delta = if first { delta / 700 } else { delta / 2 };
        delta += delta / numpoints;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + 38)
    }
    let digit = |d: u32| -> char {
        if d < 26 {
            (b'a' + d as u8) as char
        } else {
            (b'0' + (d - 26) as u8) as char
        }
    };
    let mut out: String = input.iter().filter(|c| c.is_ascii()).collect();
    let basic = out.len() as u32;
    let mut h = basic;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias) = (128u32, 0u32, 72u32);
    while (h as usize) < input.len() {
        let m = input.iter().map(|c| *c as u32).filter(|c| *c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(h + 1)?)?;
        n = m;
        for &c in input {
            let c = c as u32;
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, h + 1, h == basic);
                delta = 0;
                h += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    Some(out)
}

/// A host name in the ASCII form browsers use: each label with non-ASCII
/// letters becomes `xn--` + Punycode (after lower-casing). Callers give NFC
/// text (URL parsers and our lists do).
pub fn to_ascii_host(host: &str) -> Option<String> {
    if host.is_ascii() {
        return Some(host.to_ascii_lowercase());
    }
    let mut out = String::with_capacity(host.len() + 8);
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let lower: Vec<char> = label.chars().flat_map(char::to_lowercase).collect();
        if lower.iter().all(char::is_ascii) {
            out.extend(lower);
        } else {
            out.push_str("xn--");
            out.push_str(&punycode(&lower)?);
        }
    }
    Some(out)
}

/// Cleans one list entry or host: lower case, ASCII (Punycode) form, no
/// trailing dot, no `www.`, no port; `None` for something that is not a
/// plausible host name.
pub fn clean_host(raw: &str) -> Option<String> {
    let mut s = to_ascii_host(raw.trim().trim_end_matches('.'))?;
    if let Some(i) = s.rfind(':') {
        if s[i + 1..].bytes().all(|b| b.is_ascii_digit()) && !s[..i].contains(':') {
            s.truncate(i);
        }
    }
    while s.starts_with("*.") {
        s.drain(..2);
    }
    if s.starts_with("www.") && s[4..].contains('.') {
        s.drain(..4);
    }
    let ok = !s.is_empty()
        && s.len() <= 253
        && !s.starts_with('.')
        && !s.as_bytes().windows(2).any(|w| w == b"..")
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-' || c == '_');
    ok.then_some(s)
}

/// Builds the table bytes from (domain, category bits) pairs. Duplicates
/// merge their categories.
pub fn build(entries: impl IntoIterator<Item = (String, u16)>) -> Vec<u8> {
    let mut rows: Vec<(u64, u16)> = entries.into_iter().map(|(d, c)| (hash(&d), c)).collect();
    crate::sort::sort_by_key(&mut rows, |r| r.0);
    let mut merged: Vec<(u64, u16)> = Vec::with_capacity(rows.len());
    for (h, c) in rows {
        match merged.last_mut() {
            Some(last) if last.0 == h => last.1 |= c,
            _ => merged.push((h, c)),
        }
    }
    let mut out = Vec::with_capacity(HEADER + merged.len() * 10);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(merged.len() as u32).to_le_bytes());
    for (h, _) in &merged {
        out.extend_from_slice(&h.to_le_bytes());
    }
    for (_, c) in &merged {
        out.extend_from_slice(&c.to_le_bytes());
    }
    out
}

/// Category ids in bit order (the same as `Category::ALL`; kept here so this
/// file needs nothing but `std`, checked by a test).
pub const CATEGORY_IDS: [&str; 11] = [
    "sexual",
    "violence",
    "self-harm",
    "drugs",
    "gambling",
    "weapons",
    "hate",
    "harassment",
    "profanity",
    "scam",
    "grooming",
];

/// Reads every `CATEGORY.SOURCE.txt` list in `dir` into (domain, category
/// bit) pairs, in file order.
pub fn read_dir_lists(dir: &std::path::Path) -> Result<Vec<(String, u16)>, String> {
    let mut entries = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let cat = name.split('.').next().unwrap_or("");
        let bit = CATEGORY_IDS.iter().position(|c| *c == cat).ok_or_else(|| {
            format!(
                "{}: the file name must start with a category id",
                path.display()
            )
        })?;
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let d = clean_host(line).ok_or_else(|| {
                format!(
                    "{} line {}: `{line}` is not a domain",
                    path.display(),
                    n + 1
                )
            })?;
            entries.push((d, 1u16 << bit));
        }
    }
    Ok(entries)
}

/// Compiles every `CATEGORY.SOURCE.txt` list in `dir` (one domain per line,
/// `#` comments) into table bytes. Returns the bytes and the number of
/// distinct domains. Errors name the file and line.
pub fn compile_dir(dir: &std::path::Path) -> Result<(Vec<u8>, usize), String> {
    let bytes = build(read_dir_lists(dir)?);
    let n = (bytes.len() - HEADER) / 10;
    Ok((bytes, n))
}

/// A loaded table, borrowing or owning its bytes.
#[derive(Clone, Debug, Default)]
pub struct DomainTable {
    bytes: Vec<u8>,
    count: usize,
    /// `runs[k]..runs[k + 1]`: the rows whose hash has `k` as its top
    /// `run_bits` bits (rows are sorted by hash).
    runs: Vec<u32>,
    run_bits: u32,
}

/// What a lookup found: the listed domain (a suffix of the host) and its
/// category bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listed<'h> {
    pub domain: &'h str,
    pub categories: u16,
}

impl DomainTable {
    /// Checks the header and takes the bytes as they are.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<DomainTable, String> {
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return Err("domain table: not an Ô Che domain table (bad magic)".into());
        }
        let version = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
        if version != VERSION {
            return Err(format!(
                "domain table: version {version}, expected {VERSION}"
            ));
        }
        let count = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        if bytes.len() != HEADER + count * 10 {
            return Err(format!(
                "domain table: {} bytes, expected {} for {count} domains",
                bytes.len(),
                HEADER + count * 10
            ));
        }
        let mut table = DomainTable {
            bytes,
            count,
            runs: Vec::new(),
            run_bits: 0,
        };
        table.index_runs();
        Ok(table)
    }

    /// Builds `runs`: about two rows a run, at most 2^20 runs.
    fn index_runs(&mut self) {
        let bits = (usize::BITS - (self.count / 2).leading_zeros()).clamp(1, 20);
        let n = 1usize << bits;
        let mut runs = Vec::with_capacity(n + 1);
        let mut row = 0usize;
        for k in 0..n as u64 {
            while row < self.count && self.hash_at(row) >> (64 - bits) < k {
                row += 1;
            }
            runs.push(row as u32);
        }
        runs.push(self.count as u32);
        self.runs = runs;
        self.run_bits = bits;
    }

    pub fn empty() -> DomainTable {
        DomainTable::from_bytes(build(std::iter::empty())).expect("empty table")
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes held in memory (the table and its index).
    pub fn memory_bytes(&self) -> usize {
        self.bytes.len() + self.runs.len() * 4
    }

    fn hash_at(&self, i: usize) -> u64 {
        let o = HEADER + i * 8;
        u64::from_le_bytes(self.bytes[o..o + 8].try_into().unwrap())
    }

    fn cats_at(&self, i: usize) -> u16 {
        let o = HEADER + self.count * 8 + i * 2;
        u16::from_le_bytes(self.bytes[o..o + 2].try_into().unwrap())
    }

    /// Categories of exactly this domain, 0 if unlisted.
    pub fn get(&self, domain: &str) -> u16 {
        if self.count == 0 {
            return 0;
        }
        let h = hash(domain);
        let k = (h >> (64 - self.run_bits)) as usize;
        for row in self.runs[k] as usize..self.runs[k + 1] as usize {
            let v = self.hash_at(row);
            if v == h {
                return self.cats_at(row);
            }
            if v > h {
                break;
            }
        }
        0
    }

    /// The longest listed suffix of `host` (already cleaned, lower case).
    pub fn lookup<'h>(&self, host: &'h str) -> Option<Listed<'h>> {
        if self.count == 0 {
            return None;
        }
        let mut starts = [0usize; MAX_LABELS];
        let mut n = 0;
        starts[n] = 0;
        n += 1;
        for (i, b) in host.bytes().enumerate() {
            if b == b'.' && i + 1 < host.len() {
                if n == MAX_LABELS {
                    starts.copy_within(1.., 0);
                    n -= 1;
                }
                starts[n] = i + 1;
                n += 1;
            }
        }
        // Longest suffix first, so the most specific listing wins.
        for &s in &starts[..n] {
            let d = &host[s..];
            let c = self.get(d);
            if c != 0 {
                return Some(Listed {
                    domain: d,
                    categories: c,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_aware_lookup() {
        let t = DomainTable::from_bytes(build([
            ("example.com".to_string(), 1),
            ("bad.vn".to_string(), 4),
            ("bad.vn".to_string(), 8),
        ]))
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t.lookup("a.b.example.com"),
            Some(Listed {
                domain: "example.com",
                categories: 1
            })
        );
        assert_eq!(t.lookup("example.com").unwrap().categories, 1);
        assert_eq!(t.lookup("bad.vn").unwrap().categories, 12);
        assert_eq!(t.lookup("notexample.com"), None);
        assert_eq!(t.lookup("com"), None);
        assert_eq!(t.lookup(""), None);
    }

    #[test]
    fn rejects_corrupt_tables() {
        assert!(DomainTable::from_bytes(b"nope".to_vec()).is_err());
        let mut b = build([("a.com".to_string(), 1)]);
        b.pop();
        assert!(DomainTable::from_bytes(b).unwrap_err().contains("expected"));
        let mut b = build([("a.com".to_string(), 1)]);
        b[4] = 9;
        assert!(DomainTable::from_bytes(b).unwrap_err().contains("version"));
    }

    #[test]
    fn cleans_hosts() {
        assert_eq!(clean_host("WWW.Example.COM."), Some("example.com".into()));
        assert_eq!(clean_host("example.com:8080"), Some("example.com".into()));
        assert_eq!(
            clean_host("*.ads.example.com"),
            Some("ads.example.com".into())
        );
        assert_eq!(clean_host("www.com"), Some("www.com".into()));
        assert_eq!(clean_host("bad host"), None);
        assert_eq!(clean_host("a..b"), None);
        assert_eq!(clean_host(""), None);
    }

    #[test]
    fn unicode_hosts_become_punycode() {
        // Examples from RFC 3492 and the browsers' own conversion.
        assert_eq!(
            to_ascii_host("bücher.de").as_deref(),
            Some("xn--bcher-kva.de")
        );
        assert_eq!(to_ascii_host("Việt.vn").as_deref(), Some("xn--vit-5kz.vn"));
        assert_eq!(to_ascii_host("例え.jp").as_deref(), Some("xn--r8jz45g.jp"));
        assert_eq!(clean_host("shọp.vn").as_deref(), Some("xn--shp-ulz.vn"));
    }

    #[test]
    fn deep_hosts_do_not_overflow() {
        let t = DomainTable::from_bytes(build([("x.com".to_string(), 2)])).unwrap();
        let deep = format!("{}x.com", "a.".repeat(40));
        assert_eq!(t.lookup(&deep).unwrap().domain, "x.com");
    }

    #[test]
    fn indexed_lookup_agrees_with_a_set_at_every_size() {
        // Sizes around the index's run-size steps, including tiny tables.
        for n in [1usize, 2, 3, 7, 100, 1_000, 40_000] {
            let listed: Vec<String> = (0..n)
                .map(|i| format!("site{i}.bad{}.vn", i % 97))
                .collect();
            let t =
                DomainTable::from_bytes(build(listed.iter().map(|d| (d.clone(), 1 << (n % 11)))))
                    .unwrap();
            for d in &listed {
                assert_eq!(t.get(d), 1 << (n % 11), "{d} in a table of {n}");
            }
            for i in 0..2_000 {
                assert_eq!(t.get(&format!("site{i}.good.vn")), 0);
            }
        }
    }
}
