//! The `esatls` command: parses the command line, runs a command, and maps
//! its result to the exit status.

mod cli;
mod commands;
mod exit;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to standard output as clap writes them;
        // usage errors carry the prefix of the program's other errors.
        Err(error) if error.use_stderr() => {
            eprint!("esatls: {}", error.render());
            return ExitCode::from(exit::USAGE);
        }
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(exit::SUCCESS);
        }
    };
    match commands::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            if exit::is_broken_pipe(&error) {
                return ExitCode::from(exit::SUCCESS);
            }
            eprintln!("esatls: error: {error:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}

// mimalloc rather than the system allocator: `report` on 1 GB of logs
// took 0.78 s against 0.82 s, and `messages --format json` 1.29 s against
// 1.47 s (2 CPUs, bench/compare.sh), for a peak of 107 MB against 62 MB.
// Built without its requests for transparent huge pages (`no_thp`): each
// first touch of a huge page zeroes 2 MiB, and `report` on 1 GB peaked at
// 62-70 MB with them against 37-39 MB without, with less system time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
