//! UI tests of the Experiments tab with egui_kittest, on a tiny M/M/1
//! model (one exponential service, mean 10 ms, Poisson arrivals): a sweep
//! (its chart data, knee and command line, and that it is the engine of
//! `archsim sweep`), replications (± in the table, bands), a capacity
//! search (the card against the closed form; a target typed for a file
//! without SLO), min-replicas, Cancel, and that another document starts
//! without the results while an edit marks them stale.

// Test helpers may panic: that is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use archsim::experiment::sweep::Sweep;
use archsim::experiment::{Control, Plan, ScenarioChoice};
use archsim::gui::{
    App, AppCommand, BottomTab, CapacityGoal, Edit, ExpCommand, ExpForm, ExpKind, KneeReason,
    Metric, Outcome, PendingAction, Settings, UnsavedAnswer, VaryChoice, capacity_lines,
    sweep_chart,
};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::json;

/// An M/M/1 queue: μ = 100/s, `rate_rps` arrivals; p99 of the sojourn
/// time is ln(100)/(μ − λ).
fn mm1_file(tag: &str, rate_rps: f64, duration_s: f64, slo: bool) -> PathBuf {
    let mut topology = json!({
        "archsim": 1,
        "name": "mm1",
        "services": [{"name": "app",
                      "service_time": {"dist": "exponential", "mean_ms": 10}}],
        "workload": [{"name": "in", "to": "app", "rate_rps": rate_rps}],
        "scenarios": [{"name": "base", "duration_s": duration_s, "warmup_s": 3, "seed": 7}]
    });
    if slo {
        topology["slo"] = json!({"latency_p99_ms": 200});
    }
    let path = std::env::temp_dir().join(format!(
        "archsim-gui-experiments-{}-{tag}.json",
        std::process::id()
    ));
    std::fs::write(&path, serde_json::to_string_pretty(&topology).unwrap()).unwrap();
    path
}

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1500.0, 1000.0))
        .build_ui_state(
            |ui, app: &mut App| app.ui_root(ui),
            App::new(Settings::default()),
        )
}

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

/// Opens `path` and shows the Experiments tab (clicked by its label).
fn open_on_experiments(path: &PathBuf) -> Harness<'static, App> {
    let mut harness = harness();
    harness.state_mut().open_path(path);
    step_until(&mut harness, 30, App::is_idle);
    harness.get_by_label("Experiments").click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().settings.bottom_tab, BottomTab::Experiments);
    harness
}

fn set_form(harness: &mut Harness<'static, App>, change: impl FnOnce(&mut ExpForm)) {
    let mut form = harness.state().experiments.form.clone();
    change(&mut form);
    harness.state_mut().queue(ExpCommand::SetForm(form).into());
    harness.step();
    harness.step();
}

/// Presses ▶ Start and waits for the experiment to end.
fn start_and_wait(harness: &mut Harness<'static, App>) {
    let before = harness.state().experiments.records.len();
    harness.get_by_label("▶ Start").click();
    harness.step();
    step_until(harness, 180, |app| !app.experiments.is_running());
    assert_eq!(
        harness.state().experiments.records.len(),
        before + 1,
        "{:?}",
        harness.state().experiments.error
    );
}

