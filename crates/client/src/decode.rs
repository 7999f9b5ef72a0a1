//! Bytes to text with `encoding_rs`: a BOM decides (UTF-8, UTF-16LE, UTF-16BE); without one,
//! valid UTF-8 is UTF-8 and anything else is tried as CP932, what `cmd.exe` redirects write on
//! Japanese Windows. Binary data and oversized input are refused with what they looked like.

use crate::model::TextEncoding;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE, UTF_8};

/// The largest input accepted. A `slmgr /dlv all` with every Office SKU is a few hundred KiB
/// even in UTF-16; anything larger is not a pasted client output.
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;

/// More than this share of U+FFFD replacement characters (per mille) means not text.
const MAX_REPLACEMENT_PER_MILLE: usize = 5;
/// Control characters other than tab, CR, LF, form feed and Ctrl-Z allowed per mille.
const MAX_CONTROL_PER_MILLE: usize = 5;

#[derive(Debug)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
}

/// Why bytes are not text this crate reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    Empty,
    TooLarge {
        bytes: usize,
    },
    Binary {
        encoding: Option<TextEncoding>,
        detail: String,
    },
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(DecodeError::TooLarge { bytes: bytes.len() });
    }
    let (text, encoding) = match Encoding::for_bom(bytes) {
        Some((enc, bom)) => {
            let label = if enc == UTF_8 {
                TextEncoding::Utf8Bom
            } else if enc == UTF_16LE {
                TextEncoding::Utf16LeBom
            } else if enc == UTF_16BE {
                TextEncoding::Utf16BeBom
            } else {
                // for_bom only ever returns the three above.
                TextEncoding::Utf8Bom
            };
            let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
            (text.into_owned(), label)
        }
        None => {
            // Before UTF-8: UTF-16 text of ASCII characters is valid UTF-8 full of NULs.
            if let Some(d) = utf16_without_bom(bytes) {
                return Err(DecodeError::Binary {
                    encoding: None,
                    detail: format!(
                        "it looks like {d} without a byte-order mark (every other byte is \
                         NUL); save it as UTF-8 or UTF-16 with a BOM"
                    ),
                });
            }
            match UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => (text.into_owned(), TextEncoding::Utf8),
                None => {
                    let (text, _, _) = SHIFT_JIS.decode(bytes);
                    let text = text.into_owned();
                    if too_many_replacements(&text) {
                        // A UTF-8 paste and a CP932 redirect joined into one file
                        // (`type a.txt b.txt`): decode line by line.
                        let mixed = mixed_lines(bytes);
                        if !too_many_replacements(&mixed) {
                            return check_text(&mixed, TextEncoding::Utf8AndCp932).map(|()| {
                                Decoded {
                                    text: mixed,
                                    encoding: TextEncoding::Utf8AndCp932,
                                }
                            });
                        }
                    }
                    (text, TextEncoding::Cp932)
                }
            }
        }
    };
    check_text(&text, encoding)?;
    Ok(Decoded { text, encoding })
}

/// UTF-16 written without a BOM shows as NULs in every other byte of ASCII text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static str> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd_nul * 10 >= pairs * 8 && even_nul * 10 < pairs {
        Some("UTF-16LE")
    } else if even_nul * 10 >= pairs * 8 && odd_nul * 10 < pairs {
        Some("UTF-16BE")
    } else {
        None
    }
}

/// Each line as UTF-8 when it is valid UTF-8, else as CP932.
fn mixed_lines(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        match UTF_8.decode_without_bom_handling_and_without_replacement(line) {
            Some(t) => out.push_str(&t),
            None => out.push_str(&SHIFT_JIS.decode_without_bom_handling(line).0),
        }
    }
    out
}

fn replacements(text: &str) -> (usize, usize) {
    let total = text.chars().count().max(1);
    (text.chars().filter(|c| *c == '\u{fffd}').count(), total)
}

fn too_many_replacements(text: &str) -> bool {
    let (replaced, total) = replacements(text);
    replaced > 2 && replaced * 1000 > total * MAX_REPLACEMENT_PER_MILLE
}

