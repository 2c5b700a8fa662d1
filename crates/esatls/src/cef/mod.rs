//! Consolidated events: the one-line CEF summary AsyncOS 13.0 and later
//! writes for each message.
//!
//! [`parse_cef`] reads the text of one event, starting at `CEF:`, into a
//! [`CefEvent`]. It does no I/O, and it is written not to panic on any input
//! (a property test feeds it arbitrary text). The header fields are split on
//! unescaped `|`. An event whose event class id is
//! `ESA_CONSOLIDATED_LOG_EVENT` becomes a typed [`ConsolidatedEvent`], and any
//! other CEF event keeps its header and its extension as key and value pairs
//! ([`OtherEvent`]).
//!
//! The appliance does not escape extension values as CEF requires: values
//! contain spaces, `=` (sometimes written `\=` or `\\=`), Python `repr`
//! quotes and dicts, and keys come in any order. [`parse_extension`]
//! therefore ends a value only where a space is followed by a key and `=`.
//! A key is an identifier (`[A-Za-z_][A-Za-z0-9_]*`), or one of the spaced
//! forms the appliance writes (`Message Filters Verdict`, and a known key with
//! one stray space inside, such as `E SAAMPVerdict`). Three rules keep text
//! inside values whole:
//!
//! - a value that starts with `{` or `[` runs to its matching bracket,
//!   counted outside quoted strings, so `{'mailfrom': {'result': 'Pass'}}`
//!   is one value whatever its strings contain;
//! - a value that starts with a quote (`'`, `"` or `\"`) runs on to the
//!   first key before which it ends with the same quote, but never past a
//!   key that only the appliance writes (`ESA...`, `csN`, `cfpN`,
//!   `deviceExternalId` and the like), so `msg='total=5'` stays one value;
//! - any other value ends at the next key.
//!
//! When a bracket never closes or a quote never ends, the value ends at the
//! next key instead. After one bracket that never closes, every later value
//! that opens with a bracket also ends at the next key, because looking for
//! the match again would scan the rest of the text again. The splitting time
//! is linear in the length of the text.
//!
//! Values are kept as written: `\=` escapes stay in the text, and helpers
//! such as [`unescape`] and [`ConsolidatedEvent::subject_text`] decode them.
//!
//! # Known limitations
//!
//! - A value without quotes or brackets that contains a space followed by
//!   an identifier and `=` (a subject written bare as `msg=Re: total=5`) is
//!   cut there, and the rest becomes a pair of its own in
//!   [`ConsolidatedEvent::other`].
//! - Times carry no UTC offset: the appliance writes them in its local time.

mod extension;
mod fields;
mod header;
mod time;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use crate::event::Quoted;
use crate::header::RawTime;

pub use extension::parse_extension;
pub use time::parse_time;

/// Event class id of the consolidated event.
pub const CONSOLIDATED_CLASS_ID: &str = "ESA_CONSOLIDATED_LOG_EVENT";

/// Parses one CEF event, `CEF:Version|Vendor|Product|Version|Class|Name|Severity|extension`.
///
/// Trailing whitespace, such as a line terminator, is ignored. A value that
/// cannot be read as its type (an MID that is not a number, say) does not fail
/// the event: it is listed in [`ConsolidatedEvent::invalid`].
///
/// # Errors
///
/// Returns a [`CefError`] when `text` does not start with `CEF:`, when the CEF
/// format version is not a number, or when `text` ends before the seventh
/// header field (the severity).
pub fn parse_cef(text: &str) -> Result<CefEvent<'_>, CefError> {
    let (header, extension) = header::parse_header(text)?;
    let extensions = parse_extension(extension);
    if header.event_class_id == CONSOLIDATED_CLASS_ID {
        Ok(CefEvent::Consolidated(fields::consolidated(
            header, extensions,
        )))
    } else {
        Ok(CefEvent::Other(OtherEvent { header, extensions }))
    }
}

/// Failure to read the header of a CEF event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CefError {
    /// The text does not start with `CEF:`.
    #[error("not a CEF event: the text does not start with `CEF:`")]
    MissingPrefix,
    /// The CEF format version, between `CEF:` and the first `|`, is empty or
    /// not a decimal number.
    #[error("invalid CEF version {version:?}: expected a decimal number such as `0`")]
    InvalidVersion { version: String },
    /// The text ends after `fields` of the seven header fields.
    #[error("truncated CEF header: {fields} of the 7 fields before the extension")]
    TruncatedHeader { fields: usize },
}

