//! The seven `|`-separated header fields in front of the extension.

use super::{CefError, CefHeader};

/// Number of header fields, from the CEF version to the severity.
const HEADER_FIELDS: usize = 7;

/// Splits `CEF:Version|Vendor|Product|Version|Class|Name|Severity|extension`
/// into the header and the extension. A `|` escaped as `\|` does not end a
/// field.
///
/// A text that ends right after the severity, without the `|` in front of
/// the extension, has an empty extension.
pub(super) fn parse_header(text: &str) -> Result<(CefHeader<'_>, &str), CefError> {
    let body = text.strip_prefix("CEF:").ok_or(CefError::MissingPrefix)?;
    let bytes = body.as_bytes();
    let mut fields = [""; HEADER_FIELDS];
    let mut count = 0;
    let mut field_start = 0;
    let mut at = 0;
    let mut extension = None;

    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 1,
            b'|' => {
                fields[count] = &body[field_start..at];
                count += 1;
                field_start = at + 1;
                if count == HEADER_FIELDS {
                    extension = Some(&body[field_start..]);
                    break;
                }
            }
            _ => {}
        }
        at += 1;
    }

    let extension = match extension {
        Some(extension) => extension,
        // The severity is the last field, with no `|` after it.
        None if count == HEADER_FIELDS - 1 => {
            fields[count] = body[field_start..].trim_end();
            ""
        }
        None => {
            // The text after the last `|` is an incomplete field, which
            // counts when it is not empty.
            let partial = usize::from(!body[field_start..].is_empty());
            return Err(CefError::TruncatedHeader {
                fields: count + partial,
            });
        }
    };

    let [cef_version, device_vendor, device_product, device_version, event_class_id, name, severity] =
        fields;
    if cef_version.is_empty() || !cef_version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CefError::InvalidVersion {
            version: cef_version.to_string(),
        });
    }

    let header = CefHeader {
        cef_version,
        device_vendor,
        device_product,
        device_version,
        event_class_id,
        name,
        severity,
    };
    Ok((header, extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_and_extension() {
        let (header, extension) = parse_header(
            "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.0.0-657|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|ESAMID=1",
        )
        .unwrap();
        assert_eq!(header.cef_version, "0");
        assert_eq!(header.device_vendor, "Cisco");
        assert_eq!(
            header.device_product,
            "C100V Email Security Virtual Appliance"
        );
        assert_eq!(header.device_version, "14.0.0-657");
        assert_eq!(header.event_class_id, "ESA_CONSOLIDATED_LOG_EVENT");
        assert_eq!(header.name, "Consolidated Log Event");
        assert_eq!(header.severity, "5");
        assert_eq!(extension, "ESAMID=1");
    }

    #[test]
    fn escaped_pipe_stays_in_field() {
        let (header, extension) = parse_header(r"CEF:0|Vendor\|Inc|P|1|C|N|3|a=b|c").unwrap();
        assert_eq!(header.device_vendor, r"Vendor\|Inc");
        assert_eq!(header.severity, "3");
        assert_eq!(extension, "a=b|c");
    }

    #[test]
    fn severity_without_extension() {
        let (header, extension) = parse_header("CEF:0|Cisco|P|1|C|N|5\n").unwrap();
        assert_eq!(header.severity, "5");
        assert_eq!(extension, "");
        let (_, extension) = parse_header("CEF:0|Cisco|P|1|C|N|5|").unwrap();
        assert_eq!(extension, "");
    }

    #[test]
    fn header_errors() {
        assert_eq!(parse_header("cef:0|a"), Err(CefError::MissingPrefix));
        assert_eq!(
            parse_header("CEF:"),
            Err(CefError::TruncatedHeader { fields: 0 })
        );
        assert_eq!(
            parse_header("CEF:0|Cisco|Product"),
            Err(CefError::TruncatedHeader { fields: 3 })
        );
        assert_eq!(
            parse_header("CEF:0|Cisco|P|1|C|"),
            Err(CefError::TruncatedHeader { fields: 5 })
        );
        assert_eq!(
            parse_header("CEF:x|Cisco|P|1|C|N|5|"),
            Err(CefError::InvalidVersion {
                version: "x".to_string()
            })
        );
        assert_eq!(
            parse_header("CEF:|Cisco|P|1|C|N|5|"),
            Err(CefError::InvalidVersion {
                version: String::new()
            })
        );
    }

    #[test]
    fn trailing_backslash_does_not_panic() {
        assert_eq!(
            parse_header("CEF:0|a\\"),
            Err(CefError::TruncatedHeader { fields: 2 })
        );
    }
}
