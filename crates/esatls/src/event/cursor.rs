//! A small forward-only scanner over the text of one log entry.

use super::text::{RidList, INLINE_RIDS};

/// Scans `text` from left to right. Every method either consumes what it
/// matched and returns it, or leaves the position unchanged.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor<'a> {
    rest: &'a str,
}

/// Largest id accepted: ids of more digits than `u64` holds are malformed.
const MAX_ID_DIGITS: usize = 20;

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Cursor { rest: text }
    }

    pub(crate) fn rest(&self) -> &'a str {
        self.rest
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Consumes `literal` if the text starts with it.
    pub(crate) fn eat(&mut self, literal: &str) -> bool {
        match self.rest.strip_prefix(literal) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Consumes one or more spaces.
    pub(crate) fn spaces(&mut self) -> bool {
        let trimmed = self.rest.trim_start_matches(' ');
        let moved = trimmed.len() != self.rest.len();
        self.rest = trimmed;
        moved
    }

    /// Consumes an unsigned decimal number that fits in `u64` and is not
    /// followed by another word character.
    #[inline(always)]
    pub(crate) fn number(&mut self) -> Option<u64> {
        let bytes = self.rest.as_bytes();
        // The digits of an id are read eight bytes at a time.
        if let Some(&first) = bytes.first_chunk::<8>() {
            let first = u64::from_le_bytes(first);
            let len = leading_digits(first);
            let (value, len) = if len < 8 {
                if len == 0 {
                    return None;
                }
                (digits_value(first, len), len)
            } else {
                let Some(&second) = bytes[8..].first_chunk::<8>() else {
                    return self.number_slowly();
                };
                let second = u64::from_le_bytes(second);
                let more = leading_digits(second);
                let high = digits_value(first, 8);
                match more {
                    0 => (high, 8),
                    8 => return self.number_slowly(),
                    _ => (high * TENS[more] + digits_value(second, more), 8 + more),
                }
            };
            // The text is longer than `len` bytes: it has at least eight,
            // or at least sixteen when the first eight are digits.
            if is_word_byte(bytes[len]) {
                return None;
            }
            self.rest = &self.rest[len..];
            return Some(value);
        }
        self.number_slowly()
    }

    /// Consumes a number as [`Cursor::number`] does, a byte at a time.
    #[inline(never)]
    fn number_slowly(&mut self) -> Option<u64> {
        let bytes = self.rest.as_bytes();
        let mut value: u64 = 0;
        let mut len = 0;
        // Nineteen digits always fit in a `u64`; only the twentieth can
        // overflow it, and a twenty-first always does.
        let unchecked = bytes.len().min(MAX_ID_DIGITS - 1);
        while len < unchecked {
            let digit = bytes[len].wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            value = value * 10 + u64::from(digit);
            len += 1;
        }
        if len == MAX_ID_DIGITS - 1 {
            if let Some(digit) = bytes.get(len).map(|byte| byte.wrapping_sub(b'0')) {
                if digit <= 9 {
                    value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
                    len += 1;
                    if bytes.get(len).is_some_and(u8::is_ascii_digit) {
                        return None;
                    }
                }
            }
        }
        if len == 0 {
            return None;
        }
        if bytes.get(len).copied().is_some_and(is_word_byte) {
            return None;
        }
        self.rest = &self.rest[len..];
        Some(value)
    }

    /// Consumes a number followed by one space or the end of the text.
    pub(crate) fn number_word(&mut self) -> Option<u64> {
        let saved = *self;
        let value = self.number()?;
        if self.rest.is_empty() || self.eat(" ") {
            Some(value)
        } else {
            *self = saved;
            None
        }
    }

    /// Consumes everything up to the next space (or the end) and the space.
    pub(crate) fn word(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        // Words are short: eight bytes at a time find their end sooner than
        // a vectorised search, whose setup costs more than the word.
        let (word, rest) = match crate::header::first_space(self.rest.as_bytes()) {
            // The space is ASCII, so both sides are on character boundaries.
            Some(at) => (&self.rest[..at], &self.rest[at + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        Some(word)
    }

    /// Consumes everything up to the first occurrence of `delimiter`, and the
    /// delimiter.
    pub(crate) fn until(&mut self, delimiter: &str) -> Option<&'a str> {
        let (before, after) = self.rest.split_once(delimiter)?;
        self.rest = after;
        Some(before)
    }

    /// Consumes the rest of the text.
    pub(crate) fn take_rest(&mut self) -> &'a str {
        let rest = self.rest;
        self.rest = "";
        rest
    }

    /// Consumes a Python-style list of `u32` values, `[0, 1, 2]`, as a
    /// recipient list.
    pub(crate) fn rid_list(&mut self) -> Option<RidList<'a>> {
        let (body, ids) = self.checked_list()?;
        Some(match ids {
            Some(ids) => RidList::with_ids(body, ids),
            None => RidList::new(body),
        })
    }

    /// Consumes a list of integers and returns its text, with its values
    /// when the list was checked byte by byte.
    ///
    /// A list without its `]` that runs to the end of the text comes from
    /// a line cut short, by `--max-line-bytes` or by a syslog relay. Its
    /// items followed by a comma are taken. The last one may have lost
    /// digits, so it is not.
    fn checked_list(&mut self) -> Option<(&'a str, Option<ReadIds>)> {
        let inner = self.rest.strip_prefix('[')?;
        let (body, after) = match inner.bytes().position(|byte| byte == b']') {
            Some(close) => (&inner[..close], &inner[close + 1..]),
            None => {
                let complete = inner.rfind(',')?;
                (&inner[..complete], &inner[inner.len()..])
            }
        };
        let ids = match plain_int_list(body.as_bytes()) {
            Some(ids) => Some(ids?),
            None => {
                if !valid_int_list(body) {
                    return None;
                }
                None
            }
        };
        self.rest = after;
        Some((body, ids))
    }
}

