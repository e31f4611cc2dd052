//! The ground truth: the Summary of docs/summary.md computed the plain way (maps and sets of strings)
//! from the field values the generator wrote and the moments it chose, following docs/summary.md. It
//! shares no code with the engine, so the engine is tested against something it did not compute.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use crate::date::iso_of_unix;

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
    /// Every non-empty account id and IP, with what `security` needs of it.
    accounts: HashMap<String, AccountTruth>,
    ips: HashMap<String, IpTruth>,
    custom: HashMap<String, Counts>,
    positions: Positions,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct ResourceTruth {
    title: String,
    federation: String,
    transfers: u64,
    blocked: u64,
    users: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct AccountTruth {
    sign_ins: u64,
    succeeded: u64,
    transfers: u64,
    /// Unix seconds of each failed sign-in; `None` when it has no time.
    failures: Vec<Option<i64>>,
    ips: BTreeSet<String>,
    countries: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct IpTruth {
    succeeded: u64,
    failures: Vec<Option<i64>>,
    failed_accounts: BTreeSet<String>,
}

/// The `maxFailedIn10Min`, `firstFailure` and `lastFailure` of these failures, by counting from each.
fn failure_times(failures: &[Option<i64>]) -> (usize, Option<String>, Option<String>) {
    let mut dated: Vec<i64> = failures.iter().flatten().copied().collect();
    dated.sort();
    let most = (0..dated.len())
        .map(|i| dated.iter().filter(|&&t| dated[i] <= t && t < dated[i] + 600).count())
        .max()
        .unwrap_or(0);
    (
        most,
        dated.first().map(|&t| iso_of_unix(t)),
        dated.last().map(|&t| iso_of_unix(t)),
    )
}

/// The first hundred of `items` in `order`.
fn first_hundred<T>(mut items: Vec<T>, order: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    items.sort_by(order);
    items.truncate(100);
    items
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
    country: Option<usize>,
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
            country: find("request.countrycode"),
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
            accounts: HashMap::new(),
            ips: HashMap::new(),
            positions,
        }
    }

    /// Counts one row. `field(position)` is the value written at that position of the row; `moment` is
    /// the event's UTC hour, `yyyy-MM-ddTHH:mm:ssZ` and Unix seconds, or `None` when the file has no
    /// `date` column.
    pub(crate) fn observe<'r>(&mut self, field: impl Fn(usize) -> &'r str, moment: Option<(usize, String, i64)>) {
        let read = |position: Option<usize>| position.map_or("", &field);
        let p = &self.positions;
        let (action, status) = (read(p.action), read(p.status));
        self.rows += 1;
        bump(&mut self.by_action, action);
        bump(&mut self.by_status, status);
        bump(self.by_action_status.entry(action.to_string()).or_default(), status);

        let (account, ip, country) = (read(p.account), read(p.ip), read(p.country));
        let sign_in = SIGN_INS.contains(&action);
        let failed_sign_in = sign_in && status != "SUCCESS";
        let time = moment.as_ref().map(|(_, _, unix)| *unix);
        if sign_in {
            self.sign_ins[0] += 1;
            self.sign_ins[if status == "SUCCESS" { 1 } else { 2 }] += 1;
        }
        if !account.is_empty() {
            let a = slot(&mut self.accounts, account);
            a.sign_ins += u64::from(sign_in);
            a.succeeded += u64::from(sign_in && !failed_sign_in);
            a.transfers += u64::from(TRANSFERS.contains(&action));
            if failed_sign_in {
                a.failures.push(time);
            }
            if !ip.is_empty() {
                a.ips.insert(ip.to_string());
            }
            if !country.is_empty() {
                a.countries.insert(country.to_string());
            }
        }
        if !ip.is_empty() {
            let i = slot(&mut self.ips, ip);
            i.succeeded += u64::from(sign_in && !failed_sign_in);
            if failed_sign_in {
                i.failures.push(time);
                if !account.is_empty() {
                    i.failed_accounts.insert(account.to_string());
                }
            }
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
            if !account.is_empty() {
                resource.users.insert(account.to_string());
            }
            let (title, federation) = (read(p.title), read(p.federation));
            if !title.is_empty() {
                resource.title = title.to_string();
            }
            if !federation.is_empty() {
                resource.federation = federation.to_string();
            }
        }

        match moment {
            Some((hour, iso, _)) => {
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
            mine.users.extend(theirs.users.iter().cloned());
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
        for (id, theirs) in &other.accounts {
            let mine = self.accounts.entry(id.clone()).or_default();
            mine.sign_ins += theirs.sign_ins;
            mine.succeeded += theirs.succeeded;
            mine.transfers += theirs.transfers;
            mine.failures.extend(&theirs.failures);
            mine.ips.extend(theirs.ips.iter().cloned());
            mine.countries.extend(theirs.countries.iter().cloned());
        }
        for (ip, theirs) in &other.ips {
            let mine = self.ips.entry(ip.clone()).or_default();
            mine.succeeded += theirs.succeeded;
            mine.failures.extend(&theirs.failures);
            mine.failed_accounts.extend(theirs.failed_accounts.iter().cloned());
        }
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
            .map(|(id, r)| json!({"id": id, "title": r.title, "federation": r.federation, "transfers": r.transfers, "blocked": r.blocked, "users": r.users.len()}))
            .collect();
        let mut summary = json!({
            "schemaVersion": 2,
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
            "security": self.security(),
        });
        for ((key, _), counts) in COUNTED.iter().zip(&self.counted) {
            summary[*key] = json!(counts);
        }
        summary
    }

    /// docs/summary.md's `security`, straight from the per-account and per-IP maps.
    fn security(&self) -> Value {
        let failing_accounts: Vec<(&String, &AccountTruth)> =
            self.accounts.iter().filter(|(_, a)| !a.failures.is_empty()).collect();
        let failing_ips: Vec<(&String, &IpTruth)> = self.ips.iter().filter(|(_, i)| !i.failures.is_empty()).collect();
        let (accounts_failing, ips_failing) = (failing_accounts.len(), failing_ips.len());
        let by_account: Vec<Value> = first_hundred(failing_accounts, |a, b| {
            (b.1.failures.len(), a.0.as_bytes()).cmp(&(a.1.failures.len(), b.0.as_bytes()))
        })
        .into_iter()
        .map(|(id, a)| {
            let (most, first, last) = failure_times(&a.failures);
            json!({"account": id, "failed": a.failures.len(), "succeeded": a.succeeded, "ips": a.ips.len(),
                "countries": a.countries.len(), "maxFailedIn10Min": most, "firstFailure": first, "lastFailure": last})
        })
        .collect();
        let by_ip: Vec<Value> = first_hundred(failing_ips, |a, b| {
            (b.1.failures.len(), a.0.as_bytes()).cmp(&(a.1.failures.len(), b.0.as_bytes()))
        })
        .into_iter()
        .map(|(ip, i)| {
            let (most, first, last) = failure_times(&i.failures);
            json!({"ip": ip, "failed": i.failures.len(), "succeeded": i.succeeded, "accounts": i.failed_accounts.len(),
                "maxFailedIn10Min": most, "firstFailure": first, "lastFailure": last})
        })
        .collect();
        let travellers: Vec<(&String, &AccountTruth)> =
            self.accounts.iter().filter(|(_, a)| a.countries.len() >= 2).collect();
        let spread: Vec<Value> = first_hundred(travellers, |a, b| {
            (b.1.countries.len(), b.1.ips.len(), a.0.as_bytes()).cmp(&(a.1.countries.len(), a.1.ips.len(), b.0.as_bytes()))
        })
        .into_iter()
        .map(|(id, a)| {
            json!({"account": id, "countries": a.countries.len(), "ips": a.ips.len(), "signIns": a.sign_ins, "transfers": a.transfers})
        })
        .collect();
        json!({
            "accountsWithFailedSignIns": accounts_failing,
            "ipsWithFailedSignIns": ips_failing,
            "byAccount": by_account,
            "byIp": by_ip,
            "spread": spread,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_windows_hold_600_seconds_from_each_failure() {
        let at = |times: &[i64]| failure_times(&times.iter().map(|&t| Some(t)).chain([None]).collect::<Vec<_>>());
        assert_eq!(at(&[]), (0, None, None));
        assert_eq!(at(&[600, 0]).0, 1, "exactly 600 seconds apart");
        assert_eq!(at(&[599, 0]).0, 2);
        let (most, first, last) = at(&[39_300, 39_899, 39_900, 39_900, 40_499]);
        assert_eq!(most, 3, "11:04:59 with both 11:05:00, or both 11:05:00 with 11:14:59");
        assert_eq!(first.as_deref(), Some("1970-01-01T10:55:00Z"));
        assert_eq!(last.as_deref(), Some("1970-01-01T11:14:59Z"));
    }
}
