//! The `archsim` binary: parse arguments, run the command, map errors to exit codes.

fn main() -> std::process::ExitCode {
    archsim::cli::main(std::env::args_os())
}
