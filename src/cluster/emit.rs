//! Job files that run a sweep's shards through a cluster's own scheduler.
//!
//! - Slurm: `sweep.sbatch` (a job array, one task per shard), `merge.sbatch`
//!   and `submit.sh`, which submits the array and then the merge with
//!   `--dependency=afterok:<array>`;
//! - Kubernetes: `sweep.yaml` (a ConfigMap with the topology, a
//!   PersistentVolumeClaim for the parts, an Indexed Job), `merge.yaml` (the
//!   merge Job), `run.sh` (applies the first, waits for the Job to complete,
//!   applies the second) and a `Dockerfile` for the headless binary.
//!
//! Both copy the topology next to the job files byte for byte, so every shard
//! hashes the same bytes and the parts carry the sweep's identity.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{ClusterError, yaml};

/// The most a ConfigMap may hold (Kubernetes refuses larger ones).
pub const CONFIG_MAP_MAX_BYTES: usize = 1024 * 1024;
/// Memory asked per job when nothing was measured.
pub const DEFAULT_MEMORY_MIB: u64 = 512;

/// The Dockerfile that builds the headless binary (also at the repository's root).
pub const DOCKERFILE: &str = include_str!("../../Dockerfile");

/// What the job files need to know about the sweep.
#[derive(Debug, Clone)]
pub struct JobSpec {
    /// A name for the jobs (made safe for Slurm and Kubernetes by [`job_name`]).
    pub name: String,
    /// The topology file's bytes, copied next to the job files as `topology.json`.
    pub topology: Vec<u8>,
    /// The sweep's arguments after the topology file (`--scenario`, `--vary`, …),
    /// without `--out`, `--shard`, `--shards` or `--emit`.
    pub sweep_args: Vec<String>,
    pub shards: u64,
    /// Units of the whole sweep (points × replications).
    pub units: u64,
    /// Peak memory of a process that ran one unit, measured when emitting.
    pub measured_memory_bytes: Option<u64>,
    /// Wall-clock seconds that unit took.
    pub measured_unit_s: Option<f64>,
    /// Kubernetes: how many shards run at once.
    pub parallelism: u64,
    /// Kubernetes: the container image with archsim in it.
    pub image: String,
}

/// `text` as a name both schedulers accept (a DNS-1123 label, ≤ 40 characters
/// to leave room for suffixes): lowercase letters, digits and `-`.
pub fn job_name(text: &str) -> String {
    let mut name = String::from("archsim-");
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(40);
    let name = name.trim_end_matches('-');
    if name == "archsim" {
        "archsim-sweep".into()
    } else {
        name.into()
    }
}

/// Memory to ask per job: the measured peak plus a quarter, rounded up to 16 MiB, at least 64 MiB.
pub fn memory_request_mib(measured_bytes: Option<u64>) -> u64 {
    match measured_bytes {
        None => DEFAULT_MEMORY_MIB,
        Some(bytes) => {
            let mib = (bytes + bytes / 4).div_ceil(1024 * 1024);
            mib.div_ceil(16).saturating_mul(16).max(64)
        }
    }
}

/// `arg` quoted for a POSIX shell (unchanged when nothing in it is special).
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

