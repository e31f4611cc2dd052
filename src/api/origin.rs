//! The key-routing rule's raw material: the base URL split once, the origin of a URL, and one spelling of
//! an origin, so that two spellings of one origin compare equal.

use super::flow::DEFAULT_BASE_URL;
use crate::error::{Error, ErrorCode, Result, quoted};

/// The base URL split once: its root without a trailing slash, and its origin for comparisons.
#[derive(Debug, Clone)]
pub(super) struct BaseUrl {
    pub(super) root: String,
    pub(super) origin_as_written: String,
    pub(super) origin: String,
}

impl BaseUrl {
    pub(super) fn parse(base_url: &str) -> Result<BaseUrl> {
        let root = base_url.trim().trim_end_matches('/');
        let bad = || {
            Error::new(
                ErrorCode::Network,
                format!(
                    "The API base URL {} is not an absolute http(s) URL without ?query or #fragment. Leave it empty \
                     for {DEFAULT_BASE_URL}, or give your proxy's full URL.",
                    quoted(base_url)
                ),
            )
        };
        let origin = origin_of(root).ok_or_else(bad)?;
        if root.contains(['?', '#']) {
            return Err(bad());
        }
        Ok(BaseUrl {
            root: root.to_owned(),
            origin_as_written: origin.to_owned(),
            origin: normalise_origin(origin),
        })
    }
}

/// The origin of an absolute http(s) URL in the one spelling every comparison uses; None when `url` is
/// not one. The Worker's ALLOWED_ORIGINS check uses it too (the wasm `canonicalOrigin`).
pub fn canonical_origin(url: &str) -> Option<String> {
    origin_of(url.trim()).map(normalise_origin)
}

/// `scheme://authority` of an absolute http(s) URL with a non-empty authority, as written.
pub(super) fn origin_of(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let rest = &url[scheme_end + 3..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (authority_len > 0).then(|| &url[..scheme_end + 3 + authority_len])
}

/// Lower case, default port dropped: two spellings of one origin compare equal.
pub(super) fn normalise_origin(origin: &str) -> String {
    let lower = origin.to_ascii_lowercase();
    for (scheme, port) in [("https://", ":443"), ("http://", ":80")] {
        if lower.starts_with(scheme) && lower.ends_with(port) {
            return lower[..lower.len() - port.len()].to_owned();
        }
    }
    lower
}

/// Percent-encodes all but RFC 3986's unreserved characters.
pub(super) fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_origin_are_one_origin() {
        for spelling in [
            "https://Library.Example.edu",
            " https://library.example.edu/ ",
            "HTTPS://library.example.edu:443",
            "https://library.example.edu/portal?x#y",
        ] {
            assert_eq!(
                canonical_origin(spelling).as_deref(),
                Some("https://library.example.edu"),
                "{spelling:?}"
            );
        }
        assert_eq!(canonical_origin("http://h:80").as_deref(), Some("http://h"));
        assert_eq!(canonical_origin("http://h:443").as_deref(), Some("http://h:443"));
        assert_eq!(canonical_origin("https://h:8443").as_deref(), Some("https://h:8443"));
    }

    #[test]
    fn only_http_urls_with_a_host_have_an_origin() {
        for not_one in [
            "",
            "null",
            "library.example.edu",
            "ftp://h",
            "https://",
            "https:///path",
            "file:///x",
        ] {
            assert_eq!(canonical_origin(not_one), None, "{not_one:?}");
        }
    }
}
