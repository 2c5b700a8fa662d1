//! Decompresses gzip files and counts their bytes and lines, and does
//! nothing else: the baseline for `esatls report` on gzip input.
//!
//! It decodes as esatls does, with flate2's `MultiGzDecoder` over a
//! 256 KiB `BufReader`, one file after the other on one thread. This crate
//! depends on esatls, so cargo builds one flate2 with the same features
//! (and so the same zlib backend) for both.
//!
//! Usage: `gunzip_count PATH...`, where a directory is read recursively.
//! Prints `FILES files, BYTES bytes, LINES lines` of decompressed data.

use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flate2::bufread::MultiGzDecoder;

/// Bytes of decompressed data read at a time.
const CHUNK_BYTES: usize = 1 << 20;

/// Capacity of the buffer in front of the decoder, as in esatls.
const INPUT_BUFFER_BYTES: usize = 256 * 1024;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        eprintln!("usage: gunzip_count PATH...");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok((files, bytes, lines)) => {
            println!("{files} files, {bytes} bytes, {lines} lines");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gunzip_count: {error}");
            ExitCode::from(2)
        }
    }
}

/// Decompresses every file under `paths` and returns the number of files,
/// decompressed bytes and newlines.
fn run(paths: &[PathBuf]) -> io::Result<(u64, u64, u64)> {
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, &mut files)?;
    }
    files.sort();
    let mut buffer = vec![0; CHUNK_BYTES];
    let (mut bytes, mut lines) = (0, 0);
    for path in &files {
        let (file_bytes, file_lines) = count(path, &mut buffer).map_err(|error| {
            io::Error::new(error.kind(), format!("{}: {error}", path.display()))
        })?;
        bytes += file_bytes;
        lines += file_lines;
    }
    Ok((files.len() as u64, bytes, lines))
}

/// Adds `path` to `files`, or every file below it when it is a directory.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    let metadata = fs::metadata(path)
        .map_err(|error| io::Error::new(error.kind(), format!("{}: {error}", path.display())))?;
    if !metadata.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in fs::read_dir(path)? {
        collect_files(&entry?.path(), files)?;
    }
    Ok(())
}

/// Decompresses one file and returns its decompressed bytes and newlines.
fn count(path: &Path, buffer: &mut [u8]) -> io::Result<(u64, u64)> {
    let file = File::open(path)?;
    let mut decoder = MultiGzDecoder::new(BufReader::with_capacity(INPUT_BUFFER_BYTES, file));
    let (mut bytes, mut lines) = (0, 0);
    loop {
        let read = match decoder.read(buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        bytes += read as u64;
        lines += memchr::memchr_iter(b'\n', &buffer[..read]).count() as u64;
    }
    Ok((bytes, lines))
}
