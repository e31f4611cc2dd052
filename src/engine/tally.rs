//! Tally: everything a Summary is made from, kept as interned ids and counts so a row costs a few lookups
//! and no allocation, and so two organisations' tallies merge exactly (sub-organisations).

use std::collections::BTreeMap;

use foldhash::fast::FixedState;
use hashbrown::HashMap;

use crate::engine::columns::{Columns, key_of};
use crate::engine::interner::{COUNTER_VALUE, Counter, same_bytes};
use crate::engine::names::Names;
use crate::engine::parser::Filter;
use crate::engine::people::{Event, People, Totals};
use crate::engine::records::Record;
use crate::engine::snapshot::{Item, Reader, Snap, Writer, ensure, sum};
use crate::engine::summary::{Authentications, Counts, Resource, Summary, Transfers};
use crate::engine::timestamp::{EventTimes, ReportDate, SERIES};
use crate::error::Result;
use crate::limits::{MAX_FILTERS, MAX_SNAPSHOT_COLUMNS, MAX_SNAPSHOT_ROWS};

const SUCCESS: &[u8] = b"SUCCESS";
const FAILURE_RESTRICTIVE: &[u8] = b"FAILURE_RESTRICTIVE";

/// Kinds of action; each has its own hour histogram (`timestamp::SERIES` of them).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    SignIn = 0,
    Transfer = 1,
    Other = 2,
}

fn kind_of(action: &[u8]) -> Kind {
    match action {
        b"AUTHENTICATE" | b"LOCAL_AUTHENTICATE" => Kind::SignIn,
        b"FEDERATED_TRANSFER" | b"LOCAL_FEDERATED_TRANSFER" => Kind::Transfer,
        _ => Kind::Other,
    }
}

const _: () = assert!(SERIES == Kind::Other as usize + 1);

/// What a resource keeps beside its transfer count.
#[derive(Clone, Default)]
struct ResourceDetail {
    blocked: u64,
    title: Labelled,
    federation: Labelled,
}

/// A resource's title or federation: the last non-empty one seen, and the place in the report where it
/// was seen (`Tally::set_place`).
#[derive(Clone, Default)]
struct Labelled {
    text: Vec<u8>,
    place: u64,
}

impl Labelled {
    /// Keeps `seen` unless it is empty or this one was seen later: in one tally rows come in order, and
    /// of two merged tallies the later part's wins unless places say otherwise.
    fn note(&mut self, seen: &[u8], place: u64) {
        if seen.is_empty() || place < self.place {
            return;
        }
        if !same_bytes(&self.text, seen) {
            self.text.clear();
            self.text.extend_from_slice(seen);
        }
        self.place = place;
    }
}

/// A slice as a snapshot keeps it: `(column as matched, value)`, sorted, each once.
type Slice = Vec<(String, Vec<u8>)>;

/// The counts of one report (or of several merged): what a Summary is made from.
#[derive(Clone, Default)]
pub struct Tally {
    /// The filters its rows were counted under; `None` for a merge that has taken nothing yet, which takes
    /// the first snapshot's. Snapshots of different slices are never merged.
    slice: Option<Slice>,
    columns: Names,
    rows: u64,
    skipped_rows: u64,
    times: EventTimes,
    actions: Counter,
    action_kinds: Vec<Kind>,
    statuses: Counter,
    /// Rows by (action id, status id), for the pairs seen: a table indexed by both would grow as the
    /// product of distinct actions and statuses, which a hostile report makes enormous.
    action_status: HashMap<(u32, u32), u64, FixedState>,
    countries: Counter,
    isps: Counter,
    auth_systems: Counter,
    account_types: Counter,
    account_statuses: Counter,
    organisations: Counter,
    /// Whole `account.permissionsets` fields; split into sets only when the summary is made.
    permission_sets: Counter,
    /// Distinct accounts and IPs, and what `security` and `resources[].users` need of them.
    people: People,
    resources: Counter,
    resource_details: Vec<ResourceDetail>,
    /// `attribute.*` counters, by the place of their name in `custom_names`.
    custom_names: Names,
    custom: Vec<Counter>,
    /// For each `Columns::custom` entry of the file being read, its place in `custom`.
    custom_slots: Vec<usize>,
    /// Where in the report the rows being read lie, when shares of one report are counted apart and
    /// merged (www/js/pipeline.js numbers its batches): so that a resource's title and federation are
    /// the last in the report's order, not in the order the shares are merged. 0 otherwise.
    place: u64,
}

