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

    /// Returns whether a complete line is already in the buffer, so that
    /// the next call to [`LineReader::next_line`] will not read.
    pub fn has_buffered_line(&self) -> bool {
        memchr::memchr2(b'\n', b'\r', &self.buf[self.start..self.end]).is_some()
    }

    /// Returns the next line if it is complete in the buffer, without
    /// reading; `None` means that [`LineReader::next_line`] would read.
    pub fn next_buffered_line(&mut self) -> Option<Line<'_>> {
        if self.pending_cr {
            return None;
        }
        let found = memchr::memchr2(b'\n', b'\r', &self.buf[self.start..self.end])?;
        let at = self.start + found;
        // A `\r` at the end of the buffer may start a `\r\n`: let
        // `next_line` decide with more data.
        if self.buf[at] == b'\r' && at + 1 == self.end && !self.eof {
            return None;
        }
        Some(self.take_line(at, 0))
    }

    /// Returns the number of lines read so far.
    pub fn lines_read(&self) -> u64 {
        self.line_number
    }

    /// Passes the lines complete in the buffer to `each`, with their
    /// numbers, as long as they are valid UTF-8 and within the length
    /// limit, and consumes them. It stops after a line for which `each`
    /// returns `false`, and reads nothing. The UTF-8 check runs over the
    /// first `window` bytes at once, which costs less than one check per
    /// line.
    ///
    /// Lines it does not take stay for [`Self::next_line`]: a line past the
    /// limit or with invalid UTF-8, and a line ended by a `\r` at the end
    /// of the buffer, which may be half of a `\r\n`. Returns the number
    /// of lines taken, and whether such a line stopped it.
    pub fn take_buffered_text(
        &mut self,
        window: usize,
        mut each: impl FnMut(&str, u64) -> bool,
    ) -> (u64, bool) {
        if self.pending_cr {
            return (0, true);
        }
        let end = self.end.min(self.start.saturating_add(window));
        let region = &self.buf[self.start..end];
        let text = match std::str::from_utf8(region) {
            Ok(text) => text,
            Err(error) => std::str::from_utf8(&region[..error.valid_up_to()]).unwrap_or_default(),
        };
        let bytes = text.as_bytes();
        let mut at = 0;
        let mut taken = 0;
        let mut blocked = false;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[at..]) {
            let line_end = at + found;
            let next = if bytes[line_end] == b'\n' {
                line_end + 1
            } else if line_end + 1 < bytes.len() {
                line_end + 1 + usize::from(bytes[line_end + 1] == b'\n')
            } else {
                // A `\r` last in the text: `next_line` sees what follows.
                blocked = true;
                break;
            };
            if line_end - at > self.max_line {
                blocked = true;
                break;
            }
            taken += 1;
            let going_on = each(&text[at..line_end], self.line_number + taken);
            at = next;
            if !going_on {
                break;
            }
        }
        // Text left that no terminator ends: a line longer than the window,
        // or invalid UTF-8 before its end.
        if taken == 0
            && !blocked
            && at < region.len()
            && memchr::memchr2(b'\n', b'\r', &region[at..]).is_some()
        {
            blocked = true;
        }
        self.start += at;
        self.consumed += at as u64;
        self.line_number += taken;
        (taken, blocked)
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

    /// Reads `input` taking buffered lines as text wherever possible, and
    /// the rest line by line.
    fn mixed_lines_of(input: &[u8], max: usize, window: usize) -> Vec<(String, u64, u64)> {
        mixed_lines_from(Box::new(input), max, window)
    }

    fn mixed_lines_from(
        reader: Box<dyn Read + '_>,
        max: usize,
        window: usize,
    ) -> Vec<(String, u64, u64)> {
        let mut lines = LineReader::new(reader, max);
        let mut out = Vec::new();
        loop {
            let (_, _) = lines.take_buffered_text(window, |text, number| {
                out.push((text.to_string(), number, 0));
                true
            });
            match lines.next_line().unwrap() {
                Some(line) => out.push((
                    String::from_utf8_lossy(line.bytes).into_owned(),
                    line.number,
                    line.skipped_bytes,
                )),
                None => break,
            }
        }
        out
    }

    #[test]
    fn buffered_text_matches_line_by_line() {
        let mut input = b"a\nb\r\nc\rd\n\ne\xff\nf\n".to_vec();
        input.extend(vec![b'x'; 50]);
        input.extend_from_slice("\n\u{e9}t\u{e9}\r\nlast".as_bytes());
        for window in [1, 3, 8, 1 << 20] {
            assert_eq!(
                mixed_lines_of(&input, 10, window),
                lines_of(&input, 10, false),
                "window {window}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn buffered_text_matches_any_input(
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
            window in 1usize..64,
        ) {
            let expected = lines_of(&input, max, false);
            proptest::prop_assert_eq!(mixed_lines_of(&input, max, window), expected.clone());
            proptest::prop_assert_eq!(
                mixed_lines_from(Box::new(Trickle(&input)), max, window),
                expected
            );
        }
    }

    #[test]
    fn buffered_text_stops_when_asked() {
        let mut lines = LineReader::new(&b"a\nb\nc\n"[..], 100);
        lines.next_line().unwrap();
        let mut seen = Vec::new();
        let (taken, blocked) = lines.take_buffered_text(1 << 20, |text, number| {
            seen.push((text.to_string(), number));
            false
        });
        assert_eq!((taken, blocked), (1, false));
        assert_eq!(seen, [("b".to_string(), 2)]);
        assert_eq!(lines.next_line().unwrap().unwrap().bytes, b"c");
        assert_eq!(lines.offset(), 6);
    }

    #[test]
    fn buffered_text_leaves_invalid_line() {
        let mut lines = LineReader::new(&b"a\nb\xff\nc\n"[..], 100);
        lines.next_line().unwrap();
        let (taken, blocked) = lines.take_buffered_text(1 << 20, |_, _| true);
        assert_eq!((taken, blocked), (0, true));
        assert_eq!(lines.next_line().unwrap().unwrap().bytes, b"b\xff");
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
