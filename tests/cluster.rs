//! Sharded sweeps: `--shard`, `sweep merge`, `--emit slurm|k8s`. The part
//! format and the merge's checks also have unit tests in `src/cluster/`;
//! here the shard assignment, the binary end to end (byte identity with the
//! unsharded sweep, `--shard auto` from each scheduler's environment, the
//! merge's refusals), and the Kubernetes manifests against the Kubernetes
//! API types.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use archsim::cluster::emit::{self, JobSpec};
use archsim::cluster::{Shard, ShardSpec};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim};
use serde_json::Value;

/// Deserialises `value` as `T` and serialises it back: any field the
/// Kubernetes types do not know (a typo, a field at the wrong level) is
/// dropped on the way and the comparison fails. k8s-openapi ignores unknown
/// fields, so this is how the test gets deny_unknown_fields strictness.
fn strict<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("not a valid {}: {e}\n{value:#}", std::any::type_name::<T>()));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        &back,
        value,
        "fields the Kubernetes API does not know were dropped from a {}",
        std::any::type_name::<T>()
    );
    typed
}

fn spec(shards: u64, parallelism: u64) -> JobSpec {
    JobSpec {
        name: "shop.json".into(),
        topology: std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/shop.json"))
            .unwrap(),
        sweep_args: vec![
            "--vary".into(),
            "load=0.5:1.5:0.5".into(),
            "--replications".into(),
            "3".into(),
        ],
        shards,
        units: 9,
        measured_memory_bytes: Some(100 * 1024 * 1024),
        measured_unit_s: Some(0.5),
        parallelism,
        image: "registry.example/archsim:0.1.0".into(),
    }
}

/// The YAML documents of an emitted file, as JSON values.
fn documents(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let (_, bytes) = files.iter().find(|(n, _)| n == name).unwrap();
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn k8s_manifests_are_valid_kubernetes_objects() {
    let spec = spec(3, 2);
    let files = emit::k8s_files(&spec).unwrap();
    let sweep = documents(file(&files, "sweep.yaml"));
    assert_eq!(sweep.len(), 3);
    let config_map: ConfigMap = strict(&sweep[0]);
    let claim: PersistentVolumeClaim = strict(&sweep[1]);
    let job: Job = strict(&sweep[2]);
    let merge: Job = strict(&documents(file(&files, "merge.yaml"))[0]);

    // The ConfigMap holds the topology byte for byte.
    let data = config_map.data.unwrap();
    assert_eq!(data["topology.json"].as_bytes(), &spec.topology[..]);

    // An Indexed Job, one completion per shard, at most `parallelism` at once.
    let job_spec = job.spec.unwrap();
    assert_eq!(job_spec.completion_mode.as_deref(), Some("Indexed"));
    assert_eq!(job_spec.completions, Some(3));
    assert_eq!(job_spec.parallelism, Some(2));
    let pod = job_spec.template.spec.unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("Never"));
    let container = &pod.containers[0];
    assert_eq!(
        container.image.as_deref(),
        Some("registry.example/archsim:0.1.0")
    );
    // Memory: the measured 100 MiB plus a quarter, rounded up to 16 MiB.
    let resources = container.resources.as_ref().unwrap();
    assert_eq!(resources.requests.as_ref().unwrap()["memory"].0, "128Mi");
    assert_eq!(resources.limits.as_ref().unwrap()["memory"].0, "256Mi");
    let args = container.args.clone().unwrap();
    assert!(
        args.windows(4)
            .any(|w| w == ["--shard", "auto", "--shards", "3"]),
        "{args:?}"
    );
    // The volumes are the ConfigMap and the claim of the same manifest.
    let volumes = pod.volumes.unwrap();
    let config_name = config_map.metadata.name.unwrap();
    let claim_name = claim.metadata.name.unwrap();
    assert!(
        volumes
            .iter()
            .any(|v| v.config_map.as_ref().is_some_and(|c| c.name == config_name))
    );
    assert!(volumes.iter().any(|v| {
        v.persistent_volume_claim
            .as_ref()
            .is_some_and(|c| c.claim_name == claim_name)
    }));
    let mounts = container.volume_mounts.clone().unwrap();
    for mount in &mounts {
        assert!(volumes.iter().any(|v| v.name == mount.name), "{mount:?}");
    }
    // The merge Job reads the same claim.
    let merge_pod = merge.spec.unwrap().template.spec.unwrap();
    assert!(merge_pod.volumes.unwrap().iter().any(|v| {
        v.persistent_volume_claim
            .as_ref()
            .is_some_and(|c| c.claim_name == claim_name)
    }));
    assert!(claim.spec.unwrap().access_modes.unwrap() == ["ReadWriteMany"]);
}