impl Tally {
    /// Empty counts; `report_date` decides the day order of `a/b/yyyy` dates (docs/summary.md).
    pub fn new(report_date: Option<ReportDate>) -> Self {
        Tally {
            times: EventTimes::new(report_date),
            ..Default::default()
        }
    }

    /// The same tally, counting under `filters` (a parser's).
    pub(crate) fn sliced(mut self, filters: &[Filter]) -> Self {
        let mut slice: Slice = filters.iter().map(|f| (key_of(&f.column), f.value.clone())).collect();
        slice.sort_unstable();
        slice.dedup();
        self.slice = Some(slice);
        self
    }

    /// Whether `other` was counted under the same filters, as far as both know.
    pub(crate) fn same_slice(&self, other: &Tally) -> bool {
        match (&self.slice, &other.slice) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => true,
        }
    }

    /// The rows read from now on lie at `place` in the report, after every row read at a lower one.
    pub fn set_place(&mut self, place: u64) {
        self.place = place;
    }

    /// Prepares for the rows of a file with these columns.
    pub(crate) fn start_file(&mut self, columns: &Columns) {
        self.note_column_names(&columns.names);
        self.custom_slots = columns.custom.iter().map(|(_, name)| self.custom_slot(name)).collect();
    }

    pub(crate) fn skip_row(&mut self) {
        self.skipped_rows += 1;
    }

    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Bytes of memory the tables hold, checked against `limits::MAX_TALLY_BYTES` as rows arrive.
    pub(crate) fn held_bytes(&self) -> usize {
        let counters = [
            &self.actions,
            &self.statuses,
            &self.countries,
            &self.isps,
            &self.auth_systems,
            &self.account_types,
            &self.account_statuses,
            &self.organisations,
            &self.permission_sets,
            &self.resources,
        ]
        .into_iter()
        .chain(&self.custom)
        .map(Counter::held_bytes)
        .sum::<usize>();
        let details: usize = self
            .resource_details
            .iter()
            .map(|d| size_of::<ResourceDetail>() + d.title.text.capacity() + d.federation.text.capacity())
            .sum();
        counters + details + self.people.held_bytes() + self.action_status.allocation_size()
    }

    #[inline]
    pub(crate) fn add_row(&mut self, columns: &Columns, row: &Record<'_>) {
        self.rows += 1;
        let status_field = row.field(columns.status);
        let kind = self.add_action_status(row.field(columns.action), status_field, 1);
        let stamp = self.times.add(row.get(columns.date), kind as usize);

        let country = row.get(columns.country);
        let country_id = self.countries.add(country);
        self.isps.add(row.get(columns.isp));
        self.auth_systems.add(row.get(columns.auth_system));
        self.account_types.add(row.get(columns.account_type));
        self.account_statuses.add(row.get(columns.account_status));
        self.organisations.add(row.get(columns.organisation));
        self.permission_sets.add(row.get(columns.permission_sets));

        let event = match kind {
            Kind::SignIn => Event::SignIn {
                succeeded: status_field == SUCCESS,
            },
            Kind::Transfer => Event::Transfer {
                resource: self.add_resource(
                    row.get(columns.resource_id),
                    1,
                    u64::from(status_field == FAILURE_RESTRICTIVE),
                    (row.get(columns.resource_title), self.place),
                    (row.get(columns.federation), self.place),
                ),
            },
            Kind::Other => Event::Other,
        };
        self.people.add(
            row.get(columns.account_id),
            row.get(columns.ip),
            (!country.is_empty()).then_some(country_id),
            event,
            stamp,
        );

        for (&slot, (column, _)) in self.custom_slots.iter().zip(&columns.custom) {
            self.custom[slot].add(row.field(*column));
        }
    }

    /// Counts transfers to a resource; returns its id.
    /// `title` and `federation` come with the place they were seen.
    fn add_resource(
        &mut self,
        id: &[u8],
        transfers: u64,
        blocked: u64,
        (title, title_place): (&[u8], u64),
        (federation, federation_place): (&[u8], u64),
    ) -> u32 {
        let id = self.resources.add_n(id, transfers);
        if id as usize == self.resource_details.len() {
            self.resource_details.push(ResourceDetail::default());
        }
        let detail = &mut self.resource_details[id as usize];
        detail.blocked += blocked;
        detail.title.note(title, title_place);
        detail.federation.note(federation, federation_place);
        id
    }

    fn note_column_names<'a>(&mut self, names: impl IntoIterator<Item = &'a String>) {
        for name in names {
            self.columns.place(name);
        }
    }

    fn custom_slot(&mut self, name: &str) -> usize {
        let (slot, new) = self.custom_names.place(name);
        if new {
            self.custom.push(Counter::default());
        }
        slot
    }

    /// Whether merging `other` would hold more column names or `attribute.*` counters than a report may.
    pub(crate) fn too_wide_with(&self, other: &Tally) -> bool {
        self.columns.len() + self.columns.unseen(&other.columns) > MAX_SNAPSHOT_COLUMNS
            || self.custom_names.len() + self.custom_names.unseen(&other.custom_names) > MAX_SNAPSHOT_COLUMNS
    }

    /// Adds `other` (another organisation's report of the same day); distinct sets union exactly.
    pub fn merge(&mut self, other: Tally) {
        if self.slice.is_none() {
            self.slice.clone_from(&other.slice);
        }
        self.note_column_names(other.columns.iter());
        self.rows += other.rows;
        self.skipped_rows += other.skipped_rows;
        self.times.merge(&other.times);
        for (&(action, status), &n) in &other.action_status {
            self.add_action_status(other.actions.key(action), other.statuses.key(status), n);
        }
        let countries = self.countries.merge(&other.countries);
        for (mine, theirs) in [
            (&mut self.isps, &other.isps),
            (&mut self.auth_systems, &other.auth_systems),
            (&mut self.account_types, &other.account_types),
            (&mut self.account_statuses, &other.account_statuses),
            (&mut self.organisations, &other.organisations),
            (&mut self.permission_sets, &other.permission_sets),
        ] {
            mine.merge(theirs);
        }
        let resources: Vec<u32> = other
            .resources
            .iter()
            .zip(&other.resource_details)
            .map(|((id, transfers), detail)| {
                let ResourceDetail {
                    blocked,
                    title,
                    federation,
                } = detail;
                self.add_resource(
                    id,
                    transfers,
                    *blocked,
                    (&title.text, title.place),
                    (&federation.text, federation.place),
                )
            })
            .collect();
        self.people.merge(&other.people, &countries, &resources);
        for (name, counter) in other.custom_names.iter().zip(&other.custom) {
            let slot = self.custom_slot(name);
            self.custom[slot].merge(counter);
        }
    }

    /// Counts `n` rows of this action and status; returns the action's kind.
    #[inline]
    fn add_action_status(&mut self, action: &[u8], status: &[u8], n: u64) -> Kind {
        let a = self.actions.add_n(action, n);
        if a as usize == self.action_kinds.len() {
            self.action_kinds.push(kind_of(action));
        }
        let s = self.statuses.add_n(status, n);
        *self.action_status.entry((a, s)).or_default() += n;
        self.action_kinds[a as usize]
    }

    /// Sign-ins and transfers by outcome.
    fn outcomes(&self) -> (Authentications, Transfers) {
        let mut authentications = Authentications::default();
        let mut transfers = Transfers::default();
        for (&(action, status), &n) in &self.action_status {
            let status = self.statuses.key(status);
            match self.action_kinds[action as usize] {
                Kind::SignIn => {
                    authentications.total += n;
                    if status == SUCCESS {
                        authentications.succeeded += n;
                    } else {
                        authentications.failed += n;
                    }
                }
                Kind::Transfer => {
                    transfers.total += n;
                    match status {
                        SUCCESS => transfers.succeeded += n,
                        FAILURE_RESTRICTIVE => transfers.blocked_restrictive += n,
                        _ => transfers.failed += n,
                    }
                }
                Kind::Other => {}
            }
        }
        (authentications, transfers)
    }

    /// About the most memory `summary` allocates, beyond the tally itself: each action × status pair costs an
    /// inner map of its own (a B-tree leaf, about 400 bytes, even for one status) and each action its name,
    /// while every other list is one map whose nodes are shared by many entries. A host whose memory grows
    /// in costly steps (wasm in V8, where many small grows made a Summary of 500,000 pairs quadratic) can
    /// take it at once.
    pub fn summary_bytes_hint(&self) -> usize {
        const PER_PAIR: usize = 512;
        const PER_VALUE: usize = 96;
        let values =
            self.actions.len() + self.statuses.len() + self.countries.len() + self.isps.len() + self.resources.len();
        self.action_status.len() * PER_PAIR + values * PER_VALUE
    }

    /// The counts so far as a Summary.
    pub fn summary(&self) -> Summary {
        let times = self.times.chosen();
        let mut by_action_status: BTreeMap<String, Counts> = BTreeMap::new();
        for (&(action, status), &n) in &self.action_status {
            *by_action_status
                .entry(text(self.actions.key(action)))
                .or_default()
                .entry(text(self.statuses.key(status)))
                .or_default() += n;
        }
        let (authentications, transfers) = self.outcomes();

        let users = self.people.users_by_resource(self.resource_details.len());
        let mut resources: Vec<Resource> = self
            .resources
            .iter()
            .zip(&self.resource_details)
            .zip(users)
            .map(|(((id, transfers), detail), users)| Resource {
                id: text(id),
                title: text(&detail.title.text),
                federation: text(&detail.federation.text),
                transfers,
                blocked: detail.blocked,
                users,
            })
            .collect();
        // Ids are distinct (as bytes), so the order is total and an unstable sort (one less sort in the wasm)
        // gives the same list; only ids that read the same once made lossy could tie.
        resources.sort_unstable_by(|a, b| b.transfers.cmp(&a.transfers).then_with(|| a.id.cmp(&b.id)));

        let mut by_permission_set = Counts::new();
        for (field, n) in self.permission_sets.iter() {
            let field = text(field);
            let mut named = false;
            for set in field.split(',').map(|s| s.trim_matches(' ')).filter(|s| !s.is_empty()) {
                *by_permission_set.entry(set.to_string()).or_default() += n;
                named = true;
            }
            if !named {
                *by_permission_set.entry(String::new()).or_default() += n;
            }
        }

        // Inserted one by one: collecting into a BTreeMap would sort the names with a stable sort of its own.
        let mut custom_attributes = BTreeMap::new();
        for (name, counter) in self.custom_names.iter().zip(&self.custom) {
            custom_attributes.insert(name.clone(), counts(counter));
        }

        Summary {
            schema_version: 2,
            rows: self.rows,
            skipped_rows: self.skipped_rows,
            undated_rows: self.rows - times.dated,
            columns: self.columns.to_vec(),
            first_event: times.first_event,
            last_event: times.last_event,
            by_action: counts(&self.actions),
            by_status: counts(&self.statuses),
            by_action_status,
            authentications,
            transfers,
            resources,
            by_hour: std::array::from_fn(|h| times.by_hour.iter().map(|series| series[h]).sum()),
            sign_ins_by_hour: times.by_hour[Kind::SignIn as usize],
            transfers_by_hour: times.by_hour[Kind::Transfer as usize],
            by_country: counts(&self.countries),
            by_isp: counts(&self.isps),
            by_auth_system: counts(&self.auth_systems),
            by_account_type: counts(&self.account_types),
            by_account_status: counts(&self.account_statuses),
            by_organisation: counts(&self.organisations),
            by_permission_set,
            distinct_accounts: self.people.distinct_accounts(),
            distinct_ips: self.people.distinct_ips(),
            custom_attributes,
            security: self.people.security(&self.times),
        }
    }
}

