//! Splitting an extension that is not CEF-escaped into `key=value` pairs.
//!
//! The splitter first finds every place where a key may start (a space, then
//! an identifier, then `=`), then walks these candidates from left to right
//! and decides, from how each value opens, which candidate ends it.

use super::fields::custom_slot;
use super::Extension;

/// Confidence that a candidate key starts a new pair rather than being text
/// inside a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    /// An identifier this parser does not know.
    Unknown,
    /// A key of the CEF dictionary that is also a common word or
    /// abbreviation (`msg`, `act`, `src`, `start`).
    Standard,
    /// A key that only the appliance writes: `ESA...`, custom fields
    /// (`cs1`, `cfp1Label`) and the long CEF names it uses.
    Appliance,
}

/// A place where a key may start.
#[derive(Clone, Copy, Debug)]
struct Candidate<'a> {
    /// Byte offset of the first character of the key.
    start: usize,
    /// Byte offset of the `=` after the key.
    equals: usize,
    /// The key, after any repair of a stray space.
    key: &'a str,
    tier: Tier,
}

/// Keys the appliance writes that do not start with `ESA`, and the `ESA`
/// keys of the known versions, against which a key with a stray space inside
/// is repaired.
const APPLIANCE_KEYS: &[&str] = &[
    "deviceExternalId",
    "deviceDirection",
    "deviceInboundInterface",
    "deviceOutboundInterface",
    "sourceAddress",
    "sourceHostName",
    "destinationAddress",
    "destinationHostName",
    "startTime",
    "endTime",
    "EndTime",
    "ESAMID",
    "ESAICID",
    "ESADCID",
    "ESAAMPVerdict",
    "ESAASVerdict",
    "ESAAVVerdict",
    "ESACFVerdict",
    "ESADLPVerdict",
    "ESAGMVerdict",
    "ESAMFVerdict",
    "ESAOFVerdict",
    "ESASPFVerdict",
    "ESADKIMVerdict",
    "ESADMARCVerdict",
    "ESAAttachmentDetails",
    "ESAURLDetails",
    "ESAMARAction",
    "ESADHASource",
    "ESARateLimitedIP",
    "ESAMsgTooBigFromSender",
    "ESALogHeaders",
    "ESAFriendlyFrom",
    "ESAReplyTo",
    "ESAHeloDomain",
    "ESAHeloIP",
    "ESAMailFlowPolicy",
    "ESASenderGroup",
    "ESAMsgSize",
    "ESASDRDomainAge",
    "ESAFinalActionDetails",
    "ESAStatus",
    "ESATLSInConnStatus",
    "ESATLSInProtocol",
    "ESATLSInCipher",
    "ESATLSOutConnStatus",
    "ESATLSOutProtocol",
    "ESATLSOutCipher",
    "ESADaneStatus",
    "ESADaneHost",
];

/// Keys of the CEF dictionary that may also occur as words in text.
const STANDARD_KEYS: &[&str] = &[
    "act",
    "app",
    "cat",
    "cnt",
    "dhost",
    "dmac",
    "dpt",
    "dst",
    "duser",
    "dvc",
    "dvchost",
    "end",
    "externalId",
    "fname",
    "fsize",
    "msg",
    "outcome",
    "proto",
    "reason",
    "request",
    "rt",
    "shost",
    "smac",
    "spt",
    "src",
    "start",
    "suser",
];

/// Keys that contain spaces, as AsyncOS 13.0 writes them.
const SPACED_KEYS: &[&str] = &["Message Filters Verdict"];

