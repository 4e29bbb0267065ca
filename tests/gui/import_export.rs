//! File → Import and File → Export ▸, driven through the app's own functions
//! (`App::import_paths`, `App::export_to`), not through the file dialogs.

use std::path::{Path, PathBuf};

use archsim::gui::{AppCommand, BottomTab, Edit};
use archsim::report::ExportKind;

use egui_kittest::kittest::Queryable;

use super::{harness, open, scenario, settle};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

fn names(app: &archsim::gui::App) -> Vec<&str> {
    app.doc
        .topology
        .services
        .iter()
        .map(|s| s.name.as_str())
        .collect()
}

#[test]
fn importing_manifests_opens_a_new_unsaved_document_and_shows_the_report() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    let manifests = fixture("online-boutique/kubernetes-manifests.yaml");
    harness.state_mut().import_paths(vec![manifests.clone()]);
    settle(&mut harness);

    let app = harness.state();
    let services = names(app);
    for name in ["frontend", "cartservice", "checkoutservice", "redis-cart"] {
        assert!(services.contains(&name), "{name} missing from {services:?}");
    }
    // Dependencies named by the *_ADDR variables became calls.
    let frontend = app
        .doc
        .topology
        .services
        .iter()
        .find(|s| s.name == "checkoutservice")
        .unwrap();
    let callees: Vec<&str> = frontend
        .operations
        .iter()
        .flat_map(|op| &op.calls)
        .chain(&frontend.calls)
        .flat_map(|spec| spec.calls())
        .map(|call| call.to.as_str())
        .collect();
    assert!(callees.contains(&"paymentservice"), "{callees:?}");

    assert_eq!(app.doc.path, None, "an import is a new document");
    assert!(app.doc.is_dirty(), "an import counts as unsaved");
    assert!(
        app.doc
            .title()
            .contains("Imported from kubernetes-manifests.yaml"),
        "{}",
        app.doc.title()
    );
    let report = app.import_report().expect("the import report is shown");
    assert_eq!(report.paths, vec![manifests]);
    let imported = report.result.as_ref().expect("the import worked");
    assert_eq!(imported.summary.services.len(), services.len());
    assert!(!imported.summary.edges.is_empty());
    assert!(
        app.problems().iter().all(|p| !p.error),
        "{:?}",
        app.problems()
    );
    // The account of the import, in its tab of the bottom panel: under the
    // document's own name, with the words of the window title.
    let name = app.doc.topology.name.clone();
    let title = app.doc.title();
    assert_eq!(app.settings.bottom_tab, BottomTab::Import);
    harness.get_by_label("Import report");
    let origin = harness.get_by_label("— Imported from kubernetes-manifests.yaml, not saved yet");
    // The name is the first words of that line (the outline shows it too).
    assert!(
        harness
            .query_all_by_label(&name)
            .any(
                |n| (n.rect().center().y - origin.rect().center().y).abs() < 4.0
                    && n.rect().right() <= origin.rect().left() + 1.0
            ),
        "the report starts with the document's name {name}"
    );
    assert!(
        title.starts_with(&format!(
            "{name} — Imported from kubernetes-manifests.yaml, not saved yet"
        )),
        "the window title and the report name the system alike: {title}"
    );
    harness.get_by_label_contains("not saved yet: check it");
    // It covers nothing of the graph: the canvas and the report do not overlap.
    let canvas = harness.state().canvas.rect;
    assert!(
        canvas.width() > 200.0 && canvas.height() > 200.0,
        "{canvas:?}"
    );
    for node in [origin.rect(), harness.get_by_label("Close").rect()] {
        assert!(
            !canvas.intersects(node),
            "{node:?} over the graph {canvas:?}"
        );
    }
    // Every service of the fitted graph is inside the canvas.
    let scene = harness.state().scene().expect("a scene");
    let camera = harness.state().canvas.camera;
    for node in &scene.nodes {
        let on_screen = camera.rect_to_screen(canvas, node.rect());
        assert!(
            canvas.expand(1.0).contains_rect(on_screen),
            "{} at {on_screen:?} outside the canvas {canvas:?}",
            node.name()
        );
    }

    // Closing it goes back to the tab shown before.
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    assert!(harness.state().import_report().is_none());
    assert_eq!(harness.state().settings.bottom_tab, BottomTab::Analysis);
    assert!(harness.query_by_label("Import report").is_none());

    // Opening another document also closes the report of an import.
    harness
        .state_mut()
        .import_paths(vec![fixture("online-boutique/kubernetes-manifests.yaml")]);
    harness.run_steps(3);
    // The import is unsaved: importing again asks first.
    harness.get_by_label_contains("before importing");
    harness.get_by_label("Don't save").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert!(harness.state().import_report().is_some());
    harness.state_mut().apply(AppCommand::OpenExample);
    harness.run_steps(3);
    harness.get_by_label("Don't save").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert_eq!(harness.state().doc.topology.name, "Online Boutique");
    assert!(harness.state().import_report().is_none());
}

