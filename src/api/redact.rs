//! Taking a credential out of outside text (an answer's body, a Location, a host's error, a message) before
//! anything quotes it. The Worker's proxy calls the same function through the wasm `redactKey`.

use std::borrow::Cow;
use std::ops::Range;

/// What stands in for a credential taken out of outside text.
pub(crate) const REDACTED: &str = "[redacted]";

/// `text` with `key` and whatever follows an `OAApiKey` scheme replaced by `[redacted]`. See
/// [`redact_key_bytes`] for the forms of the key it finds.
pub fn redact_key(text: &str, key: &str) -> String {
    // Spans cover whole characters of valid UTF-8 (a key starts and ends on a character's bounds, and so
    // does each escape), so nothing here is lossy.
    String::from_utf8_lossy(&redact_key_bytes(text.as_bytes(), key)).into_owned()
}

/// `bytes` with every form `key` can take in a text replaced by `[redacted]`: as it was sent, JSON-escaped
/// (`\/`, `\"`, `\n`, `\uXXXX` for any character, in any mix with plain characters), percent-encoded (either
/// case of hex, `+` for a space), as HTML character references, and JSON-escaped and percent-encoded at
/// once (a URL in a JSON string). A key of any length is taken out, one character too; `key` is matched as
/// it was sent (keys are trimmed where they enter, so an API that echoes what HTTP trimmed echoes this).
/// Whatever follows `OAApiKey` (any case) goes too, up to white space or a quote: a server may echo the
/// Authorization header of another key. Linear in the length of `bytes`: one pass of a KMP matcher over
/// each form, and memory for the spans it finds.
pub fn redact_key_bytes<'a>(bytes: &'a [u8], key: &str) -> Cow<'a, [u8]> {
    let mut found = scheme_credentials(bytes);
    if !key.is_empty() {
        let matcher = Matcher::new(key.as_bytes());
        for rule in [as_sent as Rule, json_escape, percent, form, html, json_or_percent] {
            found = union(&found, &matcher.find(bytes, rule));
        }
    }
    if found.is_empty() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for span in found {
        out.extend_from_slice(&bytes[at..span.start]);
        out.extend_from_slice(REDACTED.as_bytes());
        at = span.end;
    }
    out.extend_from_slice(&bytes[at..]);
    Cow::Owned(out)
}

/// The spans of `a` and `b` (each in order, apart), in order and apart: spans that overlap or touch join,
/// so a run of matches is one mark.
fn union(a: &[Range<usize>], b: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    while let Some(next) = match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x.start <= y.start => a.next(),
        (Some(_), Some(_)) | (None, Some(_)) => b.next(),
        (Some(_), None) => a.next(),
        (None, None) => None,
    } {
        match out.last_mut() {
            Some(last) if next.start <= last.end => last.end = last.end.max(next.end),
            _ => out.push(next.clone()),
        }
    }
    out
}

/// The credential after each `OAApiKey` (any case): up to white space, a quote or an escaped quote (`\"`),
/// as a header ends in a text or in a JSON string; an escape cut in half would spoil the JSON it is in.
fn scheme_credentials(bytes: &[u8]) -> Vec<Range<usize>> {
    const SCHEME: &[u8] = b"oaapikey";
    let mut found = Vec::new();
    let mut at = 0;
    while at + SCHEME.len() <= bytes.len() {
        if !bytes[at..at + SCHEME.len()].eq_ignore_ascii_case(SCHEME) {
            at += 1;
            continue;
        }
        let start = at + SCHEME.len();
        let start = start + bytes[start..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        let ends =
            |end: usize| bytes[end].is_ascii_whitespace() || bytes[end] == b'"' || bytes[end..].starts_with(b"\\\"");
        let end = (start..bytes.len()).find(|&end| ends(end)).unwrap_or(bytes.len());
        if end > start {
            found.push(start..end);
        }
        at = end.max(at + 1);
    }
    found
}

/// How a form writes a character or byte: from the next bytes of the text (at most [`LOOKAHEAD`]), how
/// many it takes and what they stand for, or None where they are not an escape.
type Rule = fn(&[u8]) -> Option<(usize, Decoded)>;

/// The longest escape a rule reads: a JSON surrogate pair, `\uD83D\uDE00`.
const LOOKAHEAD: usize = 12;

/// Up to four bytes an escape stands for.
struct Decoded {
    bytes: [u8; 4],
    len: usize,
}

impl Decoded {
    fn byte(byte: u8) -> Self {
        Self {
            bytes: [byte, 0, 0, 0],
            len: 1,
        }
    }

    fn char(c: char) -> Self {
        let mut bytes = [0; 4];
        let len = c.encode_utf8(&mut bytes).len();
        Self { bytes, len }
    }
}

/// The text as it is: no escapes.
fn as_sent(_: &[u8]) -> Option<(usize, Decoded)> {
    None
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0, |value, &digit| Some(value * 16 + char::from(digit).to_digit(16)?))
}

