//! `gen-report`: writes a generated report (gzip unless --plain) and, optionally, its truth as JSON; or,
//! with --merge-org, only the truth of several organisations' reports merged as sub-organisations are.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use rawstats_gen::{Config, Date, DateStyle, Truth, write_report};

const USAGE: &str = "usage: gen-report --rows N --seed S --date yyyy-MM-dd --out FILE|- [--truth FILE]
                  [--org LABEL] [--date-style dmy|mdy|iso] [--hostile] [--members K] [--plain]
                  [--crlf] [--shuffle-columns] [--drop-columns a,b] [--accounts N] [--ips N]
       gen-report --rows N --seed S --date yyyy-MM-dd --truth FILE --merge-org LABEL [--merge-org LABEL ...]
                  [the options above but --out and --org]
Writes a seeded OpenAthens raw statistics report (gzip unless --plain) to --out ('-' is stdout)
and the Summary it must give, as JSON, to --truth. With --merge-org, writes no report: --truth gets
the merged Summary of the reports of those organisations (in that order; '' is the parent), each as
--org would make it.";

struct Args {
    config: Config,
    output: Output,
}

enum Output {
    Report { out: String, truth: Option<String> },
    MergedTruth { orgs: Vec<String>, truth: String },
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut config = Config::default();
    let (mut rows, mut seed, mut date, mut out, mut truth) = (None, None, None, None, None);
    let (mut org, mut merge_orgs) = (None, Vec::new());
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => rows = Some(number(&flag, &value()?)?),
            "--seed" => seed = Some(number(&flag, &value()?)?),
            "--date" => date = Some(Date::parse(&value()?)?),
            "--org" => org = Some(value()?),
            "--merge-org" => merge_orgs.push(value()?),
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
    config.seed = seed.ok_or_else(|| missing("--seed"))?;
    config.date = date.ok_or_else(|| missing("--date"))?;
    config.check()?;
    let output = if merge_orgs.is_empty() {
        config.org = org.unwrap_or_default();
        Output::Report {
            out: out.ok_or_else(|| missing("--out"))?,
            truth,
        }
    } else if out.is_some() || org.is_some() {
        return Err("--merge-org writes only a truth: it takes neither --out nor --org".to_string());
    } else {
        Output::MergedTruth {
            orgs: merge_orgs,
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
        Output::MergedTruth { orgs, truth } => {
            let mut merged: Option<Truth> = None;
            for org in orgs {
                let config = Config {
                    org: org.clone(),
                    ..args.config.clone()
                };
                let part = write_report(&config, io::sink())?;
                match &mut merged {
                    Some(merged) => merged.merge(&part),
                    None => merged = Some(part),
                }
            }
            write_truth(truth, &merged.expect("--merge-org was given at least once"))
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