/// One parsed CEF event.
// The consolidated variant is by far the common one, and boxing it would add
// an allocation for every event.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CefEvent<'a> {
    /// An event of class `ESA_CONSOLIDATED_LOG_EVENT`.
    Consolidated(ConsolidatedEvent<'a>),
    /// An event of any other class.
    Other(OtherEvent<'a>),
}

impl<'a> CefEvent<'a> {
    /// Returns the header of the event, whatever its class.
    pub fn header(&self) -> &CefHeader<'a> {
        match self {
            CefEvent::Consolidated(event) => &event.header,
            CefEvent::Other(event) => &event.header,
        }
    }
}

/// The seven header fields of a CEF event, as written: `\|` and `\\` escapes
/// are not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CefHeader<'a> {
    /// CEF format version, `0` in every known ESA event.
    pub cef_version: &'a str,
    /// Device vendor, `Cisco`.
    pub device_vendor: &'a str,
    /// Device product, the appliance model
    /// (`C100V Email Security Virtual Appliance`,
    /// `C300V Secure Email Gateway Virtual`).
    pub device_product: &'a str,
    /// Device version, the AsyncOS version (`14.3.0-032`).
    pub device_version: &'a str,
    /// Device event class id, `ESA_CONSOLIDATED_LOG_EVENT` for consolidated
    /// events.
    pub event_class_id: &'a str,
    /// Event name, `Consolidated Log Event`.
    pub name: &'a str,
    /// Severity as written, `5` in every known ESA event.
    pub severity: &'a str,
}

/// A CEF event whose class is not `ESA_CONSOLIDATED_LOG_EVENT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherEvent<'a> {
    pub header: CefHeader<'a>,
    /// Every pair of the extension, in the order written.
    pub extensions: Vec<Extension<'a>>,
}

/// One `key=value` pair of an extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension<'a> {
    /// The key. A known key written with a stray space inside
    /// (`E SAAMPVerdict`) is stored as the key it spells (`ESAAMPVerdict`).
    /// Text before the first key, which has none, gets the empty key.
    pub key: &'a str,
    /// The value as written, without the spaces around it.
    pub value: &'a str,
}