fn shell_line(args: &[String]) -> String {
    args.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn measured_note(spec: &JobSpec) -> String {
    match (spec.measured_memory_bytes, spec.measured_unit_s) {
        (Some(bytes), Some(s)) => format!(
            "measured when emitting: one unit took {s:.2} s and a peak of {:.0} MiB",
            bytes as f64 / (1024.0 * 1024.0)
        ),
        (Some(bytes), None) => format!(
            "measured when emitting: a peak of {:.0} MiB for one unit",
            bytes as f64 / (1024.0 * 1024.0)
        ),
        _ => format!("not measured; {DEFAULT_MEMORY_MIB} MiB assumed"),
    }
}

/// Checks that `shards` jobs can split a sweep of `units` units (1 ≤ shards ≤ units).
pub fn check_shards(shards: u64, units: u64) -> Result<(), ClusterError> {
    if shards == 0 {
        return Err(ClusterError::Shard(
            "--shards must be at least 1 (one job per shard)".into(),
        ));
    }
    if shards > units {
        return Err(ClusterError::Shard(format!(
            "--shards {shards} is more than the sweep's {units} units (points × replications); \
             give at most {units} shards"
        )));
    }
    Ok(())
}

/// The Slurm job files: `(file name, contents)`.
pub fn slurm_files(spec: &JobSpec) -> Result<Vec<(String, Vec<u8>)>, ClusterError> {
    check_shards(spec.shards, spec.units)?;
    let name = job_name(&spec.name);
    let mem = memory_request_mib(spec.measured_memory_bytes);
    let per_shard = spec.units.div_ceil(spec.shards);
    let mut sweep = vec!["sweep".to_owned(), "topology.json".to_owned()];
    sweep.extend(spec.sweep_args.iter().cloned());
    sweep.extend(["--shard", "auto", "--out", "results/parts/"].map(String::from));
    let sbatch = format!(
        "#!/bin/sh
# archsim sweep in {shards} shards of at most {per_shard} units ({units} units in all):
# a Slurm job array, one task per shard, each writing results/parts/part-K-of-N.json.
# Submit with ./submit.sh, which also queues merge.sbatch to run once every task has
# succeeded (--dependency=afterok). The archsim on PATH runs, or set ARCHSIM=/path/to/archsim.
# Memory per task: {note}.
#SBATCH --job-name={name}
#SBATCH --array=0-{last}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem={mem}M
#SBATCH --output=results/logs/sweep_%A_%a.out
set -eu
exec \"${{ARCHSIM:-archsim}}\" {args}
",
        shards = spec.shards,
        units = spec.units,
        note = measured_note(spec),
        last = spec.shards - 1,
        args = shell_line(&sweep),
    );
    let merge = format!(
        "#!/bin/sh
# Merges the parts of the array job of sweep.sbatch into results/results.csv and
# results/results.json, byte-identical to the same sweep run on one machine.
# submit.sh queues it with --dependency=afterok on the array.
#SBATCH --job-name={name}-merge
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=256M
#SBATCH --output=results/logs/merge_%j.out
set -eu
\"${{ARCHSIM:-archsim}}\" sweep merge results/parts --out results/results.csv
\"${{ARCHSIM:-archsim}}\" sweep merge results/parts --out results/results.json
"
    );
    let submit = format!(
        "#!/bin/sh
# Submits the sweep's job array, then the merge to run once every task succeeded.
set -eu
cd \"$(dirname \"$0\")\"
mkdir -p results/parts results/logs
array=$(sbatch --parsable sweep.sbatch)
array=${{array%%;*}}
merge=$(sbatch --parsable --dependency=afterok:\"$array\" merge.sbatch)
merge=${{merge%%;*}}
echo \"submitted job array $array ({shards} tasks) and merge job $merge (after all succeed)\"
echo \"follow with: squeue -j $array,$merge   results: $(pwd)/results/results.csv\"
",
        shards = spec.shards,
    );
    Ok(vec![
        ("topology.json".into(), spec.topology.clone()),
        ("sweep.sbatch".into(), sbatch.into_bytes()),
        ("merge.sbatch".into(), merge.into_bytes()),
        ("submit.sh".into(), submit.into_bytes()),
    ])
}

/// The Kubernetes objects of `sweep.yaml` (ConfigMap, PersistentVolumeClaim,
/// Indexed Job) and of `merge.yaml` (the merge Job).
pub fn k8s_objects(spec: &JobSpec) -> Result<(Vec<Value>, Value), ClusterError> {
    check_shards(spec.shards, spec.units)?;
    if spec.parallelism == 0 {
        return Err(ClusterError::Shard(
            "--parallelism must be at least 1 (shards run at once)".into(),
        ));
    }
    let topology = String::from_utf8(spec.topology.clone()).map_err(|_| {
        ClusterError::Shard(
            "the topology file is not UTF-8 text; a ConfigMap holds text (save it as UTF-8)".into(),
        )
    })?;
    if topology.len() > CONFIG_MAP_MAX_BYTES - 4096 {
        return Err(ClusterError::Shard(format!(
            "the topology file is {} bytes; a Kubernetes ConfigMap holds at most 1 MiB. \
             Shorten the file (names, defaults) or build it into the image and change the path in sweep.yaml",
            topology.len()
        )));
    }
    let name = job_name(&spec.name);
    let mem = memory_request_mib(spec.measured_memory_bytes);
    let labels = json!({"app.kubernetes.io/name": "archsim", "archsim/sweep": name});
    let mut args = vec!["sweep".to_owned(), "/topology/topology.json".to_owned()];
    args.extend(spec.sweep_args.iter().cloned());
    args.extend([
        "--shard".to_owned(),
        "auto".to_owned(),
        "--shards".to_owned(),
        spec.shards.to_string(),
        "--out".to_owned(),
        "/results/parts/".to_owned(),
    ]);
    let volumes = json!([
        {"name": "topology", "configMap": {"name": format!("{name}-topology")}},
        {"name": "results", "persistentVolumeClaim": {"claimName": format!("{name}-results")}}
    ]);
    let config_map = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": format!("{name}-topology"), "labels": labels},
        "data": {"topology.json": topology}
    });
    let claim = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": format!("{name}-results"), "labels": labels},
        "spec": {
            // Every shard's pod writes its part, on whichever node it runs.
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": "1Gi"}}
        }
    });
    let job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "completionMode": "Indexed",
            "completions": spec.shards,
            "parallelism": spec.parallelism.min(spec.shards),
            "backoffLimit": 6,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{
                        "name": "shard",
                        "image": spec.image,
                        "command": ["archsim"],
                        "args": args,
                        "resources": {
                            "requests": {"cpu": "1", "memory": format!("{mem}Mi")},
                            "limits": {"memory": format!("{}Mi", mem * 2)}
                        },
                        "volumeMounts": [
                            {"name": "topology", "mountPath": "/topology", "readOnly": true},
                            {"name": "results", "mountPath": "/results"}
                        ]
                    }],
                    "volumes": volumes
                }
            }
        }
    });
    let merge = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": format!("{name}-merge"), "labels": labels},
        "spec": {
            "completions": 1,
            "backoffLimit": 2,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{
                        "name": "merge",
                        "image": spec.image,
                        "command": ["/bin/sh", "-c"],
                        "args": ["archsim sweep merge /results/parts --out /results/results.csv && \
                                  archsim sweep merge /results/parts --out /results/results.json"],
                        "resources": {
                            "requests": {"cpu": "1", "memory": "256Mi"},
                            "limits": {"memory": "512Mi"}
                        },
                        "volumeMounts": [{"name": "results", "mountPath": "/results"}]
                    }],
                    "volumes": [volumes[1].clone()]
                }
            }
        }
    });
    Ok((vec![config_map, claim, job], merge))
}