/// A filter in a snapshot: its column and value.
const FILTER: Item = Item {
    bytes: 2,
    memory: 2 * size_of::<(String, Vec<u8>)>(),
    cap: MAX_FILTERS,
};

/// A column name in a snapshot: its length at least; its `String` and place in `Names`' table.
const COLUMN: Item = Item {
    bytes: 1,
    memory: 2 * (size_of::<String>() + size_of::<usize>() + 1),
    cap: MAX_SNAPSHOT_COLUMNS,
};

/// An `attribute.*` counter in a snapshot: its name's length and its count of values at least.
const CUSTOM: Item = Item {
    bytes: 2,
    memory: 2 * (size_of::<String>() + size_of::<usize>() + 1 + size_of::<Counter>()),
    cap: MAX_SNAPSHOT_COLUMNS,
};

/// An action and status pair in a snapshot: two texts and a count; a value in each of two counters and a
/// slot in `action_status`, which may have just doubled.
const PAIR: Item = Item {
    bytes: 3,
    memory: 2 * COUNTER_VALUE.memory + 2 * (size_of::<((u32, u32), u64)>() + 1),
    cap: usize::MAX,
};

/// A resource in a snapshot: its id, two counts, title and federation; a counter value and its details.
const RESOURCE: Item = Item {
    bytes: 5,
    memory: COUNTER_VALUE.memory + 2 * size_of::<ResourceDetail>(),
    cap: usize::MAX,
};

