//! `archsim import` on the command line.

use std::process::{Command, Output};

use super::*;

fn archsim(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn writes_a_topology_file_and_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let manifests = fixture("online-boutique/kubernetes-manifests.yaml");
    let out = archsim(
        &[
            "import",
            manifests.to_str().unwrap(),
            "--out",
            "boutique.json",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Imported 12 services, 16 edges"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cartservice → redis-cart [medium]"),
        "{stderr}"
    );
    assert!(stderr.contains("REDIS_ADDR=redis-cart:6379"), "{stderr}");
    let topology = archsim::model::load_file(&dir.path().join("boutique.json")).unwrap();
    assert_eq!(topology.name, "kubernetes-manifests");
    assert_valid(&topology);
    assert_eq!(edges(&topology).len(), 16);
    // The evidence is saved in x-import keys and read back.
    let cart = service(&topology, "cartservice");
    let call = &cart.calls[0].calls()[0];
    let evidence = call.extensions[EXTENSION_KEY]["evidence"][0]
        .as_str()
        .unwrap();
    assert!(
        evidence.contains("REDIS_ADDR=redis-cart:6379"),
        "{evidence}"
    );
    assert_eq!(
        cart.extensions[EXTENSION_KEY]["sources"][0],
        "kubernetes-manifests.yaml"
    );
    assert!(topology.extensions[EXTENSION_KEY]["sources"].is_array());
}

#[test]
fn out_dash_prints_json_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let trace = fixture("hotrod/getTrace-response.json");
    let out = archsim(
        &["import", trace.to_str().unwrap(), "--out", "-", "--quiet"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let topology = archsim::model::from_json_str(&text(&out.stdout)).unwrap();
    assert_eq!(topology.services.len(), 6);
    assert!(
        text(&out.stderr).starts_with("imported 6 services, 5 edges"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn format_flag_overrides_detection() {
    let dir = tempfile::tempdir().unwrap();
    let trace = fixture("jaeger-ui-test-traces/genaiTestTrace.json");
    let out = archsim(
        &[
            "import",
            trace.to_str().unwrap(),
            "--format",
            "jaeger",
            "--out",
            "-",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = archsim(
        &[
            "import",
            trace.to_str().unwrap(),
            "--format",
            "otlp",
            "--out",
            "-",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("resourceSpans"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn refuses_to_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let compose = write(dir.path(), "compose.yaml", "services:\n  a: {image: x/a}\n");
    write(dir.path(), ".env", "X=1\n");
    let before = std::fs::read(&compose).unwrap();
    let out = archsim(
        &["import", "compose.yaml", "--out", "./compose.yaml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is one of the inputs"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&compose).unwrap(), before);
    // The .env read beside the compose file is an input too.
    let out = archsim(&["import", "compose.yaml", "--out", ".env"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".env")).unwrap(),
        "X=1\n"
    );
}

#[test]
fn malformed_input_exits_1_with_position() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.yaml", "services:\n  web: [\n");
    let out = archsim(&["import", "bad.yaml", "--out", "out.json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: bad.yaml:"), "{stderr}");
    assert!(!dir.path().join("out.json").exists());
}

#[test]
fn missing_out_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = archsim(&["import", "x.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--out"), "{}", text(&out.stderr));
}