/// The Kubernetes files: `(file name, contents)`.
pub fn k8s_files(spec: &JobSpec) -> Result<Vec<(String, Vec<u8>)>, ClusterError> {
    let (sweep, merge) = k8s_objects(spec)?;
    let name = job_name(&spec.name);
    let head = format!(
        "# archsim sweep in {} shards ({} units): the topology as a ConfigMap, a volume for\n\
         # the parts, an Indexed Job running one shard per completion index.\n\
         # Memory per shard: {}.\n",
        spec.shards,
        spec.units,
        measured_note(spec)
    );
    let run = format!(
        "#!/bin/sh
# Runs the sweep on the cluster kubectl points at: the Indexed Job, then the merge
# Job once every index has completed. Build and push the image first (Dockerfile).
set -eu
cd \"$(dirname \"$0\")\"
kubectl apply -f sweep.yaml
kubectl wait --for=condition=complete --timeout=24h job/{name}
kubectl apply -f merge.yaml
kubectl wait --for=condition=complete --timeout=1h job/{name}-merge
echo \"merged: results.csv and results.json on the volume {name}-results\"
"
    );
    Ok(vec![
        (
            "sweep.yaml".into(),
            format!("{head}{}", yaml::documents(&sweep)).into_bytes(),
        ),
        (
            "merge.yaml".into(),
            format!(
                "# Merges the parts on the volume into results.csv and results.json.\n{}",
                yaml::documents(std::slice::from_ref(&merge))
            )
            .into_bytes(),
        ),
        ("run.sh".into(), run.into_bytes()),
        ("Dockerfile".into(), DOCKERFILE.as_bytes().to_vec()),
    ])
}

/// Writes `files` into `dir` (created if needed); shell scripts become executable.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, ClusterError> {
    std::fs::create_dir_all(dir).map_err(|source| ClusterError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        let io = |source| ClusterError::Io {
            path: path.clone(),
            source,
        };
        std::fs::write(&path, bytes).map_err(io)?;
        #[cfg(unix)]
        if name.ends_with(".sh") || name.ends_with(".sbatch") {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
        }
        written.push(path);
    }
    Ok(written)
}
