//! The Summary of docs/summary.md as plain data; `Tally::summary` fills it. Maps are BTreeMaps so the JSON is
//! the same for the same report.

use std::collections::BTreeMap;

use serde::Serialize;

/// Counts by value; an empty field counts under `""`.
pub type Counts = BTreeMap<String, u64>;

/// One day of OpenAthens activity: every key of docs/summary.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Which shape this is: 2.
    pub schema_version: u32,
    /// Data rows read.
    pub rows: u64,
    /// Rows with a different number of fields than the header; they count nowhere else.
    pub skipped_rows: u64,
    /// Rows whose `date` could not be read; they count everywhere but the by-hour counts and the first and last event.
    pub undated_rows: u64,
    /// The header's names exactly as they appeared (a leading BOM removed).
    pub columns: Vec<String>,
    /// The earliest dated row, `yyyy-MM-ddTHH:mm:ssZ`.
    pub first_event: Option<String>,
    /// The latest dated row, `yyyy-MM-ddTHH:mm:ssZ`.
    pub last_event: Option<String>,
    /// Counts of `action` values.
    pub by_action: Counts,
    /// Counts of `status` values.
    pub by_status: Counts,
    /// `{action: {status: count}}`.
    pub by_action_status: BTreeMap<String, Counts>,
    /// Sign-ins: `AUTHENTICATE` and `LOCAL_AUTHENTICATE` rows.
    pub authentications: Authentications,
    /// Transfers: `FEDERATED_TRANSFER` and `LOCAL_FEDERATED_TRANSFER` rows.
    pub transfers: Transfers,
    /// Every resource of a transfer row, most transfers first.
    pub resources: Vec<Resource>,
    /// Dated rows by the UTC hour of `date`.
    pub by_hour: [u64; 24],
    /// `by_hour` of sign-in rows only.
    pub sign_ins_by_hour: [u64; 24],
    /// `by_hour` of transfer rows only.
    pub transfers_by_hour: [u64; 24],
    /// Counts of `request.countrycode`.
    pub by_country: Counts,
    /// Counts of `location.isp`.
    pub by_isp: Counts,
    /// Counts of `account.authsystemname`.
    pub by_auth_system: Counts,
    /// Counts of `account.type`.
    pub by_account_type: Counts,
    /// Counts of `account.status`.
    pub by_account_status: Counts,
    /// Counts of `account.organisation`.
    pub by_organisation: Counts,
    /// Counts of the sets named in `account.permissionsets`.
    pub by_permission_set: Counts,
    /// Distinct non-empty `account.accountid`, exact.
    pub distinct_accounts: u64,
    /// Distinct non-empty `request.ipaddress`, exact.
    pub distinct_ips: u64,
    /// `{name: {value: count}}` for every custom attribute column.
    pub custom_attributes: BTreeMap<String, Counts>,
    /// Failed sign-ins by account and IP, and accounts seen from many places.
    pub security: Security,
}

/// Sign-ins, and how they ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Authentications {
    /// Rows of this kind.
    pub total: u64,
    /// Of them, status `SUCCESS`.
    pub succeeded: u64,
    /// Of them, any status but `SUCCESS`.
    pub failed: u64,
}

/// Transfers to resources, and how they ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfers {
    /// Rows of this kind.
    pub total: u64,
    /// Of them, status `SUCCESS`.
    pub succeeded: u64,
    /// Of them, status `FAILURE_RESTRICTIVE`.
    pub blocked_restrictive: u64,
    /// Of them, any other status but `SUCCESS`.
    pub failed: u64,
}

/// One resource and its transfers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// Its `attribute.resourceid` (`""` when empty).
    pub id: String,
    /// The last non-empty `attribute.resourcetitle` seen for it.
    pub title: String,
    /// The last non-empty `attribute.federationctx` seen for it.
    pub federation: String,
    /// Its transfer rows.
    pub transfers: u64,
    /// Its `FAILURE_RESTRICTIVE` rows.
    pub blocked: u64,
    /// Distinct non-empty account ids among its transfer rows.
    pub users: u64,
}

/// Who signs in wrongly, and who is seen from many places (docs/summary.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Security {
    /// Distinct accounts with at least one failed sign-in.
    pub accounts_with_failed_sign_ins: u64,
    /// Distinct IPs with at least one failed sign-in.
    pub ips_with_failed_sign_ins: u64,
    /// The 100 accounts with the most failed sign-ins, most first.
    pub by_account: Vec<AccountFailures>,
    /// The 100 IPs with the most failed sign-ins, most first.
    pub by_ip: Vec<IpFailures>,
    /// The 100 accounts seen from the most countries (two or more), most first.
    pub spread: Vec<Spread>,
}

/// When an account's or an IP's failed sign-ins happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureTimes {
    /// The most dated failures within any 600 seconds (t ≤ time < t + 600).
    pub max_failed_in_10_min: u64,
    /// The earliest dated failure, `yyyy-MM-ddTHH:mm:ssZ`.
    pub first_failure: Option<String>,
    /// The latest dated failure, `yyyy-MM-ddTHH:mm:ssZ`.
    pub last_failure: Option<String>,
}

/// An account's failed sign-ins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountFailures {
    /// The `account.accountid`.
    pub account: String,
    /// Failed sign-ins.
    pub failed: u64,
    /// Successful sign-ins.
    pub succeeded: u64,
    /// Distinct IPs it was seen from.
    pub ips: u64,
    /// Distinct countries it was seen from.
    pub countries: u64,
    /// When its failures happened.
    #[serde(flatten)]
    pub times: FailureTimes,
}

/// An IP's failed sign-ins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpFailures {
    /// The `request.ipaddress`.
    pub ip: String,
    /// Failed sign-ins.
    pub failed: u64,
    /// Successful sign-ins.
    pub succeeded: u64,
    /// Distinct accounts whose sign-ins failed from it.
    pub accounts: u64,
    /// When its failures happened.
    #[serde(flatten)]
    pub times: FailureTimes,
}

/// An account seen from several countries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spread {
    /// The `account.accountid`.
    pub account: String,
    /// Distinct countries it was seen from.
    pub countries: u64,
    /// Distinct IPs it was seen from.
    pub ips: u64,
    /// Its sign-ins, failed or not.
    pub sign_ins: u64,
    /// Its transfer rows.
    pub transfers: u64,
}
