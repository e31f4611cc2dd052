//! People: the distinct accounts and IP addresses, and what the Summary's `security` and
//! `resources[].users` need to know about each, exactly and mergeably, in a few bytes a value.
//!
//! Every non-empty account id and IP gets a dense u32 id from its `DistinctSet`. An account keeps the
//! first IP, country and resource it was seen with in its own record; only a second, different one is
//! stored, as an (account, other) pair in a `PairSet`. Most accounts use one place and one resource, so
//! most cost their record alone. Failed sign-ins are a log of (account, IP, time as written): grouped,
//! placed in time and windowed only when the summary is made, because the day order of `a/b/yyyy` dates
//! is decided then, and because logs of two organisations merge by simply joining them.

use std::collections::{HashMap, HashSet};

use hashbrown::HashTable;

use crate::engine::dense::Dense;
use crate::engine::distinct::{DistinctSet, PARTS, mix, part_of};
use crate::engine::seed::hash_seed;
use crate::engine::snapshot::{Item, Reader, Snap, Writer, bad, ensure};
use crate::engine::summary::{AccountFailures, FailureTimes, IpFailures, Security, Spread};
use crate::engine::timestamp::{EventTimes, Stamp, format_utc};
use crate::error::Result;

/// No id: an empty account id or IP, or no first link yet.
const NONE: u32 = u32::MAX;

/// Entries in each `security` list.
const TOP: usize = 100;

/// Seconds of the window of `maxFailedIn10Min`.
const WINDOW: i64 = 600;

/// What a row did, as far as people are concerned.
#[derive(Clone, Copy)]
pub enum Event {
    SignIn {
        succeeded: bool,
    },
    /// A transfer to the resource with this id (the tally's resource counter).
    Transfer {
        resource: u32,
    },
    Other,
}

/// What an account is linked with, each kind by the id of its own table: `IP`, `COUNTRY`, `RESOURCE`.
const LINKS: usize = 3;
const IP: usize = 0;
const COUNTRY: usize = 1;
const RESOURCE: usize = 2;

/// An account's own record. Counts saturate at u32::MAX, four billion rows of one account in one tally.
#[derive(Clone, Copy)]
struct Account {
    /// The first of each kind of link it was seen with.
    first: [u32; LINKS],
    succeeded: u32,
    transfers: u32,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            first: [NONE; LINKS],
            succeeded: 0,
            transfers: 0,
        }
    }
}

#[derive(Clone, Copy)]
struct Failure {
    account: u32,
    ip: u32,
    stamp: Option<Stamp>,
}

#[derive(Clone, Default)]
pub struct People {
    accounts: DistinctSet,
    ips: DistinctSet,
    records: Dense<Account>,
    ip_succeeded: Dense<u32>,
    /// (account, id) pairs of each kind of link beyond the account's first.
    more: [PairSet; LINKS],
    failures: Vec<Failure>,
}

impl People {
    pub fn distinct_accounts(&self) -> u64 {
        self.accounts.len()
    }

    pub fn distinct_ips(&self) -> u64 {
        self.ips.len()
    }

    /// Notes one row: its account id and IP (either may be empty), its country's id when the country is
    /// not empty, what it did, and its time as written (needed only for a failed sign-in).
    #[inline]
    pub fn add(&mut self, account: &[u8], ip: &[u8], country: Option<u32>, event: Event, stamp: Option<Stamp>) {
        let account = if account.is_empty() {
            NONE
        } else {
            self.account(account)
        };
        let ip = if ip.is_empty() { NONE } else { self.ip(ip) };
        self.note(account, ip, country, event);
        if let Event::SignIn { succeeded: false } = event {
            self.fail(account, ip, stamp);
        }
    }

    fn account(&mut self, value: &[u8]) -> u32 {
        let id = self.accounts.insert(value);
        if id as usize == self.records.len() {
            self.records.push(Account::default());
        }
        id
    }

    fn ip(&mut self, value: &[u8]) -> u32 {
        let id = self.ips.insert(value);
        if id as usize == self.ip_succeeded.len() {
            self.ip_succeeded.push(0);
        }
        id
    }

