//! Values as the appliance quotes them.

use std::borrow::Cow;

/// A value the appliance may have written in Python `repr` quotes
/// (`'text'`, `"text"`) or bare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quoted<'a> {
    /// The text between the quotes, still escaped, or the bare value.
    pub raw: &'a str,
    /// The quote character, if the value was quoted.
    pub quote: Option<char>,
}

impl<'a> Quoted<'a> {
    /// Reads a value that takes the rest of the entry. It counts as quoted
    /// only if it starts and ends with the same quote character.
    pub fn from_rest(text: &'a str) -> Quoted<'a> {
        let bytes = text.as_bytes();
        if bytes.len() >= 2 {
            let first = bytes[0];
            if (first == b'\'' || first == b'"') && bytes[bytes.len() - 1] == first {
                return Quoted {
                    raw: &text[1..text.len() - 1],
                    quote: Some(char::from(first)),
                };
            }
        }
        Quoted {
            raw: text,
            quote: None,
        }
    }

    /// Returns the value with Python string escapes (`\\`, `\'`, `\"`, `\n`,
    /// `\r`, `\t`, `\xNN`, `\uNNNN`, `\UNNNNNNNN`) decoded when the value was
    /// quoted. Bare values are returned as written. An escape that is not
    /// valid is kept as written.
    pub fn decode(&self) -> Cow<'a, str> {
        if self.quote.is_none() || !self.raw.contains('\\') {
            return Cow::Borrowed(self.raw);
        }
        let mut out = String::with_capacity(self.raw.len());
        let mut chars = self.raw.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(&(_, escape)) = chars.peek() else {
                out.push('\\');
                break;
            };
            let simple = match escape {
                '\\' => Some('\\'),
                '\'' => Some('\''),
                '"' => Some('"'),
                'n' => Some('\n'),
                'r' => Some('\r'),
                't' => Some('\t'),
                _ => None,
            };
            if let Some(decoded) = simple {
                chars.next();
                out.push(decoded);
                continue;
            }
            let digits = match escape {
                'x' => 2,
                'u' => 4,
                'U' => 8,
                _ => 0,
            };
            let hex_start = at + 2;
            let decoded = self
                .raw
                .get(hex_start..hex_start + digits)
                .filter(|hex| digits > 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .and_then(char::from_u32);
            match decoded {
                Some(decoded) => {
                    out.push(decoded);
                    chars.next();
                    for _ in 0..digits {
                        chars.next();
                    }
                }
                None => out.push('\\'),
            }
        }
        Cow::Owned(out)
    }
}

/// The recipient ids of a `[0, 1, 2]` list (or one bare id), validated when
/// the entry was parsed.
#[derive(Clone, Copy)]
pub struct RidList<'a> {
    body: &'a str,
    /// The ids of a list of at most [`INLINE_RIDS`], read when the entry
    /// is parsed, so that the thread that correlates entries does not read
    /// the text again.
    inline: [u32; INLINE_RIDS],
    /// The number of ids in `inline`, or `u8::MAX` for a longer list.
    inline_count: u8,
}

/// Most ids a [`RidList`] keeps read; nearly every list is shorter.
pub(crate) const INLINE_RIDS: usize = 4;

impl<'a> RidList<'a> {
    /// Wraps the text between the brackets. The caller has checked that it
    /// is a comma-separated list of `u32` values.
    pub(crate) fn new(body: &'a str) -> RidList<'a> {
        let mut list = RidList {
            body,
            inline: [0; INLINE_RIDS],
            inline_count: 0,
        };
        for rid in list.text_iter() {
            let at = usize::from(list.inline_count);
            if at == INLINE_RIDS {
                list.inline_count = u8::MAX;
                break;
            }
            list.inline[at] = rid;
            list.inline_count += 1;
        }
        list
    }

    /// Wraps the text between the brackets with the ids already read
    /// from it.
    pub(crate) fn with_ids(body: &'a str, ids: super::cursor::ReadIds) -> RidList<'a> {
        if ids.count > INLINE_RIDS {
            return RidList::new(body);
        }
        RidList {
            body,
            inline: ids.first,
            inline_count: ids.count as u8,
        }
    }

    /// Iterates over the recipient ids.
    pub fn iter(&self) -> RidIter<'a> {
        if usize::from(self.inline_count) <= INLINE_RIDS {
            return RidIter {
                inline: self.inline,
                inline_at: 0,
                inline_count: self.inline_count,
                rest: &[],
                body: "",
            };
        }
        self.text_iter()
    }

    /// Iterates over the ids as the text lists them.
    fn text_iter(&self) -> RidIter<'a> {
        RidIter {
            inline: [0; INLINE_RIDS],
            inline_at: 0,
            inline_count: 0,
            rest: self.body.as_bytes(),
            body: self.body,
        }
    }

