//! JSON writing with every character that is unsafe on a terminal escaped.
//!
//! serde_json already escapes C0 controls; this formatter also writes DEL,
//! C1 controls, bidirectional and zero-width characters as `\uXXXX`, so
//! that `cat`ing the output cannot reorder or hide text. The JSON value is
//! unchanged.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use super::sanitize::is_unsafe_char;

fn write_fragment<W: ?Sized + Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    // Printable ASCII, nearly all text, is safe: only a fragment with a
    // control, DEL or a byte of a longer character is looked at closely.
    let Some(first) = fragment.bytes().position(|b| !(0x20..0x7f).contains(&b)) else {
        return writer.write_all(fragment.as_bytes());
    };
    let mut start = 0;
    for (at, c) in fragment[first..].char_indices() {
        let at = first + at;
        if is_unsafe_char(c) {
            writer.write_all(&fragment.as_bytes()[start..at])?;
            write!(writer, "\\u{:04x}", u32::from(c))?;
            start = at + c.len_utf8();
        }
    }
    writer.write_all(&fragment.as_bytes()[start..])
}

/// A compact formatter that escapes unsafe characters.
pub struct SafeCompact;

impl Formatter for SafeCompact {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_fragment(writer, fragment)
    }
}

/// A pretty formatter that escapes unsafe characters.
pub struct SafePretty(PrettyFormatter<'static>);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
                self.0.$name(writer $(, $arg)*)
            }
        )*
    };
}

impl Formatter for SafePretty {
    delegate!(
        begin_array(),
        end_array(),
        begin_array_value(first: bool),
        end_array_value(),
        begin_object(),
        end_object(),
        begin_object_key(first: bool),
        begin_object_value(),
        end_object_value(),
    );

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_fragment(writer, fragment)
    }
}

/// Writes `value` as one line of JSON followed by a newline.
pub fn write_line<W: Write, T: Serialize>(writer: &mut W, value: &T) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *writer, SafeCompact);
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    writer.write_all(b"\n")
}

/// Writes `value` as indented JSON followed by a newline.
pub fn write_pretty<W: Write, T: Serialize>(writer: &mut W, value: &T) -> io::Result<()> {
    let formatter = SafePretty(PrettyFormatter::with_indent(b"  "));
    let mut serializer = serde_json::Serializer::with_formatter(&mut *writer, formatter);
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    writer.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_unsafe_characters() {
        let mut out = Vec::new();
        write_line(&mut out, &"a\u{1b}b\u{202e}c\u{7f}é\"").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\u001bb\\u202ec\\u007fé\\\"\"\n"
        );
        // Plain ASCII passes whole; after a safe wide character the
        // escapes still land in the right places.
        for (text, written) in [
            ("plain text", "\"plain text\"\n"),
            ("abc é\u{200b}x\u{feff}", "\"abc é\\u200bx\\ufeff\"\n"),
            ("\u{9b}", "\"\\u009b\"\n"),
        ] {
            let mut out = Vec::new();
            write_line(&mut out, &text).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), written, "{text:?}");
        }
    }

    #[test]
    fn value_round_trips() {
        let text = "x\u{202e}y\u{200b}z\u{9b}";
        let mut out = Vec::new();
        write_pretty(&mut out, &serde_json::json!({ "s": text })).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back["s"], text);
        assert!(!String::from_utf8(out).unwrap().contains('\u{202e}'));
    }
}
