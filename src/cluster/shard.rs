//! Which work units a shard runs: `--shard K/N` and `--shard auto`.
//!
//! A sweep's work units are its (point, replication) pairs in point-major
//! order, numbered `0..total`. Shard `K` of `N` runs the contiguous range
//! `[K·total/N, (K+1)·total/N)`: the ranges of `0..N` tile `0..total` with no
//! gap and no overlap, their sizes differ by at most one, and a merge can read
//! the parts in shard order and write the points as they complete.

use std::fmt;
use std::ops::Range;

use super::ClusterError;

/// Shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Shard `index` of `count`; `count` > 0 and `index` < `count`.
    pub fn new(index: u64, count: u64) -> Result<Self, ClusterError> {
        if count == 0 {
            return Err(ClusterError::Shard(
                "the number of shards must be at least 1 (as in --shard 0/4)".into(),
            ));
        }
        if index >= count {
            return Err(ClusterError::Shard(format!(
                "shard {index} of {count} does not exist: shards are numbered 0 to {} (as in --shard 0/{count})",
                count - 1
            )));
        }
        Ok(Self { index, count })
    }

    /// The units `[index·total/count, (index+1)·total/count)` of a sweep of `total` units.
    pub fn units(&self, total: u64) -> Range<u64> {
        bound(self.index, self.count, total)..bound(self.index + 1, self.count, total)
    }
}

/// `k·total/n` without overflow (k ≤ n).
fn bound(k: u64, n: u64, total: u64) -> u64 {
    let scaled = u128::from(k) * u128::from(total) / u128::from(n);
    // k ≤ n, so the quotient is at most `total` and fits in a u64.
    u64::try_from(scaled).unwrap_or(total)
}

/// What `--shard` says: a fixed shard or "read it from the scheduler's environment".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    Fixed(Shard),
    Auto,
}

impl std::str::FromStr for ShardSpec {
    type Err = ClusterError;

    /// `K/N` (0-based K) or `auto`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text == "auto" {
            return Ok(Self::Auto);
        }
        let bad = || {
            ClusterError::Shard(format!(
                "--shard \"{text}\" is neither K/N (shard K of N, counted from 0, as in 3/10) nor auto"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k = k.trim().parse::<u64>().map_err(|_| bad())?;
        let n = n.trim().parse::<u64>().map_err(|_| bad())?;
        Ok(Self::Fixed(Shard::new(k, n)?))
    }
}

/// Where a shard came from, to say in messages and in the part file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSource {
    CommandLine,
    SlurmArray,
    KubernetesIndexedJob,
}

impl fmt::Display for ShardSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CommandLine => "--shard",
            Self::SlurmArray => "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT",
            Self::KubernetesIndexedJob => "JOB_COMPLETION_INDEX and --shards",
        })
    }
}

