//! The file format: examples load and are canonical, round trips keep
//! everything (including `x-` keys), and load errors are located.

use std::path::{Path, PathBuf};

use archsim::model::{self, Distribution, LoadError, Topology};

pub fn example_paths() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
}

fn load(text: &str) -> Topology {
    match model::load_str(text, "test.json") {
        Ok(topology) => topology,
        Err(error) => panic!("expected the text to load, got:\n{error}"),
    }
}

/// The diagnostics of a text that must fail to load.
fn load_errors(text: &str) -> Vec<model::Diagnostic> {
    match model::load_str(text, "test.json") {
        Ok(_) => panic!("expected a load error"),
        Err(error) => error.diagnostics(),
    }
}

#[test]
fn the_five_examples_exist() {
    let names: Vec<String> = example_paths()
        .iter()
        .map(|p| {
            p.file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for wanted in [
        "shop.json",
        "social.json",
        "payments.json",
        "three-tier.json",
        "large-1000.json",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "missing scenarios/{wanted}; found {names:?}"
        );
    }
}

#[test]
fn every_example_loads_validates_without_warnings_and_is_canonical() {
    for path in example_paths() {
        let text = std::fs::read_to_string(&path).expect("readable example");
        let checked = match model::load_checked_file(&path) {
            Ok(checked) => checked,
            Err(error) => panic!("{} does not validate:\n{error}", path.display()),
        };
        assert!(
            checked.warnings().is_empty(),
            "{} has warnings: {:?}",
            path.display(),
            checked.warnings()
        );
        let topology = checked.topology();
        assert!(
            topology
                .description
                .as_deref()
                .is_some_and(|d| d.len() > 40),
            "{}: description",
            path.display()
        );
        assert!(
            !topology.scenarios.is_empty(),
            "{}: scenarios",
            path.display()
        );
        assert!(
            !topology.workload.is_empty(),
            "{}: workload",
            path.display()
        );
        assert!(topology.slo.is_some(), "{}: slo", path.display());
        for scenario in &topology.scenarios {
            assert!(
                (60.0..=300.0).contains(&scenario.duration_s),
                "{}: scenario {:?} lasts {} s",
                path.display(),
                scenario.name,
                scenario.duration_s
            );
        }
        assert_eq!(
            model::to_json_string(topology),
            text,
            "{} is not in canonical form",
            path.display()
        );
    }
}

#[test]
fn the_examples_have_the_promised_shapes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let load_example = |name: &str| {
        model::load_checked_file(&dir.join(name))
            .expect("valid example")
            .into_inner()
    };
    let shop = load_example("shop.json");
    assert_eq!(shop.services.len(), 11);
    let social = load_example("social.json");
    assert!((20..=30).contains(&social.services.len()));
    let parallel = social
        .services
        .iter()
        .flat_map(|s| s.operations.iter())
        .flat_map(|op| op.calls.iter())
        .filter(|spec| matches!(spec, model::CallSpec::Parallel(_)))
        .count();
    assert!(parallel >= 3, "socialNetwork fans out in parallel");
    let payments = load_example("payments.json");
    let zones: std::collections::BTreeSet<&str> = payments
        .services
        .iter()
        .flat_map(|s| s.zones.iter().map(String::as_str))
        .collect();
    assert_eq!(zones.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
    let large = load_example("large-1000.json");
    assert!(large.services.len() >= 1000);
}

#[test]
fn the_large_example_is_what_its_generator_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new("python3")
        .arg(root.join("scripts/gen_large.py"))
        .output();
    let Ok(output) = output else {
        eprintln!("python3 not available; skipping the generator check");
        return;
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let committed = std::fs::read(root.join("scenarios/large-1000.json")).expect("readable");
    assert!(
        output.stdout == committed,
        "scripts/gen_large.py output differs from scenarios/large-1000.json"
    );
}

const WITH_EXTENSIONS: &str = r#"{
  "archsim": 1,
  "name": "ext",
  "x-top": {"owner": "team-a"},
  "services": [
    {
      "name": "a",
      "x-service": 1,
      "service_time": {"dist": "constant", "ms": 1, "x-dropped": true},
      "calls": [
        {"to": "b", "x-call": "single"},
        {"parallel": [{"to": "b", "operation": "get", "x-call": "member"}], "x-group": "dropped"}
      ],
      "retry_budget": {"ratio": 0.1, "x-dropped": 2}
    },
    {
      "name": "b",
      "service_time": {"dist": "constant", "ms": 1},
      "operations": [
        {"name": "default", "x-op": [1, 2]},
        {"name": "get", "calls": [{"to": "c", "x-call": "in-op"}]}
      ]
    },
    {"name": "c", "service_time": {"dist": "exponential", "mean_ms": 2}}
  ],
  "workload": [{"to": "a", "rate_rps": 5, "x-entry": "e"}],
  "scenarios": [{"name": "s", "duration_s": 60, "x-scenario": null}],
  "layout": {"nodes": {"x-ray": {"x": 1, "y": 2}}}
}"#;

