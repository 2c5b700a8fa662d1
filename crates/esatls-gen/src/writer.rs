//! The line writer: timestamps, file headers, rotation and compression.
//!
//! Lines are formatted straight into one buffer that is handed to the
//! [`Storage`] in large chunks, so that writing costs no allocation per
//! line. The timestamp in front of each line is formatted once per second.

use std::io::{self, Write};

use flate2::write::GzEncoder;

use crate::storage::Storage;
use crate::time::Civil;

/// Bytes buffered before they are compressed or handed to the storage.
const FLUSH_BYTES: usize = 1 << 20;

/// AsyncOS version named in every file header.
pub const VERSION: &str = "15.0.0-104";

/// Severity of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Critical,
    Warning,
    Info,
    Debug,
    Trace,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Critical => "Critical",
            Level::Warning => "Warning",
            Level::Info => "Info",
            Level::Debug => "Debug",
            Level::Trace => "Trace",
        }
    }
}

/// Settings of one appliance's log files.
#[derive(Clone, Debug)]
pub struct FileSettings {
    /// Serial number written in each file's `Version` header.
    pub serial: String,
    /// UTC offset in seconds written in each file's header.
    pub utc_offset: i32,
    /// Uncompressed bytes after which the file is rotated, at the next
    /// change of second.
    pub file_size: u64,
    /// Compress each file with gzip and add `.gz` to its name.
    pub gzip: bool,
}

/// Writes the log lines of one appliance into rotated files.
pub struct LogWriter<S: Storage> {
    storage: S,
    settings: FileSettings,
    buffer: Vec<u8>,
    encoder: Option<GzEncoder<Vec<u8>>>,
    /// Stamp of the open file's name, `None` before the first line.
    file_stamp: Option<String>,
    file_bytes: u64,
    total_bytes: u64,
    lines: u64,
    /// Local second of the cached timestamp prefix.
    prefix_second: i64,
    /// `Www Mmm dd HH:MM:SS YYYY ` of `prefix_second`.
    prefix: Vec<u8>,
    line_start: usize,
    error: Option<io::Error>,
}

impl<S: Storage> LogWriter<S> {
    pub fn new(storage: S, settings: FileSettings) -> Self {
        LogWriter {
            storage,
            settings,
            buffer: Vec::with_capacity(FLUSH_BYTES + 64 * 1024),
            encoder: None,
            file_stamp: None,
            file_bytes: 0,
            total_bytes: 0,
            lines: 0,
            prefix_second: i64::MIN,
            prefix: Vec::with_capacity(32),
            line_start: 0,
            error: None,
        }
    }

    /// Uncompressed bytes written so far, file headers included.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Lines written so far, file headers included.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Starts a line at local second `now` and returns the buffer to write
    /// its text into, which [`LogWriter::end`] completes. Times must not go
    /// backwards between lines.
    pub fn begin(&mut self, now: i64, level: Level) -> &mut Vec<u8> {
        if now != self.prefix_second {
            self.prefix_second = now;
            self.prefix.clear();
            Civil::from_seconds(now).write_asctime(&mut self.prefix);
            self.prefix.push(b' ');
            let due = self.file_stamp.is_none() || self.file_bytes >= self.settings.file_size;
            if due {
                self.rotate(now);
            }
        }
        self.start_line(level);
        &mut self.buffer
    }

    /// Completes the line begun by [`LogWriter::begin`].
    pub fn end(&mut self) {
        self.buffer.push(b'\n');
        let length = (self.buffer.len() - self.line_start) as u64;
        self.file_bytes += length;
        self.total_bytes += length;
        self.lines += 1;
        if self.buffer.len() >= FLUSH_BYTES {
            self.flush();
        }
    }

    fn start_line(&mut self, level: Level) {
        self.line_start = self.buffer.len();
        self.buffer.extend_from_slice(&self.prefix);
        self.buffer.extend_from_slice(level.as_str().as_bytes());
        self.buffer.extend_from_slice(b": ");
    }

    fn header_line(&mut self, text: std::fmt::Arguments<'_>) {
        self.start_line(Level::Info);
        let _ = self.buffer.write_fmt(text);
        self.end();
    }

    /// Closes the open file, if any, and starts the next one with the
    /// three header lines every appliance file begins with.
    fn rotate(&mut self, now: i64) {
        self.close_file(".s");
        let stamp = Civil::from_seconds(now).rotation_stamp();
        let name = self.file_name(&stamp, ".c");
        self.record(|storage| storage.create(&name));
        if self.settings.gzip {
            self.encoder = Some(GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        }
        self.file_stamp = Some(stamp);
        self.file_bytes = 0;
        self.header_line(format_args!("Begin Logfile"));
        let serial = std::mem::take(&mut self.settings.serial);
        self.header_line(format_args!("Version: {VERSION} SN: {serial}"));
        self.settings.serial = serial;
        let offset = self.settings.utc_offset;
        self.header_line(format_args!("Time offset from UTC: {offset} seconds"));
    }

    fn file_name(&self, stamp: &str, status: &str) -> String {
        let suffix = if self.settings.gzip { ".gz" } else { "" };
        format!("mail_logs.@{stamp}{status}{suffix}")
    }

    /// Writes the buffered bytes to the open file.
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let buffer = std::mem::take(&mut self.buffer);
        match &mut self.encoder {
            Some(encoder) => {
                let result = encoder.write_all(&buffer);
                let compressed = std::mem::take(encoder.get_mut());
                self.record(|_| result);
                self.record(|storage| storage.append(&compressed));
            }
            None => self.record(|storage| storage.append(&buffer)),
        }
        self.buffer = buffer;
        self.buffer.clear();
    }

