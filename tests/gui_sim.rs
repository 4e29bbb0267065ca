//! UI tests of simulation in the app with egui_kittest: run a
//! scenario from the run bar and read its results, stop a run midway,
//! step, replay, compare two runs, and a run that cannot start. The app is
//! driven through its widgets (found by label) and its own commands.

// Test helpers may panic: that is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archsim::gui::{App, AppCommand, BottomTab, Edit, RunPhase, Selection, Settings, SimCommand};
use archsim::metrics::RunStatus;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1500.0, 1000.0))
        .build_ui_state(
            |ui, app: &mut App| app.ui_root(ui),
            App::new(Settings::default()),
        )
}

/// Runs frames until `done` holds (at most `limit_s` seconds).
fn step_until(harness: &mut Harness<'static, App>, limit_s: u64, done: impl Fn(&App) -> bool) {
    let started = Instant::now();
    loop {
        harness.step();
        if done(harness.state()) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(limit_s),
            "timed out waiting"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.step();
    harness.step();
}

fn open(harness: &mut Harness<'static, App>, file: &Path) {
    harness.state_mut().open_path(file);
    step_until(harness, 30, App::is_idle);
}

/// Clicks ▶ Run and waits for the run to end.
fn run_to_end(harness: &mut Harness<'static, App>) {
    let before = harness.state().sim.runs.len();
    harness.get_by_label("▶ Run").click();
    harness.step();
    assert!(harness.state().sim.is_running() || harness.state().sim.runs.len() > before);
    step_until(harness, 120, |app| !app.sim.is_running());
    assert_eq!(
        harness.state().sim.runs.len(),
        before + 1,
        "{:?}",
        harness.state().sim.error
    );
}

fn show_tab(harness: &mut Harness<'static, App>, tab: BottomTab) {
    harness.state_mut().queue(AppCommand::ShowBottomTab(tab));
    harness.step();
    harness.step();
}

#[test]
fn running_a_scenario_from_the_run_bar_shows_live_graph_charts_and_results() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    run_to_end(&mut harness);

    let app = harness.state();
    let run = &app.sim.runs[0];
    assert_eq!(run.summary.status, RunStatus::Complete);
    assert_eq!(run.name, "baseline #1");
    assert!(run.summary.entrypoints.iter().all(|e| e.completed > 0));
    assert_eq!(run.summary.simulated_s, run.scenario.duration_s);

    // The graph shows the run's figures: utilization, rates, request flow.
    let overlay = app.sim.overlay().expect("the live graph");
    assert!(overlay.caption.starts_with("baseline #1"));
    assert!(
        overlay
            .scene
            .nodes
            .iter()
            .any(|n| n.utilization.unwrap_or(0.0) > 0.0)
    );
    assert!(
        overlay
            .scene
            .edges
            .iter()
            .all(|e| e.rate_rps.unwrap_or(0.0) > 0.0)
    );

    // Results: the verdict in words and the tables.
    show_tab(&mut harness, BottomTab::Results);
    assert!(
        harness.query_by_label_contains("SLO met").is_some()
            || harness.query_by_label_contains("SLO missed").is_some()
    );
    harness.get_by_label_contains("Bottleneck:");
    assert!(
        harness.query_by_label_contains("First to fail").is_some()
            || harness
                .query_by_label_contains("No service failed")
                .is_some()
    );
    harness.get_by_label("Entries");
    harness.get_by_label("Services");
    // Sorting by a column header.
    harness.get_by_label("p99 (ms)").click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().sim.entries_sort.column, 6);
    assert!(harness.state().sim.entries_sort.descending);
    harness.get_by_label("p99 (ms) ⏷").click();
    harness.step();
    harness.step();
    assert!(!harness.state().sim.entries_sort.descending);

    // Charts: entries, and the selected service's.
    harness
        .state_mut()
        .apply(AppCommand::Select(Selection::Service("db".into())));
    show_tab(&mut harness, BottomTab::Charts);
    harness.get_by_label("Entries: throughput");
    harness.get_by_label("db: utilization");
    harness.get_by_label("db: replicas");
}