/// A consolidated event: what the appliance recorded about one message.
///
/// Every field is `None` when its key is absent or its value is empty. The
/// appliance writes several events for one MID, each with a subset of the
/// keys, so a missing field does not mean the message lacks it. Merge the
/// events of one appliance by [`serial`](Self::serial) and [`mid`](Self::mid).
///
/// Text fields hold the value as written, with its `\=` escapes (see
/// [`unescape`]). When a typed key appears twice, the first value is used and
/// the repeat goes to [`other`](Self::other).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsolidatedEvent<'a> {
    pub header: CefHeader<'a>,
    /// Serial number of the appliance (`deviceExternalId`).
    pub serial: Option<&'a str>,
    /// Message id (`ESAMID`).
    pub mid: Option<u64>,
    /// Injection connection id (`ESAICID`). It is absent on events of
    /// messages the appliance generated itself and on some delivery-only
    /// events.
    pub icid: Option<u64>,
    /// Delivery connection id (`ESADCID`), absent while the message was not
    /// delivered.
    pub dcid: Option<u64>,
    /// When the appliance started to receive the message (`startTime`, or
    /// `start` from AsyncOS 15.0), in the appliance's local time.
    pub start: Option<RawTime>,
    /// When the appliance finished with the message (`endTime`, `end` from
    /// AsyncOS 15.0, or `EndTime` in some 13.0 events), in local time.
    pub end: Option<RawTime>,
    /// Envelope sender (`suser`).
    pub sender: Option<&'a str>,
    /// Envelope recipients (`duser`).
    pub recipients: Option<Recipients<'a>>,
    /// Subject (`msg`), quoted as written: `'x'`, `"x"`, `\"x\"` or bare.
    /// An empty quoted subject (`msg=''`) is `Some` with empty text.
    pub subject: Option<Quoted<'a>>,
    /// Message-ID header (`csN` whose `csNLabel` is `ExternalMsgID`, which is
    /// `cs4` in every known version), quoted as written. A message without
    /// the header has `cs4=''`, which is `Some` with empty text.
    pub message_id: Option<Quoted<'a>>,
    /// Address of the client that sent the message (`sourceAddress`, or
    /// `src` from AsyncOS 15.0), not validated.
    pub source_address: Option<&'a str>,
    /// Reverse DNS name of that client (`sourceHostName` or `shost`);
    /// `unknown` when the lookup failed.
    pub source_host: Option<&'a str>,
    /// Direction of the message (`deviceDirection`).
    pub direction: Option<Direction>,
    /// Final action (`act`).
    pub action: Option<Action<'a>>,
    /// Detail of the final action (`ESAFinalActionDetails`), such as
    /// `To POLICY` or `5.1.0 - Unknown address error`.
    pub action_details: Option<&'a str>,
    /// TLS of the connection the message was received on
    /// (`ESATLSInConnStatus`, `ESATLSInProtocol`, `ESATLSInCipher`).
    pub tls_inbound: TlsConnection<'a>,
    /// TLS of the connection the message was delivered on
    /// (`ESATLSOutConnStatus`, `ESATLSOutProtocol`, `ESATLSOutCipher`).
    pub tls_outbound: TlsConnection<'a>,
    /// Result of DANE verification of the delivery (`ESADaneStatus`).
    pub dane_status: Option<Outcome<'a>>,
    /// Host DANE verified (`ESADaneHost`).
    pub dane_host: Option<&'a str>,
    /// Address of the appliance (`dvc`).
    pub device_address: Option<&'a str>,
    /// Listener the message came in on (`deviceInboundInterface`).
    pub inbound_interface: Option<&'a str>,
    /// Listener the message was sent from (`deviceOutboundInterface`).
    pub outbound_interface: Option<&'a str>,
    /// HAT mail flow policy (`ESAMailFlowPolicy`), such as `ACCEPT`.
    pub mail_flow_policy: Option<&'a str>,
    /// HAT sender group (`ESASenderGroup`), such as `ACCEPTLIST`.
    pub sender_group: Option<&'a str>,
    /// Message size in bytes (`ESAMsgSize`).
    pub message_size: Option<u64>,
    /// Domain the client gave in HELO or EHLO (`ESAHeloDomain`).
    pub helo_domain: Option<&'a str>,
    /// Address the client connected from, as HELO processing saw it
    /// (`ESAHeloIP`).
    pub helo_address: Option<&'a str>,
    /// The From header (`ESAFriendlyFrom`), display name included.
    pub friendly_from: Option<&'a str>,
    /// The Reply-To header (`ESAReplyTo`).
    pub reply_to: Option<&'a str>,
    /// Custom fields (`csN`, `cnN`, `cfpN`, ...) with their labels, in the
    /// order first written. The Message-ID field is listed here too.
    pub custom: Vec<CustomField<'a>>,
    /// Pairs with no typed field above (verdicts, attachment and URL details,
    /// keys of later AsyncOS versions), and repeats of typed keys, in the
    /// order written.
    pub other: Vec<Extension<'a>>,
    /// Pairs of a typed key whose value could not be read as its type. The
    /// typed field is then `None`.
    pub invalid: Vec<InvalidField<'a>>,
}

impl<'a> ConsolidatedEvent<'a> {
    /// Returns the value of the custom field whose label is `label`
    /// (`MailPolicy`, `SenderCountry`, `SBRSScore`, ...), if any has it.
    pub fn custom_value(&self, label: &str) -> Option<&'a str> {
        self.custom
            .iter()
            .find(|field| field.label == Some(label))
            .and_then(|field| field.value)
    }

    /// Returns the subject with its quotes removed and its escapes decoded
    /// (see [`decode`]).
    pub fn subject_text(&self) -> Option<Cow<'a, str>> {
        self.subject.as_ref().map(decode)
    }

    /// Returns the Message-ID with its quotes removed and its escapes
    /// decoded (see [`decode`]). The angle brackets are kept.
    pub fn message_id_text(&self) -> Option<Cow<'a, str>> {
        self.message_id.as_ref().map(decode)
    }
}

/// TLS of one connection as a consolidated event reports it. All fields are
/// `None` when the event has no TLS keys for that side, which does not show
/// whether TLS was used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TlsConnection<'a> {
    /// Whether the TLS negotiation succeeded (`...ConnStatus`).
    pub status: Option<Outcome<'a>>,
    /// Protocol (`...Protocol`), such as `TLSv1.2`.
    pub protocol: Option<&'a str>,
    /// Cipher suite in OpenSSL notation (`...Cipher`), such as
    /// `ECDHE-RSA-AES256-GCM-SHA384`.
    pub cipher: Option<&'a str>,
}

impl TlsConnection<'_> {
    /// Returns whether the event has none of the three keys for this side.
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.protocol.is_none() && self.cipher.is_none()
    }
}

