//! Destinations of the log files of one appliance: a directory, or memory.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::PathBuf;

/// Receives the log files of one appliance, one file at a time.
///
/// A file is created under a working name, receives its bytes in chunks and
/// is closed under its final name: the appliance writes the current file as
/// `.c` and renames it `.s` when it rotates.
pub trait Storage {
    /// Starts a new file called `name`.
    fn create(&mut self, name: &str) -> io::Result<()>;
    /// Appends bytes to the file being written.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Finishes the file being written and gives it the name `final_name`.
    fn close(&mut self, final_name: &str) -> io::Result<()>;
}

/// Writes files into one directory, which is created if missing.
pub struct DirStorage {
    dir: PathBuf,
    current: Option<(PathBuf, File)>,
}

impl DirStorage {
    pub fn new(dir: PathBuf) -> io::Result<DirStorage> {
        fs::create_dir_all(&dir)?;
        Ok(DirStorage { dir, current: None })
    }
}

impl Storage for DirStorage {
    fn create(&mut self, name: &str) -> io::Result<()> {
        let path = self.dir.join(name);
        let file = File::create(&path)?;
        self.current = Some((path, file));
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.current {
            Some((_, file)) => file.write_all(bytes),
            None => Err(io::Error::other("no log file is open")),
        }
    }

    fn close(&mut self, final_name: &str) -> io::Result<()> {
        let Some((path, mut file)) = self.current.take() else {
            return Err(io::Error::other("no log file is open"));
        };
        file.flush()?;
        drop(file);
        let final_path = self.dir.join(final_name);
        if final_path != path {
            fs::rename(&path, &final_path)?;
        }
        Ok(())
    }
}

/// One file kept in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Keeps files in memory, in the order they were created.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    pub files: Vec<MemoryFile>,
    open: bool,
}

impl Storage for MemoryStorage {
    fn create(&mut self, name: &str) -> io::Result<()> {
        self.files.push(MemoryFile {
            name: name.to_string(),
            bytes: Vec::new(),
        });
        self.open = true;
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.files.last_mut() {
            Some(file) if self.open => {
                file.bytes.extend_from_slice(bytes);
                Ok(())
            }
            _ => Err(io::Error::other("no log file is open")),
        }
    }

    fn close(&mut self, final_name: &str) -> io::Result<()> {
        match self.files.last_mut() {
            Some(file) if self.open => {
                file.name = final_name.to_string();
                self.open = false;
                Ok(())
            }
            _ => Err(io::Error::other("no log file is open")),
        }
    }
}