    /// Everything about a row but its failure, for ids already here (`NONE` for none).
    fn note(&mut self, account: u32, ip: u32, country: Option<u32>, event: Event) {
        if let (Event::SignIn { succeeded: true }, true) = (event, ip != NONE) {
            let n = self.ip_succeeded.get_mut(ip);
            *n = n.saturating_add(1);
        }
        if account == NONE {
            return;
        }
        let record = self.records.get_mut(account);
        let more = &mut self.more;
        if ip != NONE {
            link(record, more, IP, account, ip);
        }
        if let Some(country) = country {
            link(record, more, COUNTRY, account, country);
        }
        match event {
            Event::SignIn { succeeded: true } => record.succeeded = record.succeeded.saturating_add(1),
            Event::Transfer { resource } => {
                record.transfers = record.transfers.saturating_add(1);
                link(record, more, RESOURCE, account, resource);
            }
            Event::SignIn { succeeded: false } | Event::Other => {}
        }
    }

    fn fail(&mut self, account: u32, ip: u32, stamp: Option<Stamp>) {
        // A failure with neither is never listed and counts nowhere here.
        if account != NONE || ip != NONE {
            self.failures.push(Failure { account, ip, stamp });
        }
    }

    /// Bytes of memory held, for `limits::MAX_TALLY_BYTES`.
    pub fn held_bytes(&self) -> usize {
        self.accounts.held_bytes()
            + self.ips.held_bytes()
            + self.records.held_bytes()
            + self.ip_succeeded.held_bytes()
            + self.more.iter().map(PairSet::held_bytes).sum::<usize>()
            + self.failures.capacity() * size_of::<Failure>()
    }

    /// Adds another tally's people. `countries` and `resources` give the id each of `other`'s country and
    /// resource ids has in this tally.
    pub fn merge(&mut self, other: &People, countries: &[u32], resources: &[u32]) {
        let accounts: Vec<u32> = (0..other.accounts.len() as u32)
            .map(|id| other.accounts.with_value(id, |value| self.account(value)))
            .collect();
        let ips: Vec<u32> = (0..other.ips.len() as u32)
            .map(|id| other.ips.with_value(id, |value| self.ip(value)))
            .collect();
        let mapped = |ids: &[u32], id: u32| if id == NONE { NONE } else { ids[id as usize] };
        for (theirs, &mine) in ips.iter().enumerate() {
            let n = self.ip_succeeded.get_mut(mine);
            *n = n.saturating_add(other.ip_succeeded.get(theirs as u32));
        }
        let mut ids: [&[u32]; LINKS] = [&[]; LINKS];
        (ids[IP], ids[COUNTRY], ids[RESOURCE]) = (&ips, countries, resources);
        for (theirs, &account) in accounts.iter().enumerate() {
            let from = other.records.get(theirs as u32);
            let record = self.records.get_mut(account);
            record.succeeded = record.succeeded.saturating_add(from.succeeded);
            record.transfers = record.transfers.saturating_add(from.transfers);
            for kind in 0..LINKS {
                if from.first[kind] != NONE {
                    link(
                        record,
                        &mut self.more,
                        kind,
                        account,
                        ids[kind][from.first[kind] as usize],
                    );
                }
            }
        }
        for (kind, theirs) in other.more.iter().enumerate() {
            for (account, value) in theirs.iter() {
                let account = accounts[account as usize];
                let record = self.records.get_mut(account);
                link(record, &mut self.more, kind, account, ids[kind][value as usize]);
            }
        }
        self.failures.extend(other.failures.iter().map(|f| Failure {
            account: mapped(&accounts, f.account),
            ip: mapped(&ips, f.ip),
            stamp: f.stamp,
        }));
    }

    /// Distinct accounts of each of `resources` resources (by the tally's resource id).
    pub fn users_by_resource(&self, resources: usize) -> Vec<u64> {
        let mut users = vec![0u64; resources];
        for account in 0..self.records.len() as u32 {
            let first = self.records.get(account).first[RESOURCE];
            if first != NONE {
                users[first as usize] += 1;
            }
        }
        for (_, resource) in self.more[RESOURCE].iter() {
            users[resource as usize] += 1;
        }
        users
    }