/// A success or failure status, compared without regard to case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// `Success` or `success`.
    Success,
    /// `Failure`, `failure`, `Failed` or `failed`.
    Failure,
    /// Any other value, as written.
    Other(&'a str),
}

/// Direction of a message (`deviceDirection`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `0`: received from outside.
    Inbound,
    /// `1`: relayed out.
    Outbound,
}

/// Final action on a message (`act`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// `DELIVERED`.
    Delivered,
    /// `QUARANTINED`. The details name the quarantine.
    Quarantined,
    /// `DQ`: held in a delay quarantine.
    DelayQuarantined,
    /// `BOUNCED`.
    Bounced,
    /// `ABORTED`: the sender gave up during receipt.
    Aborted,
    /// `DROPPED`.
    Dropped,
    /// Any other value, as written.
    Other(&'a str),
}

/// Envelope recipients as written in `duser`: one address, or several
/// separated by `,` or `;`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recipients<'a> {
    /// The value as written.
    pub raw: &'a str,
}

impl<'a> Recipients<'a> {
    /// Iterates over the addresses, without the spaces around them, skipping
    /// empty items.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.raw
            .split([',', ';'])
            .map(str::trim)
            .filter(|address| !address.is_empty())
    }
}

/// Family of a CEF custom field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CustomKind {
    /// `csN` or `deviceCustomStringN`.
    String,
    /// `cnN` or `deviceCustomNumberN`.
    Number,
    /// `cfpN` or `deviceCustomFloatingPointN`.
    FloatingPoint,
    /// `c6aN` or `deviceCustomIPv6AddressN`.
    Ipv6Address,
    /// `deviceCustomDateN`.
    Date,
    /// `flexStringN`.
    FlexString,
    /// `flexNumberN`.
    FlexNumber,
    /// `flexDateN`.
    FlexDate,
}

impl CustomKind {
    /// Returns the short key prefix, such as `cs` or `flexString`.
    pub fn prefix(self) -> &'static str {
        match self {
            CustomKind::String => "cs",
            CustomKind::Number => "cn",
            CustomKind::FloatingPoint => "cfp",
            CustomKind::Ipv6Address => "c6a",
            CustomKind::Date => "deviceCustomDate",
            CustomKind::FlexString => "flexString",
            CustomKind::FlexNumber => "flexNumber",
            CustomKind::FlexDate => "flexDate",
        }
    }
}

/// One CEF custom field and its label, such as `cs1Label=MailPolicy
/// cs1=DEFAULT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomField<'a> {
    pub kind: CustomKind,
    /// The field number, from 1 to 99 (the `1` of `cs1`).
    pub number: u8,
    /// The label (`csNLabel`), or `None` when the event has none.
    pub label: Option<&'a str>,
    /// The value (`csN`) as written, or `None` when the event has only the
    /// label or the value is empty.
    pub value: Option<&'a str>,
}

/// A pair whose value could not be read as the type of its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidField<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub expected: ValueKind,
}

/// Type a typed key expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// A decimal number that fits in `u64` (ids and sizes).
    Integer,
    /// A time in the form `Www Mmm d HH:MM:SS YYYY`.
    Time,
    /// `0` or `1`.
    Direction,
}

/// Replaces each `=` escaped with one or more backslashes (`\=`, `\\=`) by
/// a plain `=`, and leaves every other character as it is.
///
/// The appliance escapes `=` inside some values, and the number of
/// backslashes varies: a Message-ID written `<abc\\=def@example.com>` is
/// `<abc=def@example.com>`.
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains("\\=") {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = rest[at..].trim_start_matches('\\');
        let run = &rest[at..rest.len() - after.len()];
        match after.strip_prefix('=') {
            Some(tail) => {
                out.push('=');
                rest = tail;
            }
            None => {
                out.push_str(run);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Returns the text of a quoted value: the `=` escapes are removed (see
/// [`unescape`]), then the Python string escapes of a quoted value are
/// decoded (see [`Quoted::decode`]).
pub fn decode<'a>(value: &Quoted<'a>) -> Cow<'a, str> {
    match unescape(value.raw) {
        Cow::Borrowed(raw) => Quoted {
            raw,
            quote: value.quote,
        }
        .decode(),
        Cow::Owned(raw) => {
            let decoded = Quoted {
                raw: &raw,
                quote: value.quote,
            }
            .decode()
            .into_owned();
            Cow::Owned(decoded)
        }
    }
}
