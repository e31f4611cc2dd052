//! `gen-report`: writes a generated report (gzip unless --plain) and, optionally, its truth as JSON; or,
//! with --merge-org, only the truth of several organisations' reports merged as sub-organisations are;
//! with --merge-day, the truth of several days' reports merged as a range of days is.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use rawstats_gen::{Config, Date, DateStyle, Truth, write_report};

const USAGE: &str = "usage: gen-report --rows N --seed S --date yyyy-MM-dd --out FILE|- [--truth FILE]
                  [--org LABEL] [--date-style dmy|mdy|iso] [--hostile] [--members K] [--plain]
                  [--crlf] [--shuffle-columns] [--drop-columns a,b] [--accounts N] [--ips N]
       gen-report --rows N --seed S --date yyyy-MM-dd --truth FILE --merge-org LABEL [--merge-org LABEL ...]
                  [the options above but --out and --org]
       gen-report --rows N --truth FILE --merge-day yyyy-MM-dd:SEED [--merge-day ...] [--merge-org LABEL ...]
                  [the options above but --out, --seed and --date]
Writes a seeded OpenAthens raw statistics report (gzip unless --plain) to --out ('-' is stdout)
and the Summary it must give, as JSON, to --truth. With --merge-org, writes no report: --truth gets
the merged Summary of the reports of those organisations (in that order; '' is the parent), each as
--org would make it. With --merge-day, --truth gets the merged Summary of those days' reports (each
with its own seed, in date order), each day's organisations (--merge-org, or --org) merged first.";

struct Args {
    config: Config,
    output: Output,
}

enum Output {
    Report {
        out: String,
        truth: Option<String>,
    },
    /// The truth of these reports merged in this order.
    MergedTruth {
        parts: Vec<Config>,
        truth: String,
    },
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut config = Config::default();
    let (mut rows, mut seed, mut date, mut out, mut truth) = (None, None, None, None, None);
    let (mut org, mut merge_orgs, mut merge_days) = (None, Vec::new(), Vec::new());
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => rows = Some(number(&flag, &value()?)?),
            "--seed" => seed = Some(number(&flag, &value()?)?),
            "--date" => date = Some(Date::parse(&value()?)?),
            "--org" => org = Some(value()?),
            "--merge-org" => merge_orgs.push(value()?),
            "--merge-day" => {
                let given = value()?;
                let (day, seed) = given
                    .split_once(':')
                    .ok_or_else(|| format!("--merge-day takes yyyy-MM-dd:SEED, not {given:?}"))?;
                merge_days.push((Date::parse(day)?, number(&flag, seed)?));
            }
            "--date-style" => {
                config.date_style = match value()?.as_str() {
                    "dmy" => DateStyle::DayMonth,
                    "mdy" => DateStyle::MonthDay,
                    "iso" => DateStyle::Iso,
                    other => {
                        return Err(format!("--date-style takes dmy, mdy or iso, not {other:?}"));
                    }
                }
            }
            "--accounts" => config.population.accounts = number(&flag, &value()?)? as u32,
            "--ips" => config.population.ips = number(&flag, &value()?)? as u32,
            "--members" => config.members = number(&flag, &value()?)? as usize,
            "--drop-columns" => config.drop_columns = value()?.split(',').map(str::to_string).collect(),
            "--out" => out = Some(value()?),
            "--truth" => truth = Some(value()?),
            "--hostile" => config.hostile = true,
            "--plain" => config.plain = true,
            "--crlf" => config.crlf = true,
            "--shuffle-columns" => config.shuffle_columns = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let missing = |name: &str| format!("{name} is required");
    config.rows = rows.ok_or_else(|| missing("--rows"))?;
    if merge_days.is_empty() {
        config.seed = seed.ok_or_else(|| missing("--seed"))?;
        config.date = date.ok_or_else(|| missing("--date"))?;
    } else if seed.is_some() || date.is_some() {
        return Err("--merge-day gives each day's date and seed: it takes neither --seed nor --date".to_string());
    } else {
        merge_days.sort_by_key(|(day, _)| *day);
    }
    config.check()?;
    let output = if merge_orgs.is_empty() && merge_days.is_empty() {
        config.org = org.unwrap_or_default();
        Output::Report {
            out: out.ok_or_else(|| missing("--out"))?,
            truth,
        }
    } else if out.is_some() || (org.is_some() && !merge_orgs.is_empty()) {
        return Err(
            "--merge-org and --merge-day write only a truth: they take no --out, and --merge-org no --org".to_string(),
        );
    } else {
        let orgs = if merge_orgs.is_empty() {
            vec![org.unwrap_or_default()]
        } else {
            merge_orgs
        };
        let days = if merge_days.is_empty() {
            vec![(config.date, config.seed)]
        } else {
            merge_days
        };
        let parts = days
            .iter()
            .flat_map(|&(date, seed)| orgs.iter().map(move |org| (date, seed, org.clone())))
            .map(|(date, seed, org)| Config {
                date,
                seed,
                org,
                ..config.clone()
            })
            .collect();
        Output::MergedTruth {
            parts,
            truth: truth.ok_or_else(|| missing("--truth"))?,
        }
    };
    Ok(Args { config, output })
}

fn number(flag: &str, text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("{flag} takes a whole number, not {text:?}"))
}

fn run(args: &Args) -> io::Result<()> {
    match &args.output {
        Output::Report { out, truth } => {
            let written = if out == "-" {
                write_report(&args.config, BufWriter::new(io::stdout().lock()))?
            } else {
                let file = File::create(out).map_err(|e| io::Error::new(e.kind(), format!("{out}: {e}")))?;
                write_report(&args.config, BufWriter::new(file))?
            };
            truth.as_ref().map_or(Ok(()), |path| write_truth(path, &written))
        }
        Output::MergedTruth { parts, truth } => {
            let mut merged: Option<Truth> = None;
            for config in parts {
                let part = write_report(config, io::sink())?;
                match &mut merged {
                    Some(merged) => merged.merge(&part),
                    None => merged = Some(part),
                }
            }
            write_truth(truth, &merged.expect("a merge has at least one part"))
        }
    }
}

fn write_truth(path: &str, truth: &Truth) -> io::Result<()> {
    let mut file = File::create(path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?;
    serde_json::to_writer_pretty(&mut file, &truth.to_json())?;
    file.write_all(b"\n")
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("gen-report: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-report: {e}");
            ExitCode::FAILURE
        }
    }
}
