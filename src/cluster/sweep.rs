//! Sharded sweeps on the experiment library: runs one shard of a
//! [`Sweep`] into a part, merges parts into the sweep's CSV or JSON through
//! the sweep's own aggregation and writers, and measures one unit for the
//! job files' memory requests.
//!
//! Every part records the sweep's [`SweepRecipe`] (what the command line
//! said) and shard 0's part also the topology's text, so `merge` rebuilds the
//! very [`Sweep`] the shards ran from the parts alone and writes the same
//! bytes as the unsharded `archsim sweep … --out`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::merge::{MergePlan, MergeStats};
use super::part::{PartHeader, PartWriter, part_path};
use super::{ClusterError, IdentityBuilder, Shard, peak_rss_bytes};
use crate::experiment::sweep::{CsvWriter, JsonWriter, Sweep};
use crate::experiment::{Control, ExperimentError, Plan, ScenarioChoice, run_ordered};
use crate::metrics::Summary;
use crate::model;

/// What rebuilds a sweep from its topology's text: the command line's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepRecipe {
    /// The topology file as given (only for messages; not part of the identity).
    pub topology_file: String,
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    pub duration_s: Option<f64>,
    /// The `--vary` SPECs as written, in order.
    pub vary: Vec<String>,
    pub replications: u64,
    pub confidence: f64,
    /// `--max-in-flight`: it decides when a run stops as diverged.
    pub max_in_flight: usize,
    /// Shard 0 carries the topology's text; the other parts leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<String>,
}

impl SweepRecipe {
    /// The recipe of a sweep of `topology_file` with these choices and plan.
    pub fn new(topology_file: &str, choice: &ScenarioChoice, vary: &[String], plan: &Plan) -> Self {
        SweepRecipe {
            topology_file: topology_file.to_owned(),
            scenario: choice.name.clone(),
            seed: choice.seed,
            duration_s: choice.duration_s,
            vary: vary.to_vec(),
            replications: plan.replications,
            confidence: plan.confidence,
            max_in_flight: plan.max_in_flight,
            topology: None,
        }
    }

    /// The sweep's identity given the topology's bytes: everything that
    /// decides the results, and the archsim version ([`IdentityBuilder`]).
    pub fn identity(&self, topology: &[u8]) -> String {
        let mut id = IdentityBuilder::new();
        id.add("topology", topology);
        id.add("scenario", optional(self.scenario.clone()).as_bytes());
        id.add(
            "seed",
            optional(self.seed.map(|s| s.to_string())).as_bytes(),
        );
        id.add(
            "duration_s",
            optional(self.duration_s.map(|d| d.to_bits().to_string())).as_bytes(),
        );
        for spec in &self.vary {
            id.add("vary", spec.as_bytes());
        }
        id.add("replications", self.replications.to_string().as_bytes());
        id.add(
            "confidence",
            self.confidence.to_bits().to_string().as_bytes(),
        );
        id.add("max_in_flight", self.max_in_flight.to_string().as_bytes());
        id.finish()
    }

    /// The scenario choice and the plan on `jobs` threads (jobs do not change results).
    pub fn choice_and_plan(&self, jobs: usize) -> (ScenarioChoice, Plan) {
        (
            ScenarioChoice {
                name: self.scenario.clone(),
                seed: self.seed,
                duration_s: self.duration_s,
            },
            Plan {
                replications: self.replications,
                confidence: self.confidence,
                jobs,
                max_in_flight: self.max_in_flight,
            },
        )
    }

    /// Builds and checks the sweep on `topology`'s text.
    pub fn build(&self, topology: &str, jobs: usize) -> Result<Sweep, ClusterError> {
        let checked = model::load_checked_str(topology, &self.topology_file).map_err(|e| {
            ClusterError::Output(format!(
                "{}: the topology recorded in the parts does not load ({e}); \
                 the parts were edited or come from another archsim",
                self.topology_file
            ))
        })?;
        let (choice, plan) = self.choice_and_plan(jobs);
        Ok(Sweep::new(&checked, choice, &self.vary, plan)?)
    }

    /// The sweep's arguments after the topology file, for job scripts (one
    /// unit at a time: each shard is given one CPU).
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(scenario) = &self.scenario {
            args.extend(["--scenario".to_owned(), scenario.clone()]);
        }
        if let Some(seed) = self.seed {
            args.extend(["--seed".to_owned(), seed.to_string()]);
        }
        if let Some(d) = self.duration_s {
            // Rust prints the shortest text that reads back as the same f64.
            args.extend(["--duration-s".to_owned(), d.to_string()]);
        }
        for spec in &self.vary {
            args.extend(["--vary".to_owned(), spec.clone()]);
        }
        args.extend([
            "--replications".to_owned(),
            self.replications.to_string(),
            "--confidence".to_owned(),
            self.confidence.to_string(),
        ]);
        if self.max_in_flight != crate::sim::DEFAULT_MAX_IN_FLIGHT {
            args.extend(["--max-in-flight".to_owned(), self.max_in_flight.to_string()]);
        }
        args.extend(["--jobs".to_owned(), "1".to_owned()]);
        args
    }
}

fn optional(value: Option<String>) -> String {
    value.unwrap_or_else(|| "\0none".to_owned())
}