#[test]
fn stopping_a_run_midway_keeps_what_was_simulated() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    // Real time: the 180 s scenario cannot finish during the test.
    harness.state_mut().apply(SimCommand::SetSpeed(1.0).into());
    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, 30, |app| {
        app.sim
            .active
            .as_ref()
            .is_some_and(|a| a.handle.shared().now_s >= 1.5)
    });
    assert_eq!(harness.state().sim.phase(), Some(RunPhase::Running));
    // The progress bar tells the time and the time left.
    harness.get_by_label_contains("left");
    harness.get_by_label("⏹ Stop").click();
    step_until(&mut harness, 10, |app| !app.sim.is_running());

    let run = &harness.state().sim.runs[0];
    assert_eq!(run.summary.status, RunStatus::Cancelled);
    assert!(run.summary.simulated_s >= 1.5 && run.summary.simulated_s < 30.0);
    assert!(run.cancelled());
}

#[test]
fn pause_step_and_resume() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    // Step starts a paused run and advances one bucket.
    harness.get_by_label("⏭ Step").click();
    step_until(&mut harness, 30, |app| {
        app.sim.phase() == Some(RunPhase::Paused)
            && app
                .sim
                .with_shown(|run| run.summary.timeseries.t_s.len())
                .unwrap_or(0)
                == 1
    });
    harness.get_by_label("⏭ Step").click();
    step_until(&mut harness, 30, |app| {
        app.sim
            .with_shown(|run| run.summary.timeseries.t_s.len())
            .unwrap_or(0)
            == 2
    });
    assert_eq!(harness.state().sim.phase(), Some(RunPhase::Paused));
    // Resume runs it to the end.
    harness.get_by_label("▶ Resume").click();
    step_until(&mut harness, 120, |app| !app.sim.is_running());
    assert_eq!(
        harness.state().sim.runs[0].summary.status,
        RunStatus::Complete
    );
}

#[test]
fn the_scrubber_replays_the_graph_at_any_bucket() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    run_to_end(&mut harness);
    let buckets = harness.state().sim.runs[0].summary.timeseries.t_s.len();
    let last_t = harness.state().sim.overlay().unwrap().t_s;
    assert_eq!(
        last_t,
        harness.state().sim.runs[0].summary.timeseries.t_s[buckets - 1]
    );
    harness.state_mut().apply(SimCommand::Scrub(Some(3)).into());
    harness.step();
    let overlay = harness.state().sim.overlay().unwrap();
    assert_eq!(overlay.t_s, 3.0);
    assert!(overlay.caption.contains("replay"));
    harness.get_by_label("⏭ End").click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().sim.scrub, None);
}

#[test]
fn two_runs_are_named_after_what_changed_and_compared() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    run_to_end(&mut harness);

    // Halve the database's capacity, run again.
    let index = harness
        .state()
        .doc
        .topology
        .services
        .iter()
        .position(|s| s.name == "db")
        .unwrap();
    let mut db = harness.state().doc.topology.services[index].clone();
    let workers = db.workers;
    db.workers = (workers / 2).max(1);
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetService {
            index,
            service: Box::new(db),
        }));
    run_to_end(&mut harness);

    let app = harness.state();
    assert_eq!(
        app.sim.runs[1].name,
        format!(
            "baseline #2 · db workers {workers}→{}",
            (workers / 2).max(1)
        )
    );
    assert_eq!((app.sim.compare_a, app.sim.compare_b), (Some(0), Some(1)));

    show_tab(&mut harness, BottomTab::Compare);
    harness.get_by_label("Entries (A → B)");
    harness.get_by_label("Services (A → B)");
    harness.get_by_label_contains("A: baseline #1");
    harness.get_by_label_contains("B: baseline #2");
    // The overlaid charts.
    harness.get_by_label("Entries: latency");
    // The graph is coloured by the change: the database got busier.
    let overlay = harness.state().sim.overlay().expect("the comparison graph");
    assert!(overlay.caption.contains("compared with"));
    let scene = &overlay.scene;
    let db_node = scene
        .nodes
        .iter()
        .position(|n| n.id.name() == "db")
        .unwrap();
    let (score, words) = overlay.nodes[db_node]
        .as_ref()
        .and_then(|n| n.change.clone())
        .expect("db has a change");
    assert!(score > 0.02, "db got worse: {score} {words}");

    // Picking another pair and deleting a run keep the indices right.
    harness.state_mut().apply(
        SimCommand::SetCompare {
            a: Some(1),
            b: Some(0),
        }
        .into(),
    );
    harness.state_mut().apply(SimCommand::DeleteRun(0).into());
    let sim = &harness.state().sim;
    assert_eq!(sim.runs.len(), 1);
    assert_eq!((sim.compare_a, sim.compare_b), (Some(0), None));
}

