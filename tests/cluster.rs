//! Sharded sweeps: `--shard`, `sweep merge`, `--emit slurm|k8s`. The shard
//! assignment, part format and merge checks have unit tests in
//! `src/cluster/`; here the binary end to end, and the Kubernetes manifest
//! against the Kubernetes API types.

use archsim::cluster::emit::{self, JobSpec};
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