    /// Flushes and closes the open file under its name with `status`
    /// (`.s` for a rotated file, `.c` for the current one).
    fn close_file(&mut self, status: &str) {
        let Some(stamp) = self.file_stamp.take() else {
            return;
        };
        self.flush();
        if let Some(encoder) = self.encoder.take() {
            match encoder.finish() {
                Ok(rest) => self.record(|storage| storage.append(&rest)),
                Err(error) => self.record(|_| Err(error)),
            }
        }
        let name = self.file_name(&stamp, status);
        self.record(|storage| storage.close(&name));
    }

    /// Keeps the first storage error; later writes are still attempted so
    /// that the generator's state stays the same as without the error.
    fn record(&mut self, action: impl FnOnce(&mut S) -> io::Result<()>) {
        if let Err(error) = action(&mut self.storage) {
            self.error.get_or_insert(error);
        }
    }

    /// Closes the last file as the current one (`.c`) and returns the
    /// storage, or the first error met while writing.
    pub fn finish(mut self) -> io::Result<S> {
        self.close_file(".c");
        match self.error.take() {
            Some(error) => Err(error),
            None => Ok(self.storage),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;

    fn settings(file_size: u64) -> FileSettings {
        FileSettings {
            serial: "42ABCDEF0123456789AB-0123456789AB".to_string(),
            utc_offset: -21_600,
            file_size,
            gzip: false,
        }
    }

    fn write_line(writer: &mut LogWriter<MemoryStorage>, now: i64, text: &str) {
        writer
            .begin(now, Level::Info)
            .extend_from_slice(text.as_bytes());
        writer.end();
    }

    #[test]
    fn file_starts_with_header() {
        let start = Civil::midnight_seconds(2023, 9, 6) + 13 * 3_600;
        let mut writer = LogWriter::new(MemoryStorage::default(), settings(1 << 30));
        write_line(&mut writer, start, "ICID 5 close");
        let storage = writer.finish().unwrap();
        assert_eq!(storage.files.len(), 1);
        assert_eq!(storage.files[0].name, "mail_logs.@20230906T130000.c");
        let text = String::from_utf8(storage.files[0].bytes.clone()).unwrap();
        let expected = "Wed Sep  6 13:00:00 2023 Info: Begin Logfile\n\
             Wed Sep  6 13:00:00 2023 Info: Version: 15.0.0-104 SN: 42ABCDEF0123456789AB-0123456789AB\n\
             Wed Sep  6 13:00:00 2023 Info: Time offset from UTC: -21600 seconds\n\
             Wed Sep  6 13:00:00 2023 Info: ICID 5 close\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn rotation_waits_for_next_second() {
        let start = Civil::midnight_seconds(2023, 9, 6);
        let mut writer = LogWriter::new(MemoryStorage::default(), settings(10));
        write_line(&mut writer, start, "ICID 1 close");
        write_line(&mut writer, start, "ICID 2 close");
        write_line(&mut writer, start + 1, "ICID 3 close");
        let storage = writer.finish().unwrap();
        let names: Vec<&str> = storage.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "mail_logs.@20230906T000000.s",
                "mail_logs.@20230906T000001.c"
            ]
        );
        assert_eq!(writer_lines(&storage.files[0].bytes), 5);
        assert_eq!(writer_lines(&storage.files[1].bytes), 4);
    }

    fn writer_lines(bytes: &[u8]) -> usize {
        bytes.iter().filter(|&&b| b == b'\n').count()
    }

    #[test]
    fn gzip_files_decompress_to_the_lines() {
        use std::io::Read;
        let start = Civil::midnight_seconds(2023, 9, 6);
        let mut gzip = settings(1 << 30);
        gzip.gzip = true;
        let mut writer = LogWriter::new(MemoryStorage::default(), gzip);
        write_line(&mut writer, start, "ICID 1 close");
        let total = writer.total_bytes();
        let storage = writer.finish().unwrap();
        assert!(storage.files[0].name.ends_with(".c.gz"));
        let mut text = String::new();
        flate2::read::GzDecoder::new(&storage.files[0].bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text.len() as u64, total);
        assert!(text.ends_with("Info: ICID 1 close\n"));
    }
}
