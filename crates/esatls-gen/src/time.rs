//! Wall-clock times of the simulated appliance and the forms they are
//! written in.
//!
//! Times are local seconds: seconds since 1970-01-01T00:00:00 of the
//! appliance's own wall clock, which is what its log lines show.

use std::io::Write;

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Index into [`WEEKDAYS`], 0 for Thursday (1970-01-01 was one).
    weekday: usize,
}

impl Civil {
    /// Splits local seconds into date and time fields, in the proleptic
    /// Gregorian calendar.
    pub fn from_seconds(seconds: i64) -> Civil {
        let days = seconds.div_euclid(86_400);
        let rest = seconds.rem_euclid(86_400);
        // Days to civil date: count 400-year eras from 0000-03-01 so that
        // the leap day is the last day of each year.
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
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
        Civil {
            year,
            month: month as u32,
            day: day as u32,
            hour: (rest / 3_600) as u32,
            minute: (rest % 3_600 / 60) as u32,
            second: (rest % 60) as u32,
            weekday: days.rem_euclid(7) as usize,
        }
    }

    /// Returns the local seconds of a date at midnight.
    pub fn midnight_seconds(year: i64, month: u32, day: u32) -> i64 {
        let month = i64::from(month);
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month_index = if month > 2 { month - 3 } else { month + 9 };
        let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        (era * 146_097 + day_of_era - 719_468) * 86_400
    }

    /// Writes the appliance's `asctime` form, `Wed Sep  6 13:13:16 2023`,
    /// with the day of the month padded by a space.
    pub fn write_asctime(&self, out: &mut Vec<u8>) {
        let _ = write!(
            out,
            "{} {} {:2} {:02}:{:02}:{:02} {}",
            WEEKDAYS[self.weekday],
            MONTHS[self.month as usize - 1],
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.year
        );
    }

    /// Returns the `YYYYMMDDTHHMMSS` stamp of a rotated file's name.
    pub fn rotation_stamp(&self) -> String {
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Returns RFC 3339 with the given UTC offset in seconds:
    /// `2023-09-06T13:13:16-06:00`, or `Z` for offset 0.
    pub fn rfc3339(&self, offset: i32) -> String {
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if offset == 0 {
            text.push('Z');
            return text;
        }
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        text.push_str(&format!("{sign}{:02}:{:02}", abs / 3_600, abs % 3_600 / 60));
        if abs % 60 != 0 {
            text.push_str(&format!(":{:02}", abs % 60));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asctime(seconds: i64) -> String {
        let mut out = Vec::with_capacity(24);
        Civil::from_seconds(seconds).write_asctime(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn asctime_pads_single_digit_day() {
        let seconds = Civil::midnight_seconds(2023, 9, 6) + 13 * 3_600 + 13 * 60 + 16;
        assert_eq!(asctime(seconds), "Wed Sep  6 13:13:16 2023");
    }

    #[test]
    fn asctime_two_digit_day() {
        let seconds = Civil::midnight_seconds(2014, 11, 19) + 9 * 3_600 + 16 * 60 + 46;
        assert_eq!(asctime(seconds), "Wed Nov 19 09:16:46 2014");
    }

    #[test]
    fn civil_round_trips_leap_day() {
        let seconds = Civil::midnight_seconds(2024, 2, 29);
        let civil = Civil::from_seconds(seconds);
        assert_eq!((civil.year, civil.month, civil.day), (2024, 2, 29));
        assert_eq!(asctime(seconds), "Thu Feb 29 00:00:00 2024");
        assert_eq!(Civil::from_seconds(0).year, 1970);
    }

    #[test]
    fn rotation_stamp_and_rfc3339() {
        let seconds = Civil::midnight_seconds(2024, 1, 2) + 3 * 3_600 + 4 * 60 + 5;
        let civil = Civil::from_seconds(seconds);
        assert_eq!(civil.rotation_stamp(), "20240102T030405");
        assert_eq!(civil.rfc3339(-21_600), "2024-01-02T03:04:05-06:00");
        assert_eq!(civil.rfc3339(0), "2024-01-02T03:04:05Z");
        assert_eq!(civil.rfc3339(19_800), "2024-01-02T03:04:05+05:30");
    }
}
