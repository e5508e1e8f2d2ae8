//! A tiny LZ77 codec for the lexicons compiled into the binary.
//!
//! The default lexicons are ~130 KB of text; shipped as they are they would
//! be a third of the WebAssembly module. `build.rs` compresses them with
//! [`compress`] and the classifier expands them once at start-up with
//! [`decompress`] (about a millisecond). Format: a sequence of tokens; a
//! control byte `c < 0x80` is followed by `c + 1` literal bytes; `c >= 0x80`
//! is a match of `(c & 0x7f) + 3` bytes at a 16-bit little-endian distance.
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
    }
}
