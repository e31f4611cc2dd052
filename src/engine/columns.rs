//! Where each field the Summary needs sits in a row, found once per file from the header by name.

use foldhash::fast::FixedState;
use hashbrown::HashMap;

use crate::engine::records::Record;
use crate::engine::seed::hash_seed;

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
    /// Reads a header record; `None` when it lacks `action` or `status`, i.e. it is not a report. Names are
    /// matched trimmed of ASCII spaces and tabs, ignoring ASCII case; the first of a repeated name wins.
    /// One pass with a hash map, so a header as wide as `limits::MAX_COLUMNS` costs no more than its bytes.
    pub fn from_header(header: &Record<'_>) -> Option<Columns> {
        let names: Vec<String> = header
            .fields()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        let mut first: HashMap<String, usize, FixedState> = HashMap::with_hasher(FixedState::with_seed(hash_seed()));
        for (i, name) in names.iter().enumerate() {
            first.entry(key_of(name)).or_insert(i);
        }
        let find = |wanted: &str| first.get(wanted).copied();
        let custom = names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let key = key_of(name);
                let custom = key.len() > ATTRIBUTE_PREFIX.len()
                    && key.starts_with(ATTRIBUTE_PREFIX)
                    && !STANDARD_ATTRIBUTES.contains(&key.as_str())
                    && first.get(&key) == Some(&i);
                custom.then(|| (i, trim(name)[ATTRIBUTE_PREFIX.len()..].to_string()))
            })
            .collect();
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

    /// The place of the column named `name`, matched as `from_header` matches names.
    pub fn position(&self, name: &str) -> Option<usize> {
        let name = trim(name);
        self.names.iter().position(|n| trim(n).eq_ignore_ascii_case(name))
    }
}

/// A header name as columns are matched: trimmed of ASCII spaces and tabs, in ASCII lower case.
pub(crate) fn key_of(name: &str) -> String {
    trim(name).to_ascii_lowercase()
}

fn trim(name: &str) -> &str {
    name.trim_matches([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::records::RecordSplitter;

    fn columns(header: &str) -> Option<Columns> {
        let mut found = None;
        let mut splitter = RecordSplitter::default();
        let mut take = |record: Record<'_>| {
            found.get_or_insert_with(|| Columns::from_header(&record));
            Ok(())
        };
        splitter.push(header.as_bytes(), &mut take).unwrap();
        splitter.finish(&mut take).unwrap();
        found.flatten()
    }

    #[test]
    fn names_match_trimmed_of_spaces_and_tabs_ignoring_case_first_wins() {
        let c = columns(
            " Action ,\tSTATUS,status,attribute.Dept, attribute.dept ,attribute.,ATTRIBUTE.ResourceID,\u{a0}date",
        )
        .unwrap();
        assert_eq!((c.action, c.status, c.width), (0, 1, 8));
        assert_eq!(c.custom, vec![(3, "Dept".to_string())]);
        assert_eq!(c.resource_id, Some(6));
        // Only ASCII spaces and tabs are trimmed: a no-break space keeps the name from matching.
        assert_eq!(c.date, None);
        assert_eq!(c.names[0], " Action ");
    }

    #[test]
    fn a_header_without_action_or_status_is_not_a_report() {
        assert!(columns("date,action").is_none());
        assert!(columns("status").is_none());
    }

    #[test]
    fn a_wide_header_is_read_in_one_pass() {
        let header: Vec<String> = (0..4000)
            .map(|i| format!("attribute.c{i}"))
            .chain(["action".into(), "status".into()])
            .collect();
        let c = columns(&header.join(",")).unwrap();
        assert_eq!((c.custom.len(), c.action, c.status), (4000, 4000, 4001));
    }
}
