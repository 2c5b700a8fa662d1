//! Counts of what a run read.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::event::EVENT_KIND_NAMES;
use crate::header::{HeaderForm, LogTime};

/// Most distinct templates of unrecognised entries kept per run; entries of
/// further templates are counted in `other_templates`.
pub const MAX_TEMPLATES: usize = 10_000;

/// Counts of lines and entries.
///
/// An entry is one log event: a line with a header and the continuation
/// lines joined to it. `entries == recognised + unrecognised` always holds,
/// and `physical == entries + continuation - detached + blank`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LineStats {
    /// Lines read, as the input's line terminators delimit them.
    pub physical: u64,
    pub entries: u64,
    pub recognised: u64,
    /// Recognised entries that are consolidated events.
    pub consolidated: u64,
    pub unrecognised: u64,
    /// Lines without a header, joined to the entry before them.
    pub continuation: u64,
    /// Continuation lines that start an entry of their own after all:
    /// the first line joined to an entry that parses without them. Each
    /// is counted again as an unrecognised entry.
    pub detached: u64,
    pub blank: u64,
    /// Lines longer than the line limit; their tail was skipped.
    pub truncated: u64,
    /// Bytes skipped from truncated lines.
    pub truncated_bytes: u64,
    /// Entries by header form.
    pub forms: BTreeMap<&'static str, u64>,
    /// Recognised entries by event kind.
    pub events: BTreeMap<&'static str, u64>,
    /// Earliest and latest entry time read (by wall clock).
    pub first_time: Option<LogTime>,
    pub last_time: Option<LogTime>,
    /// The time seen last, which most lines repeat.
    #[serde(skip)]
    previous_time: Option<LogTime>,
    /// `forms` and `events` as arrays while the run goes on, because map
    /// lookups by name per line cost more than the parse.
    #[serde(skip)]
    pub(crate) form_counts: [u64; HeaderForm::COUNT],
    #[serde(skip)]
    pub(crate) event_counts: [u64; EVENT_KIND_NAMES.len()],
}

impl LineStats {
    /// Widens the period to take in `time`.
    pub(crate) fn see_time(&mut self, time: LogTime) {
        // Most lines share the second of the line before.
        if self.previous_time == Some(time) {
            return;
        }
        self.previous_time = Some(time);
        if self.first_time.is_none_or(|first| earlier(time, first)) {
            self.first_time = Some(time);
        }
        if self.last_time.is_none_or(|last| earlier(last, time)) {
            self.last_time = Some(time);
        }
    }

    /// Widens the period to take in that of `other`.
    pub(crate) fn see_period(&mut self, other: &LineStats) {
        for time in [other.first_time, other.last_time].into_iter().flatten() {
            self.see_time(time);
        }
    }

    /// Sets the period to that of the times of `before` and `current`
    /// together.
    pub(crate) fn set_period(&mut self, before: &LineStats, current: &LineStats) {
        let mut period = LineStats::default();
        let times = [
            before.first_time,
            before.last_time,
            current.first_time,
            current.last_time,
        ];
        for time in times.into_iter().flatten() {
            period.see_time(time);
        }
        self.first_time = period.first_time;
        self.last_time = period.last_time;
    }

    /// Gives `offset` to the times seen so far that have none: the lines of
    /// a file before its `Time offset from UTC` header (its first lines,
    /// when nothing was read ahead to learn the offset from).
    pub(crate) fn offset_earlier_times(&mut self, offset: i32) {
        for time in [
            &mut self.first_time,
            &mut self.last_time,
            &mut self.previous_time,
        ]
        .into_iter()
        .flatten()
        {
            if time.offset.is_none() {
                *time = time.with_offset(Some(offset));
            }
        }
    }

    /// Adds the counts of one input.
    pub(crate) fn add(&mut self, other: &LineStats) {
        if let Some(time) = other.first_time {
            self.see_time(time);
        }
        if let Some(time) = other.last_time {
            self.see_time(time);
        }
        self.physical += other.physical;
        self.entries += other.entries;
        self.recognised += other.recognised;
        self.consolidated += other.consolidated;
        self.unrecognised += other.unrecognised;
        self.continuation += other.continuation;
        self.detached += other.detached;
        self.blank += other.blank;
        self.truncated += other.truncated;
        self.truncated_bytes += other.truncated_bytes;
        for (total, count) in self.form_counts.iter_mut().zip(other.form_counts) {
            *total += count;
        }
        for (total, count) in self.event_counts.iter_mut().zip(other.event_counts) {
            *total += count;
        }
    }

    /// Copies the per-line counters into `forms` and `events`.
    pub(crate) fn fill_maps(&mut self) {
        self.forms.clear();
        for form in HeaderForm::ALL {
            let count = self.form_counts[form as usize];
            if count > 0 {
                self.forms.insert(form.name(), count);
            }
        }
        self.events.clear();
        for (index, name) in EVENT_KIND_NAMES.iter().enumerate() {
            let count = self.event_counts[index];
            if count > 0 {
                self.events.insert(name, count);
            }
        }
    }
}

