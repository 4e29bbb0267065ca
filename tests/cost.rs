//! Cost (`cost_per_replica_hour`, the summary's `cost`, `capacity --find
//! min-cost`): replica-hours of fixed and autoscaled services, the file's
//! default price and currency, validation, saving, the run table, reports
//! and comparisons, replications, and min-cost choosing the cheaper
//! service to scale.

use std::sync::atomic::AtomicBool;

use archsim::experiment::capacity::{self, Answer, Find, Options};
use archsim::experiment::{Control, Plan, ScenarioChoice, aggregate};
use archsim::metrics::{Cost, Summary};
use archsim::model;
use archsim::sim::Simulation;
use serde_json::{Value, json};

use super::cli::archsim;

fn run(document: &Value, scenario: Option<&str>) -> Summary {
    let checked =
        model::load_checked_str(&document.to_string(), "test.json").expect("the document loads");
    let run = checked.scenario(scenario).expect("the scenario exists");
    Simulation::new(&run).expect("it compiles").run()
}

fn cost(summary: &Summary) -> &Cost {
    summary.cost.as_ref().expect("the run has a cost")
}

/// `web` (3 replicas, the file's price) → `db` (2 replicas, its own price).
fn priced(duration_s: f64) -> Value {
    json!({
        "name": "priced",
        "cost_per_replica_hour": 0.5,
        "services": [
            {"name": "web", "replicas": 3, "workers": 8,
             "service_time": {"dist": "exponential", "mean_ms": 2},
             "calls": [{"to": "db"}]},
            {"name": "db", "replicas": 2, "workers": 8,
             "service_time": {"dist": "exponential", "mean_ms": 1},
             "cost_per_replica_hour": 2.0}
        ],
        "workload": [{"name": "in", "to": "web", "rate_rps": 50}],
        "scenarios": [{"name": "base", "duration_s": duration_s, "warmup_s": 10, "seed": 3}]
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn fixed_replicas_cost_exactly_replicas_times_duration_at_their_prices() {
    let summary = run(&priced(720.0), None);
    let cost = cost(&summary);
    assert_eq!(cost.currency, "USD", "the default currency");
    let names: Vec<&str> = cost.per_service.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web", "db"], "in the order of the file");
    // Warm-up included: the whole 720 s.
    let (web, db) = (&cost.per_service[0], &cost.per_service[1]);
    assert!(close(web.replica_hours, 3.0 * 720.0 / 3600.0), "{web:?}");
    assert!(close(db.replica_hours, 2.0 * 720.0 / 3600.0), "{db:?}");
    assert!(
        close(web.cost, 0.6 * 0.5),
        "the file's default price: {web:?}"
    );
    assert!(close(db.cost, 0.4 * 2.0), "the service's own price: {db:?}");
    assert!(close(cost.replica_hours, 1.0));
    assert!(close(cost.total, 0.3 + 0.8));
}

#[test]
fn the_currency_and_an_override_of_the_price_are_applied() {
    let mut document = priced(60.0);
    document["currency"] = json!("EUR");
    document["scenarios"][0]["overrides"] =
        json!([{"service": "db", "set": {"cost_per_replica_hour": 4.0}}]);
    let summary = run(&document, None);
    let cost = cost(&summary);
    assert_eq!(cost.currency, "EUR");
    assert!(close(cost.per_service[1].cost, 2.0 * 60.0 / 3600.0 * 4.0));
}

#[test]
fn a_file_without_prices_has_no_cost_and_unpriced_services_are_free() {
    let mut document = priced(60.0);
    document
        .as_object_mut()
        .unwrap()
        .remove("cost_per_replica_hour");
    let summary = run(&document, None);
    let cost = cost(&summary);
    assert_eq!(cost.per_service[0].cost, 0.0, "web has no price: free");
    assert!(
        cost.per_service[0].replica_hours > 0.0,
        "but its hours count"
    );
    assert!(close(cost.total, cost.per_service[1].cost));

    document["services"][1]
        .as_object_mut()
        .unwrap()
        .remove("cost_per_replica_hour");
    let summary = run(&document, None);
    assert_eq!(summary.cost, None);
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["cost"], Value::Null, "the key is there, null");
}

#[test]
fn an_autoscaled_service_costs_between_its_min_and_max_replicas() {
    let document = json!({
        "name": "scaling",
        "cost_per_replica_hour": 1.0,
        "services": [{"name": "app", "replicas": 1, "workers": 2,
                      "service_time": {"dist": "exponential", "mean_ms": 20},
                      "autoscale": {"min": 1, "max": 8, "target_utilization": 0.5,
                                    "interval_s": 10, "startup_s": 5, "cooldown_s": 30}}],
        "workload": [{"name": "in", "to": "app", "rate_rps": 100}],
        "scenarios": [{"name": "base", "duration_s": 300, "seed": 1}]
    });
    let summary = run(&document, None);
    assert!(!summary.scaling_events.is_empty(), "the autoscaler acted");
    let hours = cost(&summary).per_service[0].replica_hours;
    let (low, high) = (300.0 / 3600.0, 8.0 * 300.0 / 3600.0);
    assert!(low < hours && hours < high, "{low} < {hours} < {high}");
    // 100 rps × 20 ms = 2 busy workers: about 2 replicas at 50% of 2 workers.
    let mean = hours * 3600.0 / 300.0;
    assert!(mean > 1.5, "the autoscaler added replicas: {mean}");
}

#[test]
fn a_crash_does_not_stop_the_cost_of_the_replica_held() {
    let mut document = priced(120.0);
    document["scenarios"][0]["faults"] =
        json!([{"kind": "crash", "service": "db", "replicas": 1, "at_s": 30, "duration_s": 30}]);
    let summary = run(&document, None);
    assert!(close(
        cost(&summary).per_service[1].replica_hours,
        2.0 * 120.0 / 3600.0
    ));
}

#[test]
fn cost_is_the_same_for_the_same_file_scenario_and_seed() {
    let a = serde_json::to_string(&run(&priced(60.0), None).cost).unwrap();
    let b = serde_json::to_string(&run(&priced(60.0), None).cost).unwrap();
    assert_eq!(a, b);
}

#[test]
fn replications_average_the_cost() {
    let first = run(&priced(60.0), None);
    let mut second = first.clone();
    if let Some(cost) = &mut second.cost {
        cost.total *= 3.0;
        cost.per_service[0].cost *= 3.0;
    }
    let mean = aggregate([&first, &second], 0.95).expect("averages");
    let (a, m) = (cost(&first), cost(&mean.summary));
    assert!(close(m.total, 2.0 * a.total));
    assert!(close(m.per_service[0].cost, 2.0 * a.per_service[0].cost));
    assert!(close(m.replica_hours, a.replica_hours));
}

fn problems(document: &Value) -> String {
    match model::load_checked_str(&document.to_string(), "test.json") {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn validation_names_the_place_and_the_fix_of_a_bad_price_or_currency() {
    let mut document = priced(60.0);
    document["services"][1]["cost_per_replica_hour"] = json!(-1.0);
    let message = problems(&document);
    assert!(
        message.contains("services[1] \"db\" cost_per_replica_hour")
            && message.contains("must be a price of 0 or more")
            && message.contains("found -1"),
        "{message}"
    );

    let mut document = priced(60.0);
    document["cost_per_replica_hour"] = json!(-0.5);
    document["currency"] = json!("  ");
    let message = problems(&document);
    assert!(
        message.contains("cost_per_replica_hour: must be a price"),
        "{message}"
    );
    assert!(
        message.contains("currency: a currency needs a name"),
        "{message}"
    );

    let mut document = priced(60.0);
    document["scenarios"][0]["overrides"] =
        json!([{"service": "db", "set": {"cost_per_replica_hour": -2}}]);
    let message = problems(&document);
    assert!(
        message.contains("overrides[0]") && message.contains("must be a price of 0 or more"),
        "{message}"
    );

    // NaN cannot be written in JSON, but a model edited in memory can hold it.
    let mut topology = model::from_json_str(&priced(60.0).to_string()).expect("the document reads");
    topology.services[0].cost_per_replica_hour = Some(f64::NAN);
    let message = match model::check(topology) {
        Ok(_) => String::new(),
        Err(problems) => problems
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    assert!(
        message.contains("must be a price of 0 or more per replica and hour (found NaN)"),
        "{message}"
    );
}

#[test]
fn some_priced_services_and_no_default_warn_that_the_others_are_free() {
    let mut document = priced(60.0);
    document
        .as_object_mut()
        .unwrap()
        .remove("cost_per_replica_hour");
    let checked = model::load_checked_str(&document.to_string(), "test.json").expect("valid");
    let warnings: Vec<&str> = checked
        .warnings()
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"web\" have no cost_per_replica_hour and count as free")),
        "{warnings:?}"
    );
}

#[test]
fn saving_keeps_the_prices_and_the_currency() {
    let mut document = priced(60.0);
    document["currency"] = json!("EUR");
    let topology = model::from_json_str(&document.to_string()).expect("reads");
    let saved = model::to_json_string(&topology);
    let again = model::from_json_str(&saved).expect("reads back");
    assert_eq!(again, topology);
    assert_eq!(model::to_json_string(&again), saved, "canonical");
    assert_eq!(again.cost_per_replica_hour, Some(0.5));
    assert_eq!(again.currency.as_deref(), Some("EUR"));
    assert_eq!(again.services[1].cost_per_replica_hour, Some(2.0));
    assert_eq!(again.services[0].cost_per_replica_hour, None);
}

#[test]
fn the_run_table_shows_the_cost_and_the_report_compares_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut document = priced(60.0);
    document["scenarios"].as_array_mut().unwrap().push(
        json!({"name": "more db", "duration_s": 60, "warmup_s": 10, "seed": 3,
                     "overrides": [{"service": "db", "set": {"replicas": 4}}]}),
    );
    let file = dir.path().join("priced.json");
    std::fs::write(&file, document.to_string()).unwrap();
    let file = file.to_str().unwrap();

    let output = archsim(&["run", file]);
    assert!(output.status.success());
    let table = String::from_utf8_lossy(&output.stdout);
    // 3 × 60 s at 0.5 + 2 × 60 s at 2.0 = 0.025 + 0.0667 USD.
    assert!(
        table.contains("cost: 0.0917 USD over 60 s (0.08 replica-hours, 5.50 USD per hour)"),
        "{table}"
    );

    let out = dir.path().join("report.md");
    let output = archsim(&[
        "report",
        file,
        "--all-scenarios",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(
        report.contains("Cost of the replicas held (USD)"),
        "{report}"
    );
    // db doubles: 0.0667 → 0.133 USD, +0.0667 USD (×2).
    assert!(report.contains("+0.0667 USD (×2)"), "{report}");
}

static NEVER: AtomicBool = AtomicBool::new(false);

/// `cheap` (70% busy, 0.1 per replica-hour) calls `dear` (80% busy, 1.0)
/// without holding its worker; one replica each misses a p50 of 46 ms
/// (about 52 ms), a second replica of either meets it (about 30 ms with
/// two `dear`, 39 ms with two `cheap`).
fn chain() -> Value {
    json!({
        "name": "chain",
        "services": [
            {"name": "cheap", "blocking_calls": false, "cost_per_replica_hour": 0.1,
             "service_time": {"dist": "exponential", "mean_ms": 7},
             "calls": [{"to": "dear"}]},
            {"name": "dear", "cost_per_replica_hour": 1.0,
             "service_time": {"dist": "exponential", "mean_ms": 8}}
        ],
        "workload": [{"name": "in", "to": "cheap", "rate_rps": 100}],
        "scenarios": [{"name": "base", "duration_s": 200, "warmup_s": 20, "seed": 5}],
        "slo": {"latency_p50_ms": 46}
    })
}

fn search(find: &Find) -> capacity::Capacity {
    let checked = model::load_checked_str(&chain().to_string(), "chain.json").expect("valid");
    let plan = Plan {
        replications: 3,
        confidence: 0.95,
        jobs: 2,
        max_in_flight: archsim::sim::DEFAULT_MAX_IN_FLIGHT,
    };
    let slo = checked.topology().slo.clone().unwrap();
    capacity::search(
        &checked,
        &ScenarioChoice::default(),
        find,
        &Options::new(slo, plan),
        Control {
            cancel: &NEVER,
            on_run_done: &|| {},
        },
    )
    .expect("finds")
}

#[test]
fn min_cost_scales_the_cheaper_service_where_min_replicas_scales_the_busier() {
    let fewest = search(&Find::MinReplicas { services: vec![] });
    let Answer::MinReplicas { replicas } = &fewest.answer else {
        panic!("min-replicas answer expected")
    };
    assert_eq!((replicas["cheap"], replicas["dear"]), (1, 2), "{fewest:?}");

    let cheapest = search(&Find::MinCost { services: vec![] });
    assert_eq!(cheapest.find, "min-cost");
    let Answer::MinCost {
        replicas,
        cost_per_hour,
        currency,
        cost,
    } = &cheapest.answer
    else {
        panic!("min-cost answer expected")
    };
    assert_eq!(
        (replicas["cheap"], replicas["dear"]),
        (2, 1),
        "{cheapest:?}"
    );
    assert!(close(*cost_per_hour, 2.0 * 0.1 + 1.0));
    assert_eq!(currency, "USD");
    let cost = cost.as_ref().expect("the answer's run has a cost");
    assert!(close(cost.replica_hours, 3.0 * 200.0 / 3600.0), "{cost:?}");
    let json = serde_json::to_value(&cheapest).unwrap();
    assert_eq!(json["answer"]["replicas"], json!({"cheap": 2, "dear": 1}));
    assert!(json["answer"]["cost_per_hour"].is_number());
}

#[test]
fn the_capacity_command_finds_min_cost() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chain.json");
    std::fs::write(&file, chain().to_string()).unwrap();
    let output = archsim(&[
        "capacity",
        file.to_str().unwrap(),
        "--find",
        "min-cost",
        "--replications",
        "3",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("cheapest replicas: cheap 2, dear 1 (1.20 USD per hour for these services) for p50 ≤ 46 ms"),
        "{text}"
    );
    assert!(
        text.contains("simulated cost of that run: 0.0667 USD"),
        "{text}"
    );
}

#[test]
fn min_cost_without_prices_says_how_to_give_them() {
    let mut document = chain();
    for service in document["services"].as_array_mut().unwrap() {
        service
            .as_object_mut()
            .unwrap()
            .remove("cost_per_replica_hour");
    }
    let checked = model::load_checked_str(&document.to_string(), "chain.json").expect("valid");
    let slo = checked.topology().slo.clone().unwrap();
    let err = capacity::search(
        &checked,
        &ScenarioChoice::default(),
        &Find::MinCost { services: vec![] },
        &Options::new(
            slo,
            Plan {
                replications: 2,
                confidence: 0.95,
                jobs: 1,
                max_in_flight: archsim::sim::DEFAULT_MAX_IN_FLIGHT,
            },
        ),
        Control {
            cancel: &NEVER,
            on_run_done: &|| {},
        },
    )
    .expect_err("no prices");
    assert!(err.to_string().contains("cost_per_replica_hour"), "{err}");
}

/// The app shows the cost beside the SLO verdict in Results, and the
/// change of cost in Compare.
#[cfg(feature = "gui")]
mod app {
    use std::time::{Duration, Instant};

    use archsim::gui::{App, AppCommand, BottomTab, Edit, Settings};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    fn step_until(harness: &mut Harness<'static, App>, done: impl Fn(&App) -> bool) {
        let started = Instant::now();
        while !done(harness.state()) {
            harness.step();
            assert!(started.elapsed() < Duration::from_secs(120), "timed out");
            std::thread::sleep(Duration::from_millis(5));
        }
        harness.step();
        harness.step();
    }

    fn run_to_end(harness: &mut Harness<'static, App>) {
        let before = harness.state().sim.runs.len();
        harness.get_by_label("▶ Run").click();
        harness.step();
        step_until(harness, |app| {
            !app.sim.is_running() && app.sim.runs.len() > before
        });
    }

    fn show(harness: &mut Harness<'static, App>, tab: BottomTab) {
        harness.state_mut().queue(AppCommand::ShowBottomTab(tab));
        harness.step();
        harness.step();
    }

    #[test]
    fn results_show_the_cost_and_compare_shows_its_change() {
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1500.0, 1000.0))
            .build_ui_state(
                |ui, app: &mut App| app.ui_root(ui),
                App::new(Settings::default()),
            );
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join("autoscaling.json");
        harness.state_mut().open_path(&file);
        step_until(&mut harness, App::is_idle);
        run_to_end(&mut harness);
        show(&mut harness, BottomTab::Results);
        assert!(
            harness.query_by_label_contains("SLO met").is_some()
                || harness.query_by_label_contains("SLO missed").is_some()
        );
        harness.get_by_label_contains("Cost: 0.");
        harness.get_by_label_contains(" EUR over 5 min (");

        // web (2 replicas held all along) gets twice the file's price.
        let mut web = harness.state().doc.topology.services[0].clone();
        assert_eq!(web.name, "web");
        web.cost_per_replica_hour = Some(0.16);
        harness
            .state_mut()
            .apply(AppCommand::edit(Edit::SetService {
                index: 0,
                service: Box::new(web),
            }));
        run_to_end(&mut harness);
        show(&mut harness, BottomTab::Compare);
        let runs = &harness.state().sim.runs;
        let (a, b) = (
            runs[0].summary.cost.as_ref().unwrap().total,
            runs[1].summary.cost.as_ref().unwrap().total,
        );
        // 2 replicas × 300 s × 0.08 EUR more.
        assert!(
            (b - a - 2.0 * 300.0 / 3600.0 * 0.08).abs() < 1e-12,
            "{a} {b}"
        );
        harness.get_by_label_contains("Cost: A ");
        harness.get_by_label_contains("EUR, +0.0133 EUR (+");
    }
}
