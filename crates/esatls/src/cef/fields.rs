//! Typed fields of a consolidated event, read from its pairs.

use super::time::parse_time;
use super::{
    Action, CefHeader, ConsolidatedEvent, CustomField, CustomKind, Direction, Extension,
    InvalidField, Outcome, Recipients, TlsConnection, ValueKind,
};
use crate::event::Quoted;

/// Label of the custom string field that contains the Message-ID header.
const MESSAGE_ID_LABEL: &str = "ExternalMsgID";

/// Long and short key prefixes of the custom fields. Longer prefixes come
/// first, so that `cfp` is not read as `c` followed by something else.
const CUSTOM_PREFIXES: &[(&str, CustomKind)] = &[
    ("deviceCustomFloatingPoint", CustomKind::FloatingPoint),
    ("deviceCustomIPv6Address", CustomKind::Ipv6Address),
    ("deviceCustomString", CustomKind::String),
    ("deviceCustomNumber", CustomKind::Number),
    ("deviceCustomDate", CustomKind::Date),
    ("flexString", CustomKind::FlexString),
    ("flexNumber", CustomKind::FlexNumber),
    ("flexDate", CustomKind::FlexDate),
    ("cfp", CustomKind::FloatingPoint),
    ("c6a", CustomKind::Ipv6Address),
    ("cs", CustomKind::String),
    ("cn", CustomKind::Number),
];

/// Reads a custom field key (`cs1`, `cfp1Label`, `deviceCustomString2`)
/// into its kind, its number (1 to 99) and whether it is the label.
pub(super) fn custom_slot(key: &str) -> Option<(CustomKind, u8, bool)> {
    let (rest, kind) = CUSTOM_PREFIXES
        .iter()
        .find_map(|&(prefix, kind)| Some((key.strip_prefix(prefix)?, kind)))?;
    let (digits, is_label) = match rest.strip_suffix("Label") {
        Some(digits) => (digits, true),
        None => (rest, false),
    };
    let valid = (1..=2).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if !valid {
        return None;
    }
    let number = digits.parse().ok()?;
    Some((kind, number, is_label))
}

/// Builds the typed event from the pairs of its extension.
pub(super) fn consolidated<'a>(
    header: CefHeader<'a>,
    extensions: Vec<Extension<'a>>,
) -> ConsolidatedEvent<'a> {
    let mut event = ConsolidatedEvent {
        header,
        serial: None,
        mid: None,
        icid: None,
        dcid: None,
        start: None,
        end: None,
        sender: None,
        recipients: None,
        subject: None,
        message_id: None,
        source_address: None,
        source_host: None,
        direction: None,
        action: None,
        action_details: None,
        tls_inbound: TlsConnection::default(),
        tls_outbound: TlsConnection::default(),
        dane_status: None,
        dane_host: None,
        device_address: None,
        inbound_interface: None,
        outbound_interface: None,
        mail_flow_policy: None,
        sender_group: None,
        message_size: None,
        helo_domain: None,
        helo_address: None,
        friendly_from: None,
        reply_to: None,
        custom: Vec::new(),
        other: Vec::new(),
        invalid: Vec::new(),
    };
    for pair in extensions {
        assign(&mut event, pair);
    }
    event.message_id = event
        .custom
        .iter()
        .find(|field| field.kind == CustomKind::String && field.label == Some(MESSAGE_ID_LABEL))
        .and_then(|field| field.value)
        .map(parse_quoted);
    event
}

/// Destinations, other than the typed fields, of the pairs of one event.
struct Sink<'e, 'a> {
    other: &'e mut Vec<Extension<'a>>,
    invalid: &'e mut Vec<InvalidField<'a>>,
}