/// Runs `shard` of `sweep` (`plan.jobs` units at once, written in order) and
/// writes its part under `out` ([`part_path`]). `topology` is the file's
/// text, whose bytes the identity hashes. Returns the part's path and header.
pub fn run_shard(
    sweep: &Sweep,
    recipe: &SweepRecipe,
    topology: &str,
    shard: Shard,
    out: &Path,
    control: Control<'_>,
) -> Result<(PathBuf, PartHeader), ClusterError> {
    let mut recipe = recipe.clone();
    recipe.topology = (shard.index == 0).then(|| topology.to_owned());
    let identity = recipe.identity(topology.as_bytes());
    let sweep_value = serde_json::to_value(&recipe)
        .map_err(|e| ClusterError::Output(format!("cannot describe the sweep in the part: {e}")))?;
    let header = PartHeader::new(
        identity,
        shard,
        sweep.point_count() as u64,
        sweep.plan().replications,
        sweep_value,
    )?;
    let path = part_path(out, shard);
    let mut writer = PartWriter::create(&path, &header)?;
    let start = header.units.start;
    let mut failed = None;
    let ran = run_ordered(
        sweep.plan().jobs,
        header.len(),
        control,
        |i| {
            let (point, replication) = sweep.unit(start + i);
            sweep.run_unit(point, replication, control.cancel)
        },
        |_, summary| {
            writer.push(&summary).map_err(|e| {
                let message = e.to_string();
                failed = Some(e);
                ExperimentError::Output(message)
            })
        },
    );
    if let Err(e) = ran {
        writer.abandon();
        return Err(failed.take().unwrap_or(ClusterError::Experiment(e)));
    }
    Ok((writer.finish()?, header))
}

/// The recipe and topology text recorded in shard 0's header.
fn recipe_of(header: &PartHeader) -> Result<(SweepRecipe, String), ClusterError> {
    let recipe: SweepRecipe = serde_json::from_value(header.sweep.clone()).map_err(|e| {
        ClusterError::Merge(format!(
            "shard {}'s part does not describe an archsim sweep ({e}); merge parts written by `archsim sweep --shard`",
            header.shard
        ))
    })?;
    let topology = recipe.topology.clone().ok_or_else(|| {
        ClusterError::Merge(format!(
            "shard {}'s part lacks the topology that shard 0's part carries; run shard 0 again",
            header.shard
        ))
    })?;
    Ok((recipe, topology))
}

/// Whether `--out` names a CSV (else JSON); anything else is refused.
pub fn merge_is_csv(out: &Path) -> Result<bool, ClusterError> {
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "csv" => Ok(true),
        Some(e) if e == "json" => Ok(false),
        _ => Err(ClusterError::Output(format!(
            "--out {}: the merged results are written as CSV or JSON; name the file *.csv or *.json",
            out.display()
        ))),
    }
}

/// Merges the parts `files` into `out` (CSV or JSON by its extension), byte
/// for byte what the unsharded sweep writes. The file appears only when
/// whole (written to a temporary file beside it, then renamed).
pub fn merge(files: &[PathBuf], out: &Path) -> Result<MergeStats, ClusterError> {
    let csv = merge_is_csv(out)?;
    let plan = MergePlan::check(files)?;
    let (recipe, topology) = recipe_of(plan.header())?;
    let sweep = recipe.build(&topology, 1)?;
    let expected = sweep.unit_count();
    if expected != plan.header().units.total
        || recipe.identity(topology.as_bytes()) != plan.header().identity
    {
        return Err(ClusterError::Merge(format!(
            "the parts' header disagrees with the sweep it describes ({} units recorded, {expected} rebuilt); \
             the parts were edited or come from another archsim",
            plan.header().units.total
        )));
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |source| ClusterError::Io {
        path: out.to_owned(),
        source,
    };
    let temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let mut file = std::io::BufWriter::new(temp.as_file());
    let stats = if csv {
        let mut writer = CsvWriter::new(&mut file, &sweep)?;
        let stats = plan.stream(|point, units: Vec<Summary>| {
            let result = sweep.aggregate(point_index(point)?, &units)?;
            Ok(writer.point(&result)?)
        })?;
        writer.finish()?;
        stats
    } else {
        let mut writer = JsonWriter::new(&mut file, &sweep)?;
        let stats = plan.stream(|point, units: Vec<Summary>| {
            let result = sweep.aggregate(point_index(point)?, &units)?;
            Ok(writer.point(&result)?)
        })?;
        writer.finish()?;
        stats
    };
    file.flush().map_err(io)?;
    drop(file);
    temp.persist(out).map_err(|e| io(e.error))?;
    Ok(stats)
}

fn point_index(point: u64) -> Result<usize, ClusterError> {
    usize::try_from(point)
        .map_err(|_| ClusterError::Merge(format!("point {point} does not fit this machine")))
}

/// What one unit of a sweep costs, measured in this process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitCost {
    /// Peak resident memory of the process after running the unit.
    pub peak_bytes: Option<u64>,
    pub wall_s: f64,
}

/// Runs the sweep's last unit (its highest values, usually its heaviest) and
/// measures the process's peak memory and the unit's wall-clock time.
pub fn measure_unit(sweep: &Sweep) -> Result<UnitCost, ClusterError> {
    let last = sweep.unit_count().saturating_sub(1);
    let (point, replication) = sweep.unit(last);
    let started = Instant::now();
    let cancel = AtomicBool::new(false);
    sweep.run_unit(point, replication, &cancel)?;
    Ok(UnitCost {
        peak_bytes: peak_rss_bytes(),
        wall_s: started.elapsed().as_secs_f64(),
    })
}
