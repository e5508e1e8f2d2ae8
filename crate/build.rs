//! Compiles the domain lists in `data/domains/` into the binary table that
//! the native CLI embeds (the extension build writes the same bytes to
//! `domains.bin` with `oche compile-domains`).

#[path = "src/domains.rs"]
#[allow(dead_code)]
mod domains;

#[path = "src/lz.rs"]
#[allow(dead_code)]
mod lz;

#[path = "src/sort.rs"]
#[allow(dead_code)]
mod sort;

/// The lexicons compiled into the binary, in this order: (source name,
/// file). The source name is what reason codes show (`vi/profanity:…`).
const LEXICONS: &[(&str, &str)] = &[
    ("vi/profanity", "data/lexicon/vi/profanity.txt"),
    ("vi/sexual", "data/lexicon/vi/sexual.txt"),
    ("vi/hate", "data/lexicon/vi/hate.txt"),
    ("vi/harassment", "data/lexicon/vi/harassment.txt"),
    ("vi/violence", "data/lexicon/vi/violence.txt"),
    ("vi/weapons", "data/lexicon/vi/weapons.txt"),
    ("vi/self-harm", "data/lexicon/vi/self-harm.txt"),
    ("vi/drugs", "data/lexicon/vi/drugs.txt"),
    ("vi/gambling", "data/lexicon/vi/gambling.txt"),
    ("vi/scam", "data/lexicon/vi/scam.txt"),
    ("vi/grooming", "data/lexicon/vi/grooming.txt"),
    ("vi/context", "data/lexicon/vi/context.txt"),
    ("vi/tone", "data/lexicon/vi/tone.txt"),
    ("vi/exceptions", "data/lexicon/vi/exceptions.txt"),
    ("en/profanity", "data/lexicon/en/profanity.txt"),
    ("en/sexual", "data/lexicon/en/sexual.txt"),
    ("en/hate", "data/lexicon/en/hate.txt"),
    ("en/harassment", "data/lexicon/en/harassment.txt"),
    ("en/violence", "data/lexicon/en/violence.txt"),
    ("en/weapons", "data/lexicon/en/weapons.txt"),
    ("en/self-harm", "data/lexicon/en/self-harm.txt"),
    ("en/drugs", "data/lexicon/en/drugs.txt"),
    ("en/gambling", "data/lexicon/en/gambling.txt"),
    ("en/scam", "data/lexicon/en/scam.txt"),
    ("en/grooming", "data/lexicon/en/grooming.txt"),
    ("en/context", "data/lexicon/en/context.txt"),
    ("en/exceptions", "data/lexicon/en/exceptions.txt"),
    ("url", "data/lexicon/url.txt"),
    ("teencode", "data/teencode.tsv"),
];

