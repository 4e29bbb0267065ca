//! The size limit of input files holds for every kind of input: regular
//! files, pipes, devices and standard input.

use std::process::{Command, Stdio};

#[cfg(unix)]
#[test]
fn validate_dev_zero_stops_at_the_size_limit() {
    let zero = std::path::Path::new("/dev/zero");
    if !zero.exists() {
        return;
    }
    let error = archsim::model::read_text(zero).expect_err("/dev/zero is refused");
    let message = error.to_string();
    assert!(message.contains("256 MB"), "{message}");
}

#[cfg(unix)]
#[test]
fn validate_of_a_pipe_larger_than_the_limit_is_refused() {
    // `archsim validate /dev/stdin` fed more than the limit through a pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(["validate", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("archsim runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let feeder = std::thread::spawn(move || {
        use std::io::Write as _;
        let chunk = vec![b' '; 1 << 20];
        // Stops when archsim closes the pipe (it has read enough).
        for _ in 0..(archsim::model::MAX_FILE_BYTES >> 20) + 64 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let output = child.wait_with_output().expect("archsim ends");
    let _ = feeder.join();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("256 MB"), "{err}");
}

#[test]
fn a_regular_file_over_the_limit_is_refused_from_its_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.json");
    let file = std::fs::File::create(&path).expect("creates");
    // Sparse: no disk space is used.
    file.set_len(archsim::model::MAX_FILE_BYTES + 1)
        .expect("set_len");
    let error = archsim::model::read_text(&path).expect_err("refused");
    assert!(error.to_string().contains("more than 256 MB"), "{error}");
    let out = dir.path().join("out.json");
    let output = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(["import", "--format", "jaeger", "--out"])
        .arg(&out)
        .arg(&path)
        .output()
        .expect("archsim runs");
    let err = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0));
    assert!(err.contains("256 MB"), "{err}");
    assert!(!out.exists());
}
