//! Form fields that validate as you type. A field shows the model's value;
//! while the user types, each change is parsed: a valid value is applied at
//! once (one undo step per field), an invalid one stays in the box with the
//! reason underneath and changes nothing. When the model changes from
//! elsewhere (undo, another panel) the box follows it.

use std::collections::BTreeMap;

use egui::{Grid, RichText, TextEdit, Ui};

/// Text being edited in one field.
#[derive(Debug, Clone, Default)]
pub struct Buffer {
    pub text: String,
    /// The model value (formatted) that `text` was last in step with.
    pub model: String,
    pub error: Option<String>,
}

/// Buffers of the fields on screen, by field id.
pub type Buffers = BTreeMap<String, Buffer>;

/// A form: a two-column grid of labelled fields that records which field
/// changed this frame.
pub struct Form<'a> {
    buffers: &'a mut Buffers,
    prefix: String,
    /// Set when a field changed: `Some(key)` for typed fields (successive
    /// changes merge into one undo step), `None` for discrete ones.
    pub changed: Option<Option<String>>,
}

impl<'a> Form<'a> {
    pub fn new(buffers: &'a mut Buffers, prefix: impl Into<String>) -> Self {
        Form {
            buffers,
            prefix: prefix.into(),
            changed: None,
        }
    }

    /// A nested form whose field ids are under `prefix`.
    pub fn sub(&mut self, prefix: &str) -> Form<'_> {
        Form {
            buffers: self.buffers,
            prefix: format!("{}/{prefix}", self.prefix),
            changed: None,
        }
    }

    /// Takes over the change of a nested form.
    pub fn absorb(&mut self, changed: Option<Option<String>>) {
        if changed.is_some() {
            self.changed = changed;
        }
    }

    /// Lays out `add` as a grid of rows.
    pub fn grid<R>(
        &mut self,
        ui: &mut Ui,
        id: &str,
        add: impl FnOnce(&mut Self, &mut Ui) -> R,
    ) -> R {
        let id = format!("{}/{id}", self.prefix);
        Grid::new(id)
            .num_columns(2)
            .spacing([10.0, 6.0])
            .min_col_width(110.0)
            .show(ui, |ui| add(self, ui))
            .inner
    }

    /// A typed field for a value of any type, shown with `format` and read
    /// back with `parse` (which explains what is wrong).
    #[allow(clippy::too_many_arguments)]
    pub fn parsed<T: PartialEq>(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        hint: &str,
        value: &T,
        format: impl Fn(&T) -> String,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let id = format!("{}/{key}", self.prefix);
        let shown = format(value);
        let buffer = self.buffers.entry(id.clone()).or_insert_with(|| Buffer {
            text: shown.clone(),
            model: shown.clone(),
            error: None,
        });
        if buffer.model != shown {
            *buffer = Buffer {
                text: shown.clone(),
                model: shown,
                error: None,
            };
        }
        let label_response = ui.label(label);
        if !hint.is_empty() {
            label_response.clone().on_hover_text(hint);
        }
        let mut result = None;
        ui.vertical(|ui| {
            let response = ui
                .add(
                    TextEdit::singleline(&mut buffer.text)
                        .id_salt(&id)
                        .desired_width(f32::INFINITY)
                        .hint_text(hint),
                )
                .labelled_by(label_response.id);
            if response.changed() {
                match parse(buffer.text.trim()) {
                    Ok(new) => {
                        buffer.error = None;
                        if new != *value {
                            buffer.model = format(&new);
                            result = Some(new);
                        }
                    }
                    Err(message) => buffer.error = Some(message),
                }
            }
            if let Some(message) = &buffer.error {
                ui.label(
                    RichText::new(message)
                        .small()
                        .color(ui.visuals().error_fg_color),
                );
            }
        });
        ui.end_row();
        if result.is_some() {
            self.changed = Some(Some(id));
        }
        result
    }

    /// Free text; `check` may refuse it with a reason.
    pub fn text(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        hint: &str,
        value: &str,
        check: impl Fn(&str) -> Result<String, String>,
    ) -> Option<String> {
        self.parsed(
            ui,
            key,
            label,
            hint,
            &value.to_owned(),
            String::clone,
            check,
        )
    }

    /// Optional free text: empty means absent.
    pub fn optional_text(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        hint: &str,
        value: &Option<String>,
    ) -> Option<Option<String>> {
        self.parsed(
            ui,
            key,
            label,
            hint,
            value,
            |v| v.clone().unwrap_or_default(),
            |s| Ok((!s.is_empty()).then(|| s.to_owned())),
        )
    }

    /// A whole number of at least `min`.
    pub fn integer(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        hint: &str,
        value: u64,
        min: u64,
    ) -> Option<u64> {
        self.parsed(ui, key, label, hint, &value, u64::to_string, |s| {
            parse_integer(s, min)
        })
    }

    /// An optional whole number of at least `min`; empty means absent.
    pub fn optional_integer(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        hint: &str,
        value: Option<u64>,
        min: u64,
    ) -> Option<Option<u64>> {
        self.parsed(
            ui,
            key,
            label,
            hint,
            &value,
            |v| v.map(|v| v.to_string()).unwrap_or_default(),
            |s| {
                if s.is_empty() {
                    Ok(None)
                } else {
                    parse_integer(s, min).map(Some)
                }
            },
        )
    }

    /// A number within `range` (see [`Range`]).
    pub fn number(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        hint: &str,
        value: f64,
        range: Range,
    ) -> Option<f64> {
        self.parsed(
            ui,
            key,
            label,
            hint,
            &value,
            |v| format_number(*v),
            |s| parse_number(s, range),
        )
    }

    /// An optional number; empty means absent.
    pub fn optional_number(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        hint: &str,
        value: Option<f64>,
        range: Range,
    ) -> Option<Option<f64>> {
        self.parsed(
            ui,
            key,
            label,
            hint,
            &value,
            |v| v.map(format_number).unwrap_or_default(),
            |s| {
                if s.is_empty() {
                    Ok(None)
                } else {
                    parse_number(s, range).map(Some)
                }
            },
        )
    }

    /// A yes/no field.
    pub fn checkbox(&mut self, ui: &mut Ui, label: &str, hint: &str, value: bool) -> Option<bool> {
        ui.label(label).on_hover_text(hint);
        let mut on = value;
        let changed = ui.checkbox(&mut on, "").on_hover_text(hint).changed();
        ui.end_row();
        if changed {
            self.changed = Some(None);
            Some(on)
        } else {
            None
        }
    }

    /// A choice among `options` (value, label).
    pub fn choice<T: PartialEq + Clone>(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        value: &T,
        options: &[(T, String)],
    ) -> Option<T> {
        ui.label(label);
        let id = format!("{}/{key}", self.prefix);
        let current = options
            .iter()
            .find(|(v, _)| v == value)
            .map_or_else(|| "—".to_owned(), |(_, l)| l.clone());
        let mut picked = None;
        egui::ComboBox::from_id_salt(id)
            .selected_text(current)
            .width(ui.available_width().min(240.0))
            .show_ui(ui, |ui| {
                for (option, text) in options {
                    if ui.selectable_label(option == value, text).clicked() && option != value {
                        picked = Some(option.clone());
                    }
                }
            });
        ui.end_row();
        if picked.is_some() {
            self.changed = Some(None);
        }
        picked
    }

    /// Records a change made by a button.
    pub fn mark_changed(&mut self) {
        self.changed = Some(None);
    }
}