/// Writes `lexicons.lz`: every lexicon as `name\0text\0`, comments and
/// blank lines removed (a blank line keeps the line count, so parse errors
/// still name the line of the original file), LZ-compressed.
fn write_lexicons() {
    let mut blob = Vec::new();
    for (name, path) in LEXICONS {
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut compact = String::with_capacity(text.len());
        for line in text.lines() {
            let t = match line.find('#') {
                Some(i) if i == 0 || line[..i].ends_with(char::is_whitespace) => &line[..i],
                _ => line,
            };
            let t = t.trim();
            // Single spaces between weight and phrase; tabs stay (teencode).
            let t = if t.contains('\t') {
                t.to_string()
            } else {
                t.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            compact.push_str(&t);
            compact.push('\n');
        }
        blob.extend_from_slice(name.as_bytes());
        blob.push(0);
        blob.extend_from_slice(compact.as_bytes());
        blob.push(0);
    }
    let packed = lz::pack(&blob);
    assert_eq!(lz::unpack(&packed).as_deref(), Some(&blob[..]));
    std::fs::write(
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("lexicons.lz"),
        packed,
    )
    .unwrap();
}

/// Writes `compat.rs`: every character above ASCII whose compatibility
/// decomposition (NFKD) is one to three ASCII letters or digits, possibly
/// followed by combining marks (`ệ`, `Ｓ`, `𝐬`, `ﬁ`, `①`). The normaliser
/// uses this table instead of shipping the full Unicode tables in the
/// WebAssembly module (about 120 KB smaller).
fn write_compat_table() {
    use unicode_normalization::UnicodeNormalization;
    // Fixed-width little-endian records, packed (LZ + Huffman) into
    // tables.bin: as Rust arrays they were ~20 KB of the .wasm.
    let mut compat_bin: Vec<u8> = Vec::new();
    let mut marked_bin: Vec<u8> = Vec::new();
    let mut decomp_bin: Vec<u8> = Vec::new();
    let mut rows = String::new();
    let mut n = 0;
    for cp in 0x80u32..0x2_0000 {
        if (0x1D400..=0x1D7FF).contains(&cp) {
            continue; // mathematical letters: mapped arithmetically in code
        }
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        if c == 'đ' || c == 'Đ' {
            continue; // no decomposition; handled in code
        }
        let d: Vec<char> = std::iter::once(c).nfkd().collect();
        let letters: String = d.iter().take_while(|x| x.is_ascii_alphanumeric()).collect();
        let marks: Vec<char> = d[letters.chars().count()..].to_vec();
        if letters.is_empty() || letters.len() > 3 || d == [c] {
            continue;
        }
        if !marks.iter().all(|m| ('\u{300}'..='\u{36F}').contains(m))
            || marks.len() > 3
            || (letters.len() > 1 && !marks.is_empty())
        {
            continue;
        }
        // Packed row: code point, up to 3 ASCII letters (0 = none), up to 3
        // marks as offsets from U+0300 (0xff = none).
        let mut l3 = [0u8; 3];
        for (k, b) in letters.bytes().enumerate() {
            l3[k] = b;
        }
        let mut m3 = [0xffu8; 3];
        for (k, m) in marks.iter().enumerate() {
            m3[k] = (*m as u32 - 0x300) as u8;
        }
        rows.push_str(&format!("    (0x{cp:x}, {l3:?}, {m3:?}),\n"));
        compat_bin.extend_from_slice(&cp.to_le_bytes());
        compat_bin.extend_from_slice(&l3);
        compat_bin.extend_from_slice(&m3);
        n += 1;
    }
    // Letters of other scripts with marks (Greek `ὐ`, Cyrillic `ё`…): base
    // letter and marks, so NFC and NFD input give the same tokens.
    let mut other_rows = String::new();
    let mut m_count = 0;
    for cp in 0x80u32..0x2_0000 {
        if (0xAC00..=0xD7A3).contains(&cp) {
            continue; // Hangul syllables: algorithmic, not letters with marks
        }
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let d: Vec<char> = std::iter::once(c).nfd().collect();
        if d.len() < 2
            || d[0].is_ascii()
            || !d[1..].iter().all(|m| ('\u{300}'..='\u{36F}').contains(m))
            || d.len() > 4
        {
            continue;
        }
        let mut m3 = [0xffu8; 3];
        for (k, m) in d[1..].iter().enumerate() {
            m3[k] = (*m as u32 - 0x300) as u8;
        }
        other_rows.push_str(&format!("    (0x{cp:x}, 0x{:x}, {m3:?}),\n", d[0] as u32));
        marked_bin.extend_from_slice(&cp.to_le_bytes());
        marked_bin.extend_from_slice(&(d[0] as u32).to_le_bytes());
        marked_bin.extend_from_slice(&m3);
        m_count += 1;
    }
    // Any other canonical decomposition (Indic vowel signs, …): the NFD
    // characters, so NFC and NFD input give the same units.
    let mut decomp_rows = String::new();
    let mut d_count = 0;
    for cp in 0x80u32..0x3_0000 {
        if (0xAC00..=0xD7A3).contains(&cp) {
            continue;
        }
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let d: Vec<char> = std::iter::once(c).nfd().collect();
        if d == [c] || d.len() > 3 {
            continue;
        }
        let marks_only = d[1..].iter().all(|m| ('\u{300}'..='\u{36F}').contains(m));
        if marks_only {
            continue; // COMPAT or MARKED has it
        }
        let mut r = [0u32; 3];
        for (k, x) in d.iter().enumerate() {
            r[k] = *x as u32;
        }
        decomp_rows.push_str(&format!("    (0x{cp:x}, {r:?}),\n"));
        decomp_bin.extend_from_slice(&cp.to_le_bytes());
        for x in r {
            decomp_bin.extend_from_slice(&x.to_le_bytes());
        }
        d_count += 1;
    }
    let _ = (rows, other_rows, decomp_rows);
    let mut blob = Vec::new();
    for (count, bin) in [
        (n, &compat_bin),
        (m_count, &marked_bin),
        (d_count, &decomp_bin),
    ] {
        blob.extend_from_slice(&(count as u32).to_le_bytes());
        blob.extend_from_slice(bin);
    }
    let packed = lz::pack(&blob);
    assert_eq!(lz::unpack(&packed).as_deref(), Some(&blob[..]));
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(dir.join("tables.bin"), packed).unwrap();
    let out = format!(
        "/// Generated by build.rs from Unicode NFKD/NFD, packed: {n} compatibility rows (code point, ASCII letters (0 = none), marks as U+0300 offsets (0xff = none)), {m_count} marked letters of other scripts (code point, base letter, marks), {d_count} other canonical decompositions.\nstatic PACKED_TABLES: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/tables.bin\"));\n"
    );
    std::fs::write(dir.join("compat.rs"), out).unwrap();
}

fn main() {
    write_compat_table();
    write_lexicons();
    println!("cargo:rerun-if-changed=data/domains");
    for e in std::fs::read_dir("data/domains")
        .expect("data/domains")
        .flatten()
    {
        println!("cargo:rerun-if-changed={}", e.path().display());
    }
    let (bytes, _) = domains::compile_dir(std::path::Path::new("data/domains"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("domains.bin");
    std::fs::write(out, bytes).unwrap();
}