/// `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\uXXXX` (a surrogate pair as one character).
fn json_escape(bytes: &[u8]) -> Option<(usize, Decoded)> {
    if bytes.first() != Some(&b'\\') {
        return None;
    }
    let byte = match *bytes.get(1)? {
        b @ (b'"' | b'\\' | b'/') => b,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => {
            let unit = hex_value(bytes.get(2..6)?)?;
            if !(0xd800..0xdc00).contains(&unit) {
                return Some((6, Decoded::char(char::from_u32(unit)?)));
            }
            if bytes.get(6..8)? != b"\\u" {
                return None;
            }
            let low = hex_value(bytes.get(8..12)?)?
                .checked_sub(0xdc00)
                .filter(|low| *low < 0x400)?;
            return Some((
                12,
                Decoded::char(char::from_u32(0x10000 + ((unit - 0xd800) << 10) + low)?),
            ));
        }
        _ => return None,
    };
    Some((2, Decoded::byte(byte)))
}

/// `%XX`, in either case.
fn percent(bytes: &[u8]) -> Option<(usize, Decoded)> {
    if bytes.first() != Some(&b'%') {
        return None;
    }
    let byte = hex_value(bytes.get(1..3)?)?;
    Some((3, Decoded::byte(byte as u8)))
}

/// A JSON escape or a percent-encoded byte, wherever either stands: a URL in a JSON string, its `/`
/// written `\/` and its other reserved characters `%XX`.
fn json_or_percent(bytes: &[u8]) -> Option<(usize, Decoded)> {
    json_escape(bytes).or_else(|| percent(bytes))
}

/// A form field's encoding: `%XX`, and `+` for a space.
fn form(bytes: &[u8]) -> Option<(usize, Decoded)> {
    if bytes.first() == Some(&b'+') {
        return Some((1, Decoded::byte(b' ')));
    }
    percent(bytes)
}

/// `&#NN;`, `&#xHH;` and the references an HTML escaper writes: `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`.
fn html(bytes: &[u8]) -> Option<(usize, Decoded)> {
    if bytes.first() != Some(&b'&') {
        return None;
    }
    let end = bytes.iter().position(|&b| b == b';')?;
    let name = &bytes[1..end];
    let c = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"quot" => '"',
        b"apos" => '\'',
        [b'#', b'x' | b'X', digits @ ..] if !digits.is_empty() => char::from_u32(hex_value(digits)?)?,
        [b'#', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => char::from_u32(
            digits
                .iter()
                .fold(0, |value, digit| value * 10 + u32::from(digit - b'0')),
        )?,
        _ => return None,
    };
    Some((end + 1, Decoded::char(c)))
}

/// Knuth–Morris–Pratt over a text as a form reads it: every match in one pass, each byte looked at a
/// bounded number of times on average.
struct Matcher<'k> {
    key: &'k [u8],
    /// For each prefix of the key, the length of its longest proper prefix that is also its suffix.
    fallback: Vec<usize>,
}

impl<'k> Matcher<'k> {
    fn new(key: &'k [u8]) -> Self {
        let mut fallback = vec![0; key.len()];
        let mut matched = 0;
        for at in 1..key.len() {
            while matched > 0 && key[at] != key[matched] {
                matched = fallback[matched - 1];
            }
            if key[at] == key[matched] {
                matched += 1;
            }
            fallback[at] = matched;
        }
        Self { key, fallback }
    }