#[test]
fn a_run_that_cannot_start_says_why() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::DeleteEntry(0)));
    while !harness.state().doc.topology.workload.is_empty() {
        harness
            .state_mut()
            .apply(AppCommand::edit(Edit::DeleteEntry(0)));
    }
    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, 30, |app| !app.sim.is_running());
    let error = harness.state().sim.error.clone().expect("an error");
    assert!(error.contains("workload"), "{error}");
    assert!(harness.state().sim.runs.is_empty());
    harness.get_by_label_contains("Cannot run");
}

/// The node of the overlay that shows `service`.
fn live_node<'a>(app: &'a App, service: &str) -> &'a archsim::gui::NodeLive {
    let overlay = app.sim.overlay().expect("the live graph");
    let i = overlay
        .scene
        .nodes
        .iter()
        .position(|n| n.id.name() == service)
        .expect("the service's node");
    overlay.nodes[i].as_ref().expect("live figures")
}

#[test]
fn a_zone_outage_shows_replicas_down_error_colouring_and_errors_by_cause() {
    let mut harness = harness();
    open(&mut harness, &scenario("zones.json"));
    // "one zone": every replica is in zone a, which is out from 60 s to 120 s.
    harness
        .state_mut()
        .apply(SimCommand::ChooseScenario(1).into());
    run_to_end(&mut harness);
    let summary = &harness.state().sim.runs[0].summary;
    assert_eq!(summary.fault_windows.len(), 1);
    let entry = &summary.timeseries.entrypoints["orders"];
    assert_eq!(entry.p95_ms.len(), summary.timeseries.t_s.len());

    // Before the outage: all replicas serve, no errors.
    harness
        .state_mut()
        .apply(SimCommand::Scrub(Some(30)).into());
    harness.step();
    let node = live_node(harness.state(), "storefront");
    assert!(node.replicas_down < 0.5, "{node:?}");
    assert!(node.error_ratio < 0.001, "{node:?}");
    // During it: the three replicas are down and the requests fail.
    harness
        .state_mut()
        .apply(SimCommand::Scrub(Some(90)).into());
    harness.step();
    let node = live_node(harness.state(), "storefront");
    assert!((node.replicas_down - 3.0).abs() < 0.01, "{node:?}");
    assert!(node.error_ratio > 0.5, "{node:?}");
    // After it, the replicas start again (startup 15 s), then serve.
    harness
        .state_mut()
        .apply(SimCommand::Scrub(Some(125)).into());
    harness.step();
    let node = live_node(harness.state(), "storefront");
    assert!(node.replicas_down < 0.5, "{node:?}");
    assert!(node.replicas_starting > 0.5, "{node:?}");

    // The charts break the errors down by cause, with a legend.
    show_tab(&mut harness, BottomTab::Charts);
    harness.get_by_label("Entries: errors by cause");
    let summary = &harness.state().sim.runs[0].summary;
    let causes = summary.entrypoints[0].errors;
    assert!(causes.total() > 0);
    for (name, count) in [
        ("━ timeout", causes.timeout),
        ("━ rejected", causes.rejected),
        ("━ error", causes.error),
        ("━ circuit_open", causes.circuit_open),
    ] {
        // A cause that occurred has its line (the service's chart may
        // list others).
        if count > 0 {
            assert!(harness.query_all_by_label(name).next().is_some(), "{name}");
        }
    }
    harness.get_by_label("Entries: latency");
    harness.get_by_label("━ p95");

    // The results tables name the causes as the charts do.
    show_tab(&mut harness, BottomTab::Results);
    let causes = harness.state().sim.runs[0].summary.entrypoints[0].errors;
    let named = [
        ("timeout", causes.timeout),
        ("rejected", causes.rejected),
        ("error", causes.error),
        ("circuit_open", causes.circuit_open),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(name, n)| format!("{name} {}", archsim::report::format::count(*n)))
    .collect::<Vec<_>>()
    .join(" · ");
    // (The entry's row, and storefront's with the same counts.)
    assert!(
        harness.query_all_by_label(&named).next().is_some(),
        "{named}"
    );
}

