//! Templates of unrecognised entries.
//!
//! A template is the entry's text with the parts that vary between entries of
//! one kind replaced by placeholders: `<n>` for numbers, `<ip>` for IPv4 and
//! IPv6 addresses, `<addr>` for mail addresses, `<str>` for quoted text. The
//! run summary counts unrecognised entries by template, so that a reader sees
//! which kinds of line were not understood, not a list of single lines.

/// Number of words after which a template is cut and ends in `...`.
pub const MAX_TEMPLATE_WORDS: usize = 14;

/// Number of characters after which a template is cut.
pub const MAX_TEMPLATE_CHARS: usize = 160;

/// Builds the template of `text`.
pub fn template_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEMPLATE_CHARS));
    let mut words = 0;
    let mut rest = text.trim();
    while !rest.is_empty() {
        if words == MAX_TEMPLATE_WORDS || out.len() >= MAX_TEMPLATE_CHARS {
            out.push_str(" ...");
            break;
        }
        if words > 0 {
            out.push(' ');
        }
        words += 1;
        let first = rest.as_bytes()[0];
        if first == b'\'' || first == b'"' {
            if let Some(close) = rest[1..].find(char::from(first)) {
                out.push(char::from(first));
                out.push_str("<str>");
                out.push(char::from(first));
                rest = rest[close + 2..].trim_start();
                continue;
            }
        }
        let (word, after) = match rest.split_once(char::is_whitespace) {
            Some((word, after)) => (word, after.trim_start()),
            None => (rest, ""),
        };
        rest = after;
        push_word_template(&mut out, word);
    }
    if out.len() > MAX_TEMPLATE_CHARS + 4 {
        let mut cut = MAX_TEMPLATE_CHARS;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(" ...");
    }
    out
}

fn push_word_template(out: &mut String, word: &str) {
    let core = word.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | ',' | '[' | ']'));
    if core.contains('@') {
        out.push_str("<addr>");
        return;
    }
    if is_ip_address(core) {
        let start = word.find(core).unwrap_or(0);
        out.push_str(&word[..start]);
        out.push_str("<ip>");
        out.push_str(&word[start + core.len()..]);
        return;
    }
    let mut in_number = false;
    for c in word.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push_str("<n>");
                in_number = true;
            }
        } else {
            in_number = false;
            out.push(c);
        }
    }
}

fn is_ip_address(text: &str) -> bool {
    if text.len() < 3 {
        return false;
    }
    text.parse::<std::net::Ipv4Addr>().is_ok() || text.parse::<std::net::Ipv6Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert_eq!(
            template_of("ICID 42 Frobnicated 3 times from 192.0.2.7"),
            "ICID <n> Frobnicated <n> times from <ip>"
        );
        assert_eq!(
            template_of("MID 7 odd thing 'with quoted text' for <a@example.com>"),
            "MID <n> odd thing '<str>' for <addr>"
        );
        assert_eq!(template_of("peer (2001:db8::1) said"), "peer (<ip>) said");
        assert_eq!(template_of("TLSv1.2 x"), "TLSv<n>.<n> x");
    }

    #[test]
    fn long_text_is_cut() {
        let text = "word ".repeat(100);
        let template = template_of(&text);
        assert!(template.ends_with(" ..."));
        assert_eq!(template.split(' ').count(), MAX_TEMPLATE_WORDS + 1);
        let text = "x".repeat(1000);
        assert!(template_of(&text).len() <= MAX_TEMPLATE_CHARS + 4);
    }

    #[test]
    fn unclosed_quote_is_a_word() {
        assert_eq!(template_of("say 'hello there"), "say 'hello there");
    }
}