    pub fn security(&self, times: &EventTimes) -> Security {
        let placed: Vec<(u32, u32, Option<i64>)> = self
            .failures
            .iter()
            .map(|f| (f.account, f.ip, f.stamp.and_then(|s| times.unix_seconds(s))))
            .collect();
        let mut by_account = failure_groups(placed.iter().map(|&(account, _, t)| (account, t)));
        let mut by_ip = failure_groups(placed.iter().map(|&(_, ip, t)| (ip, t)));
        let failed: HashMap<u32, u64> = by_account.iter().map(|g| (g.id, g.failed)).collect();
        let (accounts_with_failed_sign_ins, ips_with_failed_sign_ins) = (by_account.len() as u64, by_ip.len() as u64);

        top(&mut by_account, |a, b| {
            b.failed
                .cmp(&a.failed)
                .then_with(|| by_bytes(&self.accounts, a.id, b.id))
        });
        top(&mut by_ip, |a, b| {
            b.failed.cmp(&a.failed).then_with(|| by_bytes(&self.ips, a.id, b.id))
        });

        // Accounts with a second country are those with a pair in `more[COUNTRY]`.
        let more_countries = count_pairs(&self.more[COUNTRY], |_| true);
        let top_accounts: HashSet<u32> = by_account.iter().map(|g| g.id).collect();
        let more_ips = count_pairs(&self.more[IP], |account| {
            more_countries.contains_key(&account) || top_accounts.contains(&account)
        });
        let distinct = |kind: usize, more: &HashMap<u32, u64>, account: u32| {
            u64::from(self.records.get(account).first[kind] != NONE) + more.get(&account).copied().unwrap_or(0)
        };

        // (account, countries, IPs), ordered by the raw ids: two ids may read the same once made text.
        let mut spread: Vec<(u32, u64, u64)> = more_countries
            .iter()
            .map(|(&account, &more)| (account, 1 + more, distinct(IP, &more_ips, account)))
            .collect();
        top(&mut spread, |a, b| {
            (b.1, b.2)
                .cmp(&(a.1, a.2))
                .then_with(|| by_bytes(&self.accounts, a.0, b.0))
        });
        let spread = spread
            .into_iter()
            .map(|(account, countries, ips)| {
                let record = self.records.get(account);
                Spread {
                    account: text(&self.accounts, account),
                    countries,
                    ips,
                    sign_ins: u64::from(record.succeeded) + failed.get(&account).copied().unwrap_or(0),
                    transfers: u64::from(record.transfers),
                }
            })
            .collect();

        let accounts_of_ip = self.failing_accounts_of(&by_ip);
        Security {
            accounts_with_failed_sign_ins,
            ips_with_failed_sign_ins,
            by_account: by_account
                .into_iter()
                .map(|g| {
                    let record = self.records.get(g.id);
                    AccountFailures {
                        account: text(&self.accounts, g.id),
                        failed: g.failed,
                        succeeded: u64::from(record.succeeded),
                        ips: distinct(IP, &more_ips, g.id),
                        countries: distinct(COUNTRY, &more_countries, g.id),
                        times: g.times,
                    }
                })
                .collect(),
            by_ip: by_ip
                .into_iter()
                .map(|g| IpFailures {
                    ip: text(&self.ips, g.id),
                    failed: g.failed,
                    succeeded: u64::from(self.ip_succeeded.get(g.id)),
                    accounts: accounts_of_ip.get(&g.id).copied().unwrap_or(0),
                    times: g.times,
                })
                .collect(),
            spread,
        }
    }

    /// Distinct non-empty accounts among the failures of each of these IPs.
    fn failing_accounts_of(&self, ips: &[Group]) -> HashMap<u32, u64> {
        let ips: HashSet<u32> = ips.iter().map(|g| g.id).collect();
        let mut pairs: Vec<(u32, u32)> = self
            .failures
            .iter()
            .filter(|f| f.account != NONE && ips.contains(&f.ip))
            .map(|f| (f.ip, f.account))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut counts = HashMap::new();
        for (ip, _) in pairs {
            *counts.entry(ip).or_default() += 1;
        }
        counts
    }
}

