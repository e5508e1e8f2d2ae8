//! A tiny LZ77 codec for the lexicons compiled into the binary.
//!
//! The default lexicons are ~130 KB of text; shipped as they are they would
//! be a third of the WebAssembly module. `build.rs` compresses them with
//! [`compress`] and the classifier expands them once at start-up with
//! [`decompress`] (about a millisecond). Format: a sequence of tokens; a
//! control byte `c < 0x80` is followed by `c + 1` literal bytes; `c >= 0x80`
//! is a match of `(c & 0x7f) + 3` bytes at a 16-bit little-endian distance.
//!
//! [`pack`] adds a canonical Huffman stage over those bytes ([`entropy`] /
//! [`unentropy`]): the LZ tokens are whole bytes, and most of them are
//! Vietnamese and English letters, which a byte-wise code squeezes by
//! another quarter. Format: `original length u32 LE | 256 code lengths
//! (u8, 0 = unused) | bits, most significant first`.
//!
//! This file depends on nothing but `core`/`std`: `build.rs` includes it.

const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 0x7f + MIN_MATCH;
const WINDOW: usize = 0xffff;

/// Greedy compression with a hash chain (deterministic output).
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2);
    let mut head = vec![usize::MAX; 1 << 15];
    let mut prev = vec![usize::MAX; input.len()];
    let hash = |i: usize| -> usize {
        ((input[i] as usize) << 10 ^ (input[i + 1] as usize) << 5 ^ input[i + 2] as usize)
            & ((1 << 15) - 1)
    };
    let mut literals: Vec<u8> = Vec::new();
    let flush = |out: &mut Vec<u8>, lit: &mut Vec<u8>| {
        for chunk in lit.chunks(0x80) {
            out.push((chunk.len() - 1) as u8);
            out.extend_from_slice(chunk);
        }
        lit.clear();
    };
    let mut i = 0;
    while i < input.len() {
        let mut best = (0usize, 0usize);
        if i + MIN_MATCH <= input.len() {
            let h = hash(i);
            let mut cand = head[h];
            let mut depth = 0;
            while cand != usize::MAX && i - cand <= WINDOW && depth < 64 {
                let mut l = 0;
                while l < MAX_MATCH && i + l < input.len() && input[cand + l] == input[i + l] {
                    l += 1;
                }
                if l > best.0 {
                    best = (l, i - cand);
                }
                cand = prev[cand];
                depth += 1;
            }
        }
        let step = if best.0 >= MIN_MATCH {
            flush(&mut out, &mut literals);
            out.push(0x80 | (best.0 - MIN_MATCH) as u8);
            out.extend_from_slice(&(best.1 as u16).to_le_bytes());
            best.0
        } else {
            literals.push(input[i]);
            1
        };
        for k in i..i + step {
            if k + MIN_MATCH <= input.len() {
                let h = hash(k);
                prev[k] = head[h];
                head[h] = k;
            }
        }
        i += step;
    }
    flush(&mut out, &mut literals);
    out
}