#[test]
fn an_open_circuit_breaker_shows_on_its_edge_and_callee() {
    let mut harness = harness();
    open(&mut harness, &scenario("retry-storm.json"));
    // "breaker and budget": api → db has a breaker; db slows down at 60 s.
    harness
        .state_mut()
        .apply(SimCommand::ChooseScenario(1).into());
    run_to_end(&mut harness);
    let summary = &harness.state().sim.runs[0].summary;
    let edge = summary
        .timeseries
        .edges
        .iter()
        .find(|e| e.from == "api" && e.to == "db")
        .expect("api → db");
    let open_bucket = edge
        .breaker_open
        .iter()
        .position(|share| *share > 0.0)
        .expect("the breaker opens");
    assert!(open_bucket >= 60, "{open_bucket}");

    harness
        .state_mut()
        .apply(SimCommand::Scrub(Some(open_bucket)).into());
    harness.step();
    let overlay = harness.state().sim.overlay().expect("the live graph");
    assert!(overlay.edge_breaker_open.iter().any(|open| *open));
    assert!(live_node(harness.state(), "db").breaker_open);
    assert!(!live_node(harness.state(), "api").breaker_open);

    harness
        .state_mut()
        .apply(SimCommand::Scrub(Some(10)).into());
    harness.step();
    let overlay = harness.state().sim.overlay().expect("the live graph");
    assert!(overlay.edge_breaker_open.iter().all(|open| !*open));
    assert!(!live_node(harness.state(), "db").breaker_open);
}

/// The caption of the graph's figures.
fn caption(app: &App) -> String {
    app.sim
        .overlay()
        .map(|o| o.caption.clone())
        .unwrap_or_default()
}

#[test]
fn a_new_document_starts_with_no_results_and_a_finished_run_is_not_live() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    run_to_end(&mut harness);
    harness.step();
    let shown = caption(harness.state());
    assert!(shown.contains("end of run"), "{shown}");
    assert!(!shown.contains("live"), "{shown}");
    assert!(harness.state().sim.with_shown(|_| ()).is_some());

    // Another file: none of the previous document's figures on it.
    open(&mut harness, &scenario("shop.json"));
    harness.step();
    let app = harness.state();
    assert!(app.sim.with_shown(|_| ()).is_none());
    assert!(app.sim.shown_index().is_none());
    assert!(app.sim.overlay().is_none(), "{:?}", caption(app));
    // The run is kept for the Compare tab.
    assert_eq!(app.sim.runs.len(), 1);
    assert!(!app.sim.is_of_open_document(&app.sim.runs[0]));
}

#[test]
fn an_edit_marks_the_shown_results_as_of_an_earlier_version_until_the_next_run() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    run_to_end(&mut harness);
    assert!(!harness.state().sim.shown_is_stale());

    let index = harness
        .state()
        .doc
        .topology
        .services
        .iter()
        .position(|s| s.name == "db")
        .unwrap();
    let mut db = harness.state().doc.topology.services[index].clone();
    db.workers += 1;
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetService {
            index,
            service: Box::new(db),
        }));
    harness.step();
    harness.step();
    assert!(harness.state().sim.shown_is_stale());
    let shown = caption(harness.state());
    assert!(shown.contains("model edited since"), "{shown}");
    show_tab(&mut harness, BottomTab::Results);
    harness.get_by_label_contains("The model was edited since this run");

    // Undo brings the model back to what ran: no longer stale.
    harness.state_mut().queue(AppCommand::Undo);
    harness.step();
    harness.step();
    assert!(!harness.state().sim.shown_is_stale());

    run_to_end(&mut harness);
    assert!(!harness.state().sim.shown_is_stale());
    assert!(!caption(harness.state()).contains("edited"));
}

#[test]
fn a_stopped_run_says_so_and_is_compared_by_rates_with_its_length_named() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    run_to_end(&mut harness);

    harness.state_mut().apply(SimCommand::SetSpeed(1.0).into());
    harness.get_by_label("▶ Run").click();
    step_until(&mut harness, 30, |app| {
        app.sim
            .active
            .as_ref()
            .is_some_and(|a| a.handle.shared().now_s >= 1.5)
    });
    harness.get_by_label("⏹ Stop").click();
    step_until(&mut harness, 10, |app| !app.sim.is_running());
    harness.step();
    let shown = caption(harness.state());
    assert!(shown.contains("stopped at t ="), "{shown}");
    assert!(!shown.contains("live"), "{shown}");

    // A stopped run is not paired with the full one behind the user's back.
    let sim = &harness.state().sim;
    assert_ne!((sim.compare_a, sim.compare_b), (Some(0), Some(1)));
    harness.state_mut().apply(
        SimCommand::SetCompare {
            a: Some(0),
            b: Some(1),
        }
        .into(),
    );
    show_tab(&mut harness, BottomTab::Compare);
    harness.get_by_label_contains("The runs differ in length");
}

