//! SVG → PNG with resvg. Text is rendered with the DejaVu Sans fonts
//! bundled in `assets/fonts` (so that labels show on any machine, and the
//! same SVG gives the same PNG everywhere); characters those fonts lack
//! (e.g. CJK) are drawn as boxes.

use resvg::{tiny_skia, usvg};

use super::ReportError;

const DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Largest PNG side, in pixels.
pub const MAX_SIDE_PX: u32 = 16_384;
/// Largest PNG area, in pixels (≈128 MB of RGBA while rendering).
pub const MAX_PIXELS: u64 = 32 * 1024 * 1024;

/// Renders `svg` at `scale` device pixels per SVG unit (2 gives crisp
/// images on high-density screens); a picture that would exceed
/// [`MAX_SIDE_PX`] or [`MAX_PIXELS`] is scaled down to fit. Returns the
/// PNG bytes.
pub fn svg_to_png(svg: &str, scale: f64) -> Result<Vec<u8>, ReportError> {
    let mut options = usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        // No files or URLs are read while rendering.
        resources_dir: None,
        ..usvg::Options::default()
    };
    let fonts = options.fontdb_mut();
    fonts.load_font_data(DEJAVU_SANS.to_vec());
    fonts.load_font_data(DEJAVU_SANS_BOLD.to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|e| ReportError::Render(format!("the SVG does not parse: {e}")))?;
    let size = tree.size();
    let (w, h) = (f64::from(size.width()), f64::from(size.height()));
    let mut scale = if scale.is_finite() && scale > 0.0 {
        scale
    } else {
        1.0
    };
    scale = scale
        .min(f64::from(MAX_SIDE_PX) / w.max(1.0))
        .min(f64::from(MAX_SIDE_PX) / h.max(1.0))
        .min((MAX_PIXELS as f64 / (w * h).max(1.0)).sqrt());
    let width_px = (w * scale).ceil().max(1.0) as u32;
    let height_px = (h * scale).ceil().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width_px, height_px).ok_or_else(|| {
        ReportError::Render(format!("cannot make a {width_px}×{height_px} image"))
    })?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let s = scale as f32;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(s, s),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Render(format!("cannot encode the PNG: {e}")))
}