/// Splits the extension of a CEF event into its pairs, in the order written.
///
/// See the [module documentation](super) for where a value ends. Text
/// before the first key is returned under the empty key. Values are trimmed
/// of the spaces around them, and whitespace at the end of `text` (a line
/// terminator) is dropped.
pub fn parse_extension(text: &str) -> Vec<Extension<'_>> {
    let text = text.trim_end();
    let candidates = find_candidates(text);
    let mut pairs = Vec::with_capacity(candidates.len() + 1);
    let first_start = candidates.first().map_or(text.len(), |first| first.start);
    let leading = text[..first_start].trim();
    if !leading.is_empty() {
        pairs.push(Extension {
            key: "",
            value: leading,
        });
    }
    let mut splitter = Splitter::new(text, &candidates);
    let mut index = 0;
    while index < candidates.len() {
        let candidate = candidates[index];
        let next = splitter.value_end(index);
        let value_end = splitter.end_of(next);
        let value = text.get(candidate.equals + 1..value_end).unwrap_or("");
        pairs.push(Extension {
            key: candidate.key,
            value: value.trim(),
        });
        index = next;
    }
    pairs
}

/// Marks an index table entry that has no such candidate.
const NONE: usize = usize::MAX;

/// The quote a value may open with.
#[derive(Clone, Copy)]
enum Quote {
    Single,
    Double,
    /// `\"`, as some 14.3 events write the subject.
    EscapedDouble,
}

/// Chooses which candidate ends each value.
///
/// Whether the text before a candidate ends with a given quote does not
/// depend on where the value started, so the tables below are built once,
/// from right to left, and every look-ahead takes constant time.
struct Splitter<'t, 'a> {
    text: &'a str,
    candidates: &'t [Candidate<'a>],
    /// For each index `j` from 0 to the number of candidates, the first
    /// index at or after `j` before which the text ends with `'`, with `"`
    /// and with `\"`. Index `candidates.len()` is the end of the text.
    next_single: Vec<usize>,
    next_double: Vec<usize>,
    next_escaped: Vec<usize>,
    /// For each index, the first appliance key at or after it.
    next_appliance: Vec<usize>,
    /// Whether a value that opens with a bracket may look ahead to its
    /// matching bracket. It is turned off once a bracket never closes,
    /// because that look-ahead scanned the rest of the text.
    brackets: bool,
}

