//! Who and what a report talks about: the resource catalogue, browsers, and the accounts and IP addresses
//! of an organisation. Accounts and addresses are not stored: number `i` of a pool is derived from the
//! pool's seed whenever it is drawn, so pools of any size cost nothing.
//!
//! An organisation draws most accounts and addresses from its own pools and some from its parent's
//! shared pools, so sub-organisation reports overlap without being copies of each other.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::Population;
use crate::date::Date;
use crate::dice::{Dice, Zipf, label, mix};
use crate::vocab;

const RESOURCES: u32 = 3000;
const SHARED_ACCOUNTS: u32 = 10_000;
const SHARED_IPS: u32 = 6_000;
const CAMPUS_IPS: u32 = 4;

pub(crate) struct Resource {
    pub id: String,
    pub title: String,
    /// The title before a rename at noon, for the rare resource renamed during the day.
    pub morning_title: Option<String>,
    pub federation: &'static str,
    /// Outside most permission sets, so restrictive mode often blocks it.
    pub restricted: bool,
}

pub(crate) struct Catalogue {
    pub resources: Vec<Resource>,
    pub popularity: Zipf,
}

impl Catalogue {
    /// The same for every organisation of a seed: resources are the world's, not the organisation's.
    pub fn new(seed: u64, hostile: bool) -> Catalogue {
        let mut dice = Dice::new(mix(seed, label("catalogue")));
        let mut ids = HashSet::new();
        let resources = (0..RESOURCES)
            .map(|rank| {
                let id = loop {
                    let id = entity_id(&mut dice);
                    if ids.insert(id.clone()) {
                        break id;
                    }
                };
                let mut title = title(&mut dice);
                if hostile && (rank == 3 || rank % 50 == 7) {
                    title = format!("{} {title}", vocab::HOSTILE_TITLE);
                } else if hostile && rank == 5 {
                    title = format!("{}{title}", vocab::HOSTILE_SCRIPT);
                } else if rank % 499 == 11 {
                    // A stray line break, which the reader must keep inside the quoted field.
                    title = format!("{title}\r\nArchive edition");
                }
                let morning_title = (rank % 97 == 5).then(|| format!("{title} (old platform)"));
                Resource {
                    id,
                    title,
                    morning_title,
                    federation: dice.weighted(vocab::FEDERATIONS).name(),
                    restricted: rank % 8 == 5,
                }
            })
            .collect();
        Catalogue {
            resources,
            popularity: Zipf::new(RESOURCES, 2.0),
        }
    }
}

fn entity_id(dice: &mut Dice) -> String {
    let (a, b) = (dice.pick(vocab::SLUG_WORDS), dice.pick(vocab::SLUG_WORDS));
    let n = dice.below(100);
    match dice.below(5) {
        0 => format!("https://sp.{a}{b}{n}.com/shibboleth"),
        1 => format!("https://{a}-{b}.org/entity{n}"),
        2 => format!("https://idp.{a}{b}.net/saml2/metadata/{n}"),
        3 => format!("urn:mace:incommon:{a}{n}.{b}.edu"),
        _ => format!("https://www.{a}{b}{n}.co.uk/sp"),
    }
}

fn title(dice: &mut Dice) -> String {
    let publisher = dice.pick(vocab::PUBLISHERS);
    let subject = dice.pick(vocab::SUBJECTS);
    match dice.below(6) {
        0 => publisher.to_string(),
        1 => format!("{publisher} – {subject} {}", dice.pick(vocab::COLLECTIONS)),
        2 => format!(
            "Journal of {subject}, {} and {}",
            dice.pick(vocab::SUBJECTS),
            dice.pick(vocab::SUBJECTS)
        ),
        3 => format!("{publisher} \"{subject}\" {}", dice.pick(vocab::COLLECTIONS)),
        4 => format!("{subject} {} ({publisher})", dice.pick(vocab::COLLECTIONS)),
        _ => format!("{publisher}: {subject}"),
    }
}

/// Browser strings with Zipf popularity; in hostile reports one of the popular ones carries markup.
pub(crate) struct Agents {
    pub strings: Vec<String>,
    pub popularity: Zipf,
}

