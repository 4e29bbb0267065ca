//! What a run cost: replica-hours per service times its price.
//!
//! The engine counts the replica-seconds each service held over the
//! simulated time (see docs/engine.md, "Cost"); [`Cost::of`] turns them into
//! the summary's `cost` object. [`CostDelta`] compares two runs' costs.

use serde::{Deserialize, Serialize};

/// Seconds in an hour.
const HOUR_S: f64 = 3600.0;

/// The summary's `cost`: per service and in total, in `currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    /// The file's `currency` (a label; nothing is converted).
    pub currency: String,
    /// Sum of the services' `cost`.
    pub total: f64,
    /// Sum of the services' `replica_hours`.
    pub replica_hours: f64,
    /// One per service, in the order of the file.
    pub per_service: Vec<ServiceCost>,
}

/// One service's share of a run's [`Cost`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceCost {
    pub name: String,
    /// Replicas held, integrated over the simulated time, in hours.
    pub replica_hours: f64,
    /// `replica_hours` × the service's price per replica-hour (0 without one).
    pub cost: f64,
}

impl Cost {
    /// The cost of services given as `(name, replica-seconds held, price per
    /// replica-hour)`, in order; totals are summed in that order.
    pub fn of<'a>(currency: &str, services: impl IntoIterator<Item = (&'a str, f64, f64)>) -> Cost {
        let per_service: Vec<ServiceCost> = services
            .into_iter()
            .map(|(name, replica_s, price)| {
                let replica_hours = replica_s / HOUR_S;
                ServiceCost {
                    name: name.to_owned(),
                    replica_hours,
                    cost: replica_hours * price,
                }
            })
            .collect();
        Cost {
            currency: currency.to_owned(),
            total: per_service.iter().map(|s| s.cost).sum(),
            replica_hours: per_service.iter().map(|s| s.replica_hours).sum(),
            per_service,
        }
    }

    /// The cost of one simulated hour at the run's average replica counts:
    /// `total` scaled from `simulated_s` to an hour (0 when nothing ran).
    pub fn per_hour(&self, simulated_s: f64) -> f64 {
        if simulated_s > 0.0 {
            self.total * HOUR_S / simulated_s
        } else {
            0.0
        }
    }
}

/// The change of cost from run A to run B, for comparisons.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostDelta {
    pub a: f64,
    pub b: f64,
}

impl CostDelta {
    /// The delta of two runs' costs, when both have one in the same
    /// currency (`None` otherwise: nothing to compare).
    pub fn of(a: Option<&Cost>, b: Option<&Cost>) -> Option<CostDelta> {
        match (a, b) {
            (Some(a), Some(b)) if a.currency == b.currency => Some(CostDelta {
                a: a.total,
                b: b.total,
            }),
            _ => None,
        }
    }

    /// B − A.
    pub fn change(&self) -> f64 {
        self.b - self.a
    }

    /// (B − A) / A, or `None` when A cost nothing.
    pub fn relative(&self) -> Option<f64> {
        (self.a > 0.0).then(|| (self.b - self.a) / self.a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_are_replica_hours_times_price_and_totals_add_up() {
        let cost = Cost::of("EUR", [("a", 7200.0, 0.5), ("b", 3600.0, 0.0)]);
        assert_eq!(cost.currency, "EUR");
        assert_eq!(cost.per_service[0].replica_hours, 2.0);
        assert_eq!(cost.per_service[0].cost, 1.0);
        assert_eq!(cost.per_service[1].cost, 0.0);
        assert_eq!(cost.replica_hours, 3.0);
        assert_eq!(cost.total, 1.0);
        assert_eq!(cost.per_hour(1800.0), 2.0);
        assert_eq!(cost.per_hour(0.0), 0.0);
    }

    #[test]
    fn a_delta_needs_two_costs_in_one_currency() {
        let usd = |hours: f64| Cost::of("USD", [("a", hours * 3600.0, 1.0)]);
        let delta = CostDelta::of(Some(&usd(2.0)), Some(&usd(3.0))).unwrap();
        assert_eq!(delta.change(), 1.0);
        assert_eq!(delta.relative(), Some(0.5));
        assert!(CostDelta::of(Some(&usd(2.0)), None).is_none());
        let eur = Cost::of("EUR", [("a", 3600.0, 1.0)]);
        assert!(CostDelta::of(Some(&usd(2.0)), Some(&eur)).is_none());
        let free = CostDelta::of(Some(&usd(0.0)), Some(&usd(1.0))).unwrap();
        assert_eq!(free.relative(), None);
    }
}
