//! The Summary of docs/summary.md as plain data; `Tally::summary` fills it. Maps are BTreeMaps so the JSON is
//! the same for the same report.

use std::collections::BTreeMap;

use serde::Serialize;

pub type Counts = BTreeMap<String, u64>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub schema_version: u32,
    pub rows: u64,
    pub skipped_rows: u64,
    pub undated_rows: u64,
    pub columns: Vec<String>,
    pub first_event: Option<String>,
    pub last_event: Option<String>,
    pub by_action: Counts,
    pub by_status: Counts,
    pub by_action_status: BTreeMap<String, Counts>,
    pub authentications: Authentications,
    pub transfers: Transfers,
    pub resources: Vec<Resource>,
    pub by_hour: [u64; 24],
    pub sign_ins_by_hour: [u64; 24],
    pub transfers_by_hour: [u64; 24],
    pub by_country: Counts,
    pub by_isp: Counts,
    pub by_auth_system: Counts,
    pub by_account_type: Counts,
    pub by_account_status: Counts,
    pub by_organisation: Counts,
    pub by_permission_set: Counts,
    pub distinct_accounts: u64,
    pub distinct_ips: u64,
    pub custom_attributes: BTreeMap<String, Counts>,
    pub security: Security,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Authentications {
    pub total: u64,
    pub succeeded: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfers {
    pub total: u64,
    pub succeeded: u64,
    pub blocked_restrictive: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub id: String,
    pub title: String,
    pub federation: String,
    pub transfers: u64,
    pub blocked: u64,
    /// Distinct non-empty account ids among its transfer rows.
    pub users: u64,
}

/// Who signs in wrongly, and who is seen from many places (docs/summary.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Security {
    pub accounts_with_failed_sign_ins: u64,
    pub ips_with_failed_sign_ins: u64,
    pub by_account: Vec<AccountFailures>,
    pub by_ip: Vec<IpFailures>,
    pub spread: Vec<Spread>,
}

/// When an account's or an IP's failed sign-ins happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureTimes {
    /// The most dated failures within any 600 seconds (t ≤ time < t + 600).
    pub max_failed_in_10_min: u64,
    pub first_failure: Option<String>,
    pub last_failure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountFailures {
    pub account: String,
    pub failed: u64,
    pub succeeded: u64,
    pub ips: u64,
    pub countries: u64,
    #[serde(flatten)]
    pub times: FailureTimes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpFailures {
    pub ip: String,
    pub failed: u64,
    pub succeeded: u64,
    pub accounts: u64,
    #[serde(flatten)]
    pub times: FailureTimes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spread {
    pub account: String,
    pub countries: u64,
    pub ips: u64,
    pub sign_ins: u64,
    pub transfers: u64,
}