#[test]
fn emit_refuses_more_shards_than_units_and_oversized_config_maps() {
    let err = emit::k8s_files(&spec(10, 1)).unwrap_err().to_string();
    assert!(err.contains("more than the sweep's 9 units"), "{err}");
    let err = emit::slurm_files(&spec(0, 1)).unwrap_err().to_string();
    assert!(err.contains("at least 1"), "{err}");
    let mut big = spec(3, 1);
    big.topology = vec![b' '; 2 * 1024 * 1024];
    let err = emit::k8s_files(&big).unwrap_err().to_string();
    assert!(err.contains("at most 1 MiB"), "{err}");
}

#[test]
fn slurm_script_asks_for_an_array_of_one_task_per_shard() {
    let files = emit::slurm_files(&spec(3, 1)).unwrap();
    let sbatch = file(&files, "sweep.sbatch");
    assert!(sbatch.contains("#SBATCH --array=0-2\n"), "{sbatch}");
    assert!(sbatch.contains("#SBATCH --mem=128M\n"), "{sbatch}");
    assert!(
        sbatch.contains("--shard auto --out results/parts/"),
        "{sbatch}"
    );
    let submit = file(&files, "submit.sh");
    assert!(submit.contains("--dependency=afterok:"), "{submit}");
    assert_eq!(
        file(&files, "topology.json").as_bytes(),
        &spec(3, 1).topology[..]
    );
}

#[test]
fn shards_cover_every_unit_exactly_once_for_many_k_and_n() {
    for total in [0_u64, 1, 2, 3, 5, 9, 10, 64, 97, 1000, 12_345] {
        for count in 1..=64 {
            let mut seen = vec![0_u8; total as usize];
            let mut sizes = Vec::new();
            for index in 0..count {
                let units = Shard::new(index, count).unwrap().units(total);
                sizes.push(units.end - units.start);
                for unit in units {
                    seen[unit as usize] += 1;
                }
            }
            assert!(
                seen.iter().all(|&n| n == 1),
                "{count} shards of {total} units: a unit is missing or run twice"
            );
            // Balanced: sizes differ by at most one.
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(max - min <= 1, "{count} shards of {total}: {sizes:?}");
        }
    }
    assert!("4/4".parse::<ShardSpec>().is_err());
    assert!("0/0".parse::<ShardSpec>().is_err());
}

/// The scheduler variables that `--shard auto` reads.
const SCHEDULER_VARS: [&str; 4] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "JOB_COMPLETION_INDEX",
];

/// Runs `archsim` from the repository's root with exactly the scheduler
/// variables `env` (whatever the test process has).
fn archsim_env(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_archsim"));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for name in SCHEDULER_VARS {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("archsim runs")
}

fn archsim(args: &[&str]) -> Output {
    archsim_env(args, &[])
}

