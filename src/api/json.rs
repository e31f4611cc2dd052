//! A strict RFC 8259 JSON reader for the API's small answers (the task document, error bodies), read whole
//! into a tree. serde_json would add about 35 KB to the wasm module (its deserializer, and the float printer
//! that its error messages pull in) for documents of a few hundred bytes.

/// A JSON value. Objects keep their members in order, duplicates included.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// Close to the written number (not rounded correctly in the last bit, which no caller needs).
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: u32 = 128;

impl Json {
    /// The whole of `text` as one JSON value (whitespace around it allowed), or None if it is not JSON.
    pub fn parse(text: &[u8]) -> Option<Json> {
        let mut reader = Reader { text, at: 0 };
        let value = reader.value(0)?;
        reader.skip_whitespace();
        (reader.at == text.len()).then_some(value)
    }

    /// An object's member of this name (the last, when it is there twice).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `word` if the text continues with it.
    fn word(&mut self, word: &[u8]) -> Option<()> {
        let found = self.text.get(self.at..self.at + word.len())? == word;
        found.then(|| self.at += word.len())
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_whitespace();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Json::String),
            b't' => self.word(b"true").map(|_| Json::Bool(true)),
            b'f' => self.word(b"false").map(|_| Json::Bool(false)),
            b'n' => self.word(b"null").map(|_| Json::Null),
            _ => self.number().map(Json::Number),
        }
    }

    fn array(&mut self, depth: u32) -> Option<Json> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.next()? {
                b',' => continue,
                b']' => return Some(Json::Array(items)),
                _ => return None,
            }
        }
    }

    fn object(&mut self, depth: u32) -> Option<Json> {
        self.at += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.next()? != b':' {
                return None;
            }
            members.push((key, self.value(depth + 1)?));
            self.skip_whitespace();
            match self.next()? {
                b',' => continue,
                b'}' => return Some(Json::Object(members)),
                _ => return None,
            }
        }
    }

    /// A string from its opening quote: escapes resolved, UTF-8 checked.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut bytes = Vec::new();
        loop {
            match self.next()? {
                b'"' => return String::from_utf8(bytes).ok(),
                b'\\' => {
                    let unescaped = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return None,
                    };
                    let mut utf8 = [0; 4];
                    bytes.extend_from_slice(unescaped.encode_utf8(&mut utf8).as_bytes());
                }
                byte if byte < 0x20 => return None,
                byte => bytes.push(byte),
            }
        }
    }

    /// The character of a `\uXXXX` escape (its `\u` read), a surrogate pair taking two escapes.
    fn escaped_char(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first);
        }
        self.word(b"\\u")?;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            value = value * 16 + char::from(self.next()?).to_digit(16)?;
        }
        Some(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, its value from at most 19 significant digits.
    fn number(&mut self) -> Option<f64> {
        let negative = self.word(b"-").is_some();
        let mut mantissa: u64 = 0;
        // Powers of ten the mantissa is off by: digits dropped past 19, minus fraction digits kept.
        let mut scale: i64 = 0;
        let mut digit = |reader: &mut Self, fraction: bool| {
            let d = reader.peek().filter(u8::is_ascii_digit)?;
            reader.at += 1;
            if mantissa < 1_000_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d - b'0');
                scale -= i64::from(fraction);
            } else {
                scale += i64::from(!fraction);
            }
            Some(())
        };
        if self.peek()? == b'0' {
            digit(self, false)?;
        } else {
            digit(self, false)?;
            while digit(self, false).is_some() {}
        }
        if self.word(b".").is_some() {
            digit(self, true)?;
            while digit(self, true).is_some() {}
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            let sign = match self.peek()? {
                b'-' => -1,
                b'+' => 1,
                _ => 0,
            };
            if sign != 0 {
                self.at += 1;
            }
            let start = self.at;
            let mut exponent: i64 = 0;
            while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
                self.at += 1;
                exponent = (exponent * 10 + i64::from(d - b'0')).min(100_000);
            }
            if self.at == start {
                return None;
            }
            scale += if sign < 0 { -exponent } else { exponent };
        }
        // Steps of 10^300 stay within f64's range; the last step divides by an exact power of ten where it
        // can, which keeps common fractions (42.5) exact.
        let mut magnitude = mantissa as f64;
        let mut scale = scale.clamp(-1_000, 1_000) as i32;
        while scale < -300 && magnitude != 0.0 {
            magnitude /= 1e300;
            scale += 300;
        }
        while scale > 300 && magnitude.is_finite() {
            magnitude *= 1e300;
            scale -= 300;
        }
        if scale < 0 {
            magnitude /= 10f64.powi(-scale);
        } else {
            magnitude *= 10f64.powi(scale);
        }
        Some(if negative { -magnitude } else { magnitude })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Json> {
        Json::parse(text.as_bytes())
    }

    #[test]
    fn a_task_document() {
        let doc = parse(
            r#" {"percentComplete": 42, "status": "RUNNING", "id": null,
                "links": [{"href": "https://x/a", "rel": "SELF", "ok": true}]} "#,
        )
        .unwrap();
        assert_eq!(doc.get("percentComplete").and_then(Json::as_f64), Some(42.0));
        assert_eq!(doc.get("status").and_then(Json::as_str), Some("RUNNING"));
        assert_eq!(doc.get("id"), Some(&Json::Null));
        let links = doc.get("links").and_then(Json::as_array).unwrap();
        assert_eq!(links[0].get("href").and_then(Json::as_str), Some("https://x/a"));
        assert_eq!(links[0].get("ok"), Some(&Json::Bool(true)));
        assert_eq!(doc.get("missing"), None);
    }

    #[test]
    fn escapes_and_unicode() {
        assert_eq!(
            parse(r#""a\"b\\c\/d\b\f\n\r\t é \u00e9 \ud83d\ude00 \u2028""#),
            Some(Json::String("a\"b\\c/d\u{8}\u{c}\n\r\t é é 😀 \u{2028}".into()))
        );
        for bad in [
            r#""\ud83d""#,
            r#""\ud83dx""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            r#""\x""#,
            r#""\u12""#,
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(Json::parse(b"\"\xff\""), None, "not UTF-8");
        assert_eq!(parse("\"a\nb\""), None, "a raw control character");
    }

    #[test]
    fn numbers() {
        for (text, value) in [
            ("0", 0.0),
            ("-0", 0.0),
            ("42.5", 42.5),
            ("-12", -12.0),
            ("1e2", 100.0),
            ("1E+2", 100.0),
            ("250e-1", 25.0),
            ("0.001", 0.001),
            ("1e400", f64::INFINITY),
            ("1e-400", 0.0),
        ] {
            assert_eq!(parse(text), Some(Json::Number(value)), "{text}");
        }
        let long = parse("12345678901234567890123.456").and_then(|n| n.as_f64()).unwrap();
        assert!((long / 1.2345678901234568e22 - 1.0).abs() < 1e-15, "{long}");
        for bad in [
            "01", "1.", ".5", "+1", "1e", "1e+", "-", "0x10", "NaN", "Infinity", "1.5.2",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn structure_is_checked() {
        for bad in [
            "",
            " ",
            "{",
            "[",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\" 1}",
            "[1 2]",
            "{} {}",
            "tru",
            "nul",
            "<html>",
            "{\"a\":1}x",
            "'a'",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse("[]"), Some(Json::Array(vec![])));
        assert_eq!(parse(" {} "), Some(Json::Object(vec![])));
        assert_eq!(parse(r#"{"a":1,"a":2}"#).unwrap().get("a"), Some(&Json::Number(2.0)));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(parse(&deep), None);
        let fine = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&fine).is_some());
    }
}

/// Agreement with serde_json, a reader written by others: on documents it writes and on arbitrary text.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod against_serde_json {
    use proptest::prelude::*;

    use super::*;

    fn same(ours: &Json, theirs: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (ours, theirs) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Number(a), Value::Number(b)) => {
                let b = b.as_f64().unwrap();
                (a - b).abs() <= (b.abs() * 1e-15).max(1e-322)
            }
            (Json::String(a), Value::String(b)) => a == b,
            (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b)),
            // serde_json's map keeps the last of duplicate keys, as `get` does.
            (Json::Object(_), Value::Object(b)) => b.iter().all(|(k, v)| ours.get(k).is_some_and(|a| same(a, v))),
            _ => false,
        }
    }

    fn values() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn reads_what_serde_json_writes(value in values(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
            let ours = Json::parse(text.as_bytes());
            prop_assert!(ours.as_ref().is_some_and(|ours| same(ours, &value)), "{text} -> {ours:?}");
        }

        #[test]
        fn accepts_what_serde_json_accepts(text in r#"[ \[\]{}",:0-9.eE+\-a-z\\]{0,24}"#) {
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            // serde_json refuses numbers beyond f64's range; ours reads them as infinite.
            let out_of_range = theirs.as_ref().is_err_and(|e| e.to_string().contains("out of range"));
            if !out_of_range {
                prop_assert_eq!(Json::parse(text.as_bytes()).is_some(), theirs.is_ok(), "{}", text);
            }
        }
    }
}