#[test]
fn a_sweep_charts_the_metric_with_intervals_slo_line_and_knee() {
    let path = mm1_file("sweep", 50.0, 30.0, true);
    let mut harness = open_on_experiments(&path);
    harness.get_by_label("Sweep").click();
    harness.step();
    assert_eq!(harness.state().experiments.form.kind, ExpKind::Sweep);
    set_form(&mut harness, |f| {
        f.vary = VaryChoice::Load;
        f.values = "0.5:1.7:0.3".to_owned();
        f.replications = 3;
        f.metric = Metric::P99;
    });
    start_and_wait(&mut harness);

    let app = harness.state();
    let record = app.experiments.shown_record().expect("the sweep is shown");
    assert_eq!(
        record.command,
        format!(
            "archsim sweep {} --scenario base --vary load=0.5:1.7:0.3 --replications 3 --confidence 0.95 --out results.csv",
            path.display()
        )
    );
    let Outcome::Sweep { spec, name, points } = &record.outcome else {
        panic!("a sweep outcome")
    };
    assert_eq!((spec.as_str(), name.as_str()), ("load=0.5:1.7:0.3", "load"));

    // The points are those of `archsim sweep` with the same SPEC.
    let checked = archsim::model::load_checked_file(&path).unwrap();
    let mut plan = Plan::new(3);
    plan.jobs = 1;
    let sweep = Sweep::new(
        &checked,
        ScenarioChoice {
            name: Some("base".to_owned()),
            ..ScenarioChoice::default()
        },
        &["load=0.5:1.7:0.3".to_owned()],
        plan,
    )
    .unwrap();
    let cancel = AtomicBool::new(false);
    let mut expected = Vec::new();
    sweep
        .run(
            Control {
                cancel: &cancel,
                on_run_done: &|| {},
            },
            |p| {
                expected.push(p);
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(points, &expected);

    let slo = record.topology.slo.clone();
    let chart = sweep_chart(points, name, None, Metric::P99, slo.as_ref()).unwrap();
    let xs: Vec<f64> = chart.points.iter().map(|p| p.x).collect();
    assert_eq!(xs, [0.5, 0.8, 1.1, 1.4, 1.7]);
    assert_eq!(chart.slo, Some(200.0));
    // p99 = ln(100)/(100 − 50·x) s: 61, 77, 102, 154, 307 ms.
    for (p, x) in chart.points.iter().zip(&xs) {
        let exact = 100f64.ln() / (100.0 - 50.0 * x) * 1000.0;
        assert!(
            (p.y - exact).abs() / exact < 0.25,
            "p99 at load {x}: {} ms, exact {exact:.0} ms",
            p.y
        );
        assert!(p.lo < p.y && p.y < p.hi, "an interval around {p:?}");
    }
    assert!(chart.points.windows(2).all(|w| w[0].y < w[1].y));
    assert_eq!(chart.points[4].slo_met, Some(false));
    assert_eq!(chart.points[0].slo_met, Some(true));
    // The bend comes at 1.4 (slope 173 ms per unit against 53 at first) or,
    // with noise, at the SLO break at 1.7.
    let knee = chart.knee.expect("a knee");
    assert!(
        (knee.index == 3 && knee.reason == KneeReason::Bend)
            || (knee.index == 4 && knee.reason == KneeReason::SloBreak),
        "{knee:?}"
    );
    // The tab says so.
    harness.get_by_label_contains("knee at load = ");
    harness.get_by_label_contains("Same from the command line:");
}

#[test]
fn replications_show_plus_minus_and_bands() {
    let path = mm1_file("replications", 50.0, 40.0, true);
    let mut harness = open_on_experiments(&path);
    set_form(&mut harness, |f| {
        f.kind = ExpKind::Replications;
        f.replications = 4;
    });
    start_and_wait(&mut harness);
    let app = harness.state();
    let record = app.experiments.shown_record().unwrap();
    let Outcome::Replications(run) = &record.outcome else {
        panic!("replications")
    };
    assert_eq!(run.result.replications, 4);
    let ci = run.result.entry_ci("in", "latency_ms.p99").unwrap();
    assert!(ci[0] < ci[1]);
    let band = &run.bands[0];
    assert_eq!(band.entry, "in");
    assert_eq!(band.p99_ms.len(), 40);
    assert!(band.p99_ms.iter().all(|b| b.lo <= b.mean && b.mean <= b.hi));
    assert!(band.p99_ms.iter().filter(|b| b.lo < b.hi).count() > 20);
    let p99 = run.result.summary.entrypoints[0].latency_ms.p99;
    let text = format!(
        "{} ± {}",
        archsim::report::format::ms(p99),
        archsim::report::format::ms((ci[1] - ci[0]) / 2.0)
    );
    // The entry's p99 in the entries table (the service's p99 response may read the same).
    assert!(harness.get_all_by_label(&text).count() >= 1);
}

#[test]
fn a_capacity_search_fills_the_card_and_a_typed_target_stands_in_for_a_missing_slo() {
    let path = mm1_file("capacity", 50.0, 30.0, false);
    let mut harness = open_on_experiments(&path);
    harness.get_by_label("Capacity").click();
    harness.step();
    // No SLO in the file: the tab says how to add one, and Start waits for a target.
    harness.get_by_label_contains("The file has no SLO");
    harness.state_mut().queue(ExpCommand::Start.into());
    harness.step();
    assert!(!harness.state().experiments.is_running());
    assert!(
        harness
            .state()
            .experiments
            .error
            .as_deref()
            .is_some_and(|e| e.contains("\"slo\": {\"latency_p99_ms\": 200}"))
    );
    set_form(&mut harness, |f| {
        f.typed_p99_ms = "200".to_owned();
        f.replications = 3;
        f.goal = CapacityGoal::MaxLoad;
    });
    start_and_wait(&mut harness);

    let app = harness.state();
    let record = app.experiments.shown_record().unwrap();
    assert!(
        record
            .command
            .ends_with("--scenario base --slo latency_p99_ms=200 --find max-load --replications 3"),
        "{}",
        record.command
    );
    let Outcome::Capacity(capacity) = &record.outcome else {
        panic!("capacity")
    };
    let lines = capacity_lines(capacity, &record.topology);
    // Exact: λ = 100 − ln(100)/0.2 = 76.97 rps, ×1.539.
    let exact = (100.0 - 100f64.ln() / 0.2) / 50.0;
    let first = &lines[0];
    let m: f64 = first
        .strip_prefix("max load ")
        .and_then(|rest| rest.split('×').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("{first}"));
    assert!(
        (m - exact).abs() / exact < 0.1,
        "{first}; exact ×{exact:.3}"
    );
    assert!(first.ends_with("rps) before p99 > 200 ms"), "{first}");
    harness.get_by_label(first);
}

#[test]
fn min_replicas_names_the_replicas_each_service_needs() {
    // 150 rps on μ = 100/s: one replica saturates, two meet p99 ≤ 200 ms.
    let path = mm1_file("replicas", 150.0, 20.0, true);
    let mut harness = open_on_experiments(&path);
    set_form(&mut harness, |f| {
        f.kind = ExpKind::Capacity;
        f.goal = CapacityGoal::MinReplicas;
        f.replications = 3;
    });
    start_and_wait(&mut harness);
    let app = harness.state();
    let record = app.experiments.shown_record().unwrap();
    let Outcome::Capacity(capacity) = &record.outcome else {
        panic!("capacity")
    };
    let lines = capacity_lines(capacity, &record.topology);
    assert_eq!(lines[0], "needs replicas: app 2 for p99 ≤ 200 ms");
    assert_eq!(lines[1], "the model has: app 1");
    harness.get_by_label(&lines[0]);
}

#[test]
fn cancel_stops_an_experiment_and_keeps_nothing() {
    let path = mm1_file("cancel", 50.0, 3000.0, true);
    let mut harness = open_on_experiments(&path);
    set_form(&mut harness, |f| {
        f.kind = ExpKind::Sweep;
        f.vary = VaryChoice::Load;
        f.values = "0.1:1.5:0.1".to_owned();
        f.replications = 10;
    });
    harness.get_by_label("▶ Start").click();
    harness.step();
    harness.step();
    assert!(harness.state().experiments.is_running());
    harness.get_by_label_contains("of 150 runs");
    harness.get_by_label("■ Cancel").click();
    harness.step();
    step_until(&mut harness, 60, |app| !app.experiments.is_running());
    let app = harness.state();
    assert!(app.experiments.records.is_empty());
    assert!(app.experiments.error.is_none());
    let status = app.status.as_ref().map(|s| s.text.clone()).unwrap();
    assert!(status.contains("cancelled after"), "{status}");
}

#[test]
fn another_document_starts_without_results_and_an_edit_marks_them_stale() {
    let path = mm1_file("document", 50.0, 10.0, true);
    let mut harness = open_on_experiments(&path);
    set_form(&mut harness, |f| {
        f.kind = ExpKind::Sweep;
        f.vary = VaryChoice::Replicas("app".to_owned());
        f.values = "1,2".to_owned();
        f.replications = 2;
    });
    start_and_wait(&mut harness);
    assert!(!harness.state().experiments.shown_is_stale());

    // An edit: the result is of an earlier version.
    let mut app_service = harness.state().doc.topology.services[0].clone();
    app_service.workers = 2;
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetService {
            index: 0,
            service: Box::new(app_service),
        }));
    harness.step();
    harness.step();
    assert!(harness.state().experiments.shown_is_stale());
    harness.get_by_label_contains("of an earlier version of the model");

    // A new document shows none of them (they stay in the session). The
    // edit left unsaved changes: New asks first; discard them.
    harness.state_mut().queue(AppCommand::New);
    harness.step();
    harness
        .state_mut()
        .queue(AppCommand::AnswerUnsaved(UnsavedAnswer::Discard));
    step_until(&mut harness, 30, |app| {
        app.pending == PendingAction::None && app.doc.topology.services.is_empty()
    });
    let app = harness.state();
    assert!(app.experiments.visible().is_empty());
    assert!(app.experiments.shown_record().is_none());
    assert_eq!(app.experiments.records.len(), 1);
    assert_eq!(app.experiments.form.vary, VaryChoice::Load);
    harness.get_by_label_contains("No experiment yet");
}
