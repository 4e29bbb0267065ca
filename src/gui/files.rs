//! File work off the UI thread: system dialogs (rfd), loading, atomic saving
//! and PNG screenshots. Each returns through [`Tasks`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::model::Topology;

use super::tasks::{DialogPurpose, TaskResult, Tasks};

/// A dialog that returns "nothing chosen" faster than this could not open:
/// no person cancels a file dialog in under a quarter of a second.
const DIALOG_FAILED_WITHIN: Duration = Duration::from_millis(250);

/// Shows a system file dialog on a background thread.
pub fn pick(
    tasks: &mut Tasks,
    purpose: DialogPurpose,
    directory: Option<PathBuf>,
    file_name: Option<String>,
) {
    tasks.spawn("dialog", move || {
        let started = Instant::now();
        let mut dialog = rfd::FileDialog::new();
        if let Some(directory) = directory {
            dialog = dialog.set_directory(directory);
        }
        if let Some(file_name) = file_name {
            dialog = dialog.set_file_name(file_name);
        }
        let path = match purpose {
            DialogPurpose::Open => dialog
                .set_title("Open topology")
                .add_filter("Topology (JSON)", &["json"])
                .add_filter("All files", &["*"])
                .pick_file(),
            DialogPurpose::SaveAs => dialog
                .set_title("Save topology as")
                .add_filter("Topology (JSON)", &["json"])
                .save_file(),
            DialogPurpose::Screenshot => dialog
                .set_title("Save screenshot")
                .add_filter("PNG image", &["png"])
                .save_file(),
            DialogPurpose::Export(kind) => dialog
                .set_title(format!("Export {}", kind.label()))
                .add_filter(kind.label(), &[kind.extension()])
                .save_file(),
            DialogPurpose::Import { folder: true } => {
                let paths: Vec<PathBuf> = dialog
                    .set_title("Import a folder of compose files, manifests or traces")
                    .pick_folder()
                    .into_iter()
                    .collect();
                let failed = paths.is_empty() && started.elapsed() < DIALOG_FAILED_WITHIN;
                return TaskResult::PickedImport { paths, failed };
            }
            DialogPurpose::Import { folder: false } => {
                let paths = dialog
                    .set_title("Import compose files, Kubernetes manifests or traces")
                    .add_filter(
                        "Compose, Kubernetes, traces",
                        &["yaml", "yml", "json", "env"],
                    )
                    .add_filter("All files", &["*"])
                    .pick_files()
                    .unwrap_or_default();
                let failed = paths.is_empty() && started.elapsed() < DIALOG_FAILED_WITHIN;
                return TaskResult::PickedImport { paths, failed };
            }
            DialogPurpose::CompareTraces => {
                let paths = dialog
                    .set_title("Compare the design with traces (Jaeger or OTLP JSON)")
                    .add_filter(
                        "Traces, compose, Kubernetes",
                        &["json", "yaml", "yml", "env"],
                    )
                    .add_filter("All files", &["*"])
                    .pick_files()
                    .unwrap_or_default();
                let failed = paths.is_empty() && started.elapsed() < DIALOG_FAILED_WITHIN;
                return TaskResult::PickedTraces { paths, failed };
            }
        };
        let failed = path.is_none() && started.elapsed() < DIALOG_FAILED_WITHIN;
        TaskResult::Picked {
            purpose,
            path,
            failed,
        }
    });
}

/// Loads and validates a file in the background.
pub fn load(tasks: &mut Tasks, path: PathBuf) {
    tasks.spawn("load", move || {
        let result = super::problems::load(&path).map(Box::new).map_err(Box::new);
        TaskResult::Loaded { path, result }
    });
}

/// Saves atomically (temporary file, then rename) in the background.
pub fn save(tasks: &mut Tasks, path: PathBuf, topology: Topology) {
    tasks.spawn("save", move || {
        let result = crate::model::save_file(&path, &topology).map_err(|e| e.to_string());
        TaskResult::Saved {
            path,
            saved: Box::new(topology),
            result,
        }
    });
}

/// Writes `image` as a PNG file, atomically ([`crate::model::write_atomic`]:
/// a crash never leaves half a picture).
pub fn write_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    use image::ImageEncoder as _;
    let [width, height] = image.size;
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err("the screenshot is too large".into());
    };
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|p| p.to_array()).collect();
    // The encoder panics on a wrong length; say so instead.
    if bytes.len() as u64 != u64::from(width) * u64::from(height) * 4 {
        return Err("the screenshot has the wrong number of pixels".into());
    }
    let shown = path.display();
    crate::model::write_atomic_with(path, |out| {
        image::codecs::png::PngEncoder::new(out)
            .write_image(&bytes, width, height, image::ExtendedColorType::Rgba8)
            .map_err(std::io::Error::other)
    })
    .map_err(|e| format!("{shown}: cannot write the PNG: {e}"))
}

/// The directory to start a dialog in: the open file's, else the current one.
pub fn dialog_directory(current: Option<&Path>) -> Option<PathBuf> {
    current
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
}
