//! Timestamps as the appliance and syslog collectors write them.
//!
//! The hot path parses digits by hand: the weekday is skipped without being
//! checked, because real and sample logs contain weekdays that do not match
//! their dates, and a date library would reject those lines.

use std::fmt;

/// A wall-clock time read from a log line, before the year and the UTC
/// offset are known for sure.
///
/// `year` is `None` for RFC 3164 syslog headers, which carry no year.
/// `offset` is the UTC offset in seconds when the header states one (RFC 5424
/// and ISO 8601 timestamps); the appliance's own timestamps never do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RawTime {
    pub year: Option<i16>,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub offset: Option<i32>,
}

impl RawTime {
    /// Returns this time with `year` filled in, keeping a year the header
    /// already gave.
    pub fn with_year(self, year: i16) -> LogTime {
        LogTime {
            year: self.year.unwrap_or(year),
            month: self.month,
            day: self.day,
            hour: self.hour,
            minute: self.minute,
            second: self.second,
            offset: self.offset,
        }
    }
}

/// A complete local time of a log line, with the UTC offset when it is known.
///
/// Times are compared by [`LogTime::local_seconds`], the count of seconds
/// since 1970-01-01 00:00:00 of the same wall clock. This is exact within one
/// appliance, whose lines all share one offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LogTime {
    pub year: i16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// UTC offset in seconds, east positive.
    pub offset: Option<i32>,
}

impl LogTime {
    /// Returns the seconds since 1970-01-01T00:00:00 of the wall clock,
    /// ignoring the offset.
    pub fn local_seconds(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86_400
            + i64::from(self.hour) * 3_600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Returns the seconds since the Unix epoch when the offset is known.
    pub fn unix_seconds(&self) -> Option<i64> {
        self.offset
            .map(|offset| self.local_seconds() - i64::from(offset))
    }

    /// Returns the same instant shown in UTC, when the offset is known.
    pub fn to_utc(&self) -> Option<LogTime> {
        let seconds = self.unix_seconds()?;
        Some(LogTime::from_local_seconds(seconds, Some(0)))
    }

    /// Returns this time with another offset attached, keeping the wall
    /// clock unchanged.
    pub fn with_offset(self, offset: Option<i32>) -> LogTime {
        LogTime { offset, ..self }
    }

    /// Builds a time from seconds since 1970-01-01T00:00:00 of a wall clock.
    pub fn from_local_seconds(seconds: i64, offset: Option<i32>) -> LogTime {
        let days = seconds.div_euclid(86_400);
        let rest = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        LogTime {
            year: year.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16,
            month: month as u8,
            day: day as u8,
            hour: (rest / 3_600) as u8,
            minute: (rest % 3_600 / 60) as u8,
            second: (rest % 60) as u8,
            offset,
        }
    }
}

impl fmt::Display for LogTime {
    /// Writes RFC 3339 (`2005-07-20T19:47:40-06:00`) when the offset is
    /// known, and the same without the offset otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        match self.offset {
            None => Ok(()),
            Some(0) => f.write_str("Z"),
            Some(offset) => {
                let sign = if offset < 0 { '-' } else { '+' };
                let abs = offset.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", abs / 3_600, abs % 3_600 / 60)?;
                if abs % 60 != 0 {
                    write!(f, ":{:02}", abs % 60)?;
                }
                Ok(())
            }
        }
    }
}

impl serde::Serialize for LogTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Converts a proleptic Gregorian date to days since 1970-01-01
/// (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date, the inverse
/// of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Returns the month number of an English three-letter month abbreviation.
pub(crate) fn month_number(name: &[u8]) -> Option<u8> {
    let month = match name {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    };
    Some(month)
}

fn is_weekday(name: &[u8]) -> bool {
    matches!(
        name,
        b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun"
    )
}