    /// The spans of `bytes` where the key stands as `rule` reads them, in order and apart (a match that
    /// overlaps or touches the one before joins it).
    fn find(&self, bytes: &[u8], rule: Rule) -> Vec<Range<usize>> {
        let len = self.key.len();
        let mut found: Vec<Range<usize>> = Vec::new();
        // Where each of the last `len` bytes read began in the text: a match's start, once it is whole.
        let mut starts = vec![0; len];
        let mut count = 0;
        let mut matched = 0;
        let mut at = 0;
        while at < bytes.len() {
            let (used, decoded) =
                rule(&bytes[at..bytes.len().min(at + LOOKAHEAD)]).unwrap_or_else(|| (1, Decoded::byte(bytes[at])));
            for &byte in &decoded.bytes[..decoded.len] {
                starts[count % len] = at;
                count += 1;
                while matched > 0 && self.key[matched] != byte {
                    matched = self.fallback[matched - 1];
                }
                if self.key[matched] == byte {
                    matched += 1;
                }
                if matched == len {
                    let span = starts[count % len]..at + used;
                    match found.last_mut() {
                        Some(last) if span.start <= last.end => last.end = span.end,
                        _ => found.push(span),
                    }
                    matched = self.fallback[len - 1];
                }
            }
            at += used;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_key_itself_is_redacted_wherever_it_appears() {
        let body = br#"{"message": "key abc123 is not valid for abc123x", "x": "abc12"}"#;
        assert_eq!(
            String::from_utf8_lossy(&redact_key_bytes(body, "abc123")),
            r#"{"message": "key [redacted] is not valid for [redacted]x", "x": "abc12"}"#
        );
        assert!(matches!(redact_key_bytes(body, "zzz"), Cow::Borrowed(_)));
        assert!(matches!(redact_key_bytes(body, ""), Cow::Borrowed(_)));
    }

    #[test]
    fn every_form_of_a_key_with_odd_characters_goes_whole() {
        let key = "key/with;odd chars";
        for text in [
            "key/with;odd chars",
            r"key\/with;odd chars",
            r"\u006bey\/with\u003bodd\u0020chars",
            r"\u006Bey\u002Fwith;odd\u0020chars",
            "key%2Fwith%3Bodd%20chars",
            "key%2fwith%3bodd%20chars",
            "key%2Fwith;odd+chars",
            "key&#x2F;with&#59;odd chars",
            r"key\/with;odd%20chars",
        ] {
            assert_eq!(redact_key(&format!("<{text}>"), key), "<[redacted]>", "{text}");
        }
    }

    #[test]
    fn short_keys_and_keys_beyond_the_basic_plane_are_taken_out() {
        assert_eq!(redact_key("a k;7 b k%3B7 c", "k;7"), "a [redacted] b [redacted] c");
        assert_eq!(redact_key("x", "x"), "[redacted]");
        assert_eq!(redact_key(r#"{"k":"\ud83d\uDE00!"}"#, "😀!"), r#"{"k":"[redacted]"}"#);
        // A lone surrogate is no character: left as it is.
        assert_eq!(redact_key(r"\ud83d", "x"), r"\ud83d");
    }

    #[test]
    fn an_echoed_authorization_header_is_redacted_whole() {
        let key = "k3y-".repeat(20);
        for text in [
            format!("bad header OAApiKey {key}"),
            format!("{{\"auth\":\"oaapikey  {key}\"}} then more"),
            format!("OAAPIKEY\t{key}\nOAApiKey {key}"),
        ] {
            let shown = redact_key(&text, "");
            assert!(!shown.contains("k3y-"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
        assert_eq!(redact_key("OAApiKey", ""), "OAApiKey");
        // In JSON, the escaped quote after the header stays whole.
        assert_eq!(
            redact_key(r#"{"m":"in \"OAApiKey k3y\" bad"}"#, ""),
            r#"{"m":"in \"OAApiKey [redacted]\" bad"}"#
        );
        // The known key goes whole, past the space where the scheme's credential stops.
        assert_eq!(
            redact_key("OAApiKey key with;space", "key with;space"),
            "OAApiKey [redacted]"
        );
    }

    #[test]
    fn overlapping_matches_are_one_span() {
        assert_eq!(redact_key("aaaaab", "aa"), "[redacted]b");
        assert_eq!(redact_key("abab%61b", "bab"), "a[redacted]");
    }

    /// How a test writes a text: each form below, choosing per character (from `choices`) between the
    /// spellings the form allows.
    #[derive(Debug, Clone, Copy)]
    enum Spelling {
        Raw,
        Json,
        Percent,
        FormField,
        Html,
        PercentInJson,
    }

    fn write(form: Spelling, text: &str, choices: &mut impl Iterator<Item = u8>) -> String {
        let mut out = String::new();
        match form {
            Spelling::Raw => out.push_str(text),
            Spelling::Json => out = json(text, choices, |_| false),
            Spelling::Percent | Spelling::FormField => {
                for &byte in text.as_bytes() {
                    let choice = choices.next().unwrap_or(0);
                    let plain = byte.is_ascii() && byte != b'%' && byte != b'+';
                    if matches!(form, Spelling::FormField) && byte == b' ' && choice.is_multiple_of(2) {
                        out.push('+');
                    } else if plain && choice.is_multiple_of(3) {
                        out.push(char::from(byte));
                    } else if choice & 8 == 0 {
                        out.push_str(&format!("%{byte:02X}"));
                    } else {
                        out.push_str(&format!("%{byte:02x}"));
                    }
                }
            }
            Spelling::Html => {
                for c in text.chars() {
                    let choice = choices.next().unwrap_or(0);
                    let named = match c {
                        '<' => "&lt;",
                        '>' => "&gt;",
                        '&' => "&amp;",
                        '"' => "&quot;",
                        '\'' => "&apos;",
                        _ => "",
                    };
                    match choice % 3 {
                        0 if !named.is_empty() => out.push_str(named),
                        0 => out.push(c),
                        1 => out.push_str(&format!("&#{};", u32::from(c))),
                        _ => out.push_str(&format!("&#x{:x};", u32::from(c))),
                    }
                }
            }
            // A JSON encoder escapes a URL's `/` and quotes, never a `%XX` it holds.
            Spelling::PercentInJson => {
                let percent = write(Spelling::Percent, text, choices);
                out = json(&percent, choices, |c| c == '%' || c.is_ascii_alphanumeric());
            }
        }
        out
    }

    /// `text` JSON-escaped, each character `plain` names as it is.
    fn json(text: &str, choices: &mut impl Iterator<Item = u8>, plain: impl Fn(char) -> bool) -> String {
        let mut out = String::new();
        for c in text.chars() {
            if plain(c) {
                out.push(c);
                continue;
            }
            let choice = choices.next().unwrap_or(0);
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '/' if choice % 3 == 1 => Some("\\/"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                _ => None,
            };
            match short {
                Some(escape) if choice % 3 != 2 => out.push_str(escape),
                _ if choice.is_multiple_of(3) && !c.is_control() && c != '"' && c != '\\' => out.push(c),
                _ => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        let hex = if choice & 8 == 0 {
                            format!("\\u{unit:04x}")
                        } else {
                            format!("\\u{unit:04X}")
                        };
                        out.push_str(&hex);
                    }
                }
            }
        }
        out
    }

    fn forms() -> impl Strategy<Value = Spelling> {
        prop_oneof![
            Just(Spelling::Raw),
            Just(Spelling::Json),
            Just(Spelling::Percent),
            Just(Spelling::FormField),
            Just(Spelling::Html),
            Just(Spelling::PercentInJson),
        ]
    }

    fn texts(max: usize) -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(any::<char>(), 0..max),
            proptest::collection::vec(
                prop::sample::select(r#"ak/;, '<>"\%+&u0#x"#.chars().collect::<Vec<_>>()),
                0..max
            ),
        ]
        .prop_map(String::from_iter)
    }

    proptest! {
        #[test]
        fn no_form_of_any_key_survives_in_any_text(
            key in texts(12).prop_filter("a key", |key| !key.is_empty()),
            before in texts(24),
            after in texts(24),
            form in forms(),
            choices in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let mut choices = choices.into_iter().cycle();
            let written = write(form, &key, &mut choices);
            let text = format!("{}{written}{}", write(form, &before, &mut choices), write(form, &after, &mut choices));
            let out = redact_key(&text, &key);
            let escaped = serde_json::to_string(&key).unwrap();
            let escaped = &escaped[1..escaped.len() - 1];
            let percent: String = key.bytes().map(|byte| format!("%{byte:02X}")).collect();
            let (slashed, lower) = (escaped.replace('/', "\\/"), percent.to_lowercase());
            let leaks = [written.as_str(), key.as_str(), escaped, &slashed, &percent, &lower];
            // The text between the marks is what is left of the text; the marks themselves may hold a short key.
            for left in out.split(REDACTED) {
                for leak in leaks {
                    prop_assert!(!left.contains(leak), "{form:?} {key:?} in {text:?}: {out:?} holds {leak:?}");
                }
            }
        }
    }
}