#[test]
fn importing_a_compose_file_with_unsaved_changes_asks_first() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetName("changed".into())));
    harness
        .state_mut()
        .import_paths(vec![fixture("opentelemetry-demo/compose.yaml")]);
    harness.run_steps(3);
    harness.get_by_label_contains("before importing");
    assert_eq!(harness.state().doc.topology.name, "changed");
    harness.get_by_label("Don't save").click();
    harness.run_steps(2);
    settle(&mut harness);
    let app = harness.state();
    let services = names(app);
    for name in ["frontend", "checkout", "cart", "valkey-cart"] {
        assert!(services.contains(&name), "{name} missing from {services:?}");
    }
    assert!(
        app.import_report()
            .is_some_and(|r| r.result.as_ref().is_ok_and(|i| !i.summary.edges.is_empty()))
    );
}

#[test]
fn an_import_that_fails_shows_why_and_keeps_the_open_document() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("compose.yaml");
    std::fs::write(&broken, "services:\n  web:\n    image: [nginx\n").unwrap();
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness.state_mut().import_paths(vec![broken.clone()]);
    settle(&mut harness);
    let app = harness.state();
    assert_eq!(app.doc.topology.name, "Online Boutique");
    assert!(!app.doc.is_dirty());
    let report = app.import_report().expect("the failure is shown");
    let message = report.result.as_ref().expect_err("the import failed");
    assert!(message.contains("compose.yaml:"), "located: {message}");
    let status = app.status.as_ref().expect("a status message");
    assert!(status.error && status.text.contains("Could not import"));
    harness.get_by_label("The import failed:");

    // A file that does not exist, and nothing at all: errors, not crashes.
    harness
        .state_mut()
        .import_paths(vec![dir.path().join("missing.yaml")]);
    settle(&mut harness);
    assert!(
        harness
            .state()
            .import_report()
            .is_some_and(|r| r.result.as_ref().is_err_and(|m| m.contains("missing.yaml")))
    );
    harness.state_mut().import_paths(Vec::new());
    settle(&mut harness);
    assert_eq!(harness.state().doc.topology.name, "Online Boutique");
}

#[test]
fn exporting_the_graph_writes_svg_png_dot_and_mermaid() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    for kind in [
        ExportKind::GraphSvg,
        ExportKind::GraphPng,
        ExportKind::GraphDot,
        ExportKind::GraphMermaid,
    ] {
        let path = dir.path().join(kind.default_file_name());
        harness.state_mut().export_to(kind, path.clone());
        settle(&mut harness);
        let written = harness.state().last_export().cloned().expect("finished");
        assert_eq!(written, Ok(vec![path.clone()]), "{kind:?}");
        let bytes = std::fs::read(&path).unwrap();
        match kind {
            ExportKind::GraphSvg => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains("<svg") && text.contains("checkoutservice"));
            }
            ExportKind::GraphPng => assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
            ExportKind::GraphDot => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.starts_with("digraph") && text.contains("label=\"cartservice\\n"));
            }
            _ => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains("flowchart LR") && text.contains("\"redis-cart<br/>"));
            }
        }
    }
    let status = harness.state().status.clone().unwrap();
    assert!(!status.error && status.text.contains("Exported the Graph (Mermaid)"));
}

