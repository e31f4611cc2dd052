//! The report's columns: the reference's fields in its order, then custom attributes; and the layout a
//! config asks for (columns dropped, shuffled).

use crate::dice::{Dice, label, mix};
use crate::vocab;

pub(crate) const DATE: usize = 0;
pub(crate) const ACTION: usize = 1;
pub(crate) const STATUS: usize = 2;
pub(crate) const AUTH_SYSTEM_NAME: usize = 3;
pub(crate) const AUTH_SYSTEM_ID: usize = 4;
pub(crate) const PERMISSION_SETS: usize = 5;
pub(crate) const ORGANISATION: usize = 6;
pub(crate) const ACCOUNT_ID: usize = 7;
pub(crate) const ACCOUNT_TYPE: usize = 8;
pub(crate) const ACCOUNT_STATUS: usize = 9;
pub(crate) const EXPIRY: usize = 10;
pub(crate) const ISP: usize = 11;
pub(crate) const COUNTRY: usize = 12;
pub(crate) const USER_AGENT: usize = 13;
pub(crate) const IP_ADDRESS: usize = 14;
pub(crate) const RESOURCE_ID: usize = 15;
pub(crate) const FEDERATION: usize = 16;
pub(crate) const RESOURCE_TITLE: usize = 17;
pub(crate) const DEPARTMENT: usize = 18;
pub(crate) const ROLE: usize = 19;
pub(crate) const COST_CENTRE: usize = 20;
/// Only in hostile reports, from here on.
pub(crate) const HOSTILE: usize = 21;
/// `attribute.` with nothing after it: not a custom attribute, counted nowhere.
pub(crate) const BARE_ATTRIBUTE: usize = 22;
/// `attribute.role` again, spelled otherwise: whichever comes first in the header is the one read.
pub(crate) const REPEATED_ROLE: usize = 23;
pub(crate) const COUNT: usize = 24;

/// Every column the generator can write, by the indices above.
pub const NAMES: [&str; COUNT] = [
    "date",
    "action",
    "status",
    "account.authsystemname",
    "account.authsystemid",
    "account.permissionsets",
    "account.organisation",
    "account.accountid",
    "account.type",
    "account.status",
    "account.expiry",
    "location.isp",
    "request.countrycode",
    "request.useragent",
    "request.ipaddress",
    "attribute.resourceid",
    "attribute.federationctx",
    "attribute.resourcetitle",
    "attribute.department",
    "attribute.role",
    "attribute.CostCentre",
    vocab::HOSTILE_COLUMN,
    "attribute.",
    "Attribute.ROLE",
];

/// How a hostile header writes a name: padded with spaces and tabs and in another case, which matching
/// must see through (docs/summary.md).
fn spelled(column: usize, hostile: bool) -> &'static str {
    match column {
        ACTION if hostile => " action",
        STATUS if hostile => "\tStatus\t",
        COUNTRY if hostile => "Request.CountryCode ",
        DEPARTMENT if hostile => " \tATTRIBUTE.department",
        REPEATED_ROLE => "Attribute.ROLE\t",
        _ => NAMES[column],
    }
}

/// Which column goes where: `order[position]` is a column index.
pub(crate) struct Layout {
    pub order: Vec<usize>,
    hostile: bool,
}

impl Layout {
    pub fn new(seed: u64, hostile: bool, shuffle: bool, drop: &[String]) -> Result<Layout, String> {
        for name in drop {
            let column = NAMES.iter().position(|n| n == name);
            if column.is_none_or(|c| c >= HOSTILE && !hostile) {
                return Err(format!("cannot drop {name:?}: the report has no such column"));
            }
            if name == NAMES[ACTION] || name == NAMES[STATUS] {
                return Err(format!("cannot drop {name:?}: without it the file is not a report"));
            }
        }
        let last = if hostile { COUNT } else { HOSTILE };
        let mut order: Vec<usize> = (0..last).filter(|&c| !drop.iter().any(|d| d == NAMES[c])).collect();
        if shuffle {
            let mut dice = Dice::new(mix(seed, label("columns")));
            for i in (1..order.len()).rev() {
                order.swap(i, dice.below(i as u32 + 1) as usize);
            }
        }
        Ok(Layout { order, hostile })
    }

    pub fn header(&self) -> Vec<String> {
        self.order
            .iter()
            .map(|&c| spelled(c, self.hostile).to_string())
            .collect()
    }

    pub fn has(&self, column: usize) -> bool {
        self.order.contains(&column)
    }
}
