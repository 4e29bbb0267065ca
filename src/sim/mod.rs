//! Discrete-event engine: workload, queues, calls, faults, resilience, scaling. No UI.