fn check_text(text: &str, encoding: TextEncoding) -> Result<(), DecodeError> {
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    // One pass: NULs, replacement characters, other control characters.
    let (mut total, mut nuls, mut first_nul, mut replaced, mut control) = (0, 0, None, 0, 0);
    for c in text.chars() {
        match c {
            '\0' => {
                nuls += 1;
                first_nul.get_or_insert(total);
            }
            '\u{fffd}' => replaced += 1,
            '\t' | '\r' | '\n' | '\u{c}' | '\u{1a}' => {}
            c if c.is_control() => control += 1,
            _ => {}
        }
        total += 1;
    }
    let total = total.max(1);
    if let Some(at) = first_nul {
        return Err(DecodeError::Binary {
            encoding: Some(encoding),
            detail: format!(
                "{nuls} NUL character(s) after decoding as {encoding}, the first at character \
                 {at}"
            ),
        });
    }
    if replaced > 2 && replaced * 1000 > total * MAX_REPLACEMENT_PER_MILLE {
        return Err(DecodeError::Binary {
            encoding: Some(encoding),
            detail: format!(
                "{replaced} of {total} characters are not valid {encoding}{}",
                if encoding == TextEncoding::Cp932 {
                    " (and the bytes are not UTF-8 either)"
                } else {
                    ""
                }
            ),
        });
    }
    if control > 2 && control * 1000 > total * MAX_CONTROL_PER_MILLE {
        return Err(DecodeError::Binary {
            encoding: Some(encoding),
            detail: format!("{control} of {total} characters are control characters"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xff, 0xfe] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    #[test]
    fn encodings() {
        let d = decode(b"Name: x\r\n").unwrap();
        assert_eq!(
            (d.encoding, d.text.as_str()),
            (TextEncoding::Utf8, "Name: x\r\n")
        );
        let d = decode("\u{feff}説明: x".as_bytes()).unwrap();
        assert_eq!(
            (d.encoding, d.text.as_str()),
            (TextEncoding::Utf8Bom, "説明: x")
        );
        let d = decode(&utf16le("ライセンスの状態: x", true)).unwrap();
        assert_eq!(d.encoding, TextEncoding::Utf16LeBom);
        assert_eq!(d.text, "ライセンスの状態: x");
        let mut be = vec![0xfe, 0xff];
        be.extend("Name: y".encode_utf16().flat_map(u16::to_be_bytes));
        let d = decode(&be).unwrap();
        assert_eq!(
            (d.encoding, d.text.as_str()),
            (TextEncoding::Utf16BeBom, "Name: y")
        );
        let (sjis, _, _) = SHIFT_JIS.encode("ライセンスの状態: ライセンスされています");
        let d = decode(&sjis).unwrap();
        assert_eq!(d.encoding, TextEncoding::Cp932);
        assert_eq!(d.text, "ライセンスの状態: ライセンスされています");
    }

    #[test]
    fn refusals() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode(b" \r\n\t").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode(&[0xff, 0xfe]).unwrap_err(), DecodeError::Empty);
        let big = vec![b'a'; MAX_INPUT_BYTES + 1];
        assert_eq!(
            decode(&big).unwrap_err(),
            DecodeError::TooLarge {
                bytes: MAX_INPUT_BYTES + 1
            }
        );
        assert!(decode(&vec![b'a'; MAX_INPUT_BYTES]).is_ok());
        match decode(&utf16le("Name: Windows(R), Enterprise edition", false)).unwrap_err() {
            DecodeError::Binary { detail, .. } => assert!(detail.contains("UTF-16LE"), "{detail}"),
            e => panic!("{e:?}"),
        }
        match decode(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0").unwrap_err() {
            DecodeError::Binary { detail, .. } => assert!(detail.contains("NUL"), "{detail}"),
            e => panic!("{e:?}"),
        }
        // Random high bytes: neither UTF-8 nor CP932.
        let noise: Vec<u8> = (0..2000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 0x80)
            .collect();
        assert!(matches!(
            decode(&noise).unwrap_err(),
            DecodeError::Binary { .. }
        ));
        let ctl: Vec<u8> = (0..200u8)
            .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
            .collect();
        match decode(&ctl).unwrap_err() {
            DecodeError::Binary { detail, .. } => assert!(detail.contains("control"), "{detail}"),
            e => panic!("{e:?}"),
        }
        // A stray undecodable byte in a long text is tolerated.
        let mut mostly = "Name: x\n".repeat(200).into_bytes();
        mostly.push(0x80);
        assert!(decode(&mostly).is_ok());
    }
}