impl<'t, 'a> Splitter<'t, 'a> {
    fn new(text: &'a str, candidates: &'t [Candidate<'a>]) -> Self {
        let count = candidates.len();
        let mut splitter = Splitter {
            text,
            candidates,
            next_single: vec![NONE; count + 2],
            next_double: vec![NONE; count + 2],
            next_escaped: vec![NONE; count + 2],
            next_appliance: vec![NONE; count + 2],
            brackets: true,
        };
        for index in (0..=count).rev() {
            let before = text[..splitter.end_of(index)].trim_end();
            let after = index + 1;
            splitter.next_single[index] = if before.ends_with('\'') {
                index
            } else {
                splitter.next_single[after]
            };
            splitter.next_double[index] = if before.ends_with('"') {
                index
            } else {
                splitter.next_double[after]
            };
            splitter.next_escaped[index] = if before.ends_with("\\\"") {
                index
            } else {
                splitter.next_escaped[after]
            };
            let appliance = candidates
                .get(index)
                .is_some_and(|candidate| candidate.tier == Tier::Appliance);
            splitter.next_appliance[index] = if appliance {
                index
            } else {
                splitter.next_appliance[after]
            };
        }
        splitter
    }

    /// Returns the byte offset where the value ended by candidate `index`
    /// ends: the start of that candidate, or the end of the text.
    fn end_of(&self, index: usize) -> usize {
        self.candidates
            .get(index)
            .map_or(self.text.len(), |candidate| candidate.start)
    }

    /// Returns the index of the candidate that ends the value of candidate
    /// `index`, or the number of candidates when the value runs to the end.
    fn value_end(&mut self, index: usize) -> usize {
        let candidate = self.candidates[index];
        let after_equals = self.text.get(candidate.equals + 1..).unwrap_or("");
        let opening = after_equals.trim_start();
        let open_at = self.text.len() - opening.len();
        let bytes = opening.as_bytes();
        match bytes.first() {
            Some(b'{' | b'[') if self.brackets => match bracket_end(bytes) {
                Some(length) => {
                    let close = open_at + length;
                    let mut next = index + 1;
                    while next < self.candidates.len() && self.candidates[next].start < close {
                        next += 1;
                    }
                    next
                }
                None => {
                    self.brackets = false;
                    index + 1
                }
            },
            Some(b'\'') => self.quoted_end(index, open_at, Quote::Single),
            Some(b'"') => self.quoted_end(index, open_at, Quote::Double),
            Some(b'\\') if bytes.get(1) == Some(&b'"') => {
                self.quoted_end(index, open_at, Quote::EscapedDouble)
            }
            _ => index + 1,
        }
    }

    /// Returns the first candidate before which the quoted value that opens
    /// at byte `open_at` ends with its closing quote, looking no further than
    /// the next appliance key. Without one, the value ends at the next
    /// candidate.
    fn quoted_end(&self, index: usize, open_at: usize, quote: Quote) -> usize {
        let (table, min_len) = match quote {
            Quote::Single => (&self.next_single, 2),
            Quote::Double => (&self.next_double, 2),
            Quote::EscapedDouble => (&self.next_escaped, 4),
        };
        let limit = self.next_appliance[index + 1].min(self.candidates.len());
        let mut next = table[index + 1];
        // The first match may be the opening quote itself, which is too
        // short. Every later match is longer, so the loop runs at most twice.
        while next <= limit {
            let end = self.end_of(next);
            let segment = self.text.get(open_at..end).unwrap_or("").trim_end();
            if segment.len() >= min_len {
                return next;
            }
            next = table[next + 1];
        }
        index + 1
    }
}

/// Returns the length of the bracketed value at the start of `bytes` up to
/// and including its matching closing bracket, or `None` when it never
/// closes. Brackets inside `'...'` and `"..."` strings, where `\` escapes
/// the next byte, do not count.
fn bracket_end(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0_usize;
    let mut quote = None;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(open) => {
                if byte == b'\\' {
                    at += 1;
                } else if byte == open {
                    quote = None;
                }
            }
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(at + 1);
                    }
                }
                _ => {}
            },
        }
        at += 1;
    }
    None
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn is_space(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// Finds every `key=` that follows a space or starts the text.
fn find_candidates(text: &str) -> Vec<Candidate<'_>> {
    let bytes = text.as_bytes();
    let mut candidates = Vec::new();
    for (equals, &byte) in bytes.iter().enumerate() {
        if byte != b'=' {
            continue;
        }
        let mut start = equals;
        while start > 0 && is_key_byte(bytes[start - 1]) {
            start -= 1;
        }
        if start == equals || bytes[start].is_ascii_digit() {
            continue;
        }
        if start > 0 && !is_space(bytes[start - 1]) {
            continue;
        }
        let word = &text[start..equals];
        let candidate = spaced_key(text, start, word)
            .or_else(|| repaired_key(text, start, word))
            .unwrap_or(Candidate {
                start,
                equals,
                key: word,
                tier: tier_of(word),
            });
        candidates.push(Candidate {
            equals,
            ..candidate
        });
    }
    candidates
}

/// Returns the confidence that `key` starts a pair.
fn tier_of(key: &str) -> Tier {
    let esa = key.len() > 3 && key.starts_with("ESA") && key.as_bytes()[3].is_ascii_uppercase();
    if esa || APPLIANCE_KEYS.contains(&key) || custom_slot(key).is_some() {
        Tier::Appliance
    } else if STANDARD_KEYS.contains(&key) {
        Tier::Standard
    } else {
        Tier::Unknown
    }
}

/// Returns whether `at` starts a word: it is the start of the text or
/// follows a space.
fn starts_word(bytes: &[u8], at: usize) -> bool {
    at == 0 || is_space(bytes[at - 1])
}

/// Recognises a key with spaces, such as `Message Filters Verdict`, whose
/// last word `word` starts at `start`.
fn spaced_key<'a>(text: &'a str, start: usize, word: &str) -> Option<Candidate<'a>> {
    let before = &text[..start];
    SPACED_KEYS.iter().find_map(|&spaced| {
        let head = spaced.strip_suffix(word)?;
        if !head.ends_with(' ') || !before.ends_with(head) {
            return None;
        }
        let spaced_start = start - head.len();
        starts_word(text.as_bytes(), spaced_start).then_some(Candidate {
            start: spaced_start,
            equals: 0,
            key: spaced,
            tier: Tier::Appliance,
        })
    })
}