fn ok(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn failed(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small sweep of three-tier: 3 points × 3 replications = 9 units, 5
/// simulated seconds after the warm-up each.
const SWEEP: [&str; 10] = [
    "sweep",
    "scenarios/three-tier.json",
    "--duration-s",
    "25",
    "--vary",
    "load=0.5:1.5:0.5",
    "--replications",
    "3",
    "--jobs",
    "2",
];

fn sweep_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args: Vec<&str> = SWEEP.to_vec();
    args.extend_from_slice(extra);
    args
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn parts_in(dir: &Path) -> Vec<PathBuf> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    parts
}

#[test]
fn merged_shards_are_byte_identical_to_the_unsharded_sweep_from_each_scheduler() {
    let dir = tempfile::tempdir().unwrap();
    let whole_csv = dir.path().join("whole.csv");
    let whole_json = dir.path().join("whole.json");
    ok(&archsim(&sweep_args(&["--out", path(&whole_csv)])));
    ok(&archsim(&sweep_args(&["--out", path(&whole_json)])));

    // A Slurm array of 4 tasks: 9 units split 2, 2, 2, 3, so points span parts.
    let slurm = dir.path().join("slurm");
    for task in 0..4 {
        let stdout = ok(&archsim_env(
            &sweep_args(&["--shard", "auto", "--out", path(&slurm)]),
            &[
                ("SLURM_ARRAY_TASK_ID", task.to_string()),
                ("SLURM_ARRAY_TASK_COUNT", "4".into()),
            ],
        ));
        assert!(
            stdout.contains(&format!("shard {task}/4 (from SLURM_ARRAY_TASK_ID")),
            "{stdout}"
        );
    }
    // A Kubernetes Indexed Job of 3 completions, and fixed shards of 9 (one unit each).
    let k8s = dir.path().join("k8s");
    for index in 0..3 {
        ok(&archsim_env(
            &sweep_args(&["--shard", "auto", "--shards", "3", "--out", path(&k8s)]),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        ));
    }
    let fixed = dir.path().join("fixed");
    for k in 0..9 {
        let shard = format!("{k}/9");
        ok(&archsim(&sweep_args(&[
            "--shard",
            &shard,
            "--out",
            path(&fixed),
        ])));
    }
    assert_eq!(parts_in(&slurm).len(), 4);
    let whole_csv = std::fs::read(&whole_csv).unwrap();
    let whole_json = std::fs::read(&whole_json).unwrap();
    for parts in [&slurm, &k8s, &fixed] {
        let csv = dir.path().join("merged.csv");
        let json = dir.path().join("merged.json");
        let stdout = ok(&archsim(&[
            "sweep",
            "merge",
            path(parts),
            "--out",
            path(&csv),
        ]));
        assert!(stdout.contains("(3 points, 9 units)"), "{stdout}");
        // Parts named one by one, in any order, merge the same.
        let mut files = parts_in(parts);
        files.reverse();
        let mut args = vec!["sweep", "merge"];
        args.extend(files.iter().map(|p| path(p)));
        args.extend(["--out", path(&json)]);
        ok(&archsim(&args));
        assert!(
            std::fs::read(&csv).unwrap() == whole_csv,
            "{}: the merged CSV differs from the unsharded one",
            parts.display()
        );
        assert!(
            std::fs::read(&json).unwrap() == whole_json,
            "{}: the merged JSON differs from the unsharded one",
            parts.display()
        );
    }
    // Replications > 1: the CSV has interval columns.
    let text = String::from_utf8(whole_csv).unwrap();
    assert!(text.contains("latency_ms.p99.lo"), "{text}");
}

#[test]
fn shard_auto_without_a_scheduler_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let err = failed(&archsim(&sweep_args(&[
        "--shard",
        "auto",
        "--out",
        path(dir.path()),
    ])));
    assert!(
        err.contains("SLURM_ARRAY_TASK_ID")
            && err.contains("JOB_COMPLETION_INDEX")
            && err.contains("--shard K/N"),
        "{err}"
    );
    let err = failed(&archsim_env(
        &sweep_args(&["--shard", "auto", "--out", path(dir.path())]),
        &[("JOB_COMPLETION_INDEX", "1".into())],
    ));
    assert!(err.contains("add --shards N"), "{err}");
    let err = failed(&archsim(&sweep_args(&[
        "--shard",
        "9/9",
        "--out",
        path(dir.path()),
    ])));
    assert!(err.contains("shards are numbered 0 to 8"), "{err}");
    assert!(parts_in(dir.path()).is_empty());
}

