//! Where each field the Summary needs sits in a row, found once per file from the header by name.

use crate::engine::records::Record;

/// The columns a Summary reads, by their place in the row (`None`: not in this report).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    pub names: Vec<String>,
    pub width: usize,
    pub date: Option<usize>,
    pub action: usize,
    pub status: usize,
    pub auth_system: Option<usize>,
    pub permission_sets: Option<usize>,
    pub organisation: Option<usize>,
    pub account_id: Option<usize>,
    pub account_type: Option<usize>,
    pub account_status: Option<usize>,
    pub isp: Option<usize>,
    pub country: Option<usize>,
    pub ip: Option<usize>,
    pub resource_id: Option<usize>,
    pub federation: Option<usize>,
    pub resource_title: Option<usize>,
    /// `attribute.*` columns other than the three standard ones: (place, name without the prefix).
    pub custom: Vec<(usize, String)>,
}

const ATTRIBUTE_PREFIX: &str = "attribute.";
const STANDARD_ATTRIBUTES: [&str; 3] = [
    "attribute.resourceid",
    "attribute.federationctx",
    "attribute.resourcetitle",
];

impl Columns {
    /// Reads a header record; `None` when it lacks `action` or `status`, i.e. it is not a report.
    pub fn from_header(header: &Record<'_>) -> Option<Columns> {
        let names: Vec<String> = header
            .fields()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        let find = |wanted: &str| names.iter().position(|n| n.trim().eq_ignore_ascii_case(wanted));
        let mut custom: Vec<(usize, String)> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let trimmed = name.trim();
            let is_custom = trimmed.len() > ATTRIBUTE_PREFIX.len()
                && trimmed.is_char_boundary(ATTRIBUTE_PREFIX.len())
                && trimmed[..ATTRIBUTE_PREFIX.len()].eq_ignore_ascii_case(ATTRIBUTE_PREFIX)
                && !STANDARD_ATTRIBUTES.iter().any(|s| trimmed.eq_ignore_ascii_case(s));
            let first_of_its_name = find(trimmed) == Some(i);
            if is_custom && first_of_its_name {
                custom.push((i, trimmed[ATTRIBUTE_PREFIX.len()..].to_string()));
            }
        }
        Some(Columns {
            width: names.len(),
            date: find("date"),
            action: find("action")?,
            status: find("status")?,
            auth_system: find("account.authsystemname"),
            permission_sets: find("account.permissionsets"),
            organisation: find("account.organisation"),
            account_id: find("account.accountid"),
            account_type: find("account.type"),
            account_status: find("account.status"),
            isp: find("location.isp"),
            country: find("request.countrycode"),
            ip: find("request.ipaddress"),
            resource_id: find("attribute.resourceid"),
            federation: find("attribute.federationctx"),
            resource_title: find("attribute.resourcetitle"),
            custom,
            names,
        })
    }
}