/// Every field is named in both directions (no `..`), so a field added to `Tally` does not compile until it
/// is written to snapshots or said to be rebuilt from others. Counters keep their ids (the people refer to
/// countries and resources by id), and the people come last, checked against them.
impl Snap for Tally {
    fn put(&self, w: &mut Writer) {
        let Tally {
            slice,
            columns,
            rows,
            skipped_rows,
            times,
            // Written as the pairs of `action_status` by text; ids and kinds are rebuilt from it.
            actions: _,
            action_kinds: _,
            statuses: _,
            action_status,
            countries,
            isps,
            auth_systems,
            account_types,
            account_statuses,
            organisations,
            permission_sets,
            people,
            resources,
            resource_details,
            custom_names,
            custom,
            // Where the columns of the file being read go, and where its rows lie; a finished tally reads
            // no file.
            custom_slots: _,
            place: _,
        } = self;
        // A merge that has taken nothing holds no rows, of any slice.
        let slice = slice.as_deref().unwrap_or_default();
        w.len(slice.len());
        for (column, value) in slice {
            w.bytes(column.as_bytes());
            w.bytes(value);
        }
        w.len(columns.len());
        for name in columns.iter() {
            w.bytes(name.as_bytes());
        }
        w.uint(*rows);
        w.uint(*skipped_rows);
        times.put(w);
        for counter in [
            countries,
            isps,
            auth_systems,
            account_types,
            account_statuses,
            organisations,
            permission_sets,
        ] {
            counter.put(w);
        }
        w.len(custom.len());
        for (name, counter) in custom_names.iter().zip(custom) {
            w.bytes(name.as_bytes());
            counter.put(w);
        }

        let mut pairs: Vec<(&[u8], &[u8], u64)> = action_status
            .iter()
            .map(|(&(a, s), &n)| (self.actions.key(a), self.statuses.key(s), n))
            .collect();
        super::sort::sort(&mut pairs);
        w.len(pairs.len());
        for (action, status, n) in pairs {
            w.bytes(action);
            w.bytes(status);
            w.uint(n);
        }

        w.len(resource_details.len());
        for ((id, transfers), detail) in resources.iter().zip(resource_details) {
            w.bytes(id);
            w.uint(transfers);
            w.uint(detail.blocked);
            w.bytes(&detail.title.text);
            w.bytes(&detail.federation.text);
        }

        people.put(w);
        // Places only in a share of a report read in parts (docs/snapshot.md), so that a day's snapshot
        // stays as it was.
        if resource_details
            .iter()
            .any(|d| d.title.place != 0 || d.federation.place != 0)
        {
            for detail in resource_details {
                w.uint(detail.title.place);
                w.uint(detail.federation.place);
            }
        }
    }

