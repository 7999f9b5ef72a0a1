//! Test-only helpers: a minimal JSON reader for the captured vectors in `testdata/kms`, so the
//! wire crate needs no serde even as a dev-dependency. It reads exactly the JSON the vector
//! files use (objects, arrays, strings with escapes, numbers, true/false/null) and panics on
//! anything else — acceptable in tests only.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A parsed JSON value (a small subset of `serde_json::Value`'s API).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(BTreeMap<String, Value>),
}

static NULL: Value = Value::Null;

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl std::ops::Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        match self {
            Value::Object(m) => m.get(key).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
}

/// Parse a JSON document; `Err` carries the byte offset of the problem.
pub fn from_str(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(format!("trailing data at {}", p.i));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", c as char, self.i))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Object(m));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.eat(b':')?;
                    let v = self.value()?;
                    m.insert(k, v);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Object(m));
                        }
                        _ => return Err(format!("bad object at {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::Array(a));
                }
                loop {
                    a.push(self.value()?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Array(a));
                        }
                        _ => return Err(format!("bad array at {}", self.i)),
                    }
                }
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                let start = self.i;
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_digit() || b"+-.eE".contains(c))
                {
                    self.i += 1;
                }
                Ok(Value::Number(
                    String::from_utf8_lossy(&self.b[start..self.i]).into_owned(),
                ))
            }
            _ => Err(format!("unexpected input at {}", self.i)),
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Value, String> {
        if self.b.get(self.i..self.i + w.len()) == Some(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(format!("bad literal at {}", self.i))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.b.get(self.i) != Some(&b'"') {
            return Err(format!("expected string at {}", self.i));
        }
        self.i += 1;
        let mut units: Vec<u16> = Vec::new();
        let mut out = String::new();
        loop {
            let c = *self.b.get(self.i).ok_or("unterminated string")?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *self.b.get(self.i).ok_or("bad escape")?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let h = self.b.get(self.i..self.i + 4).ok_or("bad \\u")?;
                            let h = std::str::from_utf8(h).map_err(|e| e.to_string())?;
                            units.push(u16::from_str_radix(h, 16).map_err(|e| e.to_string())?);
                            self.i += 4;
                            continue;
                        }
                        _ => return Err(format!("bad escape at {}", self.i)),
                    };
                    out.push_str(&String::from_utf16_lossy(&units));
                    units.clear();
                    out.push(ch);
                }
                _ => {
                    out.push_str(&String::from_utf16_lossy(&units));
                    units.clear();
                    // Multi-byte UTF-8: copy the whole sequence.
                    let start = self.i - 1;
                    let len = match c {
                        0xf0.. => 4,
                        0xe0.. => 3,
                        0xc0.. => 2,
                        _ => 1,
                    };
                    let s = self.b.get(start..start + len).ok_or("bad UTF-8")?;
                    out.push_str(std::str::from_utf8(s).map_err(|e| e.to_string())?);
                    self.i = start + len;
                }
            }
        }
        out.push_str(&String::from_utf16_lossy(&units));
        Ok(out)
    }
}

/// Hex digits (whitespace ignored) to bytes.
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| (b as char).to_digit(16).expect("hex digit") as u8)
        .collect();
    assert!(digits.len().is_multiple_of(2), "odd number of hex digits");
    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

/// One captured conversation.
pub struct Vector {
    pub name: String,
    pub expected: Value,
    pub chunks: Vec<(String, Vec<u8>)>,
}

impl Vector {
    /// The first chunk in `dir` (`c2s` or `s2c`).
    pub fn first(&self, dir: &str) -> &[u8] {
        &self
            .chunks
            .iter()
            .find(|(d, _)| d == dir)
            .unwrap_or_else(|| panic!("{}: no {dir} chunk", self.name))
            .1
    }

    /// The first chunk in `dir` whose PTYPE is `ptype`.
    pub fn pdu(&self, dir: &str, ptype: u8) -> &[u8] {
        &self
            .chunks
            .iter()
            .find(|(d, b)| d == dir && b.get(2) == Some(&ptype))
            .unwrap_or_else(|| panic!("{}: no {dir} PDU of type {ptype}", self.name))
            .1
    }
}

/// Directory of the captured vectors inside the repository.
pub fn vector_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/kms"))
}

/// All captured vectors, sorted by file name.
pub fn vectors() -> Vec<Vector> {
    let dir = vector_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 7, "expected 7 vectors in {}", dir.display());
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read vector");
            let v = from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let chunks = v["chunks"]
                .as_array()
                .expect("chunks")
                .iter()
                .map(|c| {
                    (
                        c["dir"].as_str().expect("dir").to_string(),
                        hex(c["hex"].as_str().expect("hex")),
                    )
                })
                .collect();
            Vector {
                name: p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                expected: v["expected"].clone(),
                chunks,
            }
        })
        .collect()
}