#[test]
fn extensions_are_kept_at_six_levels_and_dropped_elsewhere() {
    let topology = load(WITH_EXTENSIONS);
    assert_eq!(topology.extensions["x-top"]["owner"], "team-a");
    let a = &topology.services[0];
    assert_eq!(a.extensions["x-service"], 1);
    assert_eq!(a.calls[0].calls()[0].extensions["x-call"], "single");
    assert_eq!(a.calls[1].calls()[0].extensions["x-call"], "member");
    let b = &topology.services[1];
    assert_eq!(
        b.operations[0].extensions["x-op"],
        serde_json::json!([1, 2])
    );
    assert_eq!(
        b.operations[1].calls[0].calls()[0].extensions["x-call"],
        "in-op"
    );
    assert_eq!(topology.workload[0].extensions["x-entry"], "e");
    assert!(topology.scenarios[0].extensions.contains_key("x-scenario"));
    // Keys of layout.nodes are service names, never extension keys.
    assert!(
        topology
            .layout
            .as_ref()
            .expect("layout")
            .nodes
            .contains_key("x-ray")
    );

    let saved = model::to_json_string(&topology);
    for kept in [
        "x-top",
        "x-service",
        "\"single\"",
        "\"member\"",
        "x-op",
        "\"in-op\"",
        "x-entry",
        "x-scenario",
        "x-ray",
    ] {
        assert!(saved.contains(kept), "{kept} was not saved:\n{saved}");
    }
    for dropped in ["x-dropped", "x-group"] {
        assert!(!saved.contains(dropped), "{dropped} should not be saved");
    }
    let again = load(&saved);
    assert_eq!(again, topology, "load → save → load changed the model");
    assert_eq!(
        model::to_json_string(&again),
        saved,
        "saving twice changed the text"
    );
}

#[test]
fn round_trip_of_every_example_is_equal() {
    for path in example_paths() {
        let first = model::load_file(&path).expect("loads");
        let second =
            model::load_str(&model::to_json_string(&first), "saved").expect("saved text loads");
        assert_eq!(first, second, "{}", path.display());
    }
}

#[test]
fn save_file_writes_atomically_and_refuses_nan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.json");
    let mut topology = load(WITH_EXTENSIONS);
    model::save_file(&path, &topology).expect("saves");
    assert_eq!(model::load_file(&path).expect("reloads"), topology);
    let entries: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
    assert_eq!(entries.len(), 1, "no temporary file is left behind");

    topology.workload[0].rate_rps = f64::NAN;
    let error = model::save_file(&path, &topology).expect_err("NaN cannot be saved");
    assert!(
        error.to_string().contains("workload[0].rate_rps"),
        "{error}"
    );
    assert_eq!(
        model::load_file(&path).expect("old file intact").workload[0].rate_rps,
        5.0
    );
}

