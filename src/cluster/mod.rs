//! Sharded sweeps for clusters: a sweep's work units split into shards that a
//! cluster's own scheduler runs (Slurm job arrays, Kubernetes Indexed Jobs),
//! and a merge that puts the parts back together. No scheduler of our own.
//!
//! - [`shard`]: which units shard K of N runs (`--shard K/N`, `--shard auto`);
//! - [`identity`]: the hash that tells parts of one sweep from another's;
//! - [`part`]: the partial file a shard writes, written and read as a stream;
//! - [`merge`]: checks parts make up one whole sweep, then streams its points;
//! - [`emit`]: job files for Slurm (`sweep.sbatch`) and Kubernetes (manifests).
//!
//! What a unit result is, how a point's results are aggregated and how the
//! output is written belong to the sweep (`crate::experiment`); this module
//! moves unit results around without looking into them, so a merged sweep is
//! byte-identical to one run in one process.

pub mod emit;
pub mod identity;
pub mod merge;
pub mod part;
pub mod shard;
pub mod sweep;
mod yaml;

use std::path::PathBuf;

pub use identity::IdentityBuilder;
pub use merge::{MergePlan, MergeStats, part_files};
pub use part::{PartHeader, PartWriter, UnitRange, part_path, read_header, read_units};
pub use shard::{Shard, ShardSource, ShardSpec, resolve};

/// What can go wrong sharding, writing, merging or emitting.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A shard that does not exist or cannot be found in the environment.
    #[error("{0}")]
    Shard(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file that is not a whole, consistent part.
    #[error("{}: {message}", path.display())]
    Part { path: PathBuf, message: String },
    /// Parts that do not make up one whole sweep.
    #[error("{0}")]
    Merge(String),
    /// Output that cannot be written or a sweep that cannot be rebuilt.
    #[error("{0}")]
    Output(String),
    /// The sweep itself: a bad SPEC, a failed run, Ctrl-C, a writer's error.
    #[error("{0}")]
    Experiment(#[from] crate::experiment::ExperimentError),
}

/// The peak resident memory of this process so far, in bytes (`VmHWM` of
/// `/proc/self/status`); `None` where that is not available (not Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}