/// A tiny sweep (2 points × 1 replication) in `shards` shards into `out`, with `seed`.
fn tiny_parts(out: &Path, shards: u64, seed: &str) {
    for k in 0..shards {
        let shard = format!("{k}/{shards}");
        ok(&archsim(&[
            "sweep",
            "scenarios/three-tier.json",
            "--duration-s",
            "21",
            "--seed",
            seed,
            "--vary",
            "load=1,2",
            "--shard",
            &shard,
            "--out",
            path(out),
        ]));
    }
}

#[test]
fn merge_refuses_missing_duplicated_and_foreign_parts_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    tiny_parts(&a, 2, "1");
    tiny_parts(&b, 2, "2");
    let out = dir.path().join("merged.csv");
    let a_parts = parts_in(&a);
    let b_parts = parts_in(&b);

    let err = failed(&archsim(&[
        "sweep",
        "merge",
        path(&a_parts[0]),
        "--out",
        path(&out),
    ]));
    assert!(
        err.contains("1 shard(s) of 2 missing: 1") && err.contains("--shard K/2"),
        "{err}"
    );
    let err = failed(&archsim(&[
        "sweep",
        "merge",
        path(&a),
        path(&a_parts[1]),
        "--out",
        path(&out),
    ]));
    assert!(
        err.contains("1 shard(s) given more than once: shard 1 (")
            && err.contains(path(&a_parts[1])),
        "{err}"
    );
    let err = failed(&archsim(&[
        "sweep",
        "merge",
        path(&a_parts[0]),
        path(&b_parts[1]),
        "--out",
        path(&out),
    ]));
    assert!(
        err.contains("belong to 2 different sweeps") && err.contains(path(&b_parts[1])),
        "{err}"
    );
    let err = failed(&archsim(&["sweep", "merge", path(&a), "--out", "x.txt"]));
    assert!(err.contains("*.csv or *.json"), "{err}");
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
    // The whole sweep merges.
    ok(&archsim(&["sweep", "merge", path(&a), "--out", path(&out)]));
    assert!(out.exists());
}

#[test]
fn emit_writes_slurm_and_kubernetes_job_files_for_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let slurm = dir.path().join("slurm");
    let stdout = ok(&archsim(&sweep_args(&[
        "--emit",
        "slurm",
        "--shards",
        "4",
        "--out",
        path(&slurm),
    ])));
    assert!(stdout.contains("submit.sh"), "{stdout}");
    let sbatch = std::fs::read_to_string(slurm.join("sweep.sbatch")).unwrap();
    assert!(sbatch.contains("#SBATCH --array=0-3\n"), "{sbatch}");
    assert!(
        sbatch.contains("--vary load=0.5:1.5:0.5 --replications 3"),
        "{sbatch}"
    );
    let submit = std::fs::read_to_string(slurm.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:"), "{submit}");
    assert_eq!(
        std::fs::read(slurm.join("topology.json")).unwrap(),
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/three-tier.json"
        ))
        .unwrap()
    );

    let k8s = dir.path().join("k8s");
    ok(&archsim(&sweep_args(&[
        "--emit",
        "k8s",
        "--shards",
        "3",
        "--parallelism",
        "2",
        "--out",
        path(&k8s),
    ])));
    let sweep = documents(&std::fs::read_to_string(k8s.join("sweep.yaml")).unwrap());
    let job: Job = strict(&sweep[2]);
    let spec = job.spec.unwrap();
    assert_eq!((spec.completions, spec.parallelism), (Some(3), Some(2)));
    let container = &spec.template.spec.unwrap().containers[0];
    // The request is sized from the unit measured when emitting.
    let memory = &container
        .resources
        .as_ref()
        .unwrap()
        .requests
        .as_ref()
        .unwrap()["memory"]
        .0;
    assert!(memory.ends_with("Mi") && memory != "512Mi", "{memory}");
    strict::<Job>(&documents(&std::fs::read_to_string(k8s.join("merge.yaml")).unwrap())[0]);
    assert!(k8s.join("Dockerfile").exists() && k8s.join("run.sh").exists());

    let err = failed(&archsim(&sweep_args(&[
        "--emit",
        "slurm",
        "--shards",
        "10",
        "--out",
        path(&slurm),
    ])));
    assert!(err.contains("more than the sweep's 9 units"), "{err}");
}

