//! Engine speed: service visits per second (criterion's throughput) on
//! (a) one M/M/4 service and (b) the 1,000-service example
//! `scenarios/large-1000.json`. Each benchmark prints, once, how many events
//! and visits one iteration simulates, so events per second follow from the
//! visits per second criterion reports. Then what the app pays per frame
//! while a run of the 1,000-service example is 600 s in: `live()`, a kept
//! summary refreshed with `snapshot_into` (nothing new to append, so the
//! per-service figures only) and a fresh `snapshot()`. Figures:
//! docs/performance.md.
//!
//!     cargo bench --no-default-features --bench engine

#![allow(clippy::expect_used)] // A benchmark whose model does not load should stop at once.

use std::hint::black_box;
use std::path::Path;

use archsim::metrics::Summary;
use archsim::model::{self, Checked, Scenario};
use archsim::sim::Simulation;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// M/M/4 at utilization 0.8 (the same model as benches/simpy/mm4.py).
const MM4: &str = r#"{
  "name": "M/M/4",
  "services": [{"name": "s", "workers": 4, "service_time": {"dist": "exponential", "mean_ms": 10}}],
  "workload": [{"name": "in", "to": "s", "rate_rps": 320}]
}"#;

fn visits(summary: &Summary) -> u64 {
    summary.services.iter().map(|s| s.arrivals).sum()
}

fn bench_model(c: &mut Criterion, name: &str, checked: &Checked, scenario: &Scenario) {
    let run = checked
        .check_scenario(scenario.clone())
        .expect("the benchmark scenario is valid");
    let probe = Simulation::new(&run)
        .expect("the benchmark model builds")
        .run();
    let per_run = visits(&probe);
    eprintln!(
        "{name}: {} simulated s, {} events and {per_run} service visits per iteration ({:.3} events per visit)",
        scenario.duration_s,
        probe.events,
        probe.events as f64 / per_run as f64
    );
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Elements(per_run));
    group.bench_function("visits", |b| {
        b.iter_batched(
            || Simulation::new(&run).expect("builds"),
            |sim| black_box(sim.run()),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn engine(c: &mut Criterion) {
    let checked = model::load_checked_str(MM4, "mm4").expect("the M/M/4 model is valid");
    let mut scenario = Scenario::new("bench", 2000.0);
    scenario.seed = 1;
    bench_model(c, "mm4", &checked, &scenario);

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/large-1000.json");
    let checked = model::load_checked_file(&path).expect("scenarios/large-1000.json is valid");
    let mut scenario = archsim::model::find_scenario(checked.topology(), None)
        .cloned()
        .expect("it has a scenario");
    scenario.duration_s = 30.0;
    scenario.warmup_s = 0.0;
    bench_model(c, "large-1000", &checked, &scenario);

    scenario.duration_s = 1200.0;
    let mut sim = Simulation::new(
        &checked
            .check_scenario(scenario.clone())
            .expect("valid scenario"),
    )
    .expect("builds");
    sim.run_until(600.0);
    let mut kept = sim.snapshot();
    let mut group = c.benchmark_group("large-1000 at 600 s");
    group.sample_size(20);
    group.bench_function("live", |b| b.iter(|| black_box(sim.live())));
    group.bench_function("snapshot_into", |b| {
        b.iter(|| sim.snapshot_into(black_box(&mut kept)))
    });
    group.bench_function("snapshot", |b| b.iter(|| black_box(sim.snapshot())));
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
