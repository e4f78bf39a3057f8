//! A small strict JSON reader (RFC 8259) for the builds that carry no
//! `serde_json`: route tables, read alike by the CLI and the edge build
//! (serde_json was 33 KB gzip of the edge's wasm, for this alone). As
//! strict as [`crate::strict_json`]: an object naming a key twice, a lone
//! surrogate, a control character in a string, a leading zero, a trailing
//! comma or anything after the value is refused, and nesting stops at 128
//! levels. No `core::fmt`: a refusal is a [`Fault`] and its place.

/// A JSON value. Numbers keep their text (route tables hold none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in their order, each key once.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// What the value is, for a refusal (`a string`, `null`...).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Why text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Not JSON's grammar.
    Syntax,
    /// The text ends inside a value.
    End,
    /// An object names this key twice.
    Twice(String),
    /// A `\u` escape of half a surrogate pair.
    LoneSurrogate,
    /// Nested deeper than 128 arrays and objects.
    TooDeep,
}

/// Where a fault is: its byte offset in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub fault: Fault,
    pub at: usize,
}

const MAX_DEPTH: usize = 128;

/// Reads `text` as one JSON value.
pub(crate) fn parse(text: &str) -> Result<Json, Refusal> {
    let mut p = Parser {
        b: text.as_bytes(),
        at: 0,
    };
    p.space();
    let v = p.value(0)?;
    p.space();
    if p.at < p.b.len() {
        return Err(p.fault(Fault::Syntax));
    }
    Ok(v)
}

/// Two members of `members` with one key (the first two in key order),
/// found by sorting: linear scans made 100,000 keys take seconds.
fn twice(members: &[(String, Json)]) -> Option<(usize, usize)> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    let key = |i: &usize| members.get(*i).map_or("", |(k, _)| k.as_str());
    crate::sort::sort_by(&mut order, |a, b| (key(a), *a) < (key(b), *b));
    order.windows(2).find_map(|w| match w {
        [a, b] if key(a) == key(b) => Some((*a, *b)),
        _ => None,
    })
}

struct Parser<'a> {
    b: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn fault(&self, fault: Fault) -> Refusal {
        let fault = if self.at >= self.b.len() && fault == Fault::Syntax {
            Fault::End
        } else {
            fault
        };
        Refusal { fault, at: self.at }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), Refusal> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.fault(Fault::Syntax))
        }
    }

    fn word(&mut self, w: &[u8], v: Json) -> Result<Json, Refusal> {
        if self.b.get(self.at..self.at + w.len()) == Some(w) {
            self.at += w.len();
            Ok(v)
        } else {
            Err(self.fault(Fault::Syntax))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, Refusal> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.word(b"true", Json::Bool(true)),
            Some(b'f') => self.word(b"false", Json::Bool(false)),
            Some(b'n') => self.word(b"null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.fault(Fault::Syntax)),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, Refusal> {
        if depth > MAX_DEPTH {
            return Err(self.fault(Fault::TooDeep));
        }
        self.eat(b'{')?;
        self.space();
        let mut members: Vec<(String, Json)> = Vec::new();
        // Where each key starts, to name the second of two alike.
        let mut starts: Vec<usize> = Vec::new();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Json::Object(members));
        }
        loop {
            starts.push(self.at);
            if self.peek() != Some(b'"') {
                return Err(self.fault(Fault::Syntax));
            }
            let key = self.string()?;
            self.space();
            self.eat(b':')?;
            self.space();
            let v = self.value(depth)?;
            members.push((key, v));
            self.space();
            match self.peek() {
                Some(b',') => {
                    self.at += 1;
                    self.space();
                }
                Some(b'}') => {
                    self.at += 1;
                    return match twice(&members) {
                        None => Ok(Json::Object(members)),
                        Some((first, second)) => Err(Refusal {
                            at: starts.get(first.max(second)).copied().unwrap_or(0),
                            fault: Fault::Twice(members.swap_remove(first).0),
                        }),
                    };
                }
                _ => return Err(self.fault(Fault::Syntax)),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, Refusal> {
        if depth > MAX_DEPTH {
            return Err(self.fault(Fault::TooDeep));
        }
        self.eat(b'[')?;
        self.space();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.space();
            match self.peek() {
                Some(b',') => {
                    self.at += 1;
                    self.space();
                }
                Some(b']') => {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.fault(Fault::Syntax)),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Json, Refusal> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let first = self.peek();
        let n = self.digits();
        // No leading zero: `01` is not JSON.
        if n == 0 || (first == Some(b'0') && n > 1) {
            return Err(self.fault(Fault::Syntax));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.fault(Fault::Syntax));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.fault(Fault::Syntax));
            }
        }
        let text = self.b.get(start..self.at).unwrap_or_default();
        Ok(Json::Number(String::from_utf8_lossy(text).into_owned()))
    }

    fn hex4(&mut self) -> Result<u32, Refusal> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.fault(Fault::Syntax)),
            };
            v = v * 16 + u32::from(d);
            self.at += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, Refusal> {
        self.eat(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.fault(Fault::End));
            };
            match c {
                b'"' => {
                    self.at += 1;
                    // The text was UTF-8 and escapes add whole characters.
                    return String::from_utf8(out).map_err(|_| self.fault(Fault::Syntax));
                }
                b'\\' => {
                    self.at += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.fault(Fault::End));
                    };
                    self.at += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped()?,
                        _ => {
                            self.at -= 1;
                            return Err(self.fault(Fault::Syntax));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return Err(self.fault(Fault::Syntax)),
                _ => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// The character of a `\u` escape (after `\u`), a surrogate pair read
    /// whole.
    fn escaped(&mut self) -> Result<char, Refusal> {
        let at = self.at;
        let lone = Refusal {
            fault: Fault::LoneSurrogate,
            at,
        };
        let hi = self.hex4()?;
        let code = match hi {
            0xd800..=0xdbff => {
                if self.b.get(self.at..self.at + 2) != Some(b"\\u") {
                    return Err(lone);
                }
                self.at += 2;
                let lo = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&lo) {
                    return Err(lone);
                }
                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
            }
            0xdc00..=0xdfff => return Err(lone),
            c => c,
        };
        char::from_u32(code).ok_or(lone)
    }
}

