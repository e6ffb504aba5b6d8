//! `sunlight-bench`: measures Sunlight on generated data — imports, the API, the engine's
//! write path, the supervision monitor, the pages — and says, per target, whether it is met.
//! A binary of its own, so the server (`sunlight`) carries no load generator:
//! `cargo run --release -p sunlight-bench -- engine`.

mod bench;
mod bench_engine;
mod bench_files;
mod bench_pages;
mod bench_supervision;
mod documents;

use clap::Parser;

#[derive(Parser)]
#[command(name = "sunlight-bench", about = "Sunlight's performance benchmarks")]
struct Cli {
    #[command(subcommand)]
    cmd: bench::BenchCmd,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bench::run(cli.cmd)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