#[test]
fn exporting_a_report_simulates_the_scenarios_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    let scenarios = harness.state().doc.topology.scenarios.len();

    let html = dir.path().join("report.html");
    harness
        .state_mut()
        .export_to(ExportKind::ReportHtml, html.clone());
    settle(&mut harness);
    assert_eq!(
        harness.state().last_export().cloned(),
        Some(Ok(vec![html.clone()]))
    );
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>") && text.contains("<svg"));
    for scenario in &harness.state().doc.topology.scenarios {
        assert!(text.contains(&scenario.name), "{} missing", scenario.name);
    }

    // The JSON summary holds one run: the default scenario.
    let json = dir.path().join("summary.json");
    harness
        .state_mut()
        .export_to(ExportKind::SummaryJson, json.clone());
    settle(&mut harness);
    assert_eq!(
        harness.state().last_export().cloned(),
        Some(Ok(vec![json.clone()]))
    );
    let summary: archsim::metrics::Summary =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let default = harness
        .state()
        .doc
        .topology
        .scenarios
        .first()
        .map(|s| s.name.clone());
    assert_eq!(Some(summary.scenario), default);

    // CSV of every scenario.
    let csv = dir.path().join("services.csv");
    harness
        .state_mut()
        .export_to(ExportKind::ServicesCsv, csv.clone());
    settle(&mut harness);
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows = text.lines().count() - 1;
    assert_eq!(
        rows,
        scenarios.max(1) * harness.state().doc.topology.services.len()
    );
}

#[test]
fn an_export_that_cannot_be_written_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("shop.json");
    std::fs::copy(scenario("shop.json"), &source).unwrap();
    let before = std::fs::read(&source).unwrap();
    let mut harness = harness();
    open(&mut harness, &source);

    // Over the open topology file: refused.
    harness
        .state_mut()
        .export_to(ExportKind::GraphSvg, source.clone());
    settle(&mut harness);
    let result = harness.state().last_export().cloned().unwrap();
    assert!(
        result.as_ref().is_err_and(|m| m.contains("input topology")),
        "{result:?}"
    );
    assert_eq!(std::fs::read(&source).unwrap(), before);

    // Into a folder that does not exist: refused before simulating.
    harness.state_mut().export_to(
        ExportKind::ReportHtml,
        dir.path().join("no/such/folder/report.html"),
    );
    settle(&mut harness);
    let result = harness.state().last_export().cloned().unwrap();
    assert!(
        result.as_ref().is_err_and(|m| m.contains("does not exist")),
        "{result:?}"
    );
    let status = harness.state().status.clone().unwrap();
    assert!(status.error && status.text.contains("not exported"));

    // A topology with errors: export asks to fix them first.
    let mut service = harness.state().doc.topology.services[0].clone();
    service.replicas = 0;
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetService {
            index: 0,
            service: Box::new(service),
        }));
    settle(&mut harness);
    assert!(harness.state().problems().iter().any(|p| p.error));
    harness
        .state_mut()
        .export_to(ExportKind::GraphDot, dir.path().join("graph.dot"));
    settle(&mut harness);
    let result = harness.state().last_export().cloned().unwrap();
    assert!(
        result.as_ref().is_err_and(|m| m.contains("fix it first")),
        "{result:?}"
    );
    assert!(!dir.path().join("graph.dot").exists());
}

#[test]
fn the_exported_graph_has_the_layout_the_app_draws() {
    for file in ["shop.json", "social.json", "payments.json"] {
        let mut harness = harness();
        open(&mut harness, &scenario(file));
        let app = harness.state();
        let drawn = app.scene().expect("the app drew the graph");
        let checked = archsim::model::check(app.doc.topology.clone()).unwrap();
        let analysis = archsim::graph::analyze(&checked);
        let exported =
            archsim::report::scene::Scene::of(checked.topology(), Some(&analysis), false);
        assert_eq!(&exported, drawn, "{file}");
    }
}

#[test]
fn a_running_export_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    let mut harness = harness();
    open(&mut harness, &scenario("large-1000.json"));
    harness
        .state_mut()
        .export_to(ExportKind::ReportHtml, path.clone());
    harness.state_mut().apply(AppCommand::CancelExport);
    settle(&mut harness);
    let result = harness.state().last_export().cloned().unwrap();
    assert!(
        result.as_ref().is_err_and(|m| m.contains("cancelled")),
        "{result:?}"
    );
    assert!(!path.exists());
    let status = harness.state().status.clone().unwrap();
    assert!(!status.error && status.text.contains("cancelled"));
}

#[test]
fn importing_a_folder_reads_the_files_under_it() {
    let mut harness = harness();
    harness
        .state_mut()
        .import_paths(vec![fixture("online-boutique")]);
    settle(&mut harness);
    let app = harness.state();
    assert!(names(app).contains(&"checkoutservice"), "{:?}", names(app));
    assert!(app.doc.title().contains("Imported from online-boutique"));
}