/// Repairs a known key written with one stray space inside: `E
/// SAAMPVerdict=` is `ESAAMPVerdict=`. `word` starts at `start`, and the
/// word before it must join with it into a key of [`APPLIANCE_KEYS`].
fn repaired_key<'a>(text: &'a str, start: usize, word: &str) -> Option<Candidate<'a>> {
    if tier_of(word) != Tier::Unknown || start < 2 {
        return None;
    }
    let bytes = text.as_bytes();
    let head_end = start - 1;
    let mut head_start = head_end;
    while head_start > 0 && is_key_byte(bytes[head_start - 1]) {
        head_start -= 1;
    }
    if head_start == head_end || !starts_word(bytes, head_start) {
        return None;
    }
    let head = &text[head_start..head_end];
    let key = APPLIANCE_KEYS.iter().find(|key| {
        key.len() == head.len() + word.len() && key.starts_with(head) && key.ends_with(word)
    })?;
    Some(Candidate {
        start: head_start,
        equals: 0,
        key,
        tier: Tier::Appliance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(&str, &str)> {
        parse_extension(text)
            .into_iter()
            .map(|pair| (pair.key, pair.value))
            .collect()
    }

    #[test]
    fn plain_values_with_spaces() {
        assert_eq!(
            pairs("cs1=Test policy for users ESASDRDomainAge=27 years 2 months act=DELIVERED"),
            vec![
                ("cs1", "Test policy for users"),
                ("ESASDRDomainAge", "27 years 2 months"),
                ("act", "DELIVERED"),
            ]
        );
    }

    #[test]
    fn double_space_and_stray_space() {
        assert_eq!(
            pairs("ESAAVVerdict=NEGATIVE  ESACFVerdict=MATCH cs6Label= SDRRepScore cs6=Weak"),
            vec![
                ("ESAAVVerdict", "NEGATIVE"),
                ("ESACFVerdict", "MATCH"),
                ("cs6Label", "SDRRepScore"),
                ("cs6", "Weak"),
            ]
        );
    }

    #[test]
    fn dict_value_is_one_value() {
        let text = "ESASPFVerdict={'mailfrom': {'result': 'Pass', 'sender': 'a=b x=y@example.com'}} sourceHostName=unknown";
        assert_eq!(
            pairs(text),
            vec![
                (
                    "ESASPFVerdict",
                    "{'mailfrom': {'result': 'Pass', 'sender': 'a=b x=y@example.com'}}"
                ),
                ("sourceHostName", "unknown"),
            ]
        );
    }

    #[test]
    fn dict_with_brace_in_string() {
        let text = "ESAAttachmentDetails={\"it's {odd.txt\": {'BodyScanner': {}}} act=DELIVERED";
        assert_eq!(
            pairs(text),
            vec![
                (
                    "ESAAttachmentDetails",
                    "{\"it's {odd.txt\": {'BodyScanner': {}}}"
                ),
                ("act", "DELIVERED"),
            ]
        );
    }

    #[test]
    fn dict_after_stray_space_with_inner_equals() {
        let text = "ESAMARAction= {action:failure;rcpts=0;name=a b.txt} Message Filters Verdict=NO MATCH ESADCID=857";
        assert_eq!(
            pairs(text),
            vec![
                ("ESAMARAction", "{action:failure;rcpts=0;name=a b.txt}"),
                ("Message Filters Verdict", "NO MATCH"),
                ("ESADCID", "857"),
            ]
        );
    }

    #[test]
    fn unclosed_dict_ends_at_next_key() {
        let text = "ESAAttachmentDetails={'a.png': {'AMP': ESAMsgSize=5 ESAURLDetails={} act=DQ";
        assert_eq!(
            pairs(text),
            vec![
                ("ESAAttachmentDetails", "{'a.png': {'AMP':"),
                ("ESAMsgSize", "5"),
                ("ESAURLDetails", "{}"),
                ("act", "DQ"),
            ]
        );
    }

    #[test]
    fn quoted_value_keeps_inner_keys() {
        assert_eq!(
            pairs("msg='Re: total=5 act=now' ESATLSInProtocol=TLSv1.2"),
            vec![
                ("msg", "'Re: total=5 act=now'"),
                ("ESATLSInProtocol", "TLSv1.2"),
            ]
        );
        assert_eq!(
            pairs(r#"msg=\"a b=c\" dvc=192.0.2.1"#),
            vec![("msg", r#"\"a b=c\""#), ("dvc", "192.0.2.1")]
        );
    }

    #[test]
    fn quoted_value_stops_at_appliance_key() {
        assert_eq!(
            pairs("msg='unterminated x=1 ESAMID=7 tail='end'"),
            vec![
                ("msg", "'unterminated"),
                ("x", "1"),
                ("ESAMID", "7"),
                ("tail", "'end'"),
            ]
        );
    }

    #[test]
    fn quote_that_is_not_a_quoted_value() {
        let text = "ESAFriendlyFrom=\"Doe, J\" <j@example.com> msg='a b=c' dvc=192.0.2.1";
        assert_eq!(
            pairs(text),
            vec![
                ("ESAFriendlyFrom", "\"Doe, J\" <j@example.com>"),
                ("msg", "'a b=c'"),
                ("dvc", "192.0.2.1"),
            ]
        );
    }

    #[test]
    fn escaped_equals_is_not_a_key() {
        assert_eq!(
            pairs(r"suser=a\\=b@example.com msg='\=?UTF-8?Q?x\= y?\=' act=DQ"),
            vec![
                ("suser", r"a\\=b@example.com"),
                ("msg", r"'\=?UTF-8?Q?x\= y?\='"),
                ("act", "DQ"),
            ]
        );
    }

    #[test]
    fn key_with_stray_space_is_repaired() {
        assert_eq!(
            pairs("ESAMID=123 E SAAMPVerdict=NOT_EVALUATED ESAASVerdict=NEGATIVE"),
            vec![
                ("ESAMID", "123"),
                ("ESAAMPVerdict", "NOT_EVALUATED"),
                ("ESAASVerdict", "NEGATIVE"),
            ]
        );
        // A word that does not join with the key into a known key stays in
        // the value before it.
        assert_eq!(
            pairs("cs1=a Z SAAMPVerdict=x"),
            vec![("cs1", "a Z"), ("SAAMPVerdict", "x")]
        );
    }

    #[test]
    fn leading_text_and_empty_values() {
        assert_eq!(
            pairs("  junk here cfp1= sourceHostName=unknown cs4=''\n\n"),
            vec![
                ("", "junk here"),
                ("cfp1", ""),
                ("sourceHostName", "unknown"),
                ("cs4", "''"),
            ]
        );
        assert_eq!(pairs(""), vec![]);
        assert_eq!(pairs("no keys at all"), vec![("", "no keys at all")]);
    }

    #[test]
    fn equals_runs_and_digits() {
        assert_eq!(
            pairs("msg=Cisco=20Advanced=20Notice a==b 1x=2"),
            vec![("msg", "Cisco=20Advanced=20Notice"), ("a", "=b 1x=2")]
        );
    }

    #[test]
    fn unclosed_openers_end_at_next_key() {
        // Every value opens a bracket or a quote that never closes, so each
        // must end at the next key.
        let mut text = String::new();
        for index in 0..5_000 {
            text.push_str(&format!("k{index}={{ "));
        }
        for index in 0..5_000 {
            text.push_str(&format!("q{index}='x "));
        }
        let pairs = parse_extension(&text);
        assert_eq!(pairs.len(), 10_000);
        assert!(pairs[..5_000].iter().all(|pair| pair.value == "{"));
        assert!(pairs[5_000..].iter().all(|pair| pair.value == "'x"));
        assert_eq!(pairs[4_999].key, "k4999");
        assert_eq!(pairs[5_000].key, "q0");
    }
}