/// Returns whether `byte` continues a word, so that a number before it is
/// not a number of its own.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Returns how many of the eight bytes of `word`, first byte lowest, are
/// ASCII digits before the first byte that is not.
#[inline]
fn leading_digits(word: u64) -> usize {
    const LOW: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // A byte is a digit when its high half is 3 and its low half at most
    // 9: adding 6 to the low half carries into bit 4 only above 9. Each
    // byte of `other` is zero for a digit and nonzero for any other byte.
    let other = ((word & HIGH) ^ 0x3030_3030_3030_3030)
        | (((word & LOW) + 0x0606_0606_0606_0606) & 0x1010_1010_1010_1010);
    // The high bit of each nonzero byte, without carries between bytes.
    let flags = (((other & SEVEN) + SEVEN) | other) & !SEVEN;
    flags.trailing_zeros() as usize / 8
}

/// Powers of ten below `10^8`.
const TENS: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// Returns the value of the first `len` bytes of `word`, which are ASCII
/// digits, first byte lowest; `len` is 1 to 8.
#[inline]
fn digits_value(word: u64, len: usize) -> u64 {
    // Shifted up, the digits end at the highest byte, and the zero bytes
    // before them count as leading zeros. Then each byte is joined with
    // the next, each pair with the next pair, and the two halves. Each
    // sum fits in the field it is kept in, so no carry reaches the next.
    let digits = (word & 0x0f0f_0f0f_0f0f_0f0f) << (8 * (8 - len));
    let pairs = (digits.wrapping_mul(10 * (1 << 8) + 1) >> 8) & 0x00ff_00ff_00ff_00ff;
    let quads = (pairs.wrapping_mul(100 * (1 << 16) + 1) >> 16) & 0x0000_ffff_0000_ffff;
    quads.wrapping_mul(10_000 * (1 << 32) + 1) >> 32
}

/// The values of a list checked byte by byte: the first ones, and how many
/// there are.
pub(crate) struct ReadIds {
    pub first: [u32; INLINE_RIDS],
    pub count: usize,
}

/// Returns whether `body` is a comma-separated list of integers that
/// each fit in 32 bits, with blanks around them allowed.
fn valid_int_list(body: &str) -> bool {
    body.split(',').all(|item| {
        let item = item.trim();
        !item.is_empty()
            && item.len() <= 10
            && item.bytes().all(|b| b.is_ascii_digit())
            && item.parse::<u32>().is_ok()
    })
}

/// Checks a list of digits, commas and spaces, as the appliance writes it,
/// byte by byte: every item between commas must be a `u32` with spaces
/// around it at most. Returns `None` for a list with any other byte, which
/// the slower general check takes, `Some(None)` for an invalid list, and
/// the values of a valid one.
fn plain_int_list(body: &[u8]) -> Option<Option<ReadIds>> {
    let mut ids = ReadIds {
        first: [0; INLINE_RIDS],
        count: 0,
    };
    let mut value: u64 = 0;
    let mut digits = 0;
    // Whether the item has ended with a space after its digits.
    let mut ended = false;
    for &byte in body {
        match byte {
            b'0'..=b'9' => {
                if ended {
                    return Some(None);
                }
                digits += 1;
                value = value * 10 + u64::from(byte - b'0');
                if digits > 10 {
                    return Some(None);
                }
            }
            b' ' => ended = digits > 0,
            b',' => {
                let Some(id) = u32::try_from(value).ok().filter(|_| digits > 0) else {
                    return Some(None);
                };
                ids.push(id);
                (value, digits, ended) = (0, 0, false);
            }
            _ => return None,
        }
    }
    let Some(id) = u32::try_from(value).ok().filter(|_| digits > 0) else {
        return Some(None);
    };
    ids.push(id);
    Some(Some(ids))
}

