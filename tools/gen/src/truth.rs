//! The ground truth: the Summary of docs/summary.md computed the plain way (maps and sets of strings)
//! from the field values the generator wrote and the moments it chose, following docs/summary.md. It
//! shares no code with the engine, so the engine is tested against something it did not compute.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

/// Hashed while counting; serde_json's objects sort the keys when the truth becomes JSON.
type Counts = HashMap<String, u64>;

const SIGN_INS: [&str; 2] = ["AUTHENTICATE", "LOCAL_AUTHENTICATE"];
const TRANSFERS: [&str; 2] = ["FEDERATED_TRANSFER", "LOCAL_FEDERATED_TRANSFER"];
/// Named like `attribute.*` but not custom attributes.
const RESOURCE_ATTRIBUTES: [&str; 3] = [
    "attribute.resourceid",
    "attribute.federationctx",
    "attribute.resourcetitle",
];

/// The columns the Summary reads, by Summary key.
const COUNTED: [(&str, &str); 6] = [
    ("byCountry", "request.countrycode"),
    ("byIsp", "location.isp"),
    ("byAuthSystem", "account.authsystemname"),
    ("byAccountType", "account.type"),
    ("byAccountStatus", "account.status"),
    ("byOrganisation", "account.organisation"),
];

/// What the engine must report for the generated file(s).
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    columns: Vec<String>,
    rows: u64,
    skipped_rows: u64,
    undated_rows: u64,
    first_event: Option<String>,
    last_event: Option<String>,
    by_action: Counts,
    by_status: Counts,
    by_action_status: HashMap<String, Counts>,
    sign_ins: [u64; 3],
    transfers: [u64; 4],
    resources: HashMap<String, ResourceTruth>,
    by_hour: [u64; 24],
    sign_ins_by_hour: [u64; 24],
    transfers_by_hour: [u64; 24],
    /// In the order of `COUNTED`.
    counted: Vec<Counts>,
    by_permission_set: Counts,
    accounts: HashSet<String>,
    ips: HashSet<String>,
    custom: HashMap<String, Counts>,
    positions: Positions,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct ResourceTruth {
    title: String,
    federation: String,
    transfers: u64,
    blocked: u64,
}

/// Where each read column sits in a row of this file (`None`: missing, reads as empty).
#[derive(Debug, Clone, PartialEq)]
struct Positions {
    action: Option<usize>,
    status: Option<usize>,
    resource_id: Option<usize>,
    federation: Option<usize>,
    title: Option<usize>,
    permission_sets: Option<usize>,
    account: Option<usize>,
    ip: Option<usize>,
    counted: Vec<Option<usize>>,
    custom: Vec<(String, usize)>,
}

impl Positions {
    fn new(header: &[String]) -> Positions {
        // Names match with ASCII spaces and tabs trimmed from both ends and ASCII case ignored; the first
        // of a repeated name wins.
        let trimmed: Vec<&str> = header.iter().map(|h| h.trim_matches([' ', '\t'])).collect();
        let find = |name: &str| trimmed.iter().position(|h| h.eq_ignore_ascii_case(name));
        let mut custom: Vec<(String, usize)> = Vec::new();
        for (position, name) in trimmed.iter().enumerate() {
            let Some((prefix, key)) = name.split_at_checked("attribute.".len()) else {
                continue;
            };
            let is_custom = prefix.eq_ignore_ascii_case("attribute.")
                && !key.is_empty()
                && !RESOURCE_ATTRIBUTES.iter().any(|r| name.eq_ignore_ascii_case(r));
            if is_custom && find(name) == Some(position) {
                custom.push((key.to_string(), position));
            }
        }
        Positions {
            action: find("action"),
            status: find("status"),
            resource_id: find("attribute.resourceid"),
            federation: find("attribute.federationctx"),
            title: find("attribute.resourcetitle"),
            permission_sets: find("account.permissionsets"),
            account: find("account.accountid"),
            ip: find("request.ipaddress"),
            counted: COUNTED.iter().map(|(_, column)| find(column)).collect(),
            custom,
        }
    }
}

/// The entry for `key`, allocating the key only the first time it is seen.
fn slot<'m, V: Default>(map: &'m mut HashMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

