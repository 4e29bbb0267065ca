//! Malformed and unexpected inputs: a clear error naming the place, or a
//! warning, and never a panic.

use archsim::import::{ImportError, ImportOptions, SourceFormat, import_paths};

use super::*;

fn try_import(name: &str, text: &str) -> Result<ImportOutcome, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, text);
    import_paths(&[path], &ImportOptions::default())
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let err = try_import(
        "compose.yaml",
        "services:\n  web:\n    image: [nginx\n  api: {}\n",
    )
    .unwrap_err();
    let ImportError::Syntax {
        path, line, column, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert!(path.ends_with("compose.yaml"));
    assert!(*line >= 3, "line {line}");
    assert!(*column >= 1);
    let text = err.to_string();
    assert!(
        text.contains(&format!("compose.yaml:{line}:{column}: ")),
        "{text}"
    );
}

#[test]
fn yaml_with_bad_indentation_or_tabs_is_a_syntax_error() {
    for text in [
        "services:\n  web:\n image: x\n   bad: [\n",
        "a: b\n\t- c\n",
        "key: \"unclosed\n",
        "- a\nb: c\n",
    ] {
        match try_import("x.yaml", text) {
            Err(ImportError::Syntax { .. }) => {}
            other => panic!("{text:?}: expected a syntax error, got {other:?}"),
        }
    }
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let err = try_import("trace.json", "{\"data\": [\n  {\"spans\": [}\n]}").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("trace.json:2:"), "{text}");
    assert!(matches!(err, ImportError::Syntax { line: 2, .. }));
}

#[test]
fn unrecognised_files_ask_for_a_format() {
    let err = import_paths(
        &[fixture("deathstarbench-social-network/service-config.json")],
        &ImportOptions::default(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("--format"), "{text}");
    assert!(text.contains("service-config.json"), "{text}");
    let err = try_import("empty.yaml", "").unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn missing_files_and_no_files_are_errors() {
    let err = import_paths(
        &["/nonexistent/compose.yaml".into()],
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Io { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/compose.yaml"));
    // The I/O error is said once, not repeated as a source.
    assert!(std::error::Error::source(&err).is_none());
    assert!(import_paths(&[], &ImportOptions::default()).is_err());
    let bad_rate = ImportOptions {
        entry_rate_rps: -1.0,
        ..ImportOptions::default()
    };
    assert!(import_paths(&[fixture("sock-shop/docker-compose.yml")], &bad_rate).is_err());
}

#[test]
fn a_forced_format_that_does_not_fit_is_a_clear_error() {
    let options = ImportOptions {
        format: Some(SourceFormat::Otlp),
        ..ImportOptions::default()
    };
    let err = import_paths(
        &[fixture("jaeger-ui-test-traces/genaiTestTrace.json")],
        &options,
    )
    .unwrap_err();
    assert!(err.to_string().contains("resourceSpans"), "{err}");
    // Compose read as Kubernetes: no objects with a kind, so no services.
    let options = ImportOptions {
        format: Some(SourceFormat::K8s),
        ..ImportOptions::default()
    };
    let err = import_paths(&[fixture("sock-shop/docker-compose.yml")], &options).unwrap_err();
    assert!(err.to_string().contains("no services"), "{err}");
}

#[test]
fn odd_shapes_never_panic() {
    let cases: &[(&str, &str)] = &[
        ("a.yaml", "services: 5\n"),
        ("b.yaml", "services:\n  x:\n    depends_on: {y: 3}\n    environment: [1, {a: b}]\n    ports: [{}]\n  y: {}\n"),
        ("c.yaml", "---\nkind: Deployment\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: 5}\n"),
        ("d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: -3, template: {spec: {containers: [{env: [{name: A}, 7]}]}}}\n"),
        ("e.json", "{\"data\": [{\"spans\": 3}]}"),
        ("f.json", "{\"data\": [{\"spans\": [{\"spanID\": \"1\"}, {}, 4], \"processes\": 1}]}"),
        ("g.json", "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"spanId\": \"1\", \"traceId\": \"t\", \"startTimeUnixNano\": \"x\"}]}]}]}"),
        ("h.json", "{\"traceID\": \"t\", \"spans\": [{\"traceID\": \"t\", \"spanID\": \"1\", \"startTime\": 5, \"duration\": 1, \"processID\": \"p\",
                    \"references\": [{\"refType\": \"CHILD_OF\", \"spanID\": \"2\"}]},
                   {\"traceID\": \"t\", \"spanID\": \"2\", \"startTime\": 5, \"duration\": 1, \"processID\": \"p\",
                    \"references\": [{\"refType\": \"CHILD_OF\", \"spanID\": \"1\"}]}],
                    \"processes\": {\"p\": {\"serviceName\": \"loop\"}}}"),
        ("i.yaml", "x-anchors: &a {image: 'redis'}\nservices:\n  c:\n    <<: *a\n    depends_on: [c]\n"),
    ];
    for (name, text) in cases {
        match try_import(name, text) {
            Ok(outcome) => assert_valid(&outcome.topology),
            Err(err) => assert!(!err.to_string().is_empty()),
        }
    }
}

#[test]
fn merge_keys_and_anchors_are_resolved() {
    let outcome = try_import(
        "compose.yaml",
        "x-common: &common\n  image: redis:7\n  environment:\n    PEER_HOST: other\nservices:\n  one:\n    <<: *common\n  other:\n    image: x/other\n",
    )
    .unwrap();
    let t = &outcome.topology;
    assert_eq!(service(t, "one").kind, archsim::model::ServiceKind::Cache);
    assert_eq!(edges(t), pairs(&[("one", "other")]));
}

/// Found by fuzzing: a compose file whose every service is telemetry (by
/// image or name) built a topology without services, reported as an
/// importer bug (`ImportError::Invalid`).
#[test]
fn a_compose_file_of_telemetry_only_is_nothing_to_import() {
    let err = try_import(
        "compose.yaml",
        "services:\n  hotrod:\n    image: jaegertracing/jaeger:latest\n  jaeger:\n    image: jaegertracing/all-in-one\n",
    )
    .unwrap_err();
    let ImportError::Empty(message) = &err else {
        panic!("expected nothing to import, got {err:?}")
    };
    assert!(message.contains("--keep-observability"), "{message}");
}