/// Returns whether `a` comes before `b`: as instants when both offsets
/// are known, else by the clock as read (which is all there is to compare).
/// Of two ways of writing one instant, the one of the earlier clock comes
/// first, so that the period does not depend on which was read first.
fn earlier(a: LogTime, b: LogTime) -> bool {
    match (a.unix_seconds(), b.unix_seconds()) {
        (Some(x), Some(y)) => (x, a.local_seconds()) < (y, b.local_seconds()),
        _ => a.local_seconds() < b.local_seconds(),
    }
}

/// Counts of unrecognised entries by template.
///
/// At most [`MAX_TEMPLATES`] templates are kept. When a new template comes
/// to a full table, the tenth of the templates seen least often is dropped
/// and their entries are counted in `other`, so that a template seen often
/// stays listed however many rare ones came before it. A kept template's
/// count covers its entries since it was last added; with `other`, the
/// counts add up to the unrecognised entries.
#[derive(Clone, Debug, Default)]
pub struct TemplateCounts {
    counts: HashMap<String, u64>,
    /// Entries of templates dropped from the table.
    pub other: u64,
}

impl TemplateCounts {
    pub fn add(&mut self, template: String) {
        if let Some(count) = self.counts.get_mut(&template) {
            *count += 1;
            return;
        }
        if self.counts.len() >= MAX_TEMPLATES {
            self.shrink_to(MAX_TEMPLATES - MAX_TEMPLATES / 10);
        }
        self.counts.insert(template, 1);
    }

    /// Adds the counts of another table.
    pub fn merge(&mut self, other: TemplateCounts) {
        self.other += other.other;
        for (template, count) in other.counts {
            *self.counts.entry(template).or_default() += count;
        }
        if self.counts.len() > MAX_TEMPLATES {
            self.shrink_to(MAX_TEMPLATES - MAX_TEMPLATES / 10);
        }
    }

    /// Drops the templates seen least often (the later in text order
    /// first, among equal counts) until `len` are left, counting their
    /// entries in `other`.
    fn shrink_to(&mut self, len: usize) {
        if self.counts.len() <= len {
            return;
        }
        let mut ranked: Vec<(u64, String)> = self
            .counts
            .iter()
            .map(|(template, &count)| (count, template.clone()))
            .collect();
        let drop = ranked.len() - len;
        // The `drop` lowest: fewest entries first, then the later text.
        ranked.select_nth_unstable_by(drop - 1, |a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
        for (count, template) in ranked.into_iter().take(drop) {
            self.counts.remove(&template);
            self.other += count;
        }
    }

    /// Returns the `count` most frequent templates, as [`Self::sorted`]
    /// orders them.
    pub fn sorted_top(&self, count: usize) -> Vec<TemplateCount> {
        let mut list = self.sorted();
        list.truncate(count);
        list
    }

    /// Returns the templates, most frequent first, ties in text order.
    pub fn sorted(&self) -> Vec<TemplateCount> {
        let mut list: Vec<TemplateCount> = self
            .counts
            .iter()
            .map(|(template, &count)| TemplateCount {
                template: template.clone(),
                count,
            })
            .collect();
        list.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.template.cmp(&b.template))
        });
        list
    }
}

/// One template of unrecognised entries and how often it occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TemplateCount {
    pub template: String,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(table: &TemplateCounts) -> u64 {
        table.counts.values().sum::<u64>() + table.other
    }

    #[test]
    fn frequent_template_after_many_rare_ones_is_kept() {
        let mut table = TemplateCounts::default();
        for rare in 0..11_000 {
            table.add(format!("rare {rare}"));
        }
        for _ in 0..100 {
            table.add("frequent".to_string());
        }
        let sorted = table.sorted();
        assert_eq!(sorted[0].template, "frequent");
        assert_eq!(sorted[0].count, 100);
        assert!(table.counts.len() <= MAX_TEMPLATES);
        assert_eq!(total(&table), 11_100);
    }

    #[test]
    fn merged_tables_keep_the_limit_and_the_total() {
        let mut first = TemplateCounts::default();
        let mut second = TemplateCounts::default();
        for index in 0..8_000 {
            first.add(format!("first {index}"));
            second.add(format!("second {index}"));
            second.add(format!("second {index}"));
        }
        first.merge(second);
        assert!(first.counts.len() <= MAX_TEMPLATES);
        assert_eq!(total(&first), 24_000);
        // The templates seen twice are kept before those seen once.
        assert!(
            first
                .counts
                .keys()
                .filter(|t| t.starts_with("second"))
                .count()
                == 8_000
        );
    }
}
