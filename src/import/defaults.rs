//! The values an import fills in where its sources say nothing. Documented
//! in `docs/import.md`; change both together.

use crate::model::{Distribution, ServiceKind};

/// Rate of each entry whose source gives no rate, in requests per second.
pub const ENTRY_RATE_RPS: f64 = 10.0;

/// Largest number of samples kept in an `empirical` service time.
pub const MAX_EMPIRICAL_SAMPLES: usize = 200;

/// The baseline scenario written with every import.
pub const SCENARIO_NAME: &str = "baseline";
pub const SCENARIO_DURATION_S: f64 = 300.0;
pub const SCENARIO_WARMUP_S: f64 = 30.0;

/// Own work of one request when nothing measured it: (median, p99) in ms.
pub fn service_time(kind: ServiceKind) -> Distribution {
    let (median_ms, p99_ms) = match kind {
        ServiceKind::Service => (5.0, 50.0),
        ServiceKind::Gateway => (1.0, 10.0),
        ServiceKind::Database => (3.0, 30.0),
        ServiceKind::Cache => (0.5, 5.0),
        ServiceKind::Queue => (1.0, 10.0),
        ServiceKind::External => (20.0, 200.0),
    };
    Distribution::Lognormal { median_ms, p99_ms }
}

/// Own work of a kept observability service per request it receives
/// (`--keep-observability`): small, as telemetry is exported in batches.
pub fn observability_service_time() -> Distribution {
    Distribution::Lognormal {
        median_ms: 0.2,
        p99_ms: 2.0,
    }
}

/// Requests one replica serves at once when nothing says (threads,
/// connections).
pub fn workers(kind: ServiceKind) -> u64 {
    match kind {
        ServiceKind::Service => 8,
        ServiceKind::Gateway => 32,
        ServiceKind::Database => 16,
        ServiceKind::Cache => 32,
        ServiceKind::Queue => 16,
        ServiceKind::External => 64,
    }
}
