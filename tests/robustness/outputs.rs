//! No command writes over one of its inputs, whatever the path's spelling,
//! a symbolic link or a hard link; what is written replaces the old file
//! whole.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::cli::archsim;

/// Asserts that `output` is a refusal (`what` names the attempt) whose
/// message contains `message`.
fn refused(output: &Output, what: &str, message: &str) {
    assert_ne!(output.status.code(), Some(0), "{what}");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains(message), "{what}: {err}");
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).expect("reads")
}

/// A copy of a small example in a fresh folder, with other names for it:
/// the same path spelled differently, a symbolic link and a hard link.
struct Input {
    _dir: tempfile::TempDir,
    file: PathBuf,
    aliases: Vec<PathBuf>,
    original: String,
}

fn input() -> Input {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = text(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/three-tier.json"
    )));
    let file = dir.path().join("topology.json");
    std::fs::write(&file, &original).expect("writes");
    let mut aliases = vec![dir.path().join(".").join("topology.json")];
    let hard = dir.path().join("hard.json");
    std::fs::hard_link(&file, &hard).expect("hard link");
    aliases.push(hard);
    #[cfg(unix)]
    {
        let soft = dir.path().join("soft.json");
        std::os::unix::fs::symlink("topology.json", &soft).expect("symlink");
        aliases.push(soft);
    }
    Input {
        _dir: dir,
        file,
        aliases,
        original,
    }
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn run_json_refuses_to_write_over_its_input() {
    let input = input();
    for alias in &input.aliases {
        let output = archsim(&[
            "run",
            s(&input.file),
            "--duration-s",
            "30",
            "--json",
            s(alias),
        ]);
        refused(
            &output,
            &format!("--json {}", alias.display()),
            "input file",
        );
        assert_eq!(
            text(&input.file),
            input.original,
            "--json {}",
            alias.display()
        );
    }
}

#[test]
fn run_json_writes_a_new_file_whole() {
    let input = input();
    let out = input.file.with_file_name("summary.json");
    let output = archsim(&[
        "run",
        s(&input.file),
        "--duration-s",
        "30",
        "--json",
        s(&out),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(&text(&out)).expect("JSON");
    assert!(summary.get("entrypoints").is_some());
}

#[test]
fn import_out_refuses_to_write_over_its_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let compose = dir.path().join("compose.yaml");
    let original =
        "services:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    image: postgres\n";
    std::fs::write(&compose, original).expect("writes");
    let hard = dir.path().join("hard.yaml");
    std::fs::hard_link(&compose, &hard).expect("hard link");
    for out in [
        compose.clone(),
        hard,
        dir.path().join(".").join("compose.yaml"),
    ] {
        let output = archsim(&["import", s(&compose), "--out", s(&out)]);
        refused(
            &output,
            &format!("--out {}", out.display()),
            "is one of the inputs",
        );
        assert_eq!(text(&compose), original);
    }
}

#[test]
fn report_and_export_refuse_a_hard_link_to_their_input() {
    let input = input();
    for alias in &input.aliases {
        let report = archsim(&[
            "report",
            s(&input.file),
            "--duration-s",
            "30",
            "--out",
            s(alias),
            "--format",
            "html",
        ]);
        refused(
            &report,
            &format!("report --out {}", alias.display()),
            "it is the input",
        );
        let export = archsim(&[
            "export",
            s(&input.file),
            "--out",
            s(alias),
            "--format",
            "svg",
        ]);
        refused(
            &export,
            &format!("export --out {}", alias.display()),
            "it is the input",
        );
        assert_eq!(text(&input.file), input.original, "{}", alias.display());
    }
}