#[test]
fn results_show_the_queueing_estimate_beside_the_simulation_and_flag_a_retry_storm() {
    // A calm run: estimate and simulation side by side, rows that agree.
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    run_to_end(&mut harness);
    let run = &harness.state().sim.runs[0];
    assert!(
        run.summary
            .services
            .iter()
            .all(|s| s.estimate.is_some_and(|e| e.response_ms_mean.is_some())),
        "every service of the finished run carries its estimate"
    );
    assert!(run.summary.entrypoints.iter().all(|e| e.estimate.is_some()));
    show_tab(&mut harness, BottomTab::Results);
    harness.get_by_label("Queueing estimate vs simulation");
    harness.get_by_label("Mean (sim, ms)");
    harness.get_by_label("Mean (est, ms)");
    harness.get_by_label("Likely reason");
    assert!(
        !harness
            .query_all_by_label("agrees")
            .collect::<Vec<_>>()
            .is_empty()
    );

    // A retry storm: the estimate leaves retries and timeouts out, and the
    // rows that differ say so.
    open(&mut harness, &scenario("retry-storm.json"));
    run_to_end(&mut harness);
    show_tab(&mut harness, BottomTab::Results);
    harness.get_by_label_contains("differ by more than 25%");
    let flagged: Vec<String> = harness
        .query_all_by_label_contains("⚠ ")
        // A label's text is its accesskit value.
        .filter_map(|node| node.value())
        .collect();
    assert!(
        flagged
            .iter()
            .any(|l| l.contains("retries") || l.contains("timeouts")),
        "{flagged:?}"
    );
}

#[test]
fn a_metastable_failure_is_listed_first_in_the_results_and_shaded_on_the_charts() {
    let mut harness = harness();
    open(&mut harness, &scenario("metastable.json"));
    // "unbudgeted retries": a 10 s slowdown of db that never recovers.
    harness
        .state_mut()
        .apply(SimCommand::ChooseScenario(0).into());
    run_to_end(&mut harness);
    let summary = &harness.state().sim.runs[0].summary;
    assert_eq!(summary.findings[0].kind(), "metastable");
    assert_eq!(summary.findings[0].window_s(summary.simulated_s).1, 300.0);

    show_tab(&mut harness, BottomTab::Results);
    harness.get_by_label_contains("Metastable failure: The slowdown of db from t = 60 to 70 s");
    harness.get_by_label_contains("never recovered; api → db sent 4 attempts per call");
    assert_eq!(
        harness
            .query_all_by_label_contains("(shaded on the charts)")
            .count(),
        2,
        "the metastable failure and db's overload"
    );
    harness.get_by_label_contains("Sustained overload: db was overloaded");
    // The charts shade the windows and say what they are, above the charts.
    show_tab(&mut harness, BottomTab::Charts);
    harness.get_by_label("Shaded: findings");
    // The labels that name a window with its times (AccessKit keeps a
    // label's text as its value; the document is named "Metastable
    // failure" too).
    let windows: Vec<String> = harness
        .query_all_by(|n| {
            n.role() == egui::accesskit::Role::Label
                && n.value()
                    .is_some_and(|v| v.contains("Metastable failure") && v.ends_with(" s"))
        })
        .filter_map(|n| n.accesskit_node().value())
        .collect();
    assert_eq!(windows.len(), 1, "{windows:?}");
    assert!(
        windows[0].ends_with("–300 s"),
        "to the end of the run: {windows:?}"
    );

    // The same system with a retry budget recovers: no metastable finding.
    harness
        .state_mut()
        .apply(SimCommand::ChooseScenario(1).into());
    run_to_end(&mut harness);
    show_tab(&mut harness, BottomTab::Results);
    assert!(
        harness
            .query_by_label_contains("Metastable failure: ")
            .is_none()
    );

    // Compared (storm A, budget B), A's windows are shaded and named as A's; B
    // recovered and has no metastable window.
    harness.state_mut().apply(
        SimCommand::SetCompare {
            a: Some(0),
            b: Some(1),
        }
        .into(),
    );
    show_tab(&mut harness, BottomTab::Compare);
    harness.get_by_label("Shaded: findings");
    harness.get_by_label_contains("A: Metastable failure");
    assert!(
        harness
            .query_by_label_contains("B: Metastable failure")
            .is_none()
    );
}
