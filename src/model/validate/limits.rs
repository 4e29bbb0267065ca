//! Sizes and values that archsim refuses as absurd, with a message, instead
//! of trying to simulate them. Documented in `docs/format.md`.

/// Services in one topology.
pub const MAX_SERVICES: usize = 100_000;
/// Operations of one service.
pub const MAX_OPERATIONS: usize = 10_000;
/// Entries of one operation's `calls` (a parallel group counts its members).
pub const MAX_CALLS_PER_OPERATION: usize = 10_000;
/// Replicas of one service (also `autoscale.max`, crash and scaling counts).
pub const MAX_REPLICAS: u64 = 100_000;
/// Replicas of all services together (at the largest each can reach).
pub const MAX_TOTAL_REPLICAS: u64 = 1_000_000;
/// Workers of one replica.
pub const MAX_WORKERS: u64 = 100_000;
/// Waiting requests per replica.
pub const MAX_QUEUE_CAPACITY: u64 = 1_000_000_000;
/// `count` of one call.
pub const MAX_CALL_COUNT: u64 = 1_000;
/// `retries.max` of one call.
pub const MAX_RETRIES: u64 = 100;
/// `circuit_breaker.window`.
pub const MAX_BREAKER_WINDOW: u64 = 1_000_000;
/// `k` of an Erlang distribution.
pub const MAX_ERLANG_K: u64 = 1_000;
/// Samples of an empirical distribution.
pub const MAX_EMPIRICAL_SAMPLES: usize = 1_000_000;
/// Any time in milliseconds (service times, timeouts, backoffs): one day.
pub const MAX_TIME_MS: f64 = 86_400_000.0;
/// Any time in seconds inside a scenario (durations, startup, intervals): 30 days.
pub const MAX_TIME_S: f64 = 2_592_000.0;
/// `rate_rps` of one workload entry, and `rate_limit_rps`.
pub const MAX_RATE_RPS: f64 = 10_000_000.0;
/// Workload entries.
pub const MAX_ENTRIES: usize = 100_000;
/// Scenarios in one file.
pub const MAX_SCENARIOS: usize = 10_000;
/// A load multiplier.
pub const MAX_MULTIPLIER: f64 = 10_000.0;
/// Time-series buckets of one run (`duration_s / bucket_s`).
pub const MAX_BUCKETS: f64 = 100_000.0;
/// Distinct zone names in one topology.
pub const MAX_ZONES: usize = 1_000;
/// Expected service visits of one scenario run (rate × visits per request
/// × peak multiplier × duration); each visit is a handful of events.
pub const MAX_VISITS: f64 = 1e10;
/// Time-series cells of one run: (services + entries + edges) × buckets.
/// Each cell holds a few numbers (services: seven), so this bounds the
/// series at about 1 GB.
pub const MAX_SERIES_CELLS: f64 = 20_000_000.0;
/// A price per replica-hour (`cost_per_replica_hour`).
pub const MAX_COST_PER_REPLICA_HOUR: f64 = 1e9;
/// Characters of a `currency` name.
pub const MAX_CURRENCY_CHARS: usize = 32;