/// In a snapshot the accounts and IPs are written sorted (`DistinctSet::put`), and everything that refers to
/// them is written with the ids they get when read back. Countries and resources keep the tally's ids.
impl People {
    pub(crate) fn put(&self, w: &mut Writer) {
        let People {
            accounts,
            ips,
            records,
            ip_succeeded,
            more,
            failures,
        } = self;
        let account_rank = accounts.put(w);
        let ip_rank = ips.put(w);
        let ranked = |rank: &[u32], id: u32| if id == NONE { NONE } else { rank[id as usize] };
        let link_of = |kind: usize, id: u32| {
            if kind == IP { ranked(&ip_rank, id) } else { id }
        };

        for account in in_rank_order(&account_rank) {
            let record = records.get(account);
            for (kind, &first) in record.first.iter().enumerate() {
                put_id(w, link_of(kind, first));
            }
            w.uint(u64::from(record.succeeded));
            w.uint(u64::from(record.transfers));
        }
        for ip in in_rank_order(&ip_rank) {
            w.uint(u64::from(ip_succeeded.get(ip)));
        }
        for (kind, pairs) in more.iter().enumerate() {
            let mut pairs: Vec<(u32, u32)> = pairs
                .iter()
                .map(|(account, value)| (account_rank[account as usize], link_of(kind, value)))
                .collect();
            pairs.sort_unstable();
            w.len(pairs.len());
            // Sorted pairs as differences: the account from the pair before, the value from the pair before
            // when the account is the same (most are small numbers, one byte each).
            let mut previous = (0, 0);
            for (account, value) in pairs {
                let from = if account == previous.0 { previous.1 } else { 0 };
                w.uint(u64::from(account - previous.0));
                w.uint(u64::from(value - from));
                previous = (account, value);
            }
        }
        // Sorted by account (none first), each written as the difference from the one before.
        let mut failures: Vec<(u64, u32, Option<Stamp>)> = failures
            .iter()
            .map(|f| {
                (
                    id_code(ranked(&account_rank, f.account)),
                    ranked(&ip_rank, f.ip),
                    f.stamp,
                )
            })
            .collect();
        failures.sort_unstable_by_key(|&(account, ip, _)| (account, ip));
        w.len(failures.len());
        let mut previous = 0;
        for (account, ip, stamp) in failures {
            w.uint(account - previous);
            previous = account;
            put_id(w, ip);
            match stamp {
                None => w.uint(0),
                Some(stamp) => {
                    w.uint(1);
                    stamp.put(w);
                }
            }
        }
    }

    /// Reads what `put` wrote, for a tally with `countries` countries and `resources` resources, whose
    /// actions say `totals`.
    pub(crate) fn take(r: &mut Reader<'_>, countries: usize, resources: usize, totals: Totals) -> Result<Self> {
        let mut people = People {
            accounts: DistinctSet::take(r, size_of::<Account>())?,
            ips: DistinctSet::take(r, size_of::<u32>())?,
            ..People::default()
        };
        let mut limits = [0usize; LINKS];
        (limits[IP], limits[COUNTRY], limits[RESOURCE]) = (people.ips.len() as usize, countries, resources);
        // An account's or IP's sign-ins and transfers are some of the tally's.
        let (mut succeeded_seen, mut transfers_seen) = (0u64, 0u64);
        for _ in 0..people.accounts.len() {
            let mut first = [NONE; LINKS];
            for (kind, first) in first.iter_mut().enumerate() {
                *first = take_id(r, limits[kind])?;
            }
            let (succeeded, transfers) = (take_u32(r)?, take_u32(r)?);
            succeeded_seen += u64::from(succeeded);
            transfers_seen += u64::from(transfers);
            ensure(
                succeeded_seen <= totals.succeeded && transfers_seen <= totals.transfers,
                "its accounts count more sign-ins or transfers than its actions",
            )?;
            people.records.push(Account {
                first,
                succeeded,
                transfers,
            });
        }
        let mut succeeded_seen = 0u64;
        for _ in 0..people.ips.len() {
            let succeeded = take_u32(r)?;
            succeeded_seen += u64::from(succeeded);
            ensure(
                succeeded_seen <= totals.succeeded,
                "its IP addresses count more sign-ins than its actions",
            )?;
            people.ip_succeeded.push(succeeded);
        }
        let accounts = people.accounts.len() as usize;
        for (kind, limit) in limits.into_iter().enumerate() {
            let mut previous = (0u32, 0u32);
            for _ in 0..r.count(PAIR)? {
                let step = take_u32(r)?;
                let account = previous
                    .0
                    .checked_add(step)
                    .filter(|&a| (a as usize) < accounts)
                    .ok_or_else(|| bad("a pair names an account it does not have"))?;
                let from = if step == 0 { previous.1 } else { 0 };
                let value = from
                    .checked_add(take_u32(r)?)
                    .filter(|&v| (v as usize) < limit)
                    .ok_or_else(|| bad("a pair names a value it does not have"))?;
                people.more[kind].insert(account, value);
                previous = (account, value);
            }
        }
        let mut previous = 0u64;
        let failures = r.count(FAILURE)?;
        ensure(
            failures as u64 <= totals.failed,
            "it lists more failed sign-ins than its actions count",
        )?;
        for _ in 0..failures {
            previous = previous
                .checked_add(r.uint()?)
                .ok_or_else(|| bad("a failed sign-in names an account it does not have"))?;
            let account = id_of_code(previous, accounts)?;
            let ip = take_id(r, people.ips.len() as usize)?;
            let stamp = match r.uint()? {
                0 => None,
                1 => Some(Stamp::take(r)?),
                _ => return Err(bad("a flag in it is neither 0 nor 1")),
            };
            people.failures.push(Failure { account, ip, stamp });
        }
        Ok(people)
    }
}

