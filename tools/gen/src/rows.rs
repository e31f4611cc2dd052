//! One event at a time: when it happened, who did what from where, and how it went.

use std::fmt::Write as _;

use crate::Population;
use crate::columns::*;
use crate::date::{Date, DateStyle, Moment};
use crate::dice::{Dice, label, mix};
use crate::vocab;
use crate::world::{Account, Agents, Catalogue, Organisation, Origin, push_uuid};

const SIGN_IN_SHARE: f64 = 0.4;
const SIGN_IN_FAILURE: f64 = 0.04;
const SHARED_ACCOUNT: f64 = 0.2;
/// Chance that a row starts an attack-like episode (when none is running): about one per 2,000 rows.
const EPISODE_START: f64 = 0.0005;
/// Share of an episode's rows that are the attack's; the rest are the day's ordinary traffic.
const EPISODE_SHARE: f64 = 0.5;

/// What the security section must find: each runs over a few dozen consecutive rows, so over minutes in
/// a busy report and over an hour or more in a small one (its 10-minute window then holds part of it).
#[derive(Clone, Copy)]
enum Attack {
    /// Failed sign-ins on one account from one address: someone guessing a password.
    Burst { account: u32, ip: u32 },
    /// One address failing for account after account: password spraying.
    Spray { ip: u32 },
    /// One account signing in and using resources from addresses all over the world: shared or stolen.
    Travel { account: u32 },
}

struct Episode {
    attack: Attack,
    rows_left: u32,
}

/// The fields of one row, by column index; kept between rows so their buffers are reused.
pub(crate) struct Row {
    pub fields: Vec<String>,
}

impl Row {
    pub fn new() -> Row {
        Row {
            fields: vec![String::new(); COUNT],
        }
    }

    fn set(&mut self, column: usize, value: &str) {
        self.fields[column].push_str(value);
    }

    fn field(&mut self, column: usize) -> &mut String {
        &mut self.fields[column]
    }
}

pub(crate) struct RowMaker {
    org: Organisation,
    catalogue: Catalogue,
    agents: Agents,
    dice: Dice,
    clock: Clock,
    date: Date,
    style: DateStyle,
    hostile: bool,
    episode: Option<Episode>,
}

impl RowMaker {
    pub fn new(
        seed: u64,
        org: &str,
        date: Date,
        style: DateStyle,
        hostile: bool,
        population: Population,
        rows: u64,
    ) -> RowMaker {
        let day = u64::from(date.year()) << 16 | u64::from(date.month()) << 8 | u64::from(date.day());
        RowMaker {
            org: Organisation::new(seed, org, date, hostile, population),
            catalogue: Catalogue::new(seed, hostile),
            agents: Agents::new(seed, hostile),
            dice: Dice::new(mix(mix(seed, label(org)), day ^ label("rows"))),
            clock: Clock::new(rows),
            date,
            style,
            hostile,
            episode: None,
        }
    }

    /// The attack this row belongs to, if any; starts and ends episodes.
    fn attack(&mut self) -> Option<Attack> {
        match &mut self.episode {
            Some(episode) if episode.rows_left > 0 => {
                episode.rows_left -= 1;
                let attack = episode.attack;
                self.dice.chance(EPISODE_SHARE).then_some(attack)
            }
            _ if self.dice.chance(EPISODE_START) => {
                let account = self.org.draw_account(Origin::Own, &mut self.dice);
                let ip = self.org.draw_ip(Origin::Own, &mut self.dice);
                let attack = match self.dice.below(3) {
                    0 => Attack::Burst { account, ip },
                    1 => Attack::Spray { ip },
                    _ => Attack::Travel { account },
                };
                self.episode = Some(Episode {
                    attack,
                    rows_left: 30 + self.dice.below(60),
                });
                Some(attack)
            }
            _ => {
                self.episode = None;
                None
            }
        }
    }