#[test]
fn syntax_errors_have_line_and_column() {
    let error = model::load_str("{\n  \"name\": \"x\",\n  \"services\": [}\n", "bad.json")
        .expect_err("invalid JSON");
    match &error {
        LoadError::Syntax { line, column, .. } => {
            assert_eq!((*line, *column), (3, 16));
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with("bad.json:3:16: invalid JSON:"),
        "{error}"
    );
}

#[test]
fn empty_and_truncated_files_say_so() {
    let empty = model::load_str("  \n", "e.json")
        .expect_err("empty")
        .to_string();
    assert!(empty.contains("the file is empty"), "{empty}");
    let truncated = model::load_str("{\"name\": \"x\", \"services\": [", "t.json")
        .expect_err("truncated")
        .to_string();
    assert!(truncated.contains("ends too early"), "{truncated}");
    let array = load_errors("[1, 2]");
    assert!(
        array[0]
            .message
            .contains("a topology file is a JSON object"),
        "{array:?}"
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = format!(
        "\u{feff}{}",
        r#"{"name": "x", "services": [{"name": "a", "service_time": {"dist": "constant", "ms": 1}}]}"#
    );
    assert_eq!(load(&text).services.len(), 1);
}

#[test]
fn other_format_versions_are_refused_clearly() {
    let newer = load_errors(r#"{"archsim": 2, "name": "x", "services": []}"#);
    assert_eq!(newer.len(), 1);
    assert_eq!(newer[0].path, "archsim");
    assert!(
        newer[0].message.contains("format version 2"),
        "{}",
        newer[0].message
    );
    assert!(newer[0].message.contains("reads version 1"));
    let text = load_errors(r#"{"archsim": "1", "name": "x", "services": []}"#);
    assert!(text[0].message.contains("must be 1"), "{}", text[0].message);
    // Absent means 1.
    assert_eq!(load(r#"{"name": "x", "services": []}"#).archsim, 1);
}

#[test]
fn unknown_fields_are_all_reported_with_suggestions_and_positions() {
    let text = r#"{
  "name": "x",
  "services": [
    {"name": "a", "replcas": 2, "service_time": {"dist": "constant", "ms": 1}, "wrkers": 3},
    {"name": "b", "service_time": {"dist": "lognormal", "median_ms": 1, "p99": 4}}
  ],
  "workload": [{"to": "a", "rate": 5}],
  "scenarios": [{"name": "s", "duration": 60}]
}"#;
    let errors = load_errors(text);
    let by_path: Vec<(&str, &str, Option<usize>, Option<usize>)> = errors
        .iter()
        .map(|d| (d.path.as_str(), d.message.as_str(), d.line, d.column))
        .collect();
    let find = |path: &str| {
        by_path
            .iter()
            .find(|(p, ..)| *p == path)
            .unwrap_or_else(|| panic!("no error at {path}: {by_path:#?}"))
    };
    let replcas = find("services[0] \"a\" replcas");
    assert!(
        replcas
            .1
            .starts_with("unknown field \"replcas\" (did you mean \"replicas\"?)"),
        "{}",
        replcas.1
    );
    assert_eq!((replcas.2, replcas.3), (Some(4), Some(19)));
    let wrkers = find("services[0] \"a\" wrkers");
    assert!(wrkers.1.contains("did you mean \"workers\""));
    let p99 = find("services[1] \"b\" service_time.p99");
    assert!(
        p99.1
            .contains("unknown field \"p99\" (did you mean \"p99_ms\"?)"),
        "{}",
        p99.1
    );
    let rate = find("workload[0].rate");
    assert!(rate.1.contains("did you mean \"rate_rps\""), "{}", rate.1);
    assert!(
        !by_path
            .iter()
            .any(|(_, m, ..)| m.contains("missing field \"p99_ms\"")),
        "a suggested field is not reported missing too"
    );
    let duration = find("scenarios[0] \"s\" duration");
    assert!(
        duration.1.contains("did you mean \"duration_s\""),
        "{}",
        duration.1
    );
    assert_eq!(duration.2, Some(8));
}

#[test]
fn type_errors_name_the_field_inside_calls_and_keep_going() {
    let text = r#"{
  "name": "x",
  "services": [
    {"name": "a", "replicas": "two", "workers": 2.0, "service_time": {"dist": "constant", "ms": 1},
     "calls": [{"to": "b"}, {"parallel": [{"to": "b"}, {"to": "b", "timeout_ms": "soon"}]}]},
    {"name": "b", "kind": "databse", "service_time": {"dist": "constant", "ms": 1}}
  ]
}"#;
    let errors = load_errors(text);
    let paths: Vec<&str> = errors.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "services[0] \"a\" replicas",
            "services[0] \"a\" workers",
            "services[0] \"a\" calls[1].parallel[1].timeout_ms",
            "services[1] \"b\" kind",
        ]
    );
    assert!(
        errors[0].message.contains("expected a whole number"),
        "{}",
        errors[0].message
    );
    assert!(
        errors[1].message.contains("2 rather than 2.0"),
        "{}",
        errors[1].message
    );
    assert!(
        errors[2].message.contains("expected a number"),
        "{}",
        errors[2].message
    );
    assert!(
        errors[3].message.contains("did you mean \"database\""),
        "{}",
        errors[3].message
    );
    assert_eq!((errors[2].line, errors[2].column), (Some(5), Some(68)));
}

#[test]
fn missing_fields_and_duplicate_keys_are_reported() {
    let errors = load_errors(
        "{\"name\": \"x\", \"services\": [{\"service_time\": {\"dist\": \"constant\", \"ms\": 1}}],\n \"name\": \"y\"}",
    );
    let duplicate = errors
        .iter()
        .find(|d| d.message.starts_with("duplicate key \"name\""))
        .expect("duplicate key");
    assert_eq!((duplicate.line, duplicate.column), (Some(2), Some(2)));
    let missing = errors
        .iter()
        .find(|d| d.message.contains("missing field \"name\""))
        .expect("missing name");
    assert_eq!(missing.path, "services[0]");
}

#[test]
fn distribution_means() {
    let cases = [
        (r#"{"dist": "constant", "ms": 5}"#, 5.0),
        (r#"{"dist": "exponential", "mean_ms": 4}"#, 4.0),
        (r#"{"dist": "uniform", "min_ms": 1, "max_ms": 9}"#, 5.0),
        (r#"{"dist": "erlang", "k": 3, "mean_ms": 6}"#, 6.0),
        (r#"{"dist": "empirical", "samples_ms": [1, 2, 6]}"#, 3.0),
        // σ = ln(40/5)/2.32635 = 0.89386; mean = 5·e^(σ²/2) = 5·1.49108 = 7.4554
        (
            r#"{"dist": "lognormal", "median_ms": 5, "p99_ms": 40}"#,
            7.4554,
        ),
    ];
    for (json, mean) in cases {
        let dist: Distribution = serde_json::from_str(json).expect("distribution");
        assert!(
            (dist.mean_ms() - mean).abs() < 1e-3,
            "{json}: {} != {mean}",
            dist.mean_ms()
        );
    }
}

/// The first ```json block after `heading` in docs/format.md.
fn doc_example(heading: &str) -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/format.md"))
        .expect("docs");
    let section = &doc[doc.find(heading).unwrap_or_else(|| panic!("no {heading}"))..];
    let start = section.find("```json\n").expect("a json block") + "```json\n".len();
    let end = section[start..].find("```").expect("block end");
    section[start..start + end].to_owned()
}

#[test]
fn the_examples_in_the_format_reference_are_valid() {
    let first = doc_example("## A first file");
    let checked = model::load_checked_str(&first, "docs").unwrap_or_else(|e| panic!("{e}"));
    assert!(checked.warnings().is_empty());

    let mut topology: serde_json::Value = serde_json::from_str(&first).expect("json");
    let constant = serde_json::json!({"dist": "constant", "ms": 1});
    let service: serde_json::Value =
        serde_json::from_str(&doc_example("## Service")).expect("service example");
    let scenario: serde_json::Value =
        serde_json::from_str(&doc_example("## Scenario")).expect("scenario example");
    let slo: serde_json::Value =
        serde_json::from_str(&format!("{{{}}}", doc_example("## slo"))).expect("slo example");
    let layout: serde_json::Value =
        serde_json::from_str(&format!("{{{}}}", doc_example("## layout"))).expect("layout example");
    let services = topology["services"].as_array_mut().expect("services");
    services.push(service);
    services.push(serde_json::json!({"name": "ledger", "operations": [{"name": "PostEntry", "service_time": constant}]}));
    for name in ["cart", "payment", "checkout", "frontend", "cartservice"] {
        services.push(serde_json::json!({"name": name, "group": "checkout", "zones": ["a"], "service_time": constant}));
    }
    topology["scenarios"]
        .as_array_mut()
        .expect("scenarios")
        .push(scenario);
    topology["slo"] = slo["slo"].clone();
    topology["layout"] = layout["layout"].clone();
    let checked =
        model::load_checked_str(&topology.to_string(), "docs").unwrap_or_else(|e| panic!("{e}"));
    assert!(checked.warnings().is_empty(), "{:?}", checked.warnings());
}