impl Agents {
    pub fn new(seed: u64, hostile: bool) -> Agents {
        let mut strings: Vec<String> = vocab::AGENT_TEMPLATES
            .iter()
            .flat_map(|(template, versions)| versions.iter().map(|v| template.replace("{v}", v)))
            .collect();
        let mut dice = Dice::new(mix(seed, label("agents")));
        for i in (1..strings.len()).rev() {
            strings.swap(i, dice.below(i as u32 + 1) as usize);
        }
        if hostile {
            strings[4] = vocab::HOSTILE_AGENT.to_string();
        }
        let popularity = Zipf::new(strings.len() as u32, 1.5);
        Agents { strings, popularity }
    }
}

/// A pool of accounts and of IP addresses, with the organisation ids its accounts belong to.
pub(crate) struct Pool {
    seed: u64,
    accounts: Zipf,
    ips: u32,
    organisations: Vec<(u32, u32)>,
}

impl Pool {
    fn new(seed: u64, accounts: u32, ips: u32) -> Pool {
        let mut dice = Dice::new(mix(seed, label("organisations")));
        let main = 100_000 + dice.below(900_000);
        let units = (0..3).map(|_| (100_000 + dice.below(900_000), 5)).collect::<Vec<_>>();
        let organisations = std::iter::once((main, 85)).chain(units).collect();
        // Offset 200 keeps the busiest accounts plausible: the top one makes well under 1% of events.
        Pool {
            seed,
            accounts: Zipf::new(accounts, 200.0),
            ips,
            organisations,
        }
    }
}

pub(crate) struct Account {
    pub uuid: u128,
    pub openathens: bool,
    pub status: &'static str,
    pub expiry: Option<Date>,
    pub organisation: u32,
    pub permission_sets: Vec<&'static str>,
    /// `", "` as the reference shows, sometimes `","`: names are trimmed either way.
    pub separator: &'static str,
    /// Index into the organisation's connectors; used by local accounts only.
    pub connector: usize,
    pub department: &'static str,
    pub role: &'static str,
    pub cost_centre: Option<u16>,
    pub extra: &'static str,
    pub home_ip: u32,
    pub agent: u32,
}

/// A local connector (`account.authsystemname`/`id`).
pub(crate) struct Connector {
    pub name: String,
    pub id: String,
    pub weight: u32,
}

pub(crate) struct Ip {
    pub text: String,
    pub country: &'static str,
    pub isp: &'static str,
}

/// An organisation's view of the world for one report.
pub(crate) struct Organisation {
    own: Pool,
    shared: Pool,
    pub connectors: Vec<Connector>,
    pub campus: Vec<Ip>,
    hostile: bool,
    date: Date,
}

/// Where an account or address came from, so its derivation can be repeated.
#[derive(Clone, Copy)]
pub(crate) enum Origin {
    Own,
    Shared,
}

impl Organisation {
    pub fn new(seed: u64, org: &str, date: Date, hostile: bool, population: Population) -> Organisation {
        let org_seed = mix(seed, label(org) ^ label("org:"));
        let mut dice = Dice::new(mix(org_seed, label("connectors")));
        let mut names: Vec<&str> = vocab::CONNECTORS.to_vec();
        let connectors = (0..2 + dice.below(2))
            .map(|i| {
                let name = names.remove(dice.index(&names));
                Connector {
                    name: name.to_string(),
                    id: uuid_text(uuid(&mut dice)),
                    weight: 6 - 2 * i.min(2),
                }
            })
            .collect();
        let campus = (0..CAMPUS_IPS)
            .map(|_| Ip {
                text: format!(
                    "{}.{}.{}.{}",
                    dice.pick(&[128u8, 137, 144, 163, 194]),
                    dice.below(256),
                    dice.below(256),
                    1 + dice.below(254)
                ),
                country: "GB",
                isp: "Jisc Services Limited",
            })
            .collect();
        Organisation {
            own: Pool::new(org_seed, population.accounts, population.ips),
            shared: Pool::new(mix(seed, label("shared")), SHARED_ACCOUNTS, SHARED_IPS),
            connectors,
            campus,
            hostile,
            date,
        }
    }

    fn pool(&self, origin: Origin) -> &Pool {
        match origin {
            Origin::Own => &self.own,
            Origin::Shared => &self.shared,
        }
    }