fn bump(counts: &mut Counts, key: &str) {
    *slot(counts, key) += 1;
}

fn add_counts(into: &mut Counts, from: &Counts) {
    for (key, count) in from {
        *into.entry(key.clone()).or_default() += count;
    }
}

impl Truth {
    pub(crate) fn new(columns: Vec<String>) -> Truth {
        let positions = Positions::new(&columns);
        Truth {
            custom: positions
                .custom
                .iter()
                .map(|(name, _)| (name.clone(), Counts::new()))
                .collect(),
            counted: vec![Counts::new(); COUNTED.len()],
            columns,
            rows: 0,
            skipped_rows: 0,
            undated_rows: 0,
            first_event: None,
            last_event: None,
            by_action: Counts::new(),
            by_status: Counts::new(),
            by_action_status: HashMap::new(),
            sign_ins: [0; 3],
            transfers: [0; 4],
            resources: HashMap::new(),
            by_hour: [0; 24],
            sign_ins_by_hour: [0; 24],
            transfers_by_hour: [0; 24],
            by_permission_set: Counts::new(),
            accounts: HashSet::new(),
            ips: HashSet::new(),
            positions,
        }
    }

    /// Counts one row. `field(position)` is the value written at that position of the row; `moment` is
    /// the event's UTC hour and `yyyy-MM-ddTHH:mm:ssZ`, or `None` when the file has no `date` column.
    pub(crate) fn observe<'r>(&mut self, field: impl Fn(usize) -> &'r str, moment: Option<(usize, String)>) {
        let read = |position: Option<usize>| position.map_or("", &field);
        let p = &self.positions;
        let (action, status) = (read(p.action), read(p.status));
        self.rows += 1;
        bump(&mut self.by_action, action);
        bump(&mut self.by_status, status);
        bump(self.by_action_status.entry(action.to_string()).or_default(), status);

        if SIGN_INS.contains(&action) {
            self.sign_ins[0] += 1;
            self.sign_ins[if status == "SUCCESS" { 1 } else { 2 }] += 1;
        }
        if TRANSFERS.contains(&action) {
            let outcome = match status {
                "SUCCESS" => 1,
                "FAILURE_RESTRICTIVE" => 2,
                _ => 3,
            };
            self.transfers[0] += 1;
            self.transfers[outcome] += 1;
            let resource = self.resources.entry(read(p.resource_id).to_string()).or_default();
            resource.transfers += 1;
            resource.blocked += u64::from(outcome == 2);
            let (title, federation) = (read(p.title), read(p.federation));
            if !title.is_empty() {
                resource.title = title.to_string();
            }
            if !federation.is_empty() {
                resource.federation = federation.to_string();
            }
        }

        match moment {
            Some((hour, iso)) => {
                self.by_hour[hour] += 1;
                if SIGN_INS.contains(&action) {
                    self.sign_ins_by_hour[hour] += 1;
                }
                if TRANSFERS.contains(&action) {
                    self.transfers_by_hour[hour] += 1;
                }
                if self.first_event.as_ref().is_none_or(|first| iso < *first) {
                    self.first_event = Some(iso.clone());
                }
                if self.last_event.as_ref().is_none_or(|last| iso > *last) {
                    self.last_event = Some(iso);
                }
            }
            None => self.undated_rows += 1,
        }

        for (counts, &position) in self.counted.iter_mut().zip(&p.counted) {
            bump(counts, read(position));
        }
        let names: Vec<&str> = read(p.permission_sets)
            .split(',')
            .map(|s| s.trim_matches(' '))
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() {
            bump(&mut self.by_permission_set, "");
        }
        for name in names {
            bump(&mut self.by_permission_set, name);
        }
        for (set, position) in [(&mut self.accounts, p.account), (&mut self.ips, p.ip)] {
            let value = read(position);
            if !value.is_empty() && !set.contains(value) {
                set.insert(value.to_string());
            }
        }
        for (name, position) in &p.custom {
            if let Some(counts) = self.custom.get_mut(name) {
                bump(counts, field(*position));
            }
        }
    }

    /// Counts a row with another field count than the header: in `skippedRows` and nowhere else.
    pub(crate) fn skip(&mut self) {
        self.skipped_rows += 1;
    }

    /// Adds another organisation's truth as docs/summary.md merges Summaries: counts add, distinct
    /// sets union exactly, a resource's title and federation are the last non-empty in part order, and
    /// the columns are this part's followed by names new in `other`.
    pub fn merge(&mut self, other: &Truth) {
        for name in &other.columns {
            if !self.columns.contains(name) {
                self.columns.push(name.clone());
            }
        }
        self.rows += other.rows;
        self.skipped_rows += other.skipped_rows;
        self.undated_rows += other.undated_rows;
        self.first_event = [self.first_event.take(), other.first_event.clone()]
            .into_iter()
            .flatten()
            .min();
        self.last_event = [self.last_event.take(), other.last_event.clone()]
            .into_iter()
            .flatten()
            .max();
        add_counts(&mut self.by_action, &other.by_action);
        add_counts(&mut self.by_status, &other.by_status);
        for (action, statuses) in &other.by_action_status {
            add_counts(self.by_action_status.entry(action.clone()).or_default(), statuses);
        }
        for (mine, theirs) in self.sign_ins.iter_mut().zip(other.sign_ins) {
            *mine += theirs;
        }
        for (mine, theirs) in self.transfers.iter_mut().zip(other.transfers) {
            *mine += theirs;
        }
        for (id, theirs) in &other.resources {
            let mine = self.resources.entry(id.clone()).or_default();
            mine.transfers += theirs.transfers;
            mine.blocked += theirs.blocked;
            if !theirs.title.is_empty() {
                mine.title = theirs.title.clone();
            }
            if !theirs.federation.is_empty() {
                mine.federation = theirs.federation.clone();
            }
        }
        for (mine, theirs) in [
            (&mut self.by_hour, &other.by_hour),
            (&mut self.sign_ins_by_hour, &other.sign_ins_by_hour),
            (&mut self.transfers_by_hour, &other.transfers_by_hour),
        ] {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        for (mine, theirs) in self.counted.iter_mut().zip(&other.counted) {
            add_counts(mine, theirs);
        }
        add_counts(&mut self.by_permission_set, &other.by_permission_set);
        self.accounts.extend(other.accounts.iter().cloned());
        self.ips.extend(other.ips.iter().cloned());
        for (name, counts) in &other.custom {
            add_counts(self.custom.entry(name.clone()).or_default(), counts);
        }
    }

    /// The Summary as JSON, key for key as docs/summary.md names them.
    pub fn to_json(&self) -> Value {
        let mut resources: Vec<(&String, &ResourceTruth)> = self.resources.iter().collect();
        resources.sort_by(|a, b| {
            b.1.transfers
                .cmp(&a.1.transfers)
                .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
        });
        let resources: Vec<Value> = resources
            .into_iter()
            .map(|(id, r)| json!({"id": id, "title": r.title, "federation": r.federation, "transfers": r.transfers, "blocked": r.blocked}))
            .collect();
        let mut summary = json!({
            "schemaVersion": 1,
            "rows": self.rows,
            "skippedRows": self.skipped_rows,
            "undatedRows": self.undated_rows,
            "columns": self.columns,
            "firstEvent": self.first_event,
            "lastEvent": self.last_event,
            "byAction": self.by_action,
            "byStatus": self.by_status,
            "byActionStatus": self.by_action_status,
            "authentications": {"total": self.sign_ins[0], "succeeded": self.sign_ins[1], "failed": self.sign_ins[2]},
            "transfers": {
                "total": self.transfers[0],
                "succeeded": self.transfers[1],
                "blockedRestrictive": self.transfers[2],
                "failed": self.transfers[3],
            },
            "resources": resources,
            "byHour": self.by_hour,
            "signInsByHour": self.sign_ins_by_hour,
            "transfersByHour": self.transfers_by_hour,
            "byPermissionSet": self.by_permission_set,
            "distinctAccounts": self.accounts.len(),
            "distinctIps": self.ips.len(),
            "customAttributes": self.custom,
        });
        for ((key, _), counts) in COUNTED.iter().zip(&self.counted) {
            summary[*key] = json!(counts);
        }
        summary
    }
}
