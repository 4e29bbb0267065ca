//! Performance measurement: `archsim bench` (engine-only and whole-run
//! rates), and the streaming API on the 1,000-service model that the
//! benchmark runs (snapshots, live state and the final summary agree).

use std::process::Command;

use archsim::model;
use archsim::sim::Simulation;
use serde_json::Value;

fn archsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .output()
        .expect("archsim runs")
}

/// The first number after `label` in `text`.
fn number_after(text: &str, label: &str) -> f64 {
    let rest = &text[text.find(label).expect(label) + label.len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().expect("a number")
}

#[test]
fn bench_reports_engine_and_whole_rates_for_the_visits_run_simulates() {
    let file = "scenarios/three-tier.json";
    let out = archsim(&["bench", file, "--duration-s", "40", "--rounds", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(text.matches("engine only (run):").count(), 2, "{text}");
    assert_eq!(text.matches("whole (all phases):").count(), 2, "{text}");
    let engine = number_after(&text, "engine only (run):");
    let whole = number_after(&text, "whole (all phases):");
    assert!(engine > 0.0 && whole > 0.0 && whole <= engine, "{text}");

    // The visits counted are the run's: arrivals in the time series.
    let run = archsim(&["run", file, "--duration-s", "40", "--json", "-"]);
    let summary: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    let visits: u64 = summary["timeseries"]["services"]
        .as_object()
        .expect("services")
        .values()
        .flat_map(|s| s["arrivals"].as_array().expect("arrivals").clone())
        .map(|n| n.as_u64().expect("count"))
        .sum();
    assert!(visits > 0);
    assert_eq!(number_after(&text, "round 1:") as u64, visits, "{text}");

    let bad = archsim(&["bench", file, "--rounds", "0"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--rounds must be at least 1"));
}

#[test]
fn snapshots_live_and_the_final_summary_agree_on_the_large_model() {
    let checked =
        model::load_checked_file(std::path::Path::new("scenarios/large-1000.json")).expect("valid");
    let mut sc = archsim::model::find_scenario(checked.topology(), None)
        .cloned()
        .expect("scenario");
    sc.duration_s = 12.0;
    sc.warmup_s = 1.0;
    let whole = Simulation::new(&checked.check_scenario(sc.clone()).expect("valid scenario"))
        .expect("builds")
        .run();
    let mut stepped = Simulation::new(&checked.check_scenario(sc.clone()).expect("valid scenario"))
        .expect("builds");
    let mut kept = stepped.snapshot();
    let mut t = 0.0;
    while !stepped.is_finished() {
        t += 1.7;
        stepped.run_until(t);
        let fresh = stepped.snapshot();
        stepped.snapshot_into(&mut kept);
        assert_eq!(kept, fresh);
        let buckets = fresh.timeseries.t_s.len();
        assert_eq!(buckets, stepped.now_s().floor() as usize);
        for (name, series) in &fresh.timeseries.services {
            assert_eq!(series.arrivals.len(), buckets, "{name}");
            assert_eq!(series.p99_ms.len(), buckets, "{name}");
            assert_eq!(series.replicas_desired.len(), buckets, "{name}");
        }
        let live = stepped.live();
        for (s, (_, series)) in live.services.iter().zip(&fresh.timeseries.services) {
            assert_eq!(
                s.utilization,
                series.utilization.last().copied().unwrap_or(0.0)
            );
        }
    }
    let mut finished = stepped.finish(true);
    let mut whole = whole;
    finished.wall_s = 0.0;
    whole.wall_s = 0.0;
    finished.run_id = whole.run_id;
    assert_eq!(finished, whole);
}
