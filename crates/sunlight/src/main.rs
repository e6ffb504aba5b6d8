//! The `sunlight` binary: a thin shim over [`sunlight::run`].

fn main() -> std::process::ExitCode {
    sunlight::main()
}