impl<'a> Sink<'_, 'a> {
    /// Stores `pair` in `slot` after `read` turns it into the field's type.
    /// A repeat of a key already stored goes to `other`, and a value `read`
    /// rejects goes to `invalid`.
    fn put<T>(
        &mut self,
        slot: &mut Option<T>,
        pair: Extension<'a>,
        expected: Option<ValueKind>,
        read: impl FnOnce(&'a str) -> Option<T>,
    ) {
        if slot.is_some() {
            self.other.push(pair);
            return;
        }
        if pair.value.is_empty() {
            return;
        }
        match read(pair.value) {
            Some(value) => *slot = Some(value),
            None => match expected {
                Some(expected) => self.invalid.push(InvalidField {
                    key: pair.key,
                    value: pair.value,
                    expected,
                }),
                None => self.other.push(pair),
            },
        }
    }

    fn text(&mut self, slot: &mut Option<&'a str>, pair: Extension<'a>) {
        self.put(slot, pair, None, Some);
    }

    fn integer(&mut self, slot: &mut Option<u64>, pair: Extension<'a>) {
        self.put(slot, pair, Some(ValueKind::Integer), parse_integer);
    }

    fn time(&mut self, slot: &mut Option<crate::header::RawTime>, pair: Extension<'a>) {
        self.put(slot, pair, Some(ValueKind::Time), parse_time);
    }

    fn outcome(&mut self, slot: &mut Option<Outcome<'a>>, pair: Extension<'a>) {
        self.put(slot, pair, None, |value| Some(parse_outcome(value)));
    }
}

/// Stores one pair in its typed field, in the custom fields, or in `other`.
fn assign<'a>(event: &mut ConsolidatedEvent<'a>, pair: Extension<'a>) {
    let mut sink = Sink {
        other: &mut event.other,
        invalid: &mut event.invalid,
    };
    match pair.key {
        "deviceExternalId" => sink.text(&mut event.serial, pair),
        "ESAMID" => sink.integer(&mut event.mid, pair),
        "ESAICID" => sink.integer(&mut event.icid, pair),
        "ESADCID" => sink.integer(&mut event.dcid, pair),
        "startTime" | "start" => sink.time(&mut event.start, pair),
        "endTime" | "end" | "EndTime" => sink.time(&mut event.end, pair),
        "suser" => sink.text(&mut event.sender, pair),
        "duser" => sink.put(&mut event.recipients, pair, None, |raw| {
            Some(Recipients { raw })
        }),
        "msg" => sink.put(&mut event.subject, pair, None, |raw| {
            Some(parse_quoted(raw))
        }),
        "sourceAddress" | "src" => sink.text(&mut event.source_address, pair),
        "sourceHostName" | "shost" => sink.text(&mut event.source_host, pair),
        "deviceDirection" => sink.put(
            &mut event.direction,
            pair,
            Some(ValueKind::Direction),
            parse_direction,
        ),
        "act" => sink.put(&mut event.action, pair, None, |value| {
            Some(parse_action(value))
        }),
        "ESAFinalActionDetails" => sink.text(&mut event.action_details, pair),
        "ESATLSInConnStatus" => sink.outcome(&mut event.tls_inbound.status, pair),
        "ESATLSInProtocol" => sink.text(&mut event.tls_inbound.protocol, pair),
        "ESATLSInCipher" => sink.text(&mut event.tls_inbound.cipher, pair),
        "ESATLSOutConnStatus" => sink.outcome(&mut event.tls_outbound.status, pair),
        "ESATLSOutProtocol" => sink.text(&mut event.tls_outbound.protocol, pair),
        "ESATLSOutCipher" => sink.text(&mut event.tls_outbound.cipher, pair),
        "ESADaneStatus" => sink.outcome(&mut event.dane_status, pair),
        "ESADaneHost" => sink.text(&mut event.dane_host, pair),
        "dvc" => sink.text(&mut event.device_address, pair),
        "deviceInboundInterface" => sink.text(&mut event.inbound_interface, pair),
        "deviceOutboundInterface" => sink.text(&mut event.outbound_interface, pair),
        "ESAMailFlowPolicy" => sink.text(&mut event.mail_flow_policy, pair),
        "ESASenderGroup" => sink.text(&mut event.sender_group, pair),
        "ESAMsgSize" => sink.integer(&mut event.message_size, pair),
        "ESAHeloDomain" => sink.text(&mut event.helo_domain, pair),
        "ESAHeloIP" => sink.text(&mut event.helo_address, pair),
        "ESAFriendlyFrom" => sink.text(&mut event.friendly_from, pair),
        "ESAReplyTo" => sink.text(&mut event.reply_to, pair),
        key => match custom_slot(key) {
            Some((kind, number, is_label)) => {
                assign_custom(&mut event.custom, sink, kind, number, is_label, pair)
            }
            None => sink.other.push(pair),
        },
    }
}