/// Allowed numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// Greater than zero.
    Positive,
    /// Zero or more.
    NonNegative,
    /// From 0 to 1.
    Fraction,
    /// Within `[min, max]`.
    Between(f64, f64),
}

pub fn parse_integer(text: &str, min: u64) -> Result<u64, String> {
    let value: u64 = text.parse().map_err(|_| {
        if text.is_empty() {
            "a whole number is needed here".to_owned()
        } else {
            format!("\"{text}\" is not a whole number")
        }
    })?;
    if value < min {
        return Err(format!("must be at least {min}"));
    }
    Ok(value)
}

pub fn parse_number(text: &str, range: Range) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|_| {
        if text.is_empty() {
            "a number is needed here".to_owned()
        } else {
            format!("\"{text}\" is not a number")
        }
    })?;
    if !value.is_finite() {
        return Err("must be a finite number".to_owned());
    }
    match range {
        Range::Positive if value <= 0.0 => Err("must be greater than 0".to_owned()),
        Range::NonNegative if value < 0.0 => Err("must not be negative".to_owned()),
        Range::Fraction if !(0.0..=1.0).contains(&value) => {
            Err("must be between 0 and 1".to_owned())
        }
        Range::Between(min, max) if !(min..=max).contains(&value) => {
            Err(format!("must be between {min} and {max}"))
        }
        _ => Ok(value),
    }
}

/// Numbers as people write them: `5`, `0.25`, `1e-6`.
pub fn format_number(value: f64) -> String {
    if value == value.trunc() && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// A comma-separated list: `a, b, c`.
pub fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_explain_what_is_wrong() {
        assert_eq!(parse_integer("0", 1), Err("must be at least 1".to_owned()));
        assert_eq!(
            parse_integer("2.5", 1),
            Err("\"2.5\" is not a whole number".to_owned())
        );
        assert_eq!(
            parse_number("1.5", Range::Fraction),
            Err("must be between 0 and 1".to_owned())
        );
        assert_eq!(parse_number("0.25", Range::Fraction), Ok(0.25));
        assert_eq!(format_number(5.0), "5");
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(parse_list(" a, b,,c "), vec!["a", "b", "c"]);
    }
}