/// What a tally's actions say of its people: rows a snapshot's people may not exceed.
pub(crate) struct Totals {
    pub succeeded: u64,
    pub failed: u64,
    pub transfers: u64,
}

/// A pair in a snapshot: two numbers; in memory a u64 slot (and control byte) of a table that may have just
/// doubled.
const PAIR: Item = Item {
    bytes: 2,
    memory: 2 * (size_of::<u64>() + 1),
    cap: usize::MAX,
};

/// A failed sign-in in a snapshot: its account, IP and time flag; in a vector that may have just doubled.
const FAILURE: Item = Item {
    bytes: 3,
    memory: 2 * size_of::<Failure>(),
    cap: usize::MAX,
};

/// The ids of a set in the order `DistinctSet::put` wrote them.
fn in_rank_order(rank: &[u32]) -> Vec<u32> {
    let mut ids = vec![0u32; rank.len()];
    for (id, &place) in rank.iter().enumerate() {
        ids[place as usize] = id as u32;
    }
    ids
}

/// An id or `NONE` as a number: 0 for none, else id + 1.
fn id_code(id: u32) -> u64 {
    if id == NONE { 0 } else { u64::from(id) + 1 }
}

/// The id of an `id_code`, which must name one below `limit`.
fn id_of_code(code: u64, limit: usize) -> Result<u32> {
    match code {
        0 => Ok(NONE),
        n if n <= limit as u64 => Ok((n - 1) as u32),
        _ => Err(bad("it refers to a value it does not have")),
    }
}

fn put_id(w: &mut Writer, id: u32) {
    w.uint(id_code(id));
}

fn take_id(r: &mut Reader<'_>, limit: usize) -> Result<u32> {
    id_of_code(r.uint()?, limit)
}

fn take_u32(r: &mut Reader<'_>) -> Result<u32> {
    u32::try_from(r.uint()?).map_err(|_| bad("a count in it is too large"))
}

/// Links `account` (whose record this is) with `value` of this kind: as its first when it has none yet,
/// else as a pair unless it is the first again.
#[inline]
fn link(record: &mut Account, more: &mut [PairSet; LINKS], kind: usize, account: u32, value: u32) {
    let first = &mut record.first[kind];
    if *first == NONE {
        *first = value;
    } else if *first != value {
        more[kind].insert(account, value);
    }
}

/// The failed sign-ins of one account or IP.
struct Group {
    id: u32,
    failed: u64,
    times: FailureTimes,
}