    /// Returns the number of recipient ids.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Returns whether the list is empty; a parsed list never is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for RidList<'_> {
    /// Compares the lists as written; the ids read from them follow.
    fn eq(&self, other: &Self) -> bool {
        self.body == other.body
    }
}

impl Eq for RidList<'_> {}

impl std::fmt::Debug for RidList<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RidList").field("body", &self.body).finish()
    }
}

/// The recipient ids of a [`RidList`], in the order they are written.
#[derive(Clone, Debug)]
pub struct RidIter<'a> {
    /// Ids read already, then what is left of the text.
    inline: [u32; INLINE_RIDS],
    inline_at: u8,
    inline_count: u8,
    rest: &'a [u8],
    /// The whole list, for an item that is not digits between spaces.
    body: &'a str,
}

impl Iterator for RidIter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.inline_at < self.inline_count {
            self.inline_at += 1;
            return Some(self.inline[usize::from(self.inline_at - 1)]);
        }
        while !self.rest.is_empty() {
            let end = self
                .rest
                .iter()
                .position(|&byte| byte == b',')
                .unwrap_or(self.rest.len());
            let item = &self.rest[..end];
            self.rest = self.rest.get(end + 1..).unwrap_or_default();
            if let Some(rid) = plain_rid(item) {
                return Some(rid);
            }
            // An item of other characters gets the general parse: white
            // space is trimmed as `str::trim` does, and `+1` is read.
            let start = item.as_ptr() as usize - self.body.as_ptr() as usize;
            let text = self.body.get(start..start + item.len()).unwrap_or_default();
            if let Ok(rid) = text.trim().parse::<u32>() {
                return Some(rid);
            }
        }
        None
    }
}

/// Reads an item of ASCII digits between spaces, which is how the
/// appliance writes recipient ids. Returns `None` for any other item,
/// and for a value past `u32`.
fn plain_rid(item: &[u8]) -> Option<u32> {
    let start = item.iter().position(|&byte| byte != b' ')?;
    let end = item.iter().rposition(|&byte| byte != b' ')? + 1;
    let digits = &item[start..end];
    if digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0_u64, |value, &digit| value * 10 + u64::from(digit - b'0'));
    u32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_forms() {
        assert_eq!(
            Quoted::from_rest("'sample'"),
            Quoted {
                raw: "sample",
                quote: Some('\'')
            }
        );
        assert_eq!(Quoted::from_rest("\"Testing\"").raw, "Testing");
        assert_eq!(Quoted::from_rest("Re: hello").quote, None);
        assert_eq!(Quoted::from_rest("'").quote, None);
        assert_eq!(Quoted::from_rest("'half\"").quote, None);
    }

    #[test]
    fn decode_escapes() {
        let value = Quoted::from_rest(r"'it\'s a \\ \x41\u00e9 \r\n\t end'");
        assert_eq!(value.decode(), "it's a \\ Aé \r\n\t end");
        let bare = Quoted::from_rest(r"Re: x\r\n (PTY)");
        assert_eq!(bare.decode(), r"Re: x\r\n (PTY)");
        let invalid = Quoted::from_rest(r"'bad \xZZ \u12 \q end\'");
        assert_eq!(invalid.decode(), "bad \\xZZ \\u12 \\q end\\");
    }

    #[test]
    fn rid_list() {
        let list = RidList::new("0, 1, 2, 3");
        assert_eq!(list.iter().collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert_eq!(list.len(), 4);
    }

    proptest::proptest! {
        #[test]
        fn rid_iter_reads_as_split_and_parse(
            body in "[0-9 ,+\t\u{a0}a]{0,40}",
        ) {
            let expected: Vec<u32> = body
                .split(',')
                .filter_map(|item| item.trim().parse::<u32>().ok())
                .collect();
            let got: Vec<u32> = RidList::new(&body).iter().collect();
            proptest::prop_assert_eq!(got, expected);
        }
    }
}
