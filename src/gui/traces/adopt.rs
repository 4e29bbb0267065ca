//! The edits that adopt what traces show into the model: a measured time
//! becomes the operation's service time, an observed service a new service.
//! (An observed edge is an [`Edit::AddCall`], as a drag on the canvas.)
//! Plain data, unit-tested here; the list applies them as ordinary edits,
//! so Edit ▸ Undo takes them back.

use crate::diff::TimeRow;
use crate::model::{Distribution, NoLognormal, Topology};

use super::super::command::Edit;

/// Rounds to microseconds, as a lognormal fitted from quantiles is.
fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// The service time that adopts a measured one: the lognormal with the
/// measured median and p99 ([`Distribution::lognormal_from_quantiles`], as
/// the trace importer fits one), or a constant when the measured median and
/// p99 are equal (no spread to fit). With a sentence saying which.
pub fn fitted_time(median_ms: f64, p99_ms: f64) -> Result<(Distribution, String), String> {
    match Distribution::lognormal_from_quantiles(median_ms, p99_ms) {
        Ok(lognormal) => Ok((
            lognormal,
            format!(
                "lognormal, median {} ms, p99 {} ms",
                round_ms(median_ms),
                round_ms(p99_ms)
            ),
        )),
        Err(NoLognormal::NotIncreasing) if round_ms(median_ms) > 0.0 => {
            let ms = round_ms(median_ms);
            Ok((
                Distribution::Constant { ms },
                format!("constant {ms} ms (the measured median and p99 are equal)"),
            ))
        }
        Err(NoLognormal::NotIncreasing) => Err(format!(
            "a measured median of {median_ms} ms gives no service time"
        )),
        Err(NoLognormal::MeanTooLong) => Err(
            "a lognormal with the measured median and p99 would have a mean of more than a day"
                .to_owned(),
        ),
    }
}

/// The edit that sets the service time of `row`'s operation to the
/// measured one, and what it sets.
pub fn adopted_time(topology: &Topology, row: &TimeRow) -> Result<(Edit, String), String> {
    let Some(index) = topology.services.iter().position(|s| s.name == row.service) else {
        return Err(format!("there is no service {} any more", row.service));
    };
    let (time, what) = fitted_time(row.observed_median_ms, row.observed_p99_ms)?;
    let mut service = topology.services[index].clone();
    if service.operations.is_empty() {
        service.service_time = Some(time);
    } else {
        let Some(operation) = service
            .operations
            .iter_mut()
            .find(|op| op.name == row.operation)
        else {
            return Err(format!(
                "{} has no operation {} any more",
                row.service, row.operation
            ));
        };
        operation.service_time = Some(time);
    }
    Ok((
        Edit::SetService {
            index,
            service: Box::new(service),
        },
        what,
    ))
}

/// The edit that adds the service `name` as the sources show it (kind,
/// replicas, operations and their measured times), without its calls: the
/// edges to and from it are listed apart, to adopt one by one. `None` when
/// the sources have no such service.
pub fn added_service(observed: &Topology, name: &str) -> Option<Edit> {
    let mut service = observed.services.iter().find(|s| s.name == name)?.clone();
    service.calls.clear();
    for operation in &mut service.operations {
        operation.calls.clear();
    }
    Some(Edit::AddService {
        service: Box::new(service),
        at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Operation, Service};

    fn row(service: &str, operation: &str, median_ms: f64, p99_ms: f64) -> TimeRow {
        TimeRow {
            service: service.into(),
            operation: operation.into(),
            observed_operation: None,
            declared_median_ms: 10.0,
            observed_median_ms: median_ms,
            declared_p99_ms: 20.0,
            observed_p99_ms: p99_ms,
            samples: 13,
            drift: true,
        }
    }

    #[test]
    fn a_measured_median_and_p99_become_a_lognormal_with_them() {
        let (time, what) = fitted_time(10.6, 38.0).unwrap();
        assert_eq!(
            time,
            Distribution::Lognormal {
                median_ms: 10.6,
                p99_ms: 38.0
            }
        );
        assert!((time.median_ms() - 10.6).abs() < 1e-9);
        assert!((time.p99_ms() - 38.0).abs() < 1e-9);
        assert_eq!(what, "lognormal, median 10.6 ms, p99 38 ms");
        // Equal figures: no spread, a constant.
        assert_eq!(
            fitted_time(4.0, 4.0).unwrap().0,
            Distribution::Constant { ms: 4.0 }
        );
        assert!(fitted_time(0.0, 0.0).is_err());
        assert!(
            fitted_time(1.0, 8.6e7)
                .unwrap_err()
                .contains("more than a day")
        );
    }

    #[test]
    fn adopting_a_time_sets_the_operations_own_time() {
        let mut redis = Service::new("redis", Distribution::Constant { ms: 1.0 });
        redis.service_time = None;
        for name in ["Get", "Set"] {
            redis.operations.push(Operation {
                name: name.into(),
                service_time: Some(Distribution::Constant { ms: 10.0 }),
                calls: Vec::new(),
                extensions: Default::default(),
            });
        }
        let db = Service::new("db", Distribution::Constant { ms: 20.0 });
        let topology = Topology {
            services: vec![db, redis],
            ..crate::gui::app::empty_topology()
        };

        let (edit, _) = adopted_time(&topology, &row("redis", "Set", 10.6, 38.0)).unwrap();
        let Edit::SetService { index, service } = edit else {
            panic!("{edit:?}");
        };
        assert_eq!(index, 1);
        assert_eq!(
            service.operations[1].service_time,
            Some(Distribution::Lognormal {
                median_ms: 10.6,
                p99_ms: 38.0
            })
        );
        assert_eq!(
            service.operations[0].service_time,
            Some(Distribution::Constant { ms: 10.0 })
        );

        // A service without named operations: its own service time.
        let (edit, _) = adopted_time(&topology, &row("db", "default", 50.0, 70.0)).unwrap();
        let Edit::SetService { index: 0, service } = edit else {
            panic!("{edit:?}");
        };
        assert_eq!(
            service.service_time,
            Some(Distribution::Lognormal {
                median_ms: 50.0,
                p99_ms: 70.0
            })
        );

        assert!(adopted_time(&topology, &row("gone", "default", 5.0, 9.0)).is_err());
        assert!(adopted_time(&topology, &row("redis", "Del", 5.0, 9.0)).is_err());
    }
}
