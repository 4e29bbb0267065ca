//! `archsim sweep merge`: check that parts make up one whole sweep, then hand
//! its points over in order.
//!
//! [`MergePlan::check`] reads only the parts' headers (a few hundred bytes
//! each) and refuses parts of different sweeps, missing and duplicated shards,
//! naming them. [`MergePlan::stream`] then reads the parts in shard order, one
//! unit at a time, and hands each point's unit results to the caller as soon
//! as the point is complete: memory holds one point, whatever the number of
//! parts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::part::{PartHeader, read_header, read_units};
use super::{ClusterError, Shard};

/// What the merge keeps of one part: where it is and what it holds.
#[derive(Debug, Clone)]
struct PartEntry {
    path: PathBuf,
    shard: Shard,
}

/// Parts checked to make up one whole sweep, in shard order.
#[derive(Debug)]
pub struct MergePlan {
    first: PartHeader,
    parts: Vec<PartEntry>,
}

/// What a merge went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeStats {
    pub parts: u64,
    pub points: u64,
    pub units: u64,
}

/// The part files named by `args`: files as given, directories replaced by
/// the `*.json` files in them (sorted by name).
pub fn part_files(args: &[PathBuf]) -> Result<Vec<PathBuf>, ClusterError> {
    let mut files = Vec::with_capacity(args.len());
    for arg in args {
        if arg.is_dir() {
            let io = |source| ClusterError::Io {
                path: arg.clone(),
                source,
            };
            let mut found = Vec::new();
            for entry in std::fs::read_dir(arg).map_err(io)? {
                let path = entry.map_err(io)?.path();
                if path.extension().is_some_and(|e| e == "json") && path.is_file() {
                    found.push(path);
                }
            }
            if found.is_empty() {
                return Err(ClusterError::Merge(format!(
                    "{}: the folder holds no part (*.json); give the part files or the folder the shards wrote to",
                    arg.display()
                )));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(arg.clone());
        }
    }
    if files.is_empty() {
        return Err(ClusterError::Merge(
            "no part to merge; give the part files (results/parts/*.json) or their folder".into(),
        ));
    }
    Ok(files)
}

impl MergePlan {
    /// Reads the headers of `files` and checks that they are the parts of one
    /// sweep, every shard exactly once.
    pub fn check(files: &[PathBuf]) -> Result<Self, ClusterError> {
        let mut first: Option<PartHeader> = None;
        // identity → (parts, first file), to name the sweeps when they differ.
        let mut sweeps: BTreeMap<String, (u64, PathBuf, String)> = BTreeMap::new();
        let mut counts: BTreeMap<u64, PathBuf> = BTreeMap::new();
        let mut parts = Vec::with_capacity(files.len());
        for path in files {
            let header = read_header(path)?;
            let expected = header.shard.units(header.units.total);
            if header.units.replications == 0
                || header.units.total % header.units.replications != 0
                || (header.units.start..header.units.end) != expected
            {
                return Err(ClusterError::Part {
                    path: path.clone(),
                    message: format!(
                        "its header is inconsistent: shard {} of a sweep of {} units ({} per point) \
                         holds units {}..{}, not {}..{}; the file was edited",
                        header.shard,
                        header.units.total,
                        header.units.replications,
                        header.units.start,
                        header.units.end,
                        expected.start,
                        expected.end
                    ),
                });
            }
            sweeps
                .entry(header.identity.clone())
                .or_insert_with(|| (0, path.clone(), header.archsim_version.clone()))
                .0 += 1;
            counts
                .entry(header.shard.count)
                .or_insert_with(|| path.clone());
            parts.push(PartEntry {
                path: path.clone(),
                shard: header.shard,
            });
            // Keep shard 0's header: it alone may carry more (the topology).
            if first.is_none() || header.shard.index == 0 {
                first = Some(header);
            }
        }
        let Some(first) = first else {
            return Err(ClusterError::Merge(
                "no part to merge; give the part files (results/parts/*.json) or their folder"
                    .into(),
            ));
        };
        if sweeps.len() > 1 {
            let list: Vec<String> = sweeps
                .iter()
                .map(|(identity, (n, path, version))| {
                    format!(
                        "{n} part(s) of sweep {} (archsim {version}), e.g. {}",
                        &identity[..identity.len().min(12)],
                        path.display()
                    )
                })
                .collect();
            return Err(ClusterError::Merge(format!(
                "the parts belong to {} different sweeps (another topology file, scenario, --vary, \
                 seed, replications or archsim version):\n  {}\nmerge the parts of one sweep only",
                sweeps.len(),
                list.join("\n  ")
            )));
        }
        if counts.len() > 1 {
            let list: Vec<String> = counts
                .iter()
                .map(|(n, path)| format!("{n} shards (e.g. {})", path.display()))
                .collect();
            return Err(ClusterError::Merge(format!(
                "the parts were written for different numbers of shards: {}; \
                 merge the parts of one sharding only",
                list.join(", ")
            )));
        }
        parts.sort_by_key(|part| part.shard.index);
        let count = first.shard.count;
        let mut duplicated = Vec::new();
        let mut missing = Vec::new();
        let mut next = 0_u64;
        let mut i = 0;
        while i < parts.len() {
            let index = parts[i].shard.index;
            if index > next {
                missing.push(next..index);
            }
            let mut j = i + 1;
            while j < parts.len() && parts[j].shard.index == index {
                j += 1;
            }
            if j - i > 1 {
                let names: Vec<String> = parts[i..j]
                    .iter()
                    .map(|p| p.path.display().to_string())
                    .collect();
                duplicated.push(format!("shard {index} ({})", names.join(", ")));
            }
            next = index + 1;
            i = j;
        }
        if next < count {
            missing.push(next..count);
        }
        if !missing.is_empty() || !duplicated.is_empty() {
            let mut problems = Vec::new();
            if !missing.is_empty() {
                let shards: Vec<String> = missing
                    .iter()
                    .take(20)
                    .map(|r| {
                        if r.end - r.start == 1 {
                            r.start.to_string()
                        } else {
                            format!("{}-{}", r.start, r.end - 1)
                        }
                    })
                    .collect();
                let more = if missing.len() > 20 { ", …" } else { "" };
                let n: u64 = missing.iter().map(|r| r.end - r.start).sum();
                problems.push(format!(
                    "{n} shard(s) of {count} missing: {}{more}; run them (--shard K/{count}) and merge again",
                    shards.join(", ")
                ));
            }
            if !duplicated.is_empty() {
                let more = if duplicated.len() > 20 { "; …" } else { "" };
                problems.push(format!(
                    "{} shard(s) given more than once: {}{more}; give each shard's part once",
                    duplicated.len(),
                    duplicated
                        .iter()
                        .take(20)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            return Err(ClusterError::Merge(format!(
                "the parts are not one whole sweep:\n  {}",
                problems.join("\n  ")
            )));
        }
        Ok(Self { first, parts })
    }

    /// The header of shard 0: the sweep's identity and description.
    pub fn header(&self) -> &PartHeader {
        &self.first
    }

    /// Reads the parts in shard order and calls `on_point(point, units)` with
    /// each point's unit results (replications in order) as soon as it is complete.
    pub fn stream<U: DeserializeOwned>(
        &self,
        mut on_point: impl FnMut(u64, Vec<U>) -> Result<(), ClusterError>,
    ) -> Result<MergeStats, ClusterError> {
        let replications = self.first.units.replications;
        let per_point = usize::try_from(replications).map_err(|_| {
            ClusterError::Merge(format!("{replications} replications per point is too many"))
        })?;
        let mut point = 0_u64;
        let mut units = 0_u64;
        let mut buffer: Vec<U> = Vec::with_capacity(per_point.min(1024));
        for part in &self.parts {
            let identity = &self.first.identity;
            read_units(
                &part.path,
                |header| same_sweep(&part.path, header, identity, part.shard),
                |unit: U| {
                    buffer.push(unit);
                    units += 1;
                    if buffer.len() == per_point {
                        let full =
                            std::mem::replace(&mut buffer, Vec::with_capacity(per_point.min(1024)));
                        on_point(point, full)?;
                        point += 1;
                    }
                    Ok(())
                },
            )?;
        }
        if !buffer.is_empty() || units != self.first.units.total {
            return Err(ClusterError::Merge(format!(
                "the parts hold {units} unit results where the sweep has {}; a part changed while merging",
                self.first.units.total
            )));
        }
        Ok(MergeStats {
            parts: self.parts.len() as u64,
            points: point,
            units,
        })
    }
}

/// Refuses a part whose header changed since [`MergePlan::check`] read it.
fn same_sweep(
    path: &Path,
    header: &PartHeader,
    identity: &str,
    shard: Shard,
) -> Result<(), ClusterError> {
    if header.identity != identity || header.shard != shard {
        return Err(ClusterError::Part {
            path: path.to_owned(),
            message: "the part changed while merging (another sweep or shard now); merge again"
                .into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{IdentityBuilder, PartHeader, PartWriter, part_path};

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Unit {
        unit: u64,
        value: f64,
    }

    fn identity(name: &str) -> String {
        let mut builder = IdentityBuilder::new();
        builder.add("sweep", name.as_bytes());
        builder.finish()
    }

    /// Writes the parts of `shards` of a sweep of `points` × `reps` units into `dir`.
    fn write_parts(
        dir: &Path,
        sweep: &str,
        points: u64,
        reps: u64,
        count: u64,
        shards: impl IntoIterator<Item = u64>,
    ) -> Vec<PathBuf> {
        shards
            .into_iter()
            .map(|index| {
                let shard = Shard::new(index, count).unwrap();
                let header = PartHeader::new(
                    identity(sweep),
                    shard,
                    points,
                    reps,
                    serde_json::json!({"sweep": sweep}),
                )
                .unwrap();
                let mut writer = PartWriter::create(&part_path(dir, shard), &header).unwrap();
                for unit in header.units.start..header.units.end {
                    // A value whose shortest decimal form is long: f64 must round-trip.
                    writer
                        .push(&Unit {
                            unit,
                            value: (unit as f64 + 0.1) / 3.0,
                        })
                        .unwrap();
                }
                writer.finish().unwrap()
            })
            .collect()
    }

    fn merge_all(files: &[PathBuf]) -> Result<Vec<(u64, Vec<Unit>)>, ClusterError> {
        let plan = MergePlan::check(files)?;
        let mut points = Vec::new();
        plan.stream(|point, units: Vec<Unit>| {
            points.push((point, units));
            Ok(())
        })?;
        Ok(points)
    }

    #[test]
    fn parts_in_any_order_merge_into_points_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = write_parts(dir.path(), "a", 7, 3, 5, 0..5);
        files.reverse();
        let points = merge_all(&files).unwrap();
        assert_eq!(points.len(), 7);
        for (i, (point, units)) in points.iter().enumerate() {
            assert_eq!(*point, i as u64);
            let expected: Vec<u64> = (i as u64 * 3..i as u64 * 3 + 3).collect();
            assert_eq!(units.iter().map(|u| u.unit).collect::<Vec<_>>(), expected);
            for u in units {
                assert_eq!(u.value.to_bits(), ((u.unit as f64 + 0.1) / 3.0).to_bits());
            }
        }
        // A folder stands for the parts in it.
        let from_dir = part_files(&[dir.path().to_owned()]).unwrap();
        assert_eq!(merge_all(&from_dir).unwrap(), points);
    }

    #[test]
    fn more_shards_than_units_leaves_empty_parts_that_still_count() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_parts(dir.path(), "a", 2, 1, 5, 0..5);
        assert_eq!(merge_all(&files).unwrap().len(), 2);
        let err = merge_all(&files[..4]).unwrap_err().to_string();
        assert!(err.contains("missing: 4"), "{err}");
    }

    #[test]
    fn merge_names_missing_shards() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_parts(dir.path(), "a", 10, 2, 10, [0, 1, 4, 8]);
        let err = merge_all(&files).unwrap_err().to_string();
        assert!(
            err.contains("6 shard(s) of 10 missing: 2-3, 5-7, 9") && err.contains("--shard K/10"),
            "{err}"
        );
    }

    #[test]
    fn merge_names_duplicated_shards_and_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let mut files = write_parts(dir.path(), "a", 4, 2, 4, 0..4);
        files.extend(write_parts(other.path(), "a", 4, 2, 4, [2]));
        let err = merge_all(&files).unwrap_err().to_string();
        assert!(
            err.contains("1 shard(s) given more than once: shard 2 ("),
            "{err}"
        );
        assert!(err.contains(&files[4].display().to_string()), "{err}");
        assert!(!err.contains("missing"), "{err}");
    }

    #[test]
    fn merge_refuses_parts_of_different_sweeps() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let mut files = write_parts(dir.path(), "a", 4, 2, 4, [0, 1, 3]);
        files.extend(write_parts(other.path(), "b", 4, 2, 4, [2]));
        let err = merge_all(&files).unwrap_err().to_string();
        assert!(
            err.contains("belong to 2 different sweeps")
                && err.contains("3 part(s) of sweep")
                && err.contains("1 part(s) of sweep")
                && err.contains(&files[3].display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn merge_refuses_parts_of_different_shard_counts() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let mut files = write_parts(dir.path(), "a", 4, 2, 2, [0]);
        files.extend(write_parts(other.path(), "a", 4, 2, 4, [2, 3]));
        let err = merge_all(&files).unwrap_err().to_string();
        assert!(
            err.contains("different numbers of shards: 2 shards"),
            "{err}"
        );
    }

    #[test]
    fn a_cut_short_or_foreign_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_parts(dir.path(), "a", 4, 2, 2, 0..2);
        let text = std::fs::read_to_string(&files[1]).unwrap();
        // Cut inside the results: the header still reads, the stream does not.
        std::fs::write(&files[1], &text[..text.len() - 40]).unwrap();
        let err = merge_all(&files).unwrap_err().to_string();
        assert!(
            err.starts_with(&files[1].display().to_string()) && err.contains("not a whole"),
            "{err}"
        );
        // One unit fewer, still valid JSON: the count gives it away.
        let cut = text.replacen(
            &text[text.find("\n{").unwrap()..text.find(",\n{").unwrap() + 1],
            "",
            1,
        );
        std::fs::write(&files[1], cut).unwrap();
        let err = merge_all(&files).unwrap_err().to_string();
        assert!(
            err.contains("holds 3 unit results where its header says 4"),
            "{err}"
        );
        std::fs::write(&files[1], "{\"name\": \"shop\"}").unwrap();
        let err = merge_all(&files).unwrap_err().to_string();
        assert!(err.contains("unknown key \"name\""), "{err}");
        let err = merge_all(&[dir.path().join("nope.json")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope.json"), "{err}");
    }

    #[test]
    fn a_failing_writer_stops_the_merge_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_parts(dir.path(), "a", 4, 1, 2, 0..2);
        let plan = MergePlan::check(&files).unwrap();
        let err = plan
            .stream(|point, _: Vec<Unit>| {
                if point == 2 {
                    Err(ClusterError::Output("disk full".into()))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }

    #[test]
    fn part_names_sort_in_shard_order() {
        let name = |k, n| {
            part_path(Path::new("parts"), Shard::new(k, n).unwrap())
                .display()
                .to_string()
        };
        assert_eq!(name(3, 10), "parts/part-00003-of-00010.json");
        assert_eq!(name(3, 1_000_000), "parts/part-0000003-of-1000000.json");
        assert_eq!(
            part_path(Path::new("x/mine.json"), Shard::new(0, 2).unwrap()),
            Path::new("x/mine.json")
        );
    }
}