impl ReadIds {
    fn push(&mut self, id: u32) {
        if let Some(slot) = self.first.get_mut(self.count) {
            *slot = id;
        }
        self.count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn numbers_read_to_the_end_of_their_digits(text in "[0-9]{0,22}[ :a_/.]?[0-9a ]{0,8}") {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            let next = text.as_bytes().get(digits);
            let expected = if digits == 0
                || digits > 20
                || next.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                None
            } else {
                text[..digits].parse::<u64>().ok()
            };
            let mut cursor = Cursor::new(&text);
            proptest::prop_assert_eq!(cursor.number(), expected);
            if expected.is_some() {
                proptest::prop_assert_eq!(cursor.rest(), &text[digits..]);
            }
        }
    }

    #[test]
    fn leading_digits_stop_at_any_other_byte() {
        for byte in 0..=u8::MAX {
            for at in 0..8 {
                let mut word = *b"12345678";
                word[at] = byte;
                let expected = if byte.is_ascii_digit() { 8 } else { at };
                assert_eq!(
                    leading_digits(u64::from_le_bytes(word)),
                    expected,
                    "{byte:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn digit_words_convert() {
        for (text, len, value) in [
            (*b"9xxxxxxx", 1, 9),
            (*b"1234567 ", 7, 1_234_567),
            (*b"0000007:", 7, 7),
            (*b"98765432", 8, 98_765_432),
        ] {
            assert_eq!(digits_value(u64::from_le_bytes(text), len), value);
        }
    }

    #[test]
    fn numbers_span_two_words() {
        let mut cursor = Cursor::new("123456789012345 next");
        assert_eq!(cursor.number_word(), Some(123_456_789_012_345));
        assert_eq!(cursor.rest(), "next");
        assert_eq!(Cursor::new("12345678 x").number(), Some(12_345_678));
        assert_eq!(
            Cursor::new("1234567890123456 x").number(),
            Some(1_234_567_890_123_456)
        );
        assert_eq!(Cursor::new("12345678_x......").number(), None);
    }

    #[test]
    fn numbers() {
        let mut cursor = Cursor::new("18446744073709551615 x");
        assert_eq!(cursor.number_word(), Some(u64::MAX));
        assert_eq!(cursor.rest(), "x");
        assert_eq!(Cursor::new("18446744073709551616").number(), None);
        assert_eq!(
            Cursor::new("1234567890123456789012345678901234567890").number(),
            None
        );
        assert_eq!(Cursor::new("-5").number(), None);
        assert_eq!(Cursor::new("12abc").number(), None);
        assert_eq!(Cursor::new("12:").number(), Some(12));
    }

    #[test]
    fn lists() {
        let ids = |text: &str| {
            Cursor::new(text)
                .rid_list()
                .map(|list| list.iter().collect::<Vec<u32>>())
        };
        let mut cursor = Cursor::new("[0, 1, 22] rest");
        let list = cursor.rid_list().unwrap();
        assert_eq!(list.iter().collect::<Vec<u32>>(), vec![0, 1, 22]);
        assert_eq!(cursor.rest(), " rest");
        assert_eq!(ids("[]"), None);
        assert_eq!(ids("[0, x]"), None);
        // A list cut at the end of the text keeps the items before its
        // last comma.
        let mut cursor = Cursor::new("[0, 1, 22, 3");
        let list = cursor.rid_list().unwrap();
        assert_eq!(list.iter().collect::<Vec<u32>>(), vec![0, 1, 22]);
        assert_eq!(cursor.rest(), "");
        assert_eq!(ids("[7, "), Some(vec![7]));
        assert_eq!(ids("[7"), None);
        assert_eq!(ids("[7, x, 8"), None);
        assert_eq!(ids("[0, 4294967296]"), None);
        assert_eq!(ids("[1,2, 3 ,4, 5]"), Some(vec![1, 2, 3, 4, 5]));
        assert_eq!(ids("[ 7 ]"), Some(vec![7]));
        assert_eq!(ids("[\t7]"), Some(vec![7]));
        assert_eq!(ids("[0, ,1]"), None);
        assert_eq!(ids("[4294967295]"), Some(vec![u32::MAX]));
    }

    proptest::proptest! {
        #[test]
        fn rid_lists_read_as_split_and_parse(body in "[0-9 ,\t]{0,30}") {
            let valid = super::valid_int_list(&body);
            let expected = valid.then(|| {
                body.split(',')
                    .map(|item| item.trim().parse::<u32>().unwrap())
                    .collect::<Vec<u32>>()
            });
            let text = format!("[{body}]");
            let got = Cursor::new(&text)
                .rid_list()
                .map(|list| list.iter().collect::<Vec<u32>>());
            proptest::prop_assert_eq!(got, expected);
        }
    }
}
