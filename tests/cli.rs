//! The `archsim` binary: validate, analyze and graph; exit codes, messages,
//! and inert output for hostile names.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `archsim` binary from the repository's root.
pub(crate) fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("archsim runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("writes");
    path
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn validate_accepts_every_example() {
    let mut args = vec!["validate"];
    let paths: Vec<String> = super::format::example_paths()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    args.extend(paths.iter().map(String::as_str));
    let output = archsim(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).matches(": ok: ").count(), paths.len());
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn validate_reports_every_problem_with_its_position_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write_temp(
        &dir,
        "bad.json",
        "{\n  \"name\": \"x\",\n  \"services\": [\n    {\"name\": \"a\", \"replicas\": 0, \"service_time\": {\"dist\": \"constant\", \"ms\": 1},\n     \"calls\": [{\"to\": \"bb\"}]},\n    {\"name\": \"b\", \"service_time\": {\"dist\": \"constant\", \"ms\": 1}}\n  ]\n}\n",
    );
    let good = Path::new("scenarios/three-tier.json");
    let output = archsim(&["validate", path_str(&bad), path_str(good)]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let shown = bad.display().to_string();
    assert!(
        err.contains(&format!(
            "{shown}:4:19: services[0] \"a\" replicas: must be at least 1 (found 0)"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{shown}:5:16: services[0] \"a\" calls[0]: unknown service \"bb\" (did you mean \"b\"?)"
        )),
        "{err}"
    );
    assert!(err.contains("invalid: 2 errors"), "{err}");
    assert!(err.contains("1 of 2 files is invalid"), "{err}");
    assert!(stdout(&output).contains("three-tier.json: ok"));
}

#[test]
fn validate_reports_syntax_errors_and_missing_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = write_temp(
        &dir,
        "broken.json",
        "{\"name\": \"x\",\n \"services\": [,]}",
    );
    let output = archsim(&["validate", path_str(&broken)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("{}:2:15: invalid JSON:", broken.display())),
        "{}",
        stderr(&output)
    );

    let output = archsim(&["validate", "no/such/file.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no/such/file.json: cannot read the file"),
        "{}",
        stderr(&output)
    );
    // A file that cannot be read is not called invalid.
    assert!(!stderr(&output).contains("invalid"), "{}", stderr(&output));

    // A compose file given to validate is recognised as YAML, with the way out.
    let yaml = write_temp(
        &dir,
        "compose.json",
        "# a compose file\nservices:\n  web:\n    image: nginx\n",
    );
    let output = archsim(&["validate", path_str(&yaml)]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("this looks like YAML"), "{text}");
    assert!(text.contains("archsim import"), "{text}");
    let toml = write_temp(&dir, "c.json", "[package]\nname = \"x\"\n");
    let text = stderr(&archsim(&["validate", path_str(&toml)]));
    assert!(text.contains("this looks like TOML"), "{text}");

    // Of two files, one invalid: said in the singular.
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/shop.json");
    let output = archsim(&["validate", path_str(&good), path_str(&yaml)]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("1 of 2 files is invalid"), "{text}");
    assert!(text.contains("invalid: 1 error\n"), "{text}");

    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).expect("writes");
    let output = archsim(&["validate", path_str(&binary)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not UTF-8 text"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn warnings_are_printed_but_do_not_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_temp(
        &dir,
        "warn.json",
        r#"{"name": "x", "services": [{"name": "a", "service_time": {"dist": "constant", "ms": 1}}],
            "layout": {"nodes": {"ghost": {"x": 0, "y": 0}}}}"#,
    );
    let output = archsim(&["validate", path_str(&file)]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains(": warning: layout.nodes.ghost: \"ghost\" is not a service"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("1 warning"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(archsim(&["validate"]).status.code(), Some(2));
    assert_eq!(archsim(&["analyze"]).status.code(), Some(2));
    assert_eq!(
        archsim(&["graph", "scenarios/shop.json", "--format", "png"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(archsim(&["frobnicate", "x", "y"]).status.code(), Some(2));
    assert_eq!(
        archsim(&["validate", "--no-such-flag", "x.json"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn help_shows_examples() {
    let output = archsim(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("Examples:"));
    assert!(text.contains("archsim validate scenarios/*.json"));
    assert!(text.contains("archsim graph scenarios/shop.json --format dot"));
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/shop.json")
            .exists()
    );
}

#[test]
fn analyze_prints_tables_and_json() {
    let output = archsim(&["analyze", "scenarios/three-tier.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Bottleneck: app at 40.9% utilization"),
        "{text}"
    );
    assert!(
        text.contains("Single points of failure\n  db (1 replica): needed by order"),
        "{text}"
    );
    assert!(text.contains("Critical paths"));

    let output = archsim(&["analyze", "scenarios/shop.json", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(json["topology"], "Online Boutique");
    assert_eq!(json["bottleneck"]["service"], "productcatalogservice");
    assert_eq!(json["services"].as_array().map(Vec::len), Some(11));

    let output = archsim(&["analyze", "no/such.json"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn analyze_lists_the_top_services_unless_all() {
    let output = archsim(&["analyze", "scenarios/large-1000.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("... 1019 more (use --all to list every service)"));
    let all = archsim(&["analyze", "scenarios/large-1000.json", "--all"]);
    assert!(!stdout(&all).contains("more (use --all"));
}

const HOSTILE: &str = r#"{
  "name": "evil \"graph\" {}",
  "services": [
    {"name": "<script>alert(1)</script>", "group": "g\"]; x [label=\"pwned", "service_time": {"dist": "constant", "ms": 1},
     "calls": [{"to": "a\"];evil"}]},
    {"name": "a\"];evil", "zones": ["z\"1"], "service_time": {"dist": "constant", "ms": 1}, "calls": [{"to": "line\nbreak %% end"}]},
    {"name": "line\nbreak %% end", "service_time": {"dist": "constant", "ms": 1}}
  ],
  "workload": [{"to": "<script>alert(1)</script>", "rate_rps": 1}]
}"#;

#[test]
fn graph_output_escapes_hostile_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_temp(&dir, "hostile.json", HOSTILE);

    let output = archsim(&["graph", path_str(&file), "--format", "dot"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let dot = stdout(&output);
    assert!(dot.contains(r#"a\"];evil"#), "{dot}");
    assert!(
        !dot.contains(r#"a"];evil"#),
        "an unescaped quote ends the DOT string:\n{dot}"
    );
    assert!(!dot.contains("line\nbreak"), "a raw line break in DOT");
    // Outside quoted strings only our own identifiers appear.
    for line in dot.lines() {
        let outside = strip_dot_strings(line);
        assert!(
            !outside.contains("evil") && !outside.contains("script") && !outside.contains("pwned"),
            "{line}"
        );
    }
    if let Some(svg) = render_with_graphviz(&dot) {
        // Graphviz is installed (CI installs it): it must accept the file.
        assert!(svg.status.success(), "dot rejected:\n{}", stderr(&svg));
        let svg = stdout(&svg);
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{svg}"
        );
        assert!(!svg.contains("<script>"));
    }

    let output = archsim(&["graph", path_str(&file), "--format", "mermaid"]);
    assert_eq!(output.status.code(), Some(0));
    let mermaid = stdout(&output);
    for forbidden in ["<script>", "\"];", "a\"]", "%% end", "line\nbreak"] {
        assert!(!mermaid.contains(forbidden), "{forbidden:?} in:\n{mermaid}");
    }
    assert!(
        mermaid.contains("#60;script#62;alert(1)#60;/script#62;"),
        "{mermaid}"
    );
    // Every label is one quoted string without inner quotes.
    for line in mermaid
        .lines()
        .filter(|l| l.trim_start().starts_with('s') && l.contains('"'))
    {
        assert_eq!(line.matches('"').count(), 2, "{line}");
    }

    let output = archsim(&["graph", path_str(&file), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["nodes"][0]["name"], "<script>alert(1)</script>");
    assert_eq!(json["nodes"][2]["name"], "line\nbreak %% end");
}

/// A DOT line with its quoted strings removed.
fn strip_dot_strings(line: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    let mut escaped = false;
    for c in line.chars() {
        if inside {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                inside = false;
            }
        } else if c == '"' {
            inside = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs Graphviz `dot` on `text`; `None` when Graphviz is not installed.
fn render_with_graphviz(text: &str) -> Option<Output> {
    use std::io::Write as _;
    Command::new("dot").arg("-V").output().ok()?;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dot starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("writes");
    Some(child.wait_with_output().expect("dot finishes"))
}

#[test]
fn graphviz_accepts_the_dot_of_every_example() {
    for path in super::format::example_paths() {
        let output = archsim(&["graph", path_str(&path)]);
        assert_eq!(output.status.code(), Some(0));
        let Some(rendered) = render_with_graphviz(&stdout(&output)) else {
            eprintln!("Graphviz is not installed; skipping");
            return;
        };
        assert!(
            rendered.status.success(),
            "{}: {}",
            path.display(),
            stderr(&rendered)
        );
        assert!(
            stderr(&rendered).is_empty(),
            "{}: {}",
            path.display(),
            stderr(&rendered)
        );
    }
}

#[test]
fn graph_formats_draw_groups_and_zones() {
    let output = archsim(&["graph", "scenarios/shop.json"]);
    assert_eq!(output.status.code(), Some(0));
    let dot = stdout(&output);
    assert!(dot.starts_with("digraph \"Online Boutique\" {"));
    assert_eq!(
        dot.matches("subgraph cluster_").count(),
        4,
        "web, catalog, checkout, cart"
    );
    assert!(dot.contains("zones a,b"));
    assert_eq!(dot.matches(" -> ").count(), 15, "{dot}");

    let output = archsim(&["graph", "scenarios/shop.json", "--format", "mermaid"]);
    let mermaid = stdout(&output);
    assert!(mermaid.contains("flowchart LR"));
    assert_eq!(mermaid.matches("  subgraph ").count(), 4);
    assert_eq!(mermaid.matches("-->").count(), 15);
}

#[test]
fn output_to_a_closed_pipe_is_not_a_crash() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(["graph", "scenarios/large-1000.json", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take()); // the reader goes away at once
    let output = child.wait_with_output().expect("finishes");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"));
}

/// Names that carry terminal control sequences: clear the screen, set the
/// window title (ended by BEL), a C1 CSI, hidden text, a line break.
const ESCAPES: &str = r#"{
  "name": "t\u001b]0;pwned\u0007",
  "services": [
    {"name": "api\u001b[2J", "service_time": {"dist": "constant", "ms": 1}, "calls": [{"to": "db\u009b31m"}]},
    {"name": "db\u009b31m", "service_time": {"dist": "constant", "ms": 1}}
  ],
  "workload": [{"name": "in\u001b[8m", "to": "api\u001b[2J", "rate_rps": 20}],
  "scenarios": [{"name": "s\u001b[1A\nx", "duration_s": 5, "seed": 1}]
}"#;

/// A compose file whose service names hold escape sequences (YAML's `\e`).
const ESCAPES_COMPOSE: &str =
    "services:\n  \"web\\e[2J\":\n    image: nginx\n  \"api\\e[8m\":\n    image: myapi\n";

#[test]
fn names_with_escape_sequences_reached_the_terminal_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_temp(&dir, "escapes.json", ESCAPES);
    let file = path_str(&file);
    let report = dir.path().join("report.md");
    let compose = write_temp(&dir, "compose.yml", ESCAPES_COMPOSE);
    let imported = dir.path().join("imported.json");
    let commands: [&[&str]; 6] = [
        &["run", file],
        &["analyze", file],
        &["validate", file],
        &["bench", file, "--rounds", "1", "--duration-s", "1"],
        &["report", file, "--out", path_str(&report)],
        &["import", path_str(&compose), "--out", path_str(&imported)],
    ];
    for args in commands {
        let output = archsim(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        for (stream, text) in [("stdout", stdout(&output)), ("stderr", stderr(&output))] {
            assert!(
                !text.contains(['\u{1b}', '\u{9b}', '\u{7}']),
                "{args:?}: a raw control character on {stream}:\n{text:?}"
            );
        }
    }
    // The import's summary goes to stderr (stdout may carry the JSON).
    let import = stderr(&archsim(&[
        "import",
        path_str(&compose),
        "--out",
        path_str(&dir.path().join("imported-again.json")),
    ]));
    assert!(import.contains("web\\u{1b}[2J"), "{import}");
    let run = stdout(&archsim(&["run", file]));
    assert!(run.contains("api\\u{1b}[2J"), "{run}");
    assert!(run.contains("scenario \"s\\u{1b}[1A\\nx\""), "{run}");
    assert!(
        run.lines().any(|l| l.starts_with("in\\u{1b}[8m ")),
        "the entry's row keeps its line:\n{run}"
    );
}