/// Expands [`compress`] output; `None` if the input is damaged.
pub fn decompress(input: &[u8]) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len() * 3);
    let mut i = 0;
    while i < input.len() {
        let c = input[i] as usize;
        i += 1;
        if c < 0x80 {
            let n = c + 1;
            out.extend_from_slice(input.get(i..i + n)?);
            i += n;
        } else {
            let len = (c & 0x7f) + MIN_MATCH;
            let dist = u16::from_le_bytes([*input.get(i)?, *input.get(i + 1)?]) as usize;
            i += 2;
            if dist == 0 || dist > out.len() {
                return None;
            }
            let start = out.len() - dist;
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    Some(out)
}

/// LZ, then Huffman: what `build.rs` writes.
pub fn pack(input: &[u8]) -> Vec<u8> {
    entropy(&compress(input))
}

/// Reverses [`pack`]; `None` if the input is damaged.
pub fn unpack(input: &[u8]) -> Option<Vec<u8>> {
    decompress(&unentropy(input)?)
}

/// Longest code the decoder accepts.
const MAX_CODE_LEN: u8 = 24;

/// Huffman code lengths for byte frequencies (deterministic: ties broken
/// by symbol). Frequencies are flattened until no code is too long.
fn code_lengths(freq: &[u64; 256]) -> [u8; 256] {
    let mut f = *freq;
    loop {
        // Nodes: (weight, id); leaves 0..256, internal nodes after.
        let mut nodes: Vec<(u64, usize)> =
            (0..256).filter(|&s| f[s] > 0).map(|s| (f[s], s)).collect();
        let mut parent = vec![usize::MAX; 512];
        let mut next = 256;
        if nodes.len() == 1 {
            let mut len = [0u8; 256];
            len[nodes[0].1] = 1;
            return len;
        }
        while nodes.len() > 1 {
            nodes.sort_unstable_by(|a, b| b.cmp(a));
            let a = nodes.pop().unwrap();
            let b = nodes.pop().unwrap();
            parent[a.1] = next;
            parent[b.1] = next;
            nodes.push((a.0 + b.0, next));
            next += 1;
        }
        let mut len = [0u8; 256];
        let mut too_long = false;
        for s in 0..256 {
            if f[s] == 0 {
                continue;
            }
            let (mut d, mut n) = (0u32, s);
            while parent[n] != usize::MAX {
                n = parent[n];
                d += 1;
            }
            too_long |= d > MAX_CODE_LEN as u32;
            len[s] = d as u8;
        }
        if !too_long {
            return len;
        }
        for x in f.iter_mut().filter(|x| **x > 0) {
            *x = (*x >> 1) + 1;
        }
    }
}

/// Canonical codes: symbols sorted by (length, symbol).
fn canonical(len: &[u8; 256]) -> Vec<(u8, u32, u8)> {
    // In (length, symbol) order, without a sort (one less sort routine in
    // the .wasm, which unpacks the lexicons).
    let syms: Vec<(u8, u8)> = (1..=u8::MAX)
        .flat_map(|l| {
            (0..=u8::MAX)
                .filter(move |&s| len[s as usize] == l)
                .map(move |s| (l, s))
        })
        .collect();
    let mut out = Vec::with_capacity(syms.len());
    let (mut code, mut prev_len) = (0u32, 0u8);
    for (i, &(l, s)) in syms.iter().enumerate() {
        if i > 0 {
            code = (code + 1) << (l - prev_len);
        } else {
            code <<= l;
        }
        prev_len = l;
        out.push((s, code, l));
    }
    out
}

/// Byte-wise canonical Huffman coding.
pub fn entropy(input: &[u8]) -> Vec<u8> {
    let mut freq = [0u64; 256];
    for &b in input {
        freq[b as usize] += 1;
    }
    let len = code_lengths(&freq);
    let mut table = [(0u32, 0u8); 256];
    for (s, code, l) in canonical(&len) {
        table[s as usize] = (code, l);
    }
    let mut out = Vec::with_capacity(input.len() / 2 + 260);
    out.extend_from_slice(&(input.len() as u32).to_le_bytes());
    out.extend_from_slice(&len);
    let (mut acc, mut nbits) = (0u64, 0u32);
    for &b in input {
        let (code, l) = table[b as usize];
        acc = (acc << l) | code as u64;
        nbits += l as u32;
        while nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
        }
    }
    if nbits > 0 {
        out.push((acc << (8 - nbits)) as u8);
    }
    out
}

/// Reverses [`entropy`]; `None` if the input is damaged.
pub fn unentropy(input: &[u8]) -> Option<Vec<u8>> {
    let n = u32::from_le_bytes(input.get(..4)?.try_into().ok()?) as usize;
    let len: [u8; 256] = input.get(4..260)?.try_into().ok()?;
    if len.iter().any(|&l| l > MAX_CODE_LEN) {
        return None;
    }
    let codes = canonical(&len);
    // Per length: the first code and the index of its symbol in `codes`.
    let mut first = [u32::MAX; MAX_CODE_LEN as usize + 1];
    let mut count = [0u32; MAX_CODE_LEN as usize + 1];
    let mut index = [0usize; MAX_CODE_LEN as usize + 1];
    for (i, &(_, code, l)) in codes.iter().enumerate() {
        let l = l as usize;
        if count[l] == 0 {
            first[l] = code;
            index[l] = i;
        }
        count[l] += 1;
    }
    let mut out = Vec::with_capacity(n);
    let bits = &input[260..];
    let (mut code, mut l, mut pos) = (0u32, 0usize, 0usize);
    while out.len() < n {
        let byte = *bits.get(pos >> 3)?;
        code = (code << 1) | ((byte >> (7 - (pos & 7))) & 1) as u32;
        pos += 1;
        l += 1;
        if l > MAX_CODE_LEN as usize {
            return None;
        }
        if count[l] > 0 && code >= first[l] && code - first[l] < count[l] {
            out.push(codes[index[l] + (code - first[l]) as usize].0);
            code = 0;
            l = 0;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in [
            "",
            "a",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "địt mẹ, địt mẹ, nhà cái nhà cái uy tín",
        ] {
            let c = compress(text.as_bytes());
            assert_eq!(decompress(&c).unwrap(), text.as_bytes());
        }
        let long: String = (0..20000)
            .map(|i| format!("{} từ {}\n", i % 97, i % 13))
            .collect();
        let c = compress(long.as_bytes());
        assert!(c.len() < long.len() / 2);
        assert_eq!(decompress(&c).unwrap(), long.as_bytes());
        assert_eq!(decompress(&[0x80, 5, 0]), None);
        assert_eq!(decompress(&[3, b'a']), None);
        let p = pack(long.as_bytes());
        assert!(p.len() < c.len());
        assert_eq!(unpack(&p).unwrap(), long.as_bytes());
        for text in ["", "a", "aaaa", "địt mẹ nhà cái"] {
            assert_eq!(unpack(&pack(text.as_bytes())).unwrap(), text.as_bytes());
        }
        assert_eq!(unpack(&[1, 2, 3]), None);
        let mut damaged = p.clone();
        damaged.truncate(p.len() / 2);
        assert_eq!(unpack(&damaged), None);
    }
}
