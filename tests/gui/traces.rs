//! File → Compare with traces…, driven through the app's own function
//! (`App::compare_traces`, as `--compare-traces` does): the HotROD design
//! against its trace (`tests/fixtures/hotrod`), the list, the overlay, and
//! adopting an observed edge or time with one click, undone with Ctrl+Z.

use std::path::{Path, PathBuf};

use archsim::gui::{AppCommand, Edit, Mark, NodeId};
use archsim::model::Distribution;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;

use super::{harness, open, scenario, settle};

fn hotrod_trace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hotrod/getTrace-response.json")
}

fn undeclared(app: &archsim::gui::App) -> Vec<[String; 2]> {
    app.trace_comparison()
        .expect("a comparison")
        .diff
        .edges
        .observed_not_declared
        .clone()
}

/// Whether `from` calls `to` from any of its operations.
fn calls(app: &archsim::gui::App, from: &str, to: &str) -> bool {
    let service = app
        .doc
        .topology
        .services
        .iter()
        .find(|s| s.name == from)
        .expect("the caller exists");
    service
        .operations
        .iter()
        .flat_map(|op| &op.calls)
        .chain(&service.calls)
        .flat_map(|spec| spec.calls())
        .any(|call| call.to == to)
}

/// The HotROD design without its driver → redis-manual calls, compared
/// with the trace: that edge is observed but not declared.
fn hotrod_missing_an_edge() -> egui_kittest::Harness<'static, archsim::gui::App> {
    let mut harness = harness();
    open(&mut harness, &scenario("hotrod.json"));
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::DeleteCalls {
            from: "driver".into(),
            to: "redis-manual".into(),
        }));
    harness.state_mut().compare_traces(vec![hotrod_trace()]);
    settle(&mut harness);
    harness
}