/// Failures grouped by id (`NONE` left out), with their counts and windows.
fn failure_groups(items: impl Iterator<Item = (u32, Option<i64>)>) -> Vec<Group> {
    let mut items: Vec<(u32, Option<i64>)> = items.filter(|&(id, _)| id != NONE).collect();
    // None sorts first, so each id's dated times follow its undated failures in time order.
    super::sort::sort(&mut items);
    items
        .chunk_by(|a, b| a.0 == b.0)
        .map(|group| {
            let dated: Vec<i64> = group.iter().filter_map(|&(_, t)| t).collect();
            Group {
                id: group[0].0,
                failed: group.len() as u64,
                times: FailureTimes {
                    max_failed_in_10_min: most_within_window(&dated),
                    first_failure: dated.first().copied().and_then(format_utc),
                    last_failure: dated.last().copied().and_then(format_utc),
                },
            }
        })
        .collect()
}

/// The most of these sorted times within any `WINDOW` seconds, t ≤ time < t + WINDOW.
fn most_within_window(sorted: &[i64]) -> u64 {
    let mut start = 0;
    let mut most = 0;
    for (end, &t) in sorted.iter().enumerate() {
        while sorted[start] <= t - WINDOW {
            start += 1;
        }
        most = most.max(end + 1 - start);
    }
    most as u64
}

/// Keeps the first `TOP` items in `order`, sorted.
fn top<T>(items: &mut Vec<T>, order: impl Fn(&T, &T) -> std::cmp::Ordering) {
    super::sort::first_by(items, TOP, order);
}

fn by_bytes(set: &DistinctSet, a: u32, b: u32) -> std::cmp::Ordering {
    set.with_value(a, |a| set.with_value(b, |b| a.cmp(b)))
}

/// Report text for display: bytes that are not UTF-8 become U+FFFD.
fn text(set: &DistinctSet, id: u32) -> String {
    set.with_value(id, |bytes| String::from_utf8_lossy(bytes).into_owned())
}

/// Pairs of `set` by their left id, for the left ids `wanted` keeps.
fn count_pairs(set: &PairSet, wanted: impl Fn(u32) -> bool) -> HashMap<u32, u64> {
    let mut counts = HashMap::new();
    for (left, _) in set.iter().filter(|&(left, _)| wanted(left)) {
        *counts.entry(left).or_default() += 1;
    }
    counts
}

/// A set of (u32, u32) pairs as u64s, spread over `PARTS` tables like `DistinctSet`'s, so growing one
/// never doubles the whole.
#[derive(Clone)]
struct PairSet {
    tables: Vec<HashTable<u64>>,
    seed: u64,
}

impl Default for PairSet {
    fn default() -> Self {
        PairSet {
            tables: (0..PARTS).map(|_| HashTable::new()).collect(),
            seed: hash_seed(),
        }
    }
}

