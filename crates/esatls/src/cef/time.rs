//! Times in consolidated events.

use crate::header::RawTime;

/// Parses a time as consolidated events write it, `Www Mmm d HH:MM:SS YYYY`
/// (`Thu Nov 24 13:39:24 2022`, `Thu Nov  3 14:05:44 2022`,
/// `Wed Aug 6 07:46:00 2025`), in the appliance's local time.
///
/// Runs of spaces count as one, so a day may be padded with a space or not.
/// The weekday must be an English abbreviation but is not checked against
/// the date. Returns `None` unless the whole value, apart from spaces around
/// it, is such a time.
pub fn parse_time(value: &str) -> Option<RawTime> {
    let mut words = value.split_ascii_whitespace();
    let weekday = words.next()?;
    let month = words.next()?;
    let day = words.next()?;
    let clock = words.next()?;
    let year = words.next()?;
    if words.next().is_some() || !is_weekday(weekday) {
        return None;
    }
    let month = month_number(month)?;
    let day = small_number(day, 1..=2)?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let (hour, minute, second) = parse_clock(clock)?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = year.parse::<i16>().ok()?;
    Some(RawTime {
        year: Some(year),
        month,
        day,
        hour,
        minute,
        second,
        offset: None,
    })
}

fn is_weekday(name: &str) -> bool {
    matches!(name, "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun")
}

fn month_number(name: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS.iter().position(|month| *month == name)?;
    u8::try_from(index + 1).ok()
}

/// Parses a decimal number whose digit count is within `digits`.
fn small_number(text: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u8> {
    if !digits.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses `HH:MM:SS`. A leap second (`:60`) reads as `:59`.
fn parse_clock(text: &str) -> Option<(u8, u8, u8)> {
    let mut parts = text.split(':');
    let hour = small_number(parts.next()?, 2..=2)?;
    let minute = small_number(parts.next()?, 2..=2)?;
    let second = small_number(parts.next()?, 2..=2)?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour, minute, second.min(59)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(time: RawTime) -> (Option<i16>, u8, u8, u8, u8, u8) {
        (
            time.year,
            time.month,
            time.day,
            time.hour,
            time.minute,
            time.second,
        )
    }

    #[test]
    fn two_digit_day() {
        let time = parse_time("Thu Nov 24 13:39:24 2022").unwrap();
        assert_eq!(fields(time), (Some(2022), 11, 24, 13, 39, 24));
        assert_eq!(time.offset, None);
    }

    #[test]
    fn padded_and_unpadded_day() {
        let padded = parse_time("Thu Nov  3 14:05:44 2022").unwrap();
        assert_eq!(fields(padded), (Some(2022), 11, 3, 14, 5, 44));
        let unpadded = parse_time("Wed Aug 6 07:46:00 2025").unwrap();
        assert_eq!(fields(unpadded), (Some(2025), 8, 6, 7, 46, 0));
    }

    #[test]
    fn weekday_not_checked_against_date() {
        let time = parse_time("Mon Sep 12 11:00:00 2022").unwrap();
        assert_eq!((time.month, time.day), (9, 12));
    }

    #[test]
    fn rejects_other_text() {
        for value in [
            "",
            "Thu Nov 24 13:39:24",
            "Thu Nov 24 13:39:24 2022 extra",
            "Xyz Nov 24 13:39:24 2022",
            "Thu Foo 24 13:39:24 2022",
            "Thu Nov 32 13:39:24 2022",
            "Thu Nov 0 13:39:24 2022",
            "Thu Nov 24 24:00:00 2022",
            "Thu Nov 24 13:60:00 2022",
            "Thu Nov 24 13:39 2022",
            "Thu Nov 24 13:39:24:01 2022",
            "Thu Nov 24 1:39:24 2022",
            "Thu Nov 24 13:39:24 22",
            "Thu Nov 24 13:39:24 +022",
            "2022-11-24T13:39:24Z",
        ] {
            assert_eq!(parse_time(value), None, "{value:?}");
        }
    }
}