fn two_digits(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

fn four_digits(bytes: &[u8]) -> Option<i16> {
    let mut value: i16 = 0;
    if bytes.len() != 4 {
        return None;
    }
    for &byte in bytes {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i16::from(byte - b'0');
    }
    Some(value)
}

/// Parses `HH:MM:SS` at the start of `bytes`.
fn clock(bytes: &[u8]) -> Option<(u8, u8, u8)> {
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    let hour = two_digits(&bytes[0..2])?;
    let minute = two_digits(&bytes[3..5])?;
    let second = two_digits(&bytes[6..8])?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour, minute, second.min(59)))
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at] == b' ' {
        at += 1;
    }
    at
}

/// Parses `Mmm d HH:MM:SS` (one or more spaces before the day, which may be
/// space padded) at the start of `bytes`. Returns the time without a year and
/// the length consumed.
pub(crate) fn parse_bsd(bytes: &[u8]) -> Option<(RawTime, usize)> {
    if bytes.len() < 14 || bytes[3] != b' ' {
        return None;
    }
    let month = month_number(&bytes[0..3])?;
    let mut at = skip_spaces(bytes, 4);
    let day_start = at;
    while at < bytes.len() && bytes[at].is_ascii_digit() && at - day_start < 2 {
        at += 1;
    }
    let day = match &bytes[day_start..at] {
        [d] => d - b'0',
        [a, b] => (a - b'0') * 10 + (b - b'0'),
        _ => return None,
    };
    if !(1..=31).contains(&day) || bytes.get(at) != Some(&b' ') {
        return None;
    }
    at += 1;
    let (hour, minute, second) = clock(bytes.get(at..)?)?;
    at += 8;
    let time = RawTime {
        year: None,
        month,
        day,
        hour,
        minute,
        second,
        offset: None,
    };
    Some((time, at))
}

/// Parses the appliance's own timestamp, `Www Mmm d HH:MM:SS YYYY`, at the
/// start of `bytes`. Returns the time and the length consumed.
pub(crate) fn parse_native(bytes: &[u8]) -> Option<(RawTime, usize)> {
    if bytes.len() < 24 || bytes[3] != b' ' || !is_weekday(&bytes[0..3]) {
        return None;
    }
    let start = skip_spaces(bytes, 4);
    let (mut time, used) = parse_bsd(&bytes[start..])?;
    let mut at = start + used;
    if bytes.get(at) != Some(&b' ') {
        return None;
    }
    at += 1;
    let year = four_digits(bytes.get(at..at + 4)?)?;
    at += 4;
    if bytes.get(at).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    time.year = Some(year);
    Some((time, at))
}

