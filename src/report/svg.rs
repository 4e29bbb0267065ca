//! A tiny SVG writer shared by the graph and the charts: elements with
//! numbers rounded to 0.1 units and every text and attribute escaped.
//! The output is XML (standalone SVG files) and also valid inline in HTML.

use std::fmt::Write as _;

use super::escape;

/// Fonts tried in order; DejaVu Sans is bundled for the PNG export.
pub const FONT_FAMILY: &str = "'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif";

/// An SVG document being written.
#[derive(Debug, Default)]
pub struct Svg {
    out: String,
}

/// A number for an attribute: at most one decimal, no `-0`.
pub fn n(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// Text anchoring of [`Svg::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

impl Svg {
    /// Starts a document of `width`×`height` user units showing `view`
    /// (min x, min y, width, height). `label` is its accessible name
    /// (`<title>`); `class` an optional class for CSS.
    pub fn new(width: f64, height: f64, view: [f64; 4], label: &str, class: &str) -> Svg {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" role=\"img\" font-family=\"{}\"",
            n(width),
            n(height),
            n(view[0]),
            n(view[1]),
            n(view[2]),
            n(view[3]),
            escape::xml(FONT_FAMILY)
        );
        if !class.is_empty() {
            let _ = write!(out, " class=\"{}\"", escape::xml(class));
        }
        out.push('>');
        let _ = write!(out, "<title>{}</title>", escape::xml(label));
        Svg { out }
    }

    /// Finishes the document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }

    /// Opens a group with the given (trusted) attributes, e.g. `class="x"`.
    pub fn open_group(&mut self, attributes: &str) {
        if attributes.is_empty() {
            self.out.push_str("<g>");
        } else {
            let _ = write!(self.out, "<g {attributes}>");
        }
    }

    /// Opens a group with a tooltip (`<title>`) of user text.
    pub fn open_group_titled(&mut self, attributes: &str, title: &str) {
        self.open_group(attributes);
        let _ = write!(self.out, "<title>{}</title>", escape::xml(title));
    }

    pub fn close_group(&mut self) {
        self.out.push_str("</g>");
    }

    /// A rectangle; `style` holds trusted presentation attributes.
    pub fn rect(&mut self, x: f64, y: f64, width: f64, height: f64, radius: f64, style: &str) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
            n(x),
            n(y),
            n(width.max(0.0)),
            n(height.max(0.0))
        );
        if radius > 0.0 {
            let _ = write!(self.out, " rx=\"{}\"", n(radius));
        }
        let _ = write!(self.out, " {style}/>");
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, style: &str) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {style}/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    /// A path from path data built with [`n`].
    pub fn path(&mut self, data: &str, style: &str) {
        let _ = write!(self.out, "<path d=\"{data}\" {style}/>");
    }

    pub fn polygon(&mut self, points: &[(f64, f64)], style: &str) {
        let list: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
            .collect();
        let _ = write!(self.out, "<polygon points=\"{}\" {style}/>", list.join(" "));
    }

    pub fn ellipse(&mut self, cx: f64, cy: f64, rx: f64, ry: f64, style: &str) {
        let _ = write!(
            self.out,
            "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" {style}/>",
            n(cx),
            n(cy),
            n(rx),
            n(ry)
        );
    }

    /// Text (user text is escaped here); `style` holds trusted attributes
    /// such as `font-size="11" fill="#333"`.
    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, text: &str, style: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" {style}>{}</text>",
            n(x),
            n(y),
            anchor.as_str(),
            escape::xml(text)
        );
    }
}

/// Cuts `text` with an ellipsis so that it fits `width` at font `size`
/// (an estimate: proportional glyphs average about 0.56 em, as in the app).
pub fn elide(text: &str, width: f64, size: f64) -> String {
    let fits = ((width / (size * 0.56)).floor() as usize).max(1);
    if text.chars().count() <= fits {
        return text.to_owned();
    }
    let kept: String = text.chars().take(fits.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// Estimated width of `text` at font `size` (0.6 em per character: a safe
/// upper bound for DejaVu Sans and the usual sans-serif fonts).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(n(1.0), "1");
        assert_eq!(n(1.26), "1.3");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(f64::NAN), "0");
    }

    #[test]
    fn text_is_escaped() {
        let mut svg = Svg::new(10.0, 10.0, [0.0, 0.0, 10.0, 10.0], "<t>", "");
        svg.text(0.0, 0.0, Anchor::Start, "</text><script>", "");
        let out = svg.finish();
        assert!(out.contains("&lt;/text&gt;&lt;script&gt;"));
        assert!(out.contains("<title>&lt;t&gt;</title>"));
    }

    #[test]
    fn elide_cuts_long_names() {
        assert_eq!(elide("short", 200.0, 13.0), "short");
        assert!(elide("a-really-long-service-name-here", 60.0, 13.0).ends_with('…'));
    }
}
