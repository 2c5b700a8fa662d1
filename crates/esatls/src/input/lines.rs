//! Cutting a byte stream into lines of bounded length.

use std::io::{self, Read};

/// Default longest line kept, in bytes. Longer lines keep their first
/// `max_line_bytes` bytes; the rest is skipped without being buffered.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024;

const READ_SIZE: usize = 256 * 1024;

/// One line, without its terminator.
#[derive(Debug)]
pub struct Line<'a> {
    pub bytes: &'a [u8],
    /// Line number, starting at 1.
    pub number: u64,
    /// Byte offset of the line's first byte in the (decompressed) stream.
    pub offset: u64,
    /// Number of bytes past the limit that were skipped; 0 if none.
    pub skipped_bytes: u64,
}

/// Reads lines ended by `\n`, `\r\n` or a lone `\r` from `inner`.
///
/// Memory is bounded by the read size plus `max_line_bytes`, whatever the
/// input.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    max_line: usize,
    line_number: u64,
    /// Stream offset of `buf[start]`.
    consumed: u64,
    /// The last line ended with `\r` at the end of the buffer: a `\n` that
    /// comes first in the next read belongs to the same terminator.
    pending_cr: bool,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R, max_line_bytes: usize) -> Self {
        let max_line = max_line_bytes.max(1);
        LineReader {
            inner,
            buf: vec![0; READ_SIZE + max_line],
            start: 0,
            end: 0,
            eof: false,
            max_line,
            line_number: 0,
            consumed: 0,
            pending_cr: false,
        }
    }

    /// Takes every complete line in the buffer as one region of bytes,
    /// terminators included, without reading: the bytes up to the last
    /// `\n` or `\r` in the buffer. A `\r` at the end of the buffer may be
    /// the first half of a `\r\n`, so its line stays for the next call
    /// unless the input has ended. Returns `None` when no complete line is
    /// buffered; [`Self::next_line`] then reads.
    ///
    /// Lines of the region are not cut to the length limit, and they are
    /// not counted in [`Line::number`]; [`split_lines`] cuts the region
    /// into lines as [`Self::next_line`] would.
    pub fn take_region(&mut self) -> Option<&[u8]> {
        let region = self.region()?;
        self.start = region.end;
        self.consumed += region.len() as u64;
        Some(&self.buf[region])
    }

    /// Takes the complete lines in the buffer as [`Self::take_region`]
    /// does, but by taking the buffer itself: the reader goes on in
    /// `fresh`, into which it moves the bytes after the region, and
    /// returns its old buffer and the range of the region in it. This
    /// saves copying the region. Returns `fresh` back when no complete
    /// line is buffered.
    ///
    /// `fresh` is grown to the size of the buffer, which is the read size
    /// plus the line length limit, so the buffers of a large limit are
    /// large.
    pub fn take_region_buffer(
        &mut self,
        mut fresh: Vec<u8>,
    ) -> Result<(Vec<u8>, std::ops::Range<usize>), Vec<u8>> {
        let Some(region) = self.region() else {
            return Err(fresh);
        };
        if fresh.len() < self.buf.len() {
            fresh.resize(self.buf.len(), 0);
        }
        let tail = self.end - region.end;
        fresh[..tail].copy_from_slice(&self.buf[region.end..self.end]);
        self.consumed += region.len() as u64;
        self.start = 0;
        self.end = tail;
        Ok((std::mem::replace(&mut self.buf, fresh), region))
    }

    /// Returns the range of the complete lines in the buffer, having
    /// dropped the `\n` of a `\r\n` that a read split.
    fn region(&mut self) -> Option<std::ops::Range<usize>> {
        if self.pending_cr {
            if self.start == self.end {
                return None;
            }
            if self.buf[self.start] == b'\n' {
                self.start += 1;
                self.consumed += 1;
            }
            self.pending_cr = false;
        }
        let window = &self.buf[self.start..self.end];
        let mut last = memchr::memrchr2(b'\n', b'\r', window)?;
        if window[last] == b'\r' && last + 1 == window.len() && !self.eof {
            last = memchr::memrchr2(b'\n', b'\r', &window[..last])?;
        }
        Some(self.start..self.start + last + 1)
    }

    /// Returns the size of the buffer.
    pub fn buffer_len(&self) -> usize {
        self.buf.len()
    }

    /// Reads more bytes into the buffer, once. Returns `false` when it
    /// cannot: at the end of the input, or when a line longer than the
    /// limit fills the buffer. [`Self::next_line`] then returns the rest.
    pub fn read_more(&mut self) -> io::Result<bool> {
        if self.eof || self.end - self.start >= self.max_line {
            return Ok(false);
        }
        let before = self.end - self.start;
        if !self.fill()? {
            return Ok(false);
        }
        Ok(self.end - self.start > before)
    }

    /// Returns the number of decompressed bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.consumed
    }

    /// Moves the unread bytes to the front and reads more. Returns `false`
    /// at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        loop {
            if self.end == self.buf.len() {
                return Ok(true);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(count) => {
                    self.end += count;
                    return Ok(true);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// Drops a `\n` that completes a `\r\n` split across two reads.
    fn drop_pending_lf(&mut self) -> io::Result<()> {
        if !self.pending_cr {
            return Ok(());
        }
        if self.start == self.end && !self.fill()? {
            self.pending_cr = false;
            return Ok(());
        }
        if self.start < self.end {
            if self.buf[self.start] == b'\n' {
                self.start += 1;
                self.consumed += 1;
            }
            self.pending_cr = false;
        }
        Ok(())
    }

    /// Returns the next line, or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.drop_pending_lf()?;
        let mut searched = 0;
        loop {
            let window = &self.buf[self.start + searched..self.end];
            if let Some(found) = memchr::memchr2(b'\n', b'\r', window) {
                let at = self.start + searched + found;
                return Ok(Some(self.take_line(at, 0)));
            }
            searched = self.end - self.start;
            if searched >= self.max_line {
                return self.take_long_line().map(Some);
            }
            if !self.fill()? {
                if self.start == self.end {
                    return Ok(None);
                }
                let at = self.end;
                return Ok(Some(self.take_line(at, 0)));
            }
            searched = searched.min(self.end - self.start);
        }
    }

    /// Returns the line `buf[start..at]`, cut to the limit, and consumes
    /// its terminator.
    fn take_line(&mut self, at: usize, skipped_bytes: u64) -> Line<'_> {
        let line_start = self.start;
        let kept_end = at.min(line_start + self.max_line);
        let skipped_bytes = skipped_bytes + (at - kept_end) as u64;
        let offset = self.consumed;
        let mut next = at;
        if at < self.end {
            if self.buf[at] == b'\r' {
                next += 1;
                if next < self.end {
                    if self.buf[next] == b'\n' {
                        next += 1;
                    }
                } else {
                    self.pending_cr = true;
                }
            } else {
                next += 1;
            }
        }
        self.consumed += (next - line_start) as u64 + skipped_bytes - (at - kept_end) as u64;
        self.start = next;
        self.line_number += 1;
        Line {
            bytes: &self.buf[line_start..kept_end],
            number: self.line_number,
            offset,
            skipped_bytes,
        }
    }

    /// Handles a line longer than the limit: keeps its first `max_line`
    /// bytes and skips the rest up to the terminator, reading the skipped
    /// part into the buffer space after the kept bytes.
    fn take_long_line(&mut self) -> io::Result<Line<'_>> {
        let keep_end = self.start + self.max_line;
        let mut skipped: u64 = 0;
        let mut scan_from = keep_end;
        loop {
            let window = &self.buf[scan_from..self.end];
            if let Some(found) = memchr::memchr2(b'\n', b'\r', window) {
                let at = scan_from + found;
                skipped += (at - keep_end) as u64;
                self.buf.copy_within(at..self.end, keep_end);
                self.end -= at - keep_end;
                return Ok(self.take_line(keep_end, skipped));
            }
            skipped += (self.end - keep_end) as u64;
            self.end = keep_end;
            scan_from = keep_end;
            if self.eof {
                return Ok(self.take_line(keep_end, skipped));
            }
            match self.inner.read(&mut self.buf[keep_end..]) {
                Ok(0) => self.eof = true,
                Ok(count) => self.end = keep_end + count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

/// Returns the lines of a region that [`LineReader::take_region`] took,
/// without their terminators: `\n`, `\r\n` and a lone `\r` each end a
/// line. Bytes after the last terminator, if any, are a last line.
pub fn split_lines(region: &[u8]) -> SplitLines<'_> {
    SplitLines { rest: region }
}

/// The iterator of [`split_lines`].
#[derive(Clone, Debug)]
pub struct SplitLines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for SplitLines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let rest = self.rest;
        let Some(at) = memchr::memchr2(b'\n', b'\r', rest) else {
            self.rest = &[];
            return Some(rest);
        };
        let next = if rest[at] == b'\r' && rest.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        self.rest = &rest[next..];
        Some(&rest[..at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Just;

    /// Reads one byte per call, to exercise every buffer boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || out.is_empty() {
                return Ok(0);
            }
            out[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    fn lines_of(input: &[u8], max: usize, trickle: bool) -> Vec<(String, u64, u64)> {
        let reader: Box<dyn Read> = if trickle {
            Box::new(Trickle(input))
        } else {
            Box::new(input)
        };
        let mut lines = LineReader::new(reader, max);
        let mut out = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            out.push((
                String::from_utf8_lossy(line.bytes).into_owned(),
                line.number,
                line.skipped_bytes,
            ));
        }
        out
    }

    #[test]
    fn terminators() {
        for trickle in [false, true] {
            let lines = lines_of(b"a\nb\r\nc\rd\n\ne", 100, trickle);
            let texts: Vec<&str> = lines.iter().map(|(t, _, _)| t.as_str()).collect();
            assert_eq!(
                texts,
                vec!["a", "b", "c", "d", "", "e"],
                "trickle {trickle}"
            );
            assert_eq!(lines.last().unwrap().1, 6);
        }
    }

    #[test]
    fn crlf_split_across_reads() {
        let lines = lines_of(b"ab\r\ncd\r\n", 100, true);
        let texts: Vec<&str> = lines.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(texts, vec!["ab", "cd"]);
    }

    #[test]
    fn long_lines_are_cut_and_counted() {
        for trickle in [false, true] {
            let mut input = vec![b'x'; 50];
            input.extend_from_slice(b"\nshort\n");
            input.extend(vec![b'y'; 30]);
            let lines = lines_of(&input, 10, trickle);
            assert_eq!(lines[0], ("x".repeat(10), 1, 40), "trickle {trickle}");
            assert_eq!(lines[1], ("short".to_string(), 2, 0));
            assert_eq!(lines[2], ("y".repeat(10), 3, 20));
            assert_eq!(lines.len(), 3);
        }
    }

    /// Reads `input` taking buffered lines as regions wherever possible,
    /// cutting their lines as the parsing of a region does, and the rest
    /// line by line.
    fn mixed_lines_from(reader: Box<dyn Read + '_>, max: usize) -> Vec<(String, u64, u64)> {
        let mut lines = LineReader::new(reader, max);
        let mut out = Vec::new();
        let mut number = 0;
        loop {
            while let Some(region) = lines.take_region() {
                push_region(&mut out, &mut number, region, max);
            }
            match lines.next_line().unwrap() {
                Some(line) => push_line(&mut out, &mut number, line),
                None => break,
            }
        }
        out
    }

    /// Reads `input` as [`mixed_lines_from`] does, taking the buffer of
    /// each region, and reading more before it takes a line.
    fn swapped_lines_from(reader: Box<dyn Read + '_>, max: usize) -> Vec<(String, u64, u64)> {
        let mut lines = LineReader::new(reader, max);
        let mut out = Vec::new();
        let mut number = 0;
        let mut spare = Vec::new();
        loop {
            match lines.take_region_buffer(spare) {
                Ok((buffer, range)) => {
                    push_region(&mut out, &mut number, &buffer[range], max);
                    spare = buffer;
                    continue;
                }
                Err(back) => spare = back,
            }
            if lines.read_more().unwrap() {
                continue;
            }
            match lines.next_line().unwrap() {
                Some(line) => push_line(&mut out, &mut number, line),
                None => break,
            }
        }
        out
    }

    /// Adds each line of a region, cut at `max` bytes, with its number.
    fn push_region(out: &mut Vec<(String, u64, u64)>, number: &mut u64, region: &[u8], max: usize) {
        for line in split_lines(region) {
            *number += 1;
            let kept = line.len().min(max);
            out.push((
                String::from_utf8_lossy(&line[..kept]).into_owned(),
                *number,
                (line.len() - kept) as u64,
            ));
        }
    }

    /// Adds a line that the reader returned by itself, with its number.
    fn push_line(out: &mut Vec<(String, u64, u64)>, number: &mut u64, line: Line<'_>) {
        *number += 1;
        out.push((
            String::from_utf8_lossy(line.bytes).into_owned(),
            *number,
            line.skipped_bytes,
        ));
    }

    #[test]
    fn regions_match_line_by_line() {
        let mut input = b"a\nb\r\nc\rd\n\ne\xff\nf\n".to_vec();
        input.extend(vec![b'x'; 50]);
        input.extend_from_slice("\n\u{e9}t\u{e9}\r\nlast".as_bytes());
        assert_eq!(
            mixed_lines_from(Box::new(&input[..]), 10),
            lines_of(&input, 10, false)
        );
        assert_eq!(
            mixed_lines_from(Box::new(Trickle(&input)), 10),
            lines_of(&input, 10, false)
        );
    }

    proptest::proptest! {
        #[test]
        fn regions_match_any_input(
            input in proptest::collection::vec(
                proptest::prop_oneof![
                    Just(b'\n'),
                    Just(b'\r'),
                    Just(0xc3),
                    Just(0xa9),
                    Just(0xff),
                    b'a'..=b'c',
                ],
                0..400,
            ),
            max in 1usize..40,
        ) {
            let expected = lines_of(&input, max, false);
            proptest::prop_assert_eq!(mixed_lines_from(Box::new(&input[..]), max), expected.clone());
            proptest::prop_assert_eq!(
                swapped_lines_from(Box::new(Trickle(&input)), max),
                expected.clone()
            );
            proptest::prop_assert_eq!(
                mixed_lines_from(Box::new(Trickle(&input)), max),
                expected
            );
        }
    }

    /// Returns one given piece per read.
    struct Pieces(Vec<&'static [u8]>);

    impl Read for Pieces {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            let piece = self.0.remove(0);
            out[..piece.len()].copy_from_slice(piece);
            Ok(piece.len())
        }
    }

    #[test]
    fn region_ends_before_a_final_carriage_return() {
        let mut lines = LineReader::new(Pieces(vec![b"x\na\nb\r", b"\nc\rd\re\n"]), 100);
        assert_eq!(lines.next_line().unwrap().unwrap().bytes, b"x");
        // `b\r` may end in `\r\n`: it waits for the next read.
        assert_eq!(lines.take_region(), Some(&b"a\n"[..]));
        assert_eq!(lines.take_region(), None);
        assert_eq!(lines.next_line().unwrap().unwrap().bytes, b"b");
        assert_eq!(lines.take_region(), None);
        // The `\n` of `b\r\n` is dropped once it is read.
        assert_eq!(lines.next_line().unwrap().unwrap().bytes, b"c");
        assert_eq!(lines.take_region(), Some(&b"d\re\n"[..]));
        assert_eq!(lines.offset(), 13);
        assert!(lines.next_line().unwrap().is_none());
    }

    #[test]
    fn empty_input() {
        assert!(lines_of(b"", 10, false).is_empty());
        assert_eq!(lines_of(b"\n", 10, false).len(), 1);
    }

    #[test]
    fn offsets_point_at_line_starts() {
        let mut lines = LineReader::new(&b"ab\ncde\nf"[..], 100);
        let mut offsets = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            offsets.push(line.offset);
        }
        assert_eq!(offsets, vec![0, 3, 7]);
    }
}