/// Resolves `--shard` (with `--shards N` when given) to a shard. `auto` reads
/// Slurm's `SLURM_ARRAY_TASK_ID`/`SLURM_ARRAY_TASK_COUNT` (task ids counted from
/// `SLURM_ARRAY_TASK_MIN`, 0 when unset), else Kubernetes' `JOB_COMPLETION_INDEX`
/// with `--shards N`; `env` looks a variable up (`std::env::var` in the CLI).
pub fn resolve(
    spec: ShardSpec,
    shards: Option<u64>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Shard, ShardSource), ClusterError> {
    let number = |name: &str| -> Result<Option<u64>, ClusterError> {
        match env(name) {
            None => Ok(None),
            Some(value) => value.trim().parse::<u64>().map(Some).map_err(|_| {
                ClusterError::Shard(format!(
                    "--shard auto: {name}=\"{value}\" is not a whole number ≥ 0"
                ))
            }),
        }
    };
    let check_count = |shard: Shard, source: &str| -> Result<Shard, ClusterError> {
        match shards {
            Some(n) if n != shard.count => Err(ClusterError::Shard(format!(
                "--shards {n} disagrees with {source} = {}; give the job's number of tasks or leave --shards out",
                shard.count
            ))),
            _ => Ok(shard),
        }
    };
    match spec {
        ShardSpec::Fixed(shard) => Ok((check_count(shard, "--shard")?, ShardSource::CommandLine)),
        ShardSpec::Auto => {
            if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
                let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                    ClusterError::Shard(
                        "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not \
                         (Slurm 17.11 or later sets both in an array job submitted with --array=0-(N-1))"
                            .into(),
                    )
                })?;
                let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
                let index = id.checked_sub(min).ok_or_else(|| {
                    ClusterError::Shard(format!(
                        "--shard auto: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                    ))
                })?;
                let shard = Shard::new(index, count).map_err(|_| {
                    ClusterError::Shard(format!(
                        "--shard auto: array task {id} (from {min}) is not one of {count} tasks; \
                         submit the array as --array=0-{}",
                        count.saturating_sub(1)
                    ))
                })?;
                return Ok((
                    check_count(shard, "SLURM_ARRAY_TASK_COUNT")?,
                    ShardSource::SlurmArray,
                ));
            }
            if let Some(index) = number("JOB_COMPLETION_INDEX")? {
                let count = shards.ok_or_else(|| {
                    ClusterError::Shard(
                        "--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but \
                         --shards is not; add --shards N with N the Job's completions"
                            .into(),
                    )
                })?;
                let shard = Shard::new(index, count).map_err(|_| {
                    ClusterError::Shard(format!(
                        "--shard auto: JOB_COMPLETION_INDEX {index} is not below --shards {count}; \
                         give the Job's completions as --shards"
                    ))
                })?;
                return Ok((shard, ShardSource::KubernetesIndexedJob));
            }
            Err(ClusterError::Shard(
                "--shard auto found no scheduler: neither SLURM_ARRAY_TASK_ID (a Slurm array job) \
                 nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; outside a cluster give \
                 the shard as --shard K/N"
                    .into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_is_in_exactly_one_shard_for_many_k_and_n() {
        for total in [0_u64, 1, 2, 3, 7, 10, 64, 97, 1000] {
            for count in 1..=40 {
                let mut next = 0;
                for index in 0..count {
                    let units = Shard::new(index, count).unwrap().units(total);
                    assert_eq!(
                        units.start, next,
                        "gap or overlap at {index}/{count} of {total}"
                    );
                    let len = units.end - units.start;
                    assert!(len == total / count || len == total / count + 1);
                    next = units.end;
                }
                assert_eq!(next, total, "{count} shards of {total} units");
            }
        }
    }

    #[test]
    fn huge_sweeps_do_not_overflow() {
        let shard = Shard::new(u64::MAX - 1, u64::MAX).unwrap();
        let units = shard.units(u64::MAX);
        assert_eq!(units.end, u64::MAX);
        assert!(units.start < units.end);
    }

    #[test]
    fn shard_text_is_k_of_n_or_auto() {
        assert_eq!(
            "3/10".parse::<ShardSpec>().unwrap(),
            ShardSpec::Fixed(Shard {
                index: 3,
                count: 10
            })
        );
        assert_eq!("auto".parse::<ShardSpec>().unwrap(), ShardSpec::Auto);
        for bad in ["", "3", "10/3", "3/0", "-1/4", "a/b", "1/2/3"] {
            let err = bad.parse::<ShardSpec>().unwrap_err().to_string();
            assert!(err.contains("shard"), "{bad}: {err}");
        }
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn auto_reads_a_slurm_array_task() {
        let env = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "5"),
        ]);
        let (shard, source) = resolve(ShardSpec::Auto, None, &env).unwrap();
        assert_eq!(
            (shard, source),
            (Shard { index: 2, count: 5 }, ShardSource::SlurmArray)
        );
        // An array counted from 1 (--array=1-5) still maps onto 0..5.
        let env = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ]);
        assert_eq!(
            resolve(ShardSpec::Auto, None, &env).unwrap().0,
            Shard { index: 4, count: 5 }
        );
        let env = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "5"),
        ]);
        let err = resolve(ShardSpec::Auto, Some(4), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--shards 4") && err.contains("SLURM_ARRAY_TASK_COUNT"),
            "{err}"
        );
        let env = env_of(&[("SLURM_ARRAY_TASK_ID", "2")]);
        let err = resolve(ShardSpec::Auto, None, &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SLURM_ARRAY_TASK_COUNT is not"), "{err}");
        let env = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "x"),
            ("SLURM_ARRAY_TASK_COUNT", "5"),
        ]);
        let err = resolve(ShardSpec::Auto, None, &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SLURM_ARRAY_TASK_ID=\"x\""), "{err}");
    }

    #[test]
    fn auto_reads_a_kubernetes_completion_index_with_shards() {
        let env = env_of(&[("JOB_COMPLETION_INDEX", "7")]);
        let (shard, source) = resolve(ShardSpec::Auto, Some(8), &env).unwrap();
        assert_eq!(
            (shard, source),
            (
                Shard { index: 7, count: 8 },
                ShardSource::KubernetesIndexedJob
            )
        );
        let err = resolve(ShardSpec::Auto, None, &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("add --shards N"), "{err}");
        let err = resolve(ShardSpec::Auto, Some(7), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("JOB_COMPLETION_INDEX 7 is not below --shards 7"),
            "{err}"
        );
    }

    #[test]
    fn auto_without_a_scheduler_says_what_to_set() {
        let err = resolve(ShardSpec::Auto, Some(4), env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SLURM_ARRAY_TASK_ID")
                && err.contains("JOB_COMPLETION_INDEX")
                && err.contains("--shard K/N"),
            "{err}"
        );
    }

    #[test]
    fn a_fixed_shard_must_agree_with_shards() {
        let spec = "1/4".parse::<ShardSpec>().unwrap();
        assert!(resolve(spec, Some(4), env_of(&[])).is_ok());
        assert!(resolve(spec, Some(3), env_of(&[])).is_err());
    }
}