#[cfg(all(test, feature = "std-json"))]
mod tests {
    use super::{parse, Fault, Json};

    #[test]
    fn reads_what_serde_json_reads_and_refuses_what_strict_json_refuses() {
        // The same texts through both readers: the same verdict, and the
        // same value where both read one.
        let texts = [
            r#"{"routes": [{"path": "/a", "public": true}]}"#,
            r#"[{"path":"/a\u00e9\ud83d\ude00","methods":["GET"],"app":null}]"#,
            r#" [ 1, -0, 0.5, 1e9, -2.5E-3, true, false, null, "x\n\"\\\/" ] "#,
            "{}",
            "[]",
            r#""\u0000""#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": {"b": 1, "b": 1}}"#,
            r#"["\ud800"]"#,
            r#"["\udc00\ud800"]"#,
            r#"["\ud800\u0041"]"#,
            "[1,]",
            "{\"a\":1,}",
            "[01]",
            "[1.]",
            "[.5]",
            "[1e]",
            "[+1]",
            "[\"a\tb\"]",
            "[\"\\x\"]",
            "[] []",
            "[",
            "{\"a\"",
            "\"abc",
            "nul",
            "[tru]",
            "",
            "  ",
            "{'a': 1}",
            "[NaN]",
            "[\"\\u12\"]",
        ];
        for t in texts {
            let ours = parse(t);
            let theirs = crate::strict_json::parse(t);
            assert_eq!(ours.is_ok(), theirs.is_ok(), "{t}: {ours:?} / {theirs:?}");
            if let (Ok(a), Ok(b)) = (&ours, &theirs) {
                assert_eq!(to_serde(a), *b, "{t}");
            }
        }
        assert_eq!(
            parse(r#"{"a": 1, "a": 2}"#).unwrap_err().fault,
            Fault::Twice("a".into())
        );
        assert_eq!(
            parse(r#"["\ud800"]"#).unwrap_err().fault,
            Fault::LoneSurrogate
        );
        assert_eq!(parse("[1").unwrap_err().fault, Fault::End);
        // The second of the two is named, wherever the two are.
        let text = r#"{"b": 1, "a": 2, "c": 3, "a": 4}"#;
        let r = parse(text).unwrap_err();
        assert_eq!(
            (r.fault, &text[r.at..r.at + 3]),
            (Fault::Twice("a".into()), r#""a""#)
        );
        assert_eq!(r.at, text.rfind(r#""a""#).unwrap());
    }

    #[test]
    fn many_keys_are_read_in_n_log_n() {
        // 200,000 keys, one written twice at the end: refused, at once
        // (a scan per key took seconds).
        let mut text = String::from("{");
        for i in 0..200_000 {
            text.push_str(&format!("\"k{i}\": 0, "));
        }
        text.push_str("\"k7\": 1}");
        assert_eq!(parse(&text).unwrap_err().fault, Fault::Twice("k7".into()));
        assert!(parse(&text.replace("\"k7\": 1", "\"last\": 1")).is_ok());
    }

    #[test]
    fn nesting_stops_at_128_levels() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(128)).is_ok());
        assert_eq!(parse(&deep(129)).unwrap_err().fault, Fault::TooDeep);
        // A million levels: refused, not a stack overflow.
        assert_eq!(parse(&deep(1_000_000)).unwrap_err().fault, Fault::TooDeep);
        assert_eq!(
            crate::strict_json::parse(&deep(129)).is_ok(),
            parse(&deep(129)).is_ok()
        );
    }

    fn to_serde(v: &Json) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => serde_json::from_str(n).unwrap(),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(a) => Value::Array(a.iter().map(to_serde).collect()),
            Json::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect())
            }
        }
    }
}
