//! Range checks for numbers, with messages that say the allowed range and
//! the value found.

use super::super::diagnostic::Place;
use super::Ctx;

/// What a number must be.
#[derive(Debug, Clone, Copy)]
pub(super) enum Rule {
    /// Finite and > 0.
    Positive,
    /// Finite and ≥ 0.
    NonNegative,
    /// In [0, 1].
    Probability,
    /// In (0, 1].
    Fraction,
}

/// A number for a message: plain, or in scientific notation when huge or tiny.
pub(super) fn show(value: f64) -> String {
    if value != 0.0 && (value.abs() >= 1e9 || value.abs() < 1e-6) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

impl Ctx<'_> {
    /// Checks `value` (the field `field` of the object at `place`) against
    /// `rule` and an upper bound; reports an error and returns false when
    /// it fails.
    pub(super) fn number(
        &mut self,
        place: &Place,
        field: &str,
        value: f64,
        rule: Rule,
        max: Option<f64>,
    ) -> bool {
        let place = place.key(field);
        let ok = value.is_finite()
            && match rule {
                Rule::Positive => value > 0.0,
                Rule::NonNegative => value >= 0.0,
                Rule::Probability => (0.0..=1.0).contains(&value),
                Rule::Fraction => value > 0.0 && value <= 1.0,
            };
        if !ok {
            let wanted = match rule {
                Rule::Positive => "a number greater than 0",
                Rule::NonNegative => "a number of 0 or more",
                Rule::Probability => "a probability from 0 to 1",
                Rule::Fraction => "a fraction greater than 0 and at most 1",
            };
            self.error(&place, format!("must be {wanted} (found {})", show(value)));
            return false;
        }
        if let Some(max) = max
            && value > max
        {
            self.error(
                &place,
                format!(
                    "{} is more than archsim accepts here (at most {})",
                    show(value),
                    show(max)
                ),
            );
            return false;
        }
        true
    }

    /// Checks a whole number against `min..=max`.
    pub(super) fn count(
        &mut self,
        place: &Place,
        field: &str,
        value: u64,
        min: u64,
        max: u64,
    ) -> bool {
        let place = place.key(field);
        if value < min {
            self.error(&place, format!("must be at least {min} (found {value})"));
            return false;
        }
        if value > max {
            self.error(
                &place,
                format!("{value} is more than archsim accepts here (at most {max})"),
            );
            return false;
        }
        true
    }
}