    /// Fills `row` with event number `index` and says when it happened.
    pub fn next(&mut self, index: u64, row: &mut Row) -> Moment {
        row.fields.iter_mut().for_each(String::clear);
        let moment = self.clock.at(index, &mut self.dice);
        moment.write(self.date, self.style, row.field(DATE));

        let attack = self.attack();
        let (origin, index) = match attack {
            Some(Attack::Burst { account, .. } | Attack::Travel { account }) => (Origin::Own, account),
            _ => {
                let origin = if self.dice.chance(SHARED_ACCOUNT) {
                    Origin::Shared
                } else {
                    Origin::Own
                };
                (origin, self.org.draw_account(origin, &mut self.dice))
            }
        };
        let account = self.org.account(origin, index);
        let guessing = matches!(attack, Some(Attack::Burst { .. } | Attack::Spray { .. }));
        let sign_in = guessing || self.dice.chance(SIGN_IN_SHARE);
        row.set(
            ACTION,
            match (sign_in, account.openathens) {
                (true, true) => "AUTHENTICATE",
                (true, false) => "LOCAL_AUTHENTICATE",
                (false, true) => "FEDERATED_TRANSFER",
                (false, false) => "LOCAL_FEDERATED_TRANSFER",
            },
        );
        let status = if guessing {
            self.dice.weighted(vocab::GUESSING_FAILURES)
        } else if sign_in {
            self.sign_in_status()
        } else {
            self.transfer(moment, row)
        };
        row.set(STATUS, status);

        if !account.openathens {
            let connector = &self.org.connectors[account.connector];
            row.set(AUTH_SYSTEM_NAME, &connector.name);
            row.set(AUTH_SYSTEM_ID, &connector.id);
        }
        // An unknown username has no account to describe.
        if status != vocab::NOT_FOUND {
            for (i, set) in account.permission_sets.iter().enumerate() {
                if i > 0 {
                    row.set(PERMISSION_SETS, account.separator);
                }
                row.set(PERMISSION_SETS, set);
            }
            let _ = write!(row.field(ORGANISATION), "{}", account.organisation);
            push_uuid(account.uuid, row.field(ACCOUNT_ID));
            row.set(ACCOUNT_TYPE, if account.openathens { "PERSONAL" } else { "LOCAL" });
            row.set(ACCOUNT_STATUS, account.status);
            if let Some(expiry) = account.expiry {
                let _ = write!(row.field(EXPIRY), "{expiry}");
            }
            row.set(DEPARTMENT, account.department);
            row.set(ROLE, account.role);
            if let Some(code) = account.cost_centre {
                let _ = write!(row.field(COST_CENTRE), "CC-{code:04}");
            }
            row.set(HOSTILE, account.extra);
            if self.hostile {
                row.set(BARE_ATTRIBUTE, account.department);
                row.set(REPEATED_ROLE, "not ");
                row.set(REPEATED_ROLE, account.role);
            }
        }

        let (country, isp) = match attack {
            Some(Attack::Burst { ip, .. } | Attack::Spray { ip }) => {
                self.org.ip(Origin::Own, ip, row.field(IP_ADDRESS))
            }
            Some(Attack::Travel { .. }) => {
                let ip = self.org.draw_ip(Origin::Own, &mut self.dice);
                self.org.ip(Origin::Own, ip, row.field(IP_ADDRESS))
            }
            None => self.ordinary_ip(origin, &account, row),
        };
        row.set(COUNTRY, country);
        row.set(ISP, isp);

        let agent = if self.dice.chance(0.85) {
            account.agent % self.agents.strings.len() as u32
        } else {
            self.agents.popularity.sample(&mut self.dice)
        };
        row.set(USER_AGENT, &self.agents.strings[agent as usize]);
        moment
    }

    /// Where an ordinary row comes from: campus, the account's home address, or anywhere.
    fn ordinary_ip(&mut self, origin: Origin, account: &Account, row: &mut Row) -> (&'static str, &'static str) {
        match self.dice.below(100) {
            0..25 => {
                let campus = self.dice.pick(&self.org.campus);
                row.set(IP_ADDRESS, &campus.text);
                (campus.country, campus.isp)
            }
            25..80 => self.org.ip(origin, account.home_ip, row.field(IP_ADDRESS)),
            _ => {
                let ip = self.org.draw_ip(origin, &mut self.dice);
                self.org.ip(origin, ip, row.field(IP_ADDRESS))
            }
        }
    }

    fn sign_in_status(&mut self) -> &'static str {
        if self.dice.chance(SIGN_IN_FAILURE) {
            self.dice.weighted(vocab::SIGN_IN_FAILURES)
        } else {
            "SUCCESS"
        }
    }

    /// Writes the resource fields and decides the transfer's status.
    fn transfer(&mut self, moment: Moment, row: &mut Row) -> &'static str {
        let resource = &self.catalogue.resources[self.catalogue.popularity.sample(&mut self.dice) as usize];
        // Rare gaps, so that "last non-empty title" and the resource "" are exercised.
        if !self.dice.chance(0.0002) {
            row.set(RESOURCE_ID, &resource.id);
        }
        if !self.dice.chance(0.005) {
            row.set(FEDERATION, resource.federation);
        }
        if !self.dice.chance(0.01) {
            let renamed_at_noon = resource.morning_title.as_ref().filter(|_| moment.hour() < 12);
            row.set(RESOURCE_TITLE, renamed_at_noon.unwrap_or(&resource.title));
        }
        let blocking = if resource.restricted { 0.12 } else { 0.005 };
        if self.dice.chance(blocking) {
            "FAILURE_RESTRICTIVE"
        } else if self.dice.chance(0.008) {
            self.dice.weighted(vocab::TRANSFER_FAILURES)
        } else {
            "SUCCESS"
        }
    }
}

/// Spreads `rows` events over the day along the hourly curve, in time order: event `i` sits at quantile
/// `(i + u) / rows` of the day's distribution, `u` uniform in `[0, 1)`.
struct Clock {
    rows: f64,
    cumulative: [f64; 25],
}

impl Clock {
    fn new(rows: u64) -> Clock {
        let total: u32 = vocab::HOURLY.iter().sum();
        let mut cumulative = [0.0; 25];
        for hour in 0..24 {
            cumulative[hour + 1] = cumulative[hour] + f64::from(vocab::HOURLY[hour]) / f64::from(total);
        }
        Clock {
            rows: rows.max(1) as f64,
            cumulative,
        }
    }

    fn at(&self, index: u64, dice: &mut Dice) -> Moment {
        let quantile = (index as f64 + dice.unit()) / self.rows;
        let hour = (self.cumulative.partition_point(|&c| c <= quantile) - 1).min(23);
        let within = (quantile - self.cumulative[hour]) / (self.cumulative[hour + 1] - self.cumulative[hour]);
        let seconds = hour as u32 * 3600 + ((within * 3600.0) as u32).min(3599);
        let millis = dice.chance(0.3).then(|| dice.below(1000) as u16);
        Moment { seconds, millis }
    }
}
