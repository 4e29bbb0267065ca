//! `archsim bench FILE [--scenario NAME] [--seed N] [--duration-s S] [--rounds N]`:
//! measure how fast the engine simulates a scenario, phase by phase.
//!
//! Each round loads the file, builds the simulation, runs it to the end,
//! builds the summary and serialises the JSON summary (to a byte counter, not
//! to disk). Every phase is timed by the wall clock and by the CPU time of
//! this thread (`cpu-time`), so a figure stays meaningful when other
//! processes share the machine: the thread's CPU time is what one core
//! delivers. The engine's rate is service visits (the time series'
//! arrivals summed over services, warm-up included) and events per CPU
//! second of the run phase alone; the whole-process line adds loading,
//! building, the summary and the JSON. See docs/performance.md.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cpu_time::ThreadTime;

use crate::metrics::Summary;
use crate::model;
use crate::sim::Simulation;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Topology file (JSON).
    pub file: PathBuf,
    #[command(flatten)]
    pub scenario: super::run::ScenarioArgs,
    /// How many times to repeat the measurement.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub rounds: u32,
}

/// Wall-clock and thread CPU time of one phase.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    wall: Duration,
    cpu: Duration,
}

impl Cost {
    fn add(self, other: Cost) -> Cost {
        Cost {
            wall: self.wall + other.wall,
            cpu: self.cpu + other.cpu,
        }
    }
}

/// Runs `f` and returns its result with its wall-clock and thread CPU time.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    let (wall, cpu) = (Instant::now(), ThreadTime::now());
    let value = f();
    let cost = Cost {
        wall: wall.elapsed(),
        cpu: cpu.elapsed(),
    };
    (value, cost)
}

/// A writer that only counts the bytes it is given.
#[derive(Debug, Default)]
struct ByteCounter(u64);

impl Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Service visits in a summary: arrivals in the time series, warm-up included.
fn visits(summary: &Summary) -> u64 {
    summary
        .timeseries
        .services
        .values()
        .map(|s| s.arrivals.iter().sum::<u64>())
        .sum()
}

fn per_s(count: u64, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 { count as f64 / s / 1e6 } else { 0.0 }
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    args.scenario.check_duration()?;
    let shown = args.file.display().to_string();
    super::write_stdout(&format!(
        "archsim bench {shown}: per phase, wall clock / CPU time of this thread; rates in millions per CPU second\n"
    ))?;
    for round in 1..=args.rounds {
        let (checked, load) = timed(|| model::load_checked_file(&args.file));
        let Ok(checked) = checked else {
            bail!("{shown} is not valid; run `archsim validate {shown}` to see the problems");
        };
        let run = args.scenario.scenario(&checked, &shown)?;
        let (sim, build) = timed(|| Simulation::new(&run));
        let mut sim = sim.with_context(|| {
            format!(
                "{shown}: cannot simulate scenario \"{}\"",
                run.scenario().name
            )
        })?;
        let ((), engine) = timed(|| sim.run_until(f64::INFINITY));
        let (summary, summarise) = timed(|| sim.into_summary(true));
        let (written, json) = timed(|| {
            let mut counter = ByteCounter::default();
            summary.write_json(&mut counter).map(|()| counter.0)
        });
        let bytes = written.context("cannot serialise the JSON summary")?;
        let visits = visits(&summary);
        let events = summary.events;
        let total = load.add(build).add(engine).add(summarise).add(json);
        let ms = |c: Cost| {
            format!(
                "{:.0}/{:.0} ms",
                c.wall.as_secs_f64() * 1e3,
                c.cpu.as_secs_f64() * 1e3
            )
        };
        super::write_stdout(&format!(
            "round {round}: {visits} visits, {events} events, {:.1} MB JSON | load {}, build {}, \
             run {}, summary {}, json {}\n",
            bytes as f64 / 1e6,
            ms(load),
            ms(build),
            ms(engine),
            ms(summarise),
            ms(json),
        ))?;
        super::write_stdout(&format!(
            "  engine only (run): {:.2} M visits/CPU s, {:.2} M events/CPU s ({:.2} M visits/wall s) | \
             whole (all phases): {:.2} M visits/CPU s ({:.2} M visits/wall s)\n",
            per_s(visits, engine.cpu),
            per_s(events, engine.cpu),
            per_s(visits, engine.wall),
            per_s(visits, total.cpu),
            per_s(visits, total.wall),
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