    pub fn draw_account(&self, origin: Origin, dice: &mut Dice) -> u32 {
        self.pool(origin).accounts.sample(dice)
    }

    pub fn draw_ip(&self, origin: Origin, dice: &mut Dice) -> u32 {
        dice.below(self.pool(origin).ips)
    }

    pub fn account(&self, origin: Origin, index: u32) -> Account {
        let pool = self.pool(origin);
        let mut dice = Dice::new(mix(pool.seed, u64::from(index)));
        let uuid = uuid(&mut dice);
        let openathens = dice.chance(0.35);
        let status = if openathens {
            dice.weighted(vocab::ACCOUNT_STATUSES)
        } else if dice.chance(0.97) {
            "ACTIVE"
        } else {
            ""
        };
        let expiry = openathens.then(|| {
            let days = if status == "EXPIRED" {
                -(1 + dice.below(60) as i32)
            } else {
                dice.below(1100) as i32
            };
            self.date.add_days(days)
        });
        let set_count = dice.weighted(&[(0usize, 10), (1, 60), (2, 22), (3, 8)]);
        let mut permission_sets: Vec<&'static str> = Vec::with_capacity(set_count);
        while permission_sets.len() < set_count {
            let mut set = dice.weighted(vocab::PERMISSION_SETS);
            if self.hostile && set == "demo#law" {
                set = vocab::HOSTILE_PERMISSION_SET;
            }
            if !permission_sets.contains(&set) {
                permission_sets.push(set);
            }
        }
        // Hostile choices are drawn in every report, so hostile and plain reports differ only in markup.
        let mut department = dice.weighted(vocab::DEPARTMENTS);
        if dice.chance(0.03) && self.hostile {
            department = vocab::HOSTILE_DEPARTMENT;
        }
        Account {
            uuid,
            openathens,
            status,
            expiry,
            organisation: dice.weighted(&pool.organisations),
            permission_sets,
            separator: if dice.chance(0.1) { "," } else { ", " },
            connector: dice.weighted_index(&self.connectors, |c| c.weight),
            department,
            role: dice.weighted(vocab::ROLES),
            cost_centre: dice.chance(0.6).then(|| dice.below(10_000) as u16),
            extra: if dice.chance(0.3) && self.hostile {
                vocab::HOSTILE_SCRIPT
            } else {
                ""
            },
            home_ip: dice.below(pool.ips),
            agent: dice.bits() as u32,
        }
    }

    pub fn ip(&self, origin: Origin, index: u32, out: &mut String) -> (&'static str, &'static str) {
        let mut dice = Dice::new(mix(self.pool(origin).seed ^ label("ip"), u64::from(index)));
        let (country, _, isps) = vocab::COUNTRIES[dice.weighted_index(vocab::COUNTRIES, |(_, weight, _)| *weight)];
        let isp = dice.pick(isps);
        if dice.chance(0.8) {
            let _ = write!(
                out,
                "{}.{}.{}.{}",
                dice.pick(vocab::IPV4_FIRST_OCTETS),
                dice.below(256),
                dice.below(256),
                1 + dice.below(254)
            );
        } else {
            let prefix = *dice.pick(vocab::IPV6_PREFIXES);
            out.push_str(prefix);
            let groups = if dice.chance(0.2) { 2 } else { 6 };
            if groups == 2 {
                out.push(':');
            }
            for _ in 0..groups {
                let _ = write!(out, ":{:x}", dice.below(0x10000));
            }
        }
        (country, isp)
    }
}

/// A random (version 4) UUID's 128 bits.
pub(crate) fn uuid(dice: &mut Dice) -> u128 {
    let raw = (u128::from(dice.bits()) << 64) | u128::from(dice.bits());
    raw & !(0xF_u128 << 76) & !(0xC_u128 << 60) | (0x4_u128 << 76) | (0x8_u128 << 60)
}

pub(crate) fn uuid_text(uuid: u128) -> String {
    let mut out = String::with_capacity(36);
    push_uuid(uuid, &mut out);
    out
}

/// `8-4-4-4-12` lower-case hex, written by hand because it runs once or twice per row.
pub(crate) fn push_uuid(uuid: u128, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for nibble in 0..32 {
        if matches!(nibble, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(char::from(HEX[(uuid >> (124 - 4 * nibble)) as usize & 15]));
    }
}