/// A one-service topology whose runs take a few milliseconds, for the
/// merge measurement.
const TINY: &str = r#"{
  "name": "tiny",
  "services": [{"name": "api", "workers": 2, "service_time": {"dist": "exponential", "mean_ms": 5}}],
  "workload": [{"name": "get", "to": "api", "rate_rps": 50}],
  "scenarios": [{"name": "short", "duration_s": 3, "warmup_s": 1, "seed": 3}]
}"#;

/// Measures `sweep merge` on 10,000 parts against 100 parts of the same
/// sweep (100 points × 100 replications, one unit per part), and checks
/// both merges byte for byte against the unsharded sweep. Not in the normal
/// suite (it writes 10,100 files); the figures in docs/scale-out.md come
/// from `scripts/measure-scale-out.sh`, which runs it:
/// `cargo test --release --test integration measure_merge -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: writes 10,100 part files"]
fn measure_merge_of_10000_parts() {
    use archsim::cluster::sweep::{SweepRecipe, run_shard};
    use archsim::experiment::sweep::Sweep;
    use archsim::experiment::{Control, Plan, ScenarioChoice};
    use std::sync::atomic::AtomicBool;
    use std::time::Instant;

    let dir = tempfile::tempdir().unwrap();
    let topology = dir.path().join("tiny.json");
    std::fs::write(&topology, TINY).unwrap();
    let vary = vec!["load=0.01:1:0.01".to_owned()];
    let choice = ScenarioChoice::default();
    let plan = Plan {
        jobs: 1,
        ..Plan::new(100)
    };
    let checked = archsim::model::load_checked_str(TINY, "tiny.json").unwrap();
    let sweep = Sweep::new(&checked, choice.clone(), &vary, plan).unwrap();
    assert_eq!(sweep.unit_count(), 10_000);
    let recipe = SweepRecipe::new(path(&topology), &choice, &vary, &plan);
    let cancel = AtomicBool::new(false);
    let control = Control {
        cancel: &cancel,
        on_run_done: &|| {},
    };
    let whole = dir.path().join("whole.csv");
    let started = Instant::now();
    ok(&archsim(&[
        "sweep",
        path(&topology),
        "--vary",
        &vary[0],
        "--replications",
        "100",
        "--jobs",
        "1",
        "--out",
        path(&whole),
    ]));
    let unsharded_s = started.elapsed().as_secs_f64();
    for shards in [100_u64, 10_000] {
        let parts = dir.path().join(format!("parts-{shards}"));
        let started = Instant::now();
        for k in 0..shards {
            run_shard(
                &sweep,
                &recipe,
                TINY,
                Shard::new(k, shards).unwrap(),
                &parts,
                control,
            )
            .unwrap();
        }
        let write_s = started.elapsed().as_secs_f64();
        let bytes: u64 = parts_in(&parts)
            .iter()
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum();
        let merged = dir.path().join(format!("merged-{shards}.csv"));
        let started = Instant::now();
        let stdout = ok(&archsim(&[
            "sweep",
            "merge",
            path(&parts),
            "--out",
            path(&merged),
        ]));
        let merge_s = started.elapsed().as_secs_f64();
        assert!(std::fs::read(&merged).unwrap() == std::fs::read(&whole).unwrap());
        println!(
            "measure: {shards} parts ({:.1} MB in all) written in {write_s:.1} s; merge took {merge_s:.2} s \
             wall-clock: {}",
            bytes as f64 / 1e6,
            stdout.trim()
        );
    }
    println!("measure: the same 10,000 units unsharded (--jobs 1) took {unsharded_s:.1} s");
}
