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
        if root.contains(['?', '#']) || origin.len() <= origin.find("://").unwrap_or(0) + 3 {
            return Err(bad());
        }
        Ok(BaseUrl {
            root: root.to_owned(),
            origin_as_written: origin.to_owned(),
            origin: normalise_origin(origin),
        })
    }
}

/// `scheme://authority` of an absolute http(s) URL, as written.
pub(super) fn origin_of(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let rest = &url[scheme_end + 3..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme_end + 3 + authority_len])
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