#[test]
fn the_list_shows_the_undeclared_edge_and_adopting_it_adds_the_call_until_undone() {
    let mut harness = hotrod_missing_an_edge();
    let edge = [String::from("driver"), String::from("redis-manual")];
    assert_eq!(undeclared(harness.state()), std::slice::from_ref(&edge));
    assert!(!calls(harness.state(), "driver", "redis-manual"));
    harness.get_by_label("Design vs traces");
    harness.get_by_label("driver → redis-manual");
    // The design's cache-aside lookup that the trace never shows.
    harness.get_by_label("customer → redis-manual");

    harness
        .get_by_label("Adopt call driver → redis-manual")
        .click();
    harness.run_steps(3);
    assert!(calls(harness.state(), "driver", "redis-manual"));
    assert!(undeclared(harness.state()).is_empty());
    assert!(harness.query_by_label("driver → redis-manual").is_none());
    assert_eq!(
        harness.state().doc.undo_label(),
        Some("add call driver → redis-manual")
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run_steps(3);
    assert!(!calls(harness.state(), "driver", "redis-manual"));
    assert_eq!(undeclared(harness.state()), [edge]);
    harness.get_by_label("driver → redis-manual");
}

#[test]
fn the_overlay_draws_the_undeclared_edge_fades_the_unobserved_one_and_rings_drift() {
    let mut harness = hotrod_missing_an_edge();
    let app = harness.state();
    let scene = app.scene().expect("a scene");
    let node = |name: &str| {
        scene
            .find(&NodeId::Service(name.into()))
            .expect("the service is drawn")
    };
    let overlay = app.trace_overlay(scene).expect("the overlay is shown");
    assert_eq!(overlay.undeclared, [(node("driver"), node("redis-manual"))]);
    // customer → redis-manual is declared and never observed: faded.
    let unobserved = scene
        .edges
        .iter()
        .position(|e| e.from == node("customer") && e.to == node("redis-manual"))
        .expect("the declared edge is drawn");
    assert_eq!(
        overlay.unobserved.iter().copied().collect::<Vec<_>>(),
        [unobserved]
    );
    assert_eq!(app.marks().edge(unobserved), Mark::Faded);
    let frontend_route = scene
        .edges
        .iter()
        .position(|e| e.from == node("frontend") && e.to == node("route"))
        .expect("the declared edge is drawn");
    assert_eq!(app.marks().edge(frontend_route), Mark::Normal);
    // GetDriver (p99 38 ms against 20) and route drift, with their figures.
    let drifting: Vec<usize> = overlay.drifting.keys().copied().collect();
    assert_eq!(drifting, [node("redis-manual"), node("route")]);
    assert!(
        overlay.drifting[&node("redis-manual")][0].starts_with("redis-manual GetDriver: median"),
        "{:?}",
        overlay.drifting
    );

    // Turned off, nothing is drawn and nothing fades.
    harness.get_by_label("Show on the graph").click();
    harness.run_steps(2);
    let app = harness.state();
    assert!(app.trace_overlay(app.scene().expect("a scene")).is_none());
    assert_eq!(app.marks().edge(unobserved), Mark::Normal);

    // Closing the window forgets the comparison.
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    assert!(harness.state().trace_comparison().is_none());
    assert!(harness.query_by_label("Design vs traces").is_none());
}

#[test]
fn adopting_a_drifting_time_sets_a_lognormal_of_the_measured_median_and_p99() {
    let mut harness = hotrod_missing_an_edge();
    let comparison = harness.state().trace_comparison().expect("a comparison");
    let measured = comparison
        .outcome
        .observed
        .iter()
        .find(|t| t.service == "redis-manual" && t.operation == "GetDriver")
        .expect("GetDriver is measured");
    let expected = Distribution::lognormal_from_quantiles(measured.median_ms, measured.p99_ms)
        .expect("a lognormal");
    let get_driver = |app: &archsim::gui::App| {
        app.doc
            .topology
            .services
            .iter()
            .find(|s| s.name == "redis-manual")
            .and_then(|s| s.operations.iter().find(|op| op.name == "GetDriver"))
            .and_then(|op| op.service_time.clone())
    };
    let before = get_driver(harness.state());
    assert_ne!(before.as_ref(), Some(&expected));
    harness.get_by_label("redis-manual GetDriver");

    harness
        .get_by_label("Adopt time redis-manual GetDriver")
        .click();
    harness.run_steps(3);
    assert_eq!(get_driver(harness.state()), Some(expected));
    let diff = &harness
        .state()
        .trace_comparison()
        .expect("a comparison")
        .diff;
    let row = diff
        .service_times
        .iter()
        .find(|r| r.service == "redis-manual" && r.operation == "GetDriver")
        .expect("still compared");
    assert!(!row.drift, "adopted, it no longer drifts: {row:?}");
    assert!(harness.query_by_label("redis-manual GetDriver").is_none());
    // route still drifts.
    harness.get_by_label("route default = GET /route");

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run_steps(3);
    assert_eq!(get_driver(harness.state()), before);
    harness.get_by_label("redis-manual GetDriver");
}

#[test]
fn a_trace_that_cannot_be_read_is_reported_as_an_import_error() {
    let mut harness = harness();
    open(&mut harness, &scenario("hotrod.json"));
    let missing = PathBuf::from("no/such/trace.json");
    harness.state_mut().compare_traces(vec![missing.clone()]);
    settle(&mut harness);
    let app = harness.state();
    assert!(app.trace_comparison().is_none());
    let status = app.status.as_ref().expect("a status message");
    assert!(
        status.error && status.text.contains("Could not read trace.json"),
        "{}",
        status.text
    );
    let report = app.import_report().expect("the import report tab");
    assert_eq!(report.paths, [missing]);
    let message = report.result.as_ref().expect_err("a failure");
    assert!(message.contains("no/such/trace.json"), "{message}");
    // The document is untouched.
    assert!(!app.doc.is_dirty());
}
