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
        Err(error) => {
            let code = if error.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            };
            let _ = error.print();
            return ExitCode::from(code);
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
