//! Making log text safe to show.
//!
//! Text from mail logs is chosen by strangers: a Subject can carry terminal
//! escape sequences, bidirectional overrides or zero-width characters meant
//! to disguise what is shown. Before such text reaches a terminal, every
//! such character is replaced by a visible escape (`\x1b`, `\u{202e}`).

use std::borrow::Cow;

/// Returns whether `c` must not reach a terminal as it is: C0 and C1
/// control characters, DEL, bidirectional formatting characters, zero-width
/// characters and the byte order mark.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061c}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
    )
}

/// Returns `text` with every unsafe character replaced by a visible escape.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    // Printable ASCII needs no look at each character.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) || !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            let code = u32::from(c);
            if code < 0x100 {
                out.push_str(&format!("\\x{code:02x}"));
            } else {
                out.push_str(&format!("\\u{{{code:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes `text` for HTML element content and attribute values.
pub fn for_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in for_terminal(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes() {
        assert_eq!(for_terminal("plain text é"), "plain text é");
        assert_eq!(for_terminal("\u{1b}]0;owned\u{7}"), "\\x1b]0;owned\\x07");
        assert_eq!(for_terminal("a\u{202e}b\u{200b}c"), "a\\u{202e}b\\u{200b}c");
        assert_eq!(for_terminal("\u{85}\u{7f}"), "\\x85\\x7f");
        assert_eq!(for_terminal("tab\there"), "tab\\x09here");
    }

    #[test]
    fn html_escapes() {
        assert_eq!(
            for_html("<script>alert('x&y')</script>\u{1b}"),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;\\x1b"
        );
    }
}