/// Stores a custom field value or label next to its partner.
fn assign_custom<'a>(
    custom: &mut Vec<CustomField<'a>>,
    sink: Sink<'_, 'a>,
    kind: CustomKind,
    number: u8,
    is_label: bool,
    pair: Extension<'a>,
) {
    let index = match custom
        .iter()
        .position(|field| field.kind == kind && field.number == number)
    {
        Some(index) => index,
        None => {
            custom.push(CustomField {
                kind,
                number,
                label: None,
                value: None,
            });
            custom.len() - 1
        }
    };
    let field = &mut custom[index];
    let slot = if is_label {
        &mut field.label
    } else {
        &mut field.value
    };
    let mut sink = sink;
    sink.text(slot, pair);
}

/// Parses a decimal id or size that fits in `u64`.
fn parse_integer(value: &str) -> Option<u64> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn parse_direction(value: &str) -> Option<Direction> {
    match value {
        "0" => Some(Direction::Inbound),
        "1" => Some(Direction::Outbound),
        _ => None,
    }
}

fn parse_outcome(value: &str) -> Outcome<'_> {
    if value.eq_ignore_ascii_case("success") {
        Outcome::Success
    } else if value.eq_ignore_ascii_case("failure") || value.eq_ignore_ascii_case("failed") {
        Outcome::Failure
    } else {
        Outcome::Other(value)
    }
}

fn parse_action(value: &str) -> Action<'_> {
    match value {
        "DELIVERED" => Action::Delivered,
        "QUARANTINED" => Action::Quarantined,
        "DQ" => Action::DelayQuarantined,
        "BOUNCED" => Action::Bounced,
        "ABORTED" => Action::Aborted,
        "DROPPED" => Action::Dropped,
        other => Action::Other(other),
    }
}

/// Reads a value the appliance may have quoted as `'x'`, `"x"` or `\"x\"`.
fn parse_quoted(value: &str) -> Quoted<'_> {
    if value.len() >= 4 && value.starts_with("\\\"") && value.ends_with("\\\"") {
        return Quoted {
            raw: &value[2..value.len() - 2],
            quote: Some('"'),
        };
    }
    Quoted::from_rest(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_slots() {
        assert_eq!(custom_slot("cs1"), Some((CustomKind::String, 1, false)));
        assert_eq!(custom_slot("cs4Label"), Some((CustomKind::String, 4, true)));
        assert_eq!(
            custom_slot("cfp1Label"),
            Some((CustomKind::FloatingPoint, 1, true))
        );
        assert_eq!(custom_slot("cn12"), Some((CustomKind::Number, 12, false)));
        assert_eq!(
            custom_slot("deviceCustomString3Label"),
            Some((CustomKind::String, 3, true))
        );
        assert_eq!(
            custom_slot("flexDate1"),
            Some((CustomKind::FlexDate, 1, false))
        );
        for key in [
            "cs", "cs0", "cs123", "csLabel", "cs1label", "cs1x", "cat", "c6",
        ] {
            assert_eq!(custom_slot(key), None, "{key}");
        }
    }

    #[test]
    fn quoted_forms() {
        assert_eq!(
            parse_quoted(r#"\"Hello there\""#),
            Quoted {
                raw: "Hello there",
                quote: Some('"')
            }
        );
        assert_eq!(
            parse_quoted("'x'"),
            Quoted {
                raw: "x",
                quote: Some('\'')
            }
        );
        assert_eq!(parse_quoted(r#"\""#).quote, None);
        assert_eq!(parse_quoted("bare text").quote, None);
    }

    #[test]
    fn outcomes_and_actions() {
        assert_eq!(parse_outcome("Success"), Outcome::Success);
        assert_eq!(parse_outcome("failure"), Outcome::Failure);
        assert_eq!(parse_outcome("Failed"), Outcome::Failure);
        assert_eq!(parse_outcome("Pending"), Outcome::Other("Pending"));
        assert_eq!(parse_action("DQ"), Action::DelayQuarantined);
        assert_eq!(parse_action("delivered"), Action::Other("delivered"));
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("0"), Some(0));
        assert_eq!(parse_integer("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_integer("18446744073709551616"), None);
        assert_eq!(parse_integer("+5"), None);
        assert_eq!(parse_integer("123 E"), None);
    }
}
