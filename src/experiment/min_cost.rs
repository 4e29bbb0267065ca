//! `min-cost` capacity search: the cheapest replica counts that meet the SLO.
//!
//! The cost of a configuration is its **cost per hour**: the chosen
//! services' replica counts times their prices per replica-hour (the
//! service's `cost_per_replica_hour`, else the file's; the scenario's
//! overrides applied), summed. Services not chosen keep their replicas (or
//! their autoscaler) in every evaluation, so they add the same to every
//! candidate and are left out of the comparison; the simulated `cost` of
//! the answer includes them.
//!
//! Method (a local search, not an exhaustive one):
//!
//! 1. Start from `min-replicas`' answer (which meets the SLO) and never go
//!    below its analytic lower bounds (utilization below 1).
//! 2. Candidates from the current best: one replica fewer of a service, or
//!    one replica fewer of a service traded for one or two more of a
//!    cheaper one whose price makes the trade cheaper. Counts already
//!    evaluated, and counts with no more replicas anywhere than a
//!    configuration that failed, are skipped.
//! 3. Evaluate the candidates cheapest first; the first that meets the SLO
//!    becomes the best and the search goes back to 2. It stops when no
//!    candidate meets, or when the evaluation budget (`max_evaluations`)
//!    is spent — then the best so far is the answer.
//!
//! Limits: the answer is a local optimum of these moves. A cheaper
//! configuration that needs several services to change at once, or more
//! than two replicas of a cheap service for one of a dear one, is not
//! found; with equal prices the search is `min-replicas` plus trades that
//! cost nothing, which it does not make.

use indexmap::IndexMap;

use super::ExperimentError;
use super::capacity::{Answer, Search, known_to_fail};
use crate::model::{Checked, limits};

/// More replicas of a cheaper service tried for one of a dearer one.
const MAX_TRADE: u64 = 2;

/// Counts → cost per hour, with the chosen services' prices.
struct Prices {
    per_replica_hour: IndexMap<String, f64>,
}

impl Prices {
    fn cost_per_hour(&self, counts: &IndexMap<String, u64>) -> f64 {
        counts
            .iter()
            .map(|(name, &n)| n as f64 * self.per_replica_hour.get(name).copied().unwrap_or(0.0))
            .sum()
    }

    fn price(&self, name: &str) -> f64 {
        self.per_replica_hour.get(name).copied().unwrap_or(0.0)
    }
}

impl Search<'_> {
    pub(super) fn min_cost(
        &mut self,
        checked: &Checked,
        named: &[String],
    ) -> Result<Answer, ExperimentError> {
        let run = self.choice.resolve(checked)?;
        let topology = run.topology();
        if !topology.has_prices() {
            return Err(ExperimentError::Capacity(
                "min-cost needs prices: add \"cost_per_replica_hour\" to the services (or once at the top level of the file)".to_owned(),
            ));
        }
        let currency = topology.currency().to_owned();
        let start = self.min_replicas(checked, named)?;
        let prices = Prices {
            per_replica_hour: start
                .counts
                .keys()
                .map(|name| {
                    let price = topology
                        .services
                        .iter()
                        .find(|s| &s.name == name)
                        .and_then(|s| topology.price_per_replica_hour(s))
                        .unwrap_or(0.0);
                    (name.clone(), price)
                })
                .collect(),
        };
        let base = checked.topology();
        let mut best = start.counts;
        let mut best_cost = start.cost;
        let mut failed = start.failed;
        let mut seen: Vec<IndexMap<String, u64>> = vec![best.clone()];
        'improve: loop {
            let mut candidates = moves(&best, &start.bound, &prices);
            candidates.retain(|c| !seen.contains(c) && !known_to_fail(&failed, c));
            candidates.sort_by(|a, b| {
                prices
                    .cost_per_hour(a)
                    .total_cmp(&prices.cost_per_hour(b))
                    .then_with(|| a.values().cmp(b.values()))
            });
            for candidate in candidates {
                if self.evaluations.len() >= self.options.max_evaluations {
                    break 'improve;
                }
                seen.push(candidate.clone());
                let outcome = self.eval_replicas(base, &candidate)?;
                if outcome.met {
                    best = candidate;
                    best_cost = outcome.result.summary.cost;
                    continue 'improve;
                }
                failed.push(candidate);
            }
            break;
        }
        Ok(Answer::MinCost {
            cost_per_hour: prices.cost_per_hour(&best),
            replicas: best,
            currency,
            cost: best_cost,
        })
    }
}

/// The candidates one move from `counts` that cost less per hour: one
/// replica fewer of a service above its bound, alone or traded for up to
/// [`MAX_TRADE`] more of a cheaper service.
fn moves(
    counts: &IndexMap<String, u64>,
    bound: &IndexMap<String, u64>,
    prices: &Prices,
) -> Vec<IndexMap<String, u64>> {
    let mut out = Vec::new();
    for (from, &n) in counts {
        if n <= bound.get(from).copied().unwrap_or(1) {
            continue;
        }
        let mut fewer = counts.clone();
        fewer.insert(from.clone(), n - 1);
        out.push(fewer.clone());
        for (to, &m) in counts {
            if to == from {
                continue;
            }
            for k in 1..=MAX_TRADE {
                if m + k > limits::MAX_REPLICAS || k as f64 * prices.price(to) >= prices.price(from)
                {
                    break;
                }
                let mut traded = fewer.clone();
                traded.insert(to.clone(), m + k);
                out.push(traded);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> IndexMap<String, u64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn moves_trade_a_dear_replica_for_cheaper_ones_and_respect_the_bounds() {
        let prices = Prices {
            per_replica_hour: IndexMap::from([("dear".to_owned(), 1.0), ("cheap".to_owned(), 0.3)]),
        };
        let now = counts(&[("dear", 2), ("cheap", 1)]);
        let bound = counts(&[("dear", 1), ("cheap", 1)]);
        let found = moves(&now, &bound, &prices);
        assert_eq!(
            found,
            vec![
                counts(&[("dear", 1), ("cheap", 1)]),
                counts(&[("dear", 1), ("cheap", 2)]),
                counts(&[("dear", 1), ("cheap", 3)]),
            ]
        );
        for c in &found {
            assert!(prices.cost_per_hour(c) < prices.cost_per_hour(&now));
        }
        // At the bounds nothing can be taken away.
        assert!(moves(&bound, &bound, &prices).is_empty());
    }
}
