//! Fuzzes `header::parse_header` on arbitrary lines.
//!
//! Besides not panicking: every string the header returns must be a slice
//! of the line and the payload must run to the line's end, because the
//! pipeline stores headers as offsets (`HeaderSpans`) and rebuilds them
//! after appending continuation lines. Every time it returns must be a
//! valid wall-clock time.

#![no_main]

use esatls::header::{parse_header, Header, HeaderSpans, Payload, RawTime};
use libfuzzer_sys::fuzz_target;

/// Returns whether `part` lies inside `whole`: a slice of it, not a copy
/// and not a string literal.
fn is_slice_of(whole: &str, part: &str) -> bool {
    let start = whole.as_ptr() as usize;
    let end = start + whole.len();
    let part_start = part.as_ptr() as usize;
    part_start >= start && part_start + part.len() <= end
}

fn payload_of<'a>(header: &Header<'a>) -> &'a str {
    match header.payload {
        Payload::Text { text, .. } => text,
        Payload::Cef(text) => text,
        Payload::Other(text) => text,
    }
}

fn check_time(time: &RawTime) {
    assert!((1..=12).contains(&time.month), "month {time:?}");
    assert!((1..=31).contains(&time.day), "day {time:?}");
    assert!(time.hour <= 23, "hour {time:?}");
    assert!(time.minute <= 59, "minute {time:?}");
    assert!(time.second <= 59, "second {time:?}");
    if let Some(year) = time.year {
        assert!((0..=9999).contains(&year), "year {time:?}");
    }
    if let Some(offset) = time.offset {
        assert!(offset.abs() < 86_400, "offset {time:?}");
    }
}

fn check_header(line: &str, header: &Header<'_>) {
    if let Some(host) = header.host {
        assert!(is_slice_of(line, host), "host {host:?} not in {line:?}");
    }
    if let Some(tag) = header.tag {
        assert!(is_slice_of(line, tag), "tag {tag:?} not in {line:?}");
    }
    let payload = payload_of(header);
    if let Payload::Cef(text) = header.payload {
        assert!(text.starts_with("CEF:"), "CEF payload {text:?}");
    }
    assert!(
        is_slice_of(line, payload),
        "payload {payload:?} not in {line:?}"
    );
    assert_eq!(
        payload.as_ptr() as usize + payload.len(),
        line.as_ptr() as usize + line.len(),
        "payload {payload:?} does not run to the end of {line:?}"
    );
    if let Some(time) = &header.time {
        check_time(time);
    }

    // Stored as offsets and rebuilt, the header is the same. Rebuilt over
    // the line with a continuation appended, only the payload grows.
    let spans = HeaderSpans::of(header, line);
    assert_eq!(&spans.resolve(line), header);
    let joined = format!("{line} continued");
    let rebuilt = spans.resolve(&joined);
    assert_eq!(rebuilt.host, header.host);
    assert_eq!(rebuilt.tag, header.tag);
    assert_eq!(payload_of(&rebuilt), format!("{payload} continued"));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The pipeline hands `parse_header` lines without their terminator and
    // without trailing whitespace. The raw text must not panic either.
    for line in [text.as_ref(), text.trim_end()] {
        if let Some(header) = parse_header(line) {
            check_header(line, &header);
        }
    }
    for line in text.lines() {
        if let Some(header) = parse_header(line) {
            check_header(line, &header);
        }
    }
});
