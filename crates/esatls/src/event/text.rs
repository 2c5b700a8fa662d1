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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RidList<'a> {
    body: &'a str,
}

impl<'a> RidList<'a> {
    /// Wraps the text between the brackets. The caller has checked that it
    /// is a comma-separated list of `u32` values.
    pub(crate) fn new(body: &'a str) -> RidList<'a> {
        RidList { body }
    }

    /// Iterates over the recipient ids.
    pub fn iter(&self) -> impl Iterator<Item = u32> + 'a {
        self.body
            .split(',')
            .filter_map(|item| item.trim().parse::<u32>().ok())
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
}