/// Parses an ISO 8601 / RFC 3339 timestamp (`2026-03-02T09:00:01.123+01:00`,
/// a space instead of `T`, optional fraction, optional `Z` or offset) at the
/// start of `bytes`. Returns the time and the length consumed.
pub(crate) fn parse_iso(bytes: &[u8]) -> Option<(RawTime, usize)> {
    if bytes.len() < 19 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    if bytes[10] != b'T' && bytes[10] != b' ' {
        return None;
    }
    let year = four_digits(&bytes[0..4])?;
    let month = two_digits(&bytes[5..7])?;
    let day = two_digits(&bytes[8..10])?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (hour, minute, second) = clock(&bytes[11..])?;
    let mut at = 19;
    if bytes.get(at) == Some(&b'.') || bytes.get(at) == Some(&b',') {
        at += 1;
        let fraction_start = at;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            at += 1;
        }
        if at == fraction_start {
            return None;
        }
    }
    let mut offset = None;
    match bytes.get(at) {
        Some(b'Z') | Some(b'z') => {
            offset = Some(0);
            at += 1;
        }
        Some(sign @ (b'+' | b'-')) => {
            let hours = two_digits(bytes.get(at + 1..at + 3)?)?;
            let mut next = at + 3;
            if bytes.get(next) == Some(&b':') {
                next += 1;
            }
            let minutes = two_digits(bytes.get(next..next + 2)?)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::from(hours) * 3_600 + i32::from(minutes) * 60;
            offset = Some(if *sign == b'-' { -seconds } else { seconds });
            at = next + 2;
        }
        _ => {}
    }
    let time = RawTime {
        year: Some(year),
        month,
        day,
        hour,
        minute,
        second,
        offset,
    };
    Some((time, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_space_padded_day() {
        let (time, used) = parse_native(b"Wed Sep  6 13:13:16 2023 Info: x").unwrap();
        assert_eq!(used, 24);
        assert_eq!(time.year, Some(2023));
        assert_eq!(time.month, 9);
        assert_eq!(time.day, 6);
        assert_eq!((time.hour, time.minute, time.second), (13, 13, 16));
    }

    #[test]
    fn native_collapsed_spaces() {
        let (time, used) = parse_native(b"Mon Mar 5 14:21:04 2018 Info: x").unwrap();
        assert_eq!(used, 23);
        assert_eq!(time.day, 5);
    }

    #[test]
    fn native_ignores_weekday_mismatch() {
        let (time, _) = parse_native(b"Fri Sep 12 11:00:00 2022 Info: x").unwrap();
        assert_eq!((time.month, time.day), (9, 12));
    }

    #[test]
    fn native_rejects_bad_fields() {
        assert!(parse_native(b"Wed Foo  6 13:13:16 2023 Info: x").is_none());
        assert!(parse_native(b"Wed Sep 36 13:13:16 2023 Info: x").is_none());
        assert!(parse_native(b"Wed Sep  6 25:13:16 2023 Info: x").is_none());
        assert!(parse_native(b"Wed Sep  6 13:13:16 20234 Info: x").is_none());
        assert!(parse_native(b"i Sep  8 05:21:31 2023 Info: x").is_none());
    }

    #[test]
    fn bsd_without_year() {
        let (time, used) = parse_bsd(b"Feb  1 08:32:59 c60 smail:").unwrap();
        assert_eq!(used, 15);
        assert_eq!(time.year, None);
        assert_eq!((time.month, time.day), (2, 1));
    }

    #[test]
    fn iso_with_offset_and_fraction() {
        let (time, used) = parse_iso(b"2026-03-02T09:00:01.123+01:00 host").unwrap();
        assert_eq!(used, 29);
        assert_eq!(time.offset, Some(3_600));
        assert_eq!(time.second, 1);
        let (time, _) = parse_iso(b"2026-03-02T09:00:01Z").unwrap();
        assert_eq!(time.offset, Some(0));
        let (time, _) = parse_iso(b"2026-03-02 09:00:01-0530").unwrap();
        assert_eq!(time.offset, Some(-19_800));
    }

    #[test]
    fn display_with_and_without_offset() {
        let time = RawTime {
            year: Some(2005),
            month: 7,
            day: 20,
            hour: 19,
            minute: 47,
            second: 40,
            offset: None,
        }
        .with_year(1999);
        assert_eq!(time.to_string(), "2005-07-20T19:47:40");
        assert_eq!(
            time.with_offset(Some(-21_600)).to_string(),
            "2005-07-20T19:47:40-06:00"
        );
        assert_eq!(
            time.with_offset(Some(0)).to_string(),
            "2005-07-20T19:47:40Z"
        );
    }

    #[test]
    fn local_seconds_round_trip() {
        for seconds in [0_i64, 951_782_400, 1_700_000_000, -86_401] {
            let time = LogTime::from_local_seconds(seconds, None);
            assert_eq!(time.local_seconds(), seconds);
        }
        let time = LogTime::from_local_seconds(951_782_400, None);
        assert_eq!((time.year, time.month, time.day), (2000, 2, 29));
    }

    #[test]
    fn utc_conversion() {
        let time = LogTime {
            year: 2014,
            month: 11,
            day: 19,
            hour: 9,
            minute: 16,
            second: 46,
            offset: Some(-21_600),
        };
        assert_eq!(time.to_utc().unwrap().to_string(), "2014-11-19T15:16:46Z");
    }
}
