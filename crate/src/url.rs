//! Splitting a URL into what the classifier looks at: the host (for the
//! domain lists) and the words of the host, path and query (for the URL
//! lexicon). No dependency: a child-safety filter needs the host and the
//! words, not a full WHATWG parser, and must never fail on a broken URL.

use std::borrow::Cow;

/// The parts of a URL that matter for classification. The host is cleaned
/// at once (every navigation looks it up); the words and the search query
/// are worked out only when asked, as a listed site never needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Lower-case host without port, trailing dot or `www.`; empty if none.
    pub host: String,
    path: &'a str,
    query_string: &'a str,
}

impl UrlParts<'_> {
    /// Host labels, path and query, percent-decoded, with separators turned
    /// into spaces: `nha-cai.xyz/tai-xiu?q=soi+keo` → `nha cai xyz tai xiu q soi keo`.
    pub fn words(&self) -> String {
        let mut words =
            String::with_capacity(self.host.len() + self.path.len() + self.query_string.len() + 3);
        for part in [
            Cow::Borrowed(self.host.as_str()),
            decode_component(self.path),
            decode_component(self.query_string),
        ] {
            words.extend(
                part.chars()
                    .map(|c| if c.is_alphanumeric() { c } else { ' ' }),
            );
            words.push(' ');
        }
        words
    }

    /// The search query (`q`, `p`, `query`, `search_query`, `text`, `wd`,
    /// `k`, `keyword`), if any: a harmful search is judged like page text.
    pub fn query(&self) -> Option<String> {
        for pair in self.query_string.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if matches!(
                k,
                "q" | "p" | "query" | "search_query" | "text" | "wd" | "k" | "keyword" | "keywords"
            ) && !v.is_empty()
            {
                return Some(decode_component(v).into_owned());
            }
        }
        None
    }
}

/// Parses leniently: anything that is not `scheme://host/…` is read as a
/// host or path. Returns `Err` only for input with no letters or digits.
pub fn parse(url: &str) -> Result<UrlParts<'_>, String> {
    let url = url.trim();
    if !url.chars().any(|c| c.is_alphanumeric()) {
        return Err(format!("not a URL: `{}`", truncate(url, 80)));
    }
    let rest = match crate::lexicon::find_bytes(url, "://") {
        Some(i)
            if url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            &url[i + 3..]
        }
        _ => url.strip_prefix("//").unwrap_or(url),
    };
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let hostport = authority.rsplit('@').next().unwrap_or("");
    let host_raw = if hostport.starts_with('[') {
        hostport
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    let host = crate::domains::clean_host(&percent_decode(host_raw)).unwrap_or_default();
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query_string) = match tail.split_once('?') {
        Some((p, q)) => (p, q),
        None => (tail, ""),
    };
    Ok(UrlParts {
        host,
        path,
        query_string,
    })
}

/// A path or query component with `+` as a space and `%XX` decoded;
/// borrowed when there is nothing to change (most paths).
fn decode_component(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'+' || b == b'%') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(percent_decode(&s.replace('+', " ")).into_owned())
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Decodes `%XX` escapes; invalid UTF-8 after decoding is replaced, never
/// an error (a broken URL still gets a verdict).
pub fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |x: u8| (x as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_host_path_query() {
        let p = parse("https://WWW.Nha-Cai.xyz:8443/tai-xiu/index.html?q=soi+k%C3%A8o&x=1#top")
            .unwrap();
        assert_eq!(p.host, "nha-cai.xyz");
        assert_eq!(p.query().as_deref(), Some("soi kèo"));
        let words = p.words();
        assert!(words.contains("nha cai xyz"), "{words}");
        assert!(words.contains("tai xiu"));
        assert!(words.contains("soi kèo"));
        assert!(!words.contains("top"));
    }

    #[test]
    fn lenient_on_odd_urls() {
        assert_eq!(parse("example.com/path").unwrap().host, "example.com");
        assert_eq!(parse("http://user:pw@host.vn/").unwrap().host, "host.vn");
        assert_eq!(parse("http://[::1]:80/x").unwrap().host, "");
        assert_eq!(parse("http://bad host/").unwrap().host, "");
        assert!(parse("").is_err());
        assert!(parse("://").is_err());
        assert_eq!(percent_decode("%E0%A4%A"), "\u{FFFD}%A");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