    fn take(r: &mut Reader<'_>) -> Result<Self> {
        let mut tally = Tally {
            // Snapshots of version 1 carry no slice: they come from the Worker's archive, unfiltered.
            slice: Some(if r.version() < 2 {
                Slice::new()
            } else {
                let mut slice = (0..r.count(FILTER)?)
                    .map(|_| Ok((r.text()?, r.bytes()?.to_vec())))
                    .collect::<Result<Slice>>()?;
                slice.sort_unstable();
                slice.dedup();
                slice
            }),
            columns: {
                // A name listed twice is kept once, as a parse keeps it.
                let mut names = Names::default();
                for _ in 0..r.count(COLUMN)? {
                    names.place(&r.text()?);
                }
                names
            },
            rows: r.uint()?,
            skipped_rows: r.uint()?,
            times: EventTimes::take(r)?,
            actions: Counter::default(),
            action_kinds: Vec::new(),
            statuses: Counter::default(),
            action_status: HashMap::default(),
            countries: Counter::take(r)?,
            isps: Counter::take(r)?,
            auth_systems: Counter::take(r)?,
            account_types: Counter::take(r)?,
            account_statuses: Counter::take(r)?,
            organisations: Counter::take(r)?,
            permission_sets: Counter::take(r)?,
            // Read below: the `attribute.*` counters next, then the rest after what it is checked against.
            custom_names: Names::default(),
            custom: Vec::new(),
            people: People::default(),
            resources: Counter::default(),
            resource_details: Vec::new(),
            custom_slots: Vec::new(),
            place: 0,
        };
        for _ in 0..r.count(CUSTOM)? {
            let (_, new) = tally.custom_names.place(&r.text()?);
            ensure(new, "an attribute is counted twice")?;
            tally.custom.push(Counter::take(r)?);
        }
        let rows = tally.rows;
        // The counts must add up as a parse makes them: then no sum a Summary or a merge makes can overflow,
        // and `undatedRows` is never negative.
        ensure(
            rows <= MAX_SNAPSHOT_ROWS && tally.skipped_rows <= MAX_SNAPSHOT_ROWS,
            "it claims more rows than any report holds",
        )?;
        ensure(tally.times.most_dated() <= rows, "it has more dated rows than rows")?;
        let columns = [
            &tally.countries,
            &tally.isps,
            &tally.auth_systems,
            &tally.account_types,
            &tally.account_statuses,
            &tally.organisations,
            &tally.permission_sets,
        ];
        ensure(
            columns.iter().all(|counter| counter.total() == rows)
                && tally.custom.iter().all(|counter| counter.total() <= rows),
            "its counts by value do not add up to its rows",
        )?;

        let mut paired = 0u64;
        for _ in 0..r.count(PAIR)? {
            let (action, status, n) = (r.bytes()?, r.bytes()?, r.uint()?);
            paired = sum(paired, n)?;
            ensure(paired <= rows, "its actions count more rows than it has")?;
            tally.add_action_status(action, status, n);
        }
        ensure(paired == rows, "its actions do not add up to its rows")?;

        // Every transfer row names a resource (maybe ""), and is blocked when its status says so.
        let (authentications, transfer_rows) = tally.outcomes();
        let (mut transfers_seen, mut blocked_seen) = (0u64, 0u64);
        for at in 0..r.count(RESOURCE)? {
            let id = r.bytes()?;
            let (transfers, blocked) = (r.uint()?, r.uint()?);
            let (title, federation) = (r.bytes()?, r.bytes()?);
            transfers_seen = sum(transfers_seen, transfers)?;
            blocked_seen = sum(blocked_seen, blocked)?;
            ensure(
                blocked <= transfers && transfers_seen <= transfer_rows.total,
                "its resources count more transfers than its actions",
            )?;
            let placed = tally.add_resource(id, transfers, blocked, (title, 0), (federation, 0));
            ensure(placed as usize == at, "a resource is listed twice")?;
        }
        ensure(
            transfers_seen == transfer_rows.total && blocked_seen == transfer_rows.blocked_restrictive,
            "its resources do not add up to its transfers",
        )?;
        let totals = Totals {
            succeeded: authentications.succeeded,
            failed: authentications.failed,
            transfers: transfer_rows.total,
        };

        tally.people = People::take(r, tally.countries.len(), tally.resource_details.len(), totals)?;
        if !r.is_empty() {
            for detail in &mut tally.resource_details {
                detail.title.place = r.uint()?;
                detail.federation.place = r.uint()?;
            }
        }
        Ok(tally)
    }
}

/// Report text for display: bytes that are not UTF-8 become U+FFFD.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A counter as a map by text; values that read the same once made lossy share their count.
fn counts(counter: &Counter) -> Counts {
    let mut out = Counts::new();
    for (key, n) in counter.iter().filter(|(_, n)| *n > 0) {
        *out.entry(text(key)).or_default() += n;
    }
    out
}