impl PairSet {
    #[inline]
    fn insert(&mut self, left: u32, right: u32) {
        let pair = u64::from(left) << 32 | u64::from(right);
        let seed = self.seed;
        let hash = mix(seed, [pair, 0]);
        let table = &mut self.tables[part_of(hash)];
        if table.find(hash, |&p| p == pair).is_none() {
            table.insert_unique(hash, pair, |&p| mix(seed, [p, 0]));
        }
    }

    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.tables
            .iter()
            .flat_map(HashTable::iter)
            .map(|&pair| ((pair >> 32) as u32, pair as u32))
    }

    fn held_bytes(&self) -> usize {
        self.tables.iter().map(HashTable::allocation_size).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ReportParser, Summary};

    const HEADER: &str =
        "date,action,status,account.accountid,request.ipaddress,request.countrycode,attribute.resourceid\n";

    fn summary(rows: &[String]) -> Summary {
        let mut parser = ReportParser::new(None);
        parser.push(HEADER.as_bytes()).unwrap();
        for row in rows {
            parser.push(row.as_bytes()).unwrap();
            parser.push(b"\n").unwrap();
        }
        parser.finish().unwrap().summary()
    }

    fn fail(time: &str, account: &str, ip: &str) -> String {
        format!("{time},AUTHENTICATE,ACCOUNT_ERROR_BAD_PASSWORD,{account},{ip},GB,")
    }

    #[test]
    fn windows_are_600_seconds_from_any_failure_across_hours() {
        let at = |times: &[&str]| {
            let rows: Vec<String> = times
                .iter()
                .map(|t| fail(&format!("15/01/2026T{t}"), "a", "1"))
                .collect();
            summary(&rows).security.by_account[0].times.clone()
        };
        // 10:55:00 and 11:04:59 are 599 s apart; 11:05:00 is exactly 600 s after 10:55:00.
        assert_eq!(at(&["10:55:00", "11:04:59"]).max_failed_in_10_min, 2);
        assert_eq!(at(&["10:55:00", "11:05:00"]).max_failed_in_10_min, 1);
        let times = at(&["11:05:00", "10:55:00", "11:04:59", "11:14:59", "11:15:00", "10:55:00"]);
        assert_eq!(
            times.max_failed_in_10_min, 3,
            "10:55:00 twice and 11:04:59; 11:05:00 is outside"
        );
        assert_eq!(times.first_failure.as_deref(), Some("2026-01-15T10:55:00Z"));
        assert_eq!(times.last_failure.as_deref(), Some("2026-01-15T11:15:00Z"));
        // Across midnight the window is the same 600 seconds.
        let rows = [
            fail("15/01/2026T23:55:00", "a", "1"),
            fail("16/01/2026T00:04:59", "a", "1"),
        ];
        assert_eq!(summary(&rows).security.by_account[0].times.max_failed_in_10_min, 2);
    }

    #[test]
    fn undated_failures_count_but_have_no_time() {
        let s = summary(&[fail("soon", "a", "1"), fail("", "a", "1")]);
        let a = &s.security.by_account[0];
        assert_eq!((a.failed, a.times.max_failed_in_10_min), (2, 0));
        assert_eq!(
            (a.times.first_failure.as_deref(), a.times.last_failure.as_deref()),
            (None, None)
        );
        let s = summary(&[fail("soon", "a", "1"), fail("15/01/2026T10:00:00", "a", "1")]);
        assert_eq!(s.security.by_account[0].failed, 2);
        assert_eq!(s.security.by_account[0].times.max_failed_in_10_min, 1);
    }

    #[test]
    fn failure_times_follow_the_day_order_the_summary_chooses() {
        // 01/13 only makes sense month first, so every a/b date of this report is read that way.
        let rows = [
            fail("01/13/2026T10:00:00", "a", "1"),
            fail("01/14/2026T09:55:00", "a", "1"),
        ];
        let s = summary(&rows);
        assert_eq!(
            s.security.by_account[0].times.first_failure.as_deref(),
            Some("2026-01-13T10:00:00Z")
        );
        assert_eq!(
            s.security.by_account[0].times.last_failure.as_deref(),
            Some("2026-01-14T09:55:00Z")
        );
    }

    #[test]
    fn most_failures_first_then_id_bytes_and_only_a_hundred() {
        let mut rows = Vec::new();
        for i in 0..150 {
            rows.push(fail(
                "15/01/2026T10:00:00",
                &format!("user{i:03}"),
                &format!("10.0.0.{i}"),
            ));
        }
        rows.push(fail("15/01/2026T10:00:00", "user149", "10.0.0.149"));
        rows.push(fail("15/01/2026T10:00:00", "Zed", "10.0.0.149"));
        rows.push(fail("15/01/2026T10:00:00", "Zed", ""));
        rows.push(fail("15/01/2026T10:00:00", "", "10.9.9.9"));
        let s = summary(&rows);
        let sec = &s.security;
        assert_eq!(
            (sec.accounts_with_failed_sign_ins, sec.ips_with_failed_sign_ins),
            (151, 151)
        );
        let names: Vec<&str> = sec.by_account.iter().map(|a| a.account.as_str()).collect();
        assert_eq!(names.len(), 100);
        // Two failures each, tied: byte order puts "Zed" (Z is 0x5a) before "user149".
        assert_eq!(&names[..4], ["Zed", "user149", "user000", "user001"]);
        assert_eq!(names[99], "user097");
        assert_eq!(
            (sec.by_ip[0].ip.as_str(), sec.by_ip[0].failed, sec.by_ip[0].accounts),
            ("10.0.0.149", 3, 2)
        );
        assert!(sec.by_ip.iter().all(|ip| !ip.ip.is_empty()));
        assert!(sec.by_account.iter().all(|a| !a.account.is_empty()));
    }

    #[test]
    fn per_account_and_per_ip_figures() {
        let row = |action: &str, status: &str, account: &str, ip: &str, country: &str, resource: &str| {
            format!("15/01/2026T10:00:00,{action},{status},{account},{ip},{country},{resource}")
        };
        let s = summary(&[
            row("AUTHENTICATE", "SUCCESS", "a", "1", "GB", ""),
            row("AUTHENTICATE", "ACCOUNT_ERROR_LOCKED", "a", "2", "FR", ""),
            row("LOCAL_AUTHENTICATE", "SUCCESS", "a", "1", "", ""),
            row("FEDERATED_TRANSFER", "SUCCESS", "a", "3", "DE", "r1"),
            row("FEDERATED_TRANSFER", "FAILURE_RESTRICTIVE", "a", "3", "DE", "r2"),
            row("FEDERATED_TRANSFER", "SUCCESS", "b", "1", "GB", "r1"),
            row("FEDERATED_TRANSFER", "SUCCESS", "", "1", "GB", "r1"),
            row("FEDERATED_TRANSFER", "SUCCESS", "b", "1", "GB", "r1"),
            row("AUTHENTICATE", "ACCOUNT_ERROR_LOCKED", "c", "1", "US", ""),
            row("AUTHENTICATE", "ACCOUNT_ERROR_LOCKED", "b", "1", "GB", ""),
            row("OTHER", "SUCCESS", "b", "4", "US", ""),
        ]);
        let a = &s.security.by_account.iter().find(|x| x.account == "a").unwrap();
        assert_eq!((a.failed, a.succeeded, a.ips, a.countries), (1, 2, 3, 3));
        let ip = s.security.by_ip.iter().find(|x| x.ip == "1").unwrap();
        assert_eq!((ip.failed, ip.succeeded, ip.accounts), (2, 2, 2));
        let spread: Vec<(&str, u64, u64, u64, u64)> = s
            .security
            .spread
            .iter()
            .map(|x| (x.account.as_str(), x.countries, x.ips, x.sign_ins, x.transfers))
            .collect();
        assert_eq!(spread, [("a", 3, 3, 3, 2), ("b", 2, 2, 1, 2)]);
        let users: Vec<(&str, u64)> = s.resources.iter().map(|r| (r.id.as_str(), r.users)).collect();
        assert_eq!(users, [("r1", 2), ("r2", 1)]);
    }

    #[test]
    fn ids_that_read_the_same_as_text_keep_their_byte_order() {
        let mut parser = ReportParser::new(None);
        parser.push(HEADER.as_bytes()).unwrap();
        // a\xff signs in twice, a\xfe once; both read "a\u{fffd}", both seen from two countries.
        for (account, country) in [
            (&b"a\xff"[..], "GB"),
            (b"a\xff", "FR"),
            (b"a\xfe", "GB"),
            (b"a\xfe", "FR"),
        ] {
            parser.push(b"15/01/2026T10:00:00,AUTHENTICATE,SUCCESS,").unwrap();
            parser.push(account).unwrap();
            parser.push(format!(",1,{country},\n").as_bytes()).unwrap();
        }
        parser
            .push(b"15/01/2026T10:00:00,AUTHENTICATE,SUCCESS,a\xff,1,GB,\n")
            .unwrap();
        let spread = parser.finish().unwrap().summary().security.spread;
        let sign_ins: Vec<(&str, u64)> = spread.iter().map(|a| (a.account.as_str(), a.sign_ins)).collect();
        assert_eq!(sign_ins, [("a\u{fffd}", 2), ("a\u{fffd}", 3)]);
    }

    #[test]
    fn most_within_window_counts_from_each_start() {
        assert_eq!(most_within_window(&[]), 0);
        assert_eq!(most_within_window(&[5]), 1);
        assert_eq!(most_within_window(&[0, 599, 600, 1199, 1200]), 2);
        assert_eq!(most_within_window(&[0, 1, 2, 700, 700, 700, 700]), 4);
    }
}
