//! The event grammar: one function per leading keyword.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::cursor::Cursor;

static ADDRESS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("address "));
use super::{Derivation, Event, HatAction, NoteKind, Quoted, RidList, TlsOutcome};

/// Parses the text of one entry (what follows `Level: `) into an event.
///
/// Trailing whitespace is not significant. Text that matches no known
/// template returns [`Event::Unknown`].
pub fn parse_event(text: &str) -> Event<'_> {
    let text = match text.as_bytes().last() {
        Some(last) if last.is_ascii_graphic() => text,
        _ => text.trim_end(),
    };
    // Most entries name a message first: that keyword is tested before
    // the first word is looked for.
    if let Some(rest) = text.strip_prefix("MID ") {
        return mid_event(Cursor::new(rest)).unwrap_or(Event::Unknown);
    }
    let mut cursor = Cursor::new(text);
    let Some(first) = cursor.word() else {
        return Event::Unknown;
    };
    let parsed = match first {
        "ICID" => icid_event(cursor),
        "DCID" => dcid_event(cursor),
        "MID" => mid_event(cursor),
        "New" => new_connection(cursor),
        "Start" => message_start(cursor),
        "Delivery" => delivery(cursor),
        "Message" => message_keyword(cursor),
        "Bounced:" => bounce_or_delay(cursor, true),
        "Delayed:" => bounce_or_delay(cursor, false),
        "Connection" => connection_error(cursor),
        _ => other(first, cursor, text),
    };
    parsed.unwrap_or(Event::Unknown)
}

fn note(kind: NoteKind) -> Event<'static> {
    Event::Note {
        kind,
        mid: None,
        icid: None,
        dcid: None,
    }
}

fn note_mid(kind: NoteKind, mid: u64) -> Event<'static> {
    Event::Note {
        kind,
        mid: Some(mid),
        icid: None,
        dcid: None,
    }
}

fn note_icid(kind: NoteKind, icid: u64) -> Event<'static> {
    Event::Note {
        kind,
        mid: None,
        icid: Some(icid),
        dcid: None,
    }
}

fn note_dcid(kind: NoteKind, dcid: u64) -> Event<'static> {
    Event::Note {
        kind,
        mid: None,
        icid: None,
        dcid: Some(dcid),
    }
}

/// Returns `Some(value)` unless the value is empty.
fn non_empty(value: &str) -> Option<&str> {
    let value = value.trim();
    if value.is_empty() {
        None
    } else {
        Some(value)
    }
}

/// Parses what follows `TLS `: `success ...`, `failed[: reason]` or
/// `was required but ...`. Any other wording is not a TLS result this
/// parser knows, and returns `None` so that the entry is counted as
/// unrecognised rather than guessed at.
fn tls_outcome(rest: &str) -> Option<TlsOutcome<'_>> {
    let rest = rest.trim();
    if let Some(after) = rest.strip_prefix("success") {
        if after.is_empty() || after.starts_with(' ') {
            return Some(tls_success(after));
        }
        return None;
    }
    if let Some(after) = rest.strip_prefix("failed") {
        if !(after.is_empty() || after.starts_with(':') || after.starts_with(' ')) {
            return None;
        }
        let reason = after.strip_prefix(':').unwrap_or(after);
        return Some(TlsOutcome::Failed {
            reason: non_empty(reason),
        });
    }
    if rest.starts_with("was required but ") {
        return Some(TlsOutcome::Required { text: rest });
    }
    None
}

/// Parses the optional fields after `TLS success`.
fn tls_success(fields: &str) -> TlsOutcome<'_> {
    let mut protocol = None;
    let mut cipher = None;
    let mut cn = None;
    let mut domain = None;
    let mut cursor = Cursor::new(fields);
    cursor.spaces();
    while !cursor.is_empty() {
        if cursor.eat("protocol ") {
            protocol = cursor.word();
        } else if cursor.eat("cipher ") {
            cipher = cursor.word();
        } else if cursor.eat("CN: <") {
            match cursor.until(">") {
                Some(name) => cn = non_empty(name),
                None => cn = non_empty(cursor.take_rest()),
            }
        } else if cursor.eat("CN: ") || cursor.eat("CN=") {
            cn = cursor.word().and_then(non_empty);
        } else if cursor.eat("for ") {
            domain = cursor.word().and_then(non_empty);
        } else {
            // Any other trailer is kept out of the typed fields.
            cursor.word();
        }
        cursor.spaces();
    }
    TlsOutcome::Success {
        protocol,
        cipher,
        cn,
        domain,
    }
}

fn icid_event(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    let icid = cursor.number_word()?;
    let keyword = cursor.word()?;
    let event = match keyword {
        "ACCEPT" | "RELAY" | "REJECT" | "TCPREFUSE" => {
            let action = match keyword {
                "ACCEPT" => HatAction::Accept,
                "RELAY" => HatAction::Relay,
                "REJECT" => HatAction::Reject,
                _ => HatAction::TcpRefuse,
            };
            let sender_group = if cursor.eat("SG ") {
                cursor.word()
            } else {
                None
            };
            Event::IcidPolicy {
                icid,
                action,
                sender_group,
            }
        }
        "TLS" => Event::IcidTls {
            icid,
            outcome: tls_outcome(cursor.rest())?,
        },
        "close" if cursor.is_empty() => Event::IcidClose { icid, lost: false },
        "lost" if cursor.is_empty() => Event::IcidClose { icid, lost: true },
        "SBRS" | "Address:" | "disconnected" => note_icid(NoteKind::Session, icid),
        "Delayed" if cursor.rest().starts_with("HAT REJECT") => note_icid(NoteKind::Session, icid),
        "Receiving" | "Injection" if cursor.rest().starts_with("Failed") => {
            note_icid(NoteKind::Session, icid)
        }
        "Invalid" if cursor.rest().starts_with("sender address") => {
            note_icid(NoteKind::Session, icid)
        }
        "Connection" if cursor.rest().starts_with("from ") => note_icid(NoteKind::Session, icid),
        "MID" => {
            let mid = cursor.number_word()?;
            if !cursor.rest().starts_with("Invalid recipient address") {
                return None;
            }
            Event::Note {
                kind: NoteKind::Session,
                mid: Some(mid),
                icid: Some(icid),
                dcid: None,
            }
        }
        _ => return None,
    };
    Some(event)
}

fn dcid_event(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    let dcid = cursor.number_word()?;
    if cursor.rest() == "close" {
        return Some(Event::DcidClose { dcid });
    }
    let mut remote_ip = None;
    if cursor.eat("IP ") {
        remote_ip = Some(cursor.word()?);
    }
    if cursor.eat("TLS ") {
        return Some(Event::DcidTls {
            dcid,
            remote_ip,
            outcome: tls_outcome(cursor.rest())?,
        });
    }
    None
}

fn new_connection(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    let protocol = cursor.word()?;
    if !protocol.eq_ignore_ascii_case("smtp") {
        return None;
    }
    match cursor.word()? {
        "ICID" => {
            let icid = cursor.number_word()?;
            Some(icid_open(icid, cursor.rest()))
        }
        "DCID" => {
            let dcid = cursor.number_word()?;
            Some(dcid_open(dcid, cursor.rest()))
        }
        _ => None,
    }
}

/// Splits `interface NAME [(IP)] address A ...` into the interface name and
/// what follows `address `. Interface names can contain spaces.
fn interface_and_address(rest: &str) -> (Option<&str>, Option<&str>) {
    let Some(after) = rest.strip_prefix("interface ") else {
        return (None, rest.strip_prefix("address "));
    };
    match ADDRESS.find(after.as_bytes()) {
        Some(at) => {
            let interface = after[..at].trim_end();
            (non_empty(interface), Some(&after[at + "address ".len()..]))
        }
        None => (non_empty(after), None),
    }
}

fn icid_open(icid: u64, rest: &str) -> Event<'_> {
    let (interface, after_address) = interface_and_address(rest);
    let mut remote_ip = None;
    let mut remote_host = None;
    if let Some(after) = after_address {
        let mut cursor = Cursor::new(after);
        remote_ip = cursor.word().and_then(non_empty);
        cursor.spaces();
        if cursor.eat("reverse dns host") {
            cursor.spaces();
            let rest = cursor.rest();
            // `HOST verified yes|no`: the host is what precedes the last two
            // words, when they are that.
            let host = rest
                .rsplit_once(' ')
                .and_then(|(before, _)| before.strip_suffix(" verified"))
                .unwrap_or(rest);
            remote_host = non_empty(host).filter(|host| *host != "unknown");
        }
    }
    Event::IcidOpen {
        icid,
        interface,
        remote_ip,
        remote_host,
    }
}

fn dcid_open(dcid: u64, rest: &str) -> Event<'_> {
    let (interface, after_address) = interface_and_address(rest);
    let mut remote_ip = None;
    let mut port = None;
    if let Some(after) = after_address {
        let mut cursor = Cursor::new(after);
        remote_ip = cursor.word().and_then(non_empty);
        if cursor.eat("port ") {
            port = cursor.number().and_then(|value| u16::try_from(value).ok());
        }
    }
    Event::DcidOpen {
        dcid,
        interface,
        remote_ip,
        port,
    }
}

fn message_start(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    if !cursor.eat("MID ") {
        return None;
    }
    let mid = cursor.number_word()?;
    if !cursor.eat("ICID ") {
        return None;
    }
    let icid = cursor.number()?;
    Some(Event::MessageStart { mid, icid })
}

/// Strips the angle brackets of `<addr>` and returns the address and the
/// text after it.
fn address(text: &str) -> (&str, &str) {
    let text = match text.as_bytes().first() {
        Some(b'<') => text,
        _ => text.trim_start(),
    };
    // Byte searches: addresses are short, and `>` and ` ` are ASCII, so
    // both sides of each are on character boundaries.
    if let Some(inner) = text.strip_prefix('<') {
        if let Some(close) = inner.bytes().position(|byte| byte == b'>') {
            return (&inner[..close], inner[close + 1..].trim_start());
        }
    }
    match text.bytes().position(|byte| byte == b' ') {
        Some(space) => (&text[..space], text[space + 1..].trim_start()),
        None => (text, ""),
    }
}

fn mid_event(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    let mid = cursor.number()?;
    // `MID 14: Skip AMP Engine check` and other Trace-level details.
    if cursor.eat(": ") {
        return Some(note_mid(NoteKind::System, mid));
    }
    if !cursor.is_empty() && !cursor.eat(" ") {
        return None;
    }
    // The words that may follow name an ICID, a RID or an address; any
    // other word is a detail of the message.
    if !matches!(
        cursor.rest().as_bytes().first(),
        Some(b'I' | b'R' | b'F' | b'T')
    ) {
        return mid_detail(mid, cursor);
    }
    let mut icid = None;
    if cursor.eat("ICID ") {
        icid = Some(cursor.number_word()?);
    }
    let mut rid = None;
    if cursor.eat("RID ") {
        let mut peek = cursor;
        match peek.number_word() {
            Some(value) => {
                rid = Some(u32::try_from(value).ok()?);
                cursor = peek;
            }
            None => {
                let rids = cursor.rid_list()?;
                cursor.spaces();
                if !cursor.eat("Response") {
                    return None;
                }
                cursor.spaces();
                return Some(Event::MessageResponse {
                    mid,
                    rids,
                    response: Quoted::from_rest(cursor.rest()),
                });
            }
        }
    }
    if cursor.eat("From:") {
        let (sender, _) = address(cursor.rest());
        return Some(Event::MessageFrom { mid, icid, sender });
    }
    if cursor.eat("To:") {
        let (address, after) = address(cursor.rest());
        let rejected = if after.starts_with("Rejected") {
            Some(after)
        } else {
            None
        };
        if rid.is_none() && rejected.is_none() && icid.is_none() {
            return None;
        }
        return Some(Event::MessageTo {
            mid,
            icid,
            rid,
            address,
            rejected,
        });
    }
    if rid.is_some() {
        return None;
    }
    if let Some(icid) = icid {
        // `MID m ICID i TLS read N bytes` is a Debug-level I/O line.
        if cursor.rest().starts_with("TLS ") {
            return Some(Event::Note {
                kind: NoteKind::Session,
                mid: Some(mid),
                icid: Some(icid),
                dcid: None,
            });
        }
        return None;
    }
    mid_detail(mid, cursor)
}

/// Parses the `MID m ...` entries that name no ICID or RID, dispatching
/// on the word after the MID so that each template costs one comparison.
fn mid_detail(mid: u64, mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    let rest = cursor.rest();
    let mut words = cursor;
    let word = words.word()?;
    let after = words.rest();
    let event = match word {
        "Message-ID" => Event::MessageId {
            mid,
            message_id: Quoted::from_rest(after.trim_start()),
        },
        "Subject" => Event::MessageSubject {
            mid,
            subject: Quoted::from_rest(after.trim_start()),
        },
        "ready" => {
            let bytes = words.number_word()?;
            if !words.rest().starts_with("bytes") {
                return None;
            }
            Event::MessageReady { mid, bytes }
        }
        "queued" if after == "for delivery" => Event::MessageQueued { mid },
        "rewritten" => {
            cursor = words;
            if !cursor.eat("to ") {
                return None;
            }
            cursor.eat("MID ");
            let new_mid = cursor.number()?;
            Event::MessageDerived {
                mid: new_mid,
                origin: mid,
                derivation: Derivation::Rewritten,
            }
        }
        "was" | "generated" => return mid_was(mid, rest),
        "to" => {
            cursor = words;
            if !cursor.eat("RID ") {
                return None;
            }
            let rids = cursor.rid_list()?;
            if !cursor.rest().trim_start().starts_with("pending till") {
                return None;
            }
            Event::MessagePending { mid, rids }
        }
        _ => note_mid(mid_note_kind(word, rest)?, mid),
    };
    Some(event)
}

/// Parses `MID m was ...` and `MID m generated ...`.
fn mid_was(mid: u64, rest: &str) -> Option<Event<'_>> {
    let mut cursor = Cursor::new(rest);
    if cursor.eat("was split creating MID ") {
        let new_mid = cursor.number()?;
        return Some(Event::MessageDerived {
            mid: new_mid,
            origin: mid,
            derivation: Derivation::Split,
        });
    }
    cursor.eat("was ");
    if cursor.eat("generated based on MID ") {
        let origin = cursor.number()?;
        return Some(Event::MessageDerived {
            mid,
            origin,
            derivation: Derivation::Generated,
        });
    }
    if cursor.eat("generated for bounce of MID ") {
        let origin = cursor.number()?;
        return Some(Event::MessageDerived {
            mid,
            origin,
            derivation: Derivation::Bounce,
        });
    }
    let kind = if rest.starts_with("was too big (") {
        NoteKind::Scanning
    } else if rest.starts_with("was dropped by content filter") {
        NoteKind::Policy
    } else {
        return None;
    };
    Some(note_mid(kind, mid))
}

/// Classifies the known `MID m ...` entries that the verdicts do not use,
/// by their first word and, where one word is not enough, the text.
fn mid_note_kind(word: &str, rest: &str) -> Option<NoteKind> {
    // The first byte picks the few words to compare, which costs less than
    // comparing the word with each of them in turn.
    let kind = match word.as_bytes().first()? {
        b'i' if word == "interim" => {
            if rest.starts_with("interim verdict using engine:") {
                NoteKind::Antispam
            } else if rest.starts_with("interim AV verdict") {
                NoteKind::Antivirus
            } else {
                return None;
            }
        }
        b'u' if word == "using" && rest.starts_with("using engine:") => NoteKind::Antispam,
        b'a' if word == "antivirus" => NoteKind::Antivirus,
        b'a' if word == "attachment" => NoteKind::Policy,
        b'O' if word == "Outbreak" && rest.starts_with("Outbreak Filters:") => NoteKind::Scanning,
        b'A' | b'U' if word == "AMP" || word == "URL" => NoteKind::Scanning,
        b'n' if word == "not" && rest.starts_with("not completely scanned by SDS") => {
            NoteKind::Scanning
        }
        b'S' | b'D' if matches!(word, "SPF:" | "DKIM:" | "DomainKeys:" | "DMARC:") => {
            NoteKind::Authentication
        }
        b'S' if word == "SDR:" => NoteKind::SenderReputation,
        b'D' if word == "DLP" => NoteKind::Policy,
        b'm' if word == "matched"
            && rest.starts_with("matched all recipients for per-recipient policy") =>
        {
            NoteKind::Policy
        }
        b'C' if word == "Custom" && rest.starts_with("Custom Log Entry:") => NoteKind::Policy,
        b'C' if word == "Could" && rest.starts_with("Could not convert character set") => {
            NoteKind::System
        }
        b'G' if word == "Global" && rest.starts_with("Global unsubscribe matched") => {
            NoteKind::Policy
        }
        b'q' if word == "quarantined" && rest.starts_with("quarantined to ") => {
            NoteKind::Quarantine
        }
        b'r' if word == "released" && rest.starts_with("released from quarantine") => {
            NoteKind::Quarantine
        }
        b'e' if word == "enqueued"
            && rest.starts_with("enqueued for transfer to centralized quarantine") =>
        {
            NoteKind::Quarantine
        }
        b'I' if word.starts_with("IncomingRelay(") => NoteKind::Session,
        _ => return None,
    };
    Some(kind)
}

/// Parses `to RID [list]` or the pre-4.0 form `to [list]`.
fn to_rid_list<'a>(cursor: &mut Cursor<'a>) -> Option<RidList<'a>> {
    if !cursor.eat("to ") {
        return None;
    }
    cursor.eat("RID ");
    cursor.rid_list()
}

/// Parses `DCID d MID m to RID [list]`.
fn dcid_mid_rids<'a>(cursor: &mut Cursor<'a>) -> Option<(u64, u64, RidList<'a>)> {
    if !cursor.eat("DCID ") {
        return None;
    }
    let dcid = cursor.number_word()?;
    if !cursor.eat("MID ") {
        return None;
    }
    let mid = cursor.number_word()?;
    let rids = to_rid_list(cursor)?;
    Some((dcid, mid, rids))
}

fn delivery(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    if cursor.eat("start ") {
        let (dcid, mid, rids) = dcid_mid_rids(&mut cursor)?;
        return Some(Event::DeliveryStart { dcid, mid, rids });
    }
    if cursor.eat("of MID ") {
        let mid = cursor.number_word()?;
        if cursor.rest().starts_with("over RPC") {
            return Some(note_mid(NoteKind::Quarantine, mid));
        }
    }
    None
}

fn message_keyword(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    if cursor.eat("done ") {
        let (dcid, mid, rids) = dcid_mid_rids(&mut cursor)?;
        return Some(Event::DeliveryDone { dcid, mid, rids });
    }
    if cursor.eat("finished MID ") {
        let mid = cursor.number_word()?;
        if cursor.rest() != "done" {
            return None;
        }
        return Some(Event::MessageFinished { mid });
    }
    if cursor.eat("aborted MID ") {
        let mid = cursor.number()?;
        cursor.spaces();
        return Some(Event::MessageAborted {
            mid,
            reason: cursor.rest(),
        });
    }
    let mid = cursor.number_word()?;
    let rids = to_rid_list(&mut cursor)?;
    if !cursor.rest().trim_start().starts_with("pending till") {
        return None;
    }
    Some(Event::MessagePending { mid, rids })
}

/// Parses the bounce and delay forms:
/// `DCID d MID m to RID r - reason` (current),
/// `DCID d MID m From:<a> To:<b> RID r - reason` (bounce log),
/// `DCID: d Message m to r - reason` (before AsyncOS 3.8).
fn bounce_or_delay(mut cursor: Cursor<'_>, bounced: bool) -> Option<Event<'_>> {
    let dcid;
    let mid;
    let rids;
    if cursor.eat("DCID: ") {
        dcid = cursor.number_word()?;
        if !cursor.eat("Message ") {
            return None;
        }
        mid = cursor.number_word()?;
        if !cursor.eat("to ") {
            return None;
        }
        rids = single_rid(&mut cursor)?;
    } else if cursor.eat("DCID ") {
        dcid = cursor.number_word()?;
        if !cursor.eat("MID ") {
            return None;
        }
        mid = cursor.number_word()?;
        if cursor.eat("to RID ") {
            rids = single_rid(&mut cursor)?;
        } else if cursor.eat("From:") {
            cursor.until(" RID ")?;
            rids = single_rid(&mut cursor)?;
        } else {
            return None;
        }
    } else {
        // The bounce log's `Bounced: MID:RID From:<a> To:<b> ...`.
        let mut peek = cursor;
        let mid = peek.number()?;
        if !peek.eat(":") {
            return None;
        }
        peek.number()?;
        return Some(note_mid(NoteKind::Queue, mid));
    }
    let reason = cursor.rest().trim_start();
    let reason = reason.strip_prefix("- ").unwrap_or(reason);
    let event = if bounced {
        Event::Bounced {
            dcid,
            mid,
            rids,
            reason,
        }
    } else {
        Event::Delayed {
            dcid,
            mid,
            rids,
            reason,
        }
    };
    Some(event)
}

/// Parses one recipient id, bare (`0`) or as a list (`[0, 1]`).
fn single_rid<'a>(cursor: &mut Cursor<'a>) -> Option<RidList<'a>> {
    if cursor.rest().starts_with('[') {
        let rids = cursor.rid_list()?;
        cursor.spaces();
        return Some(rids);
    }
    let before = cursor.rest();
    let value = cursor.number_word()?;
    u32::try_from(value).ok()?;
    let digits = before.bytes().take_while(u8::is_ascii_digit).count();
    Some(RidList::new(&before[..digits]))
}

/// Returns the value of `key` in a `key: value key: value` list, ending at the
/// next key of `keys`.
fn keyed_value<'a>(text: &'a str, key: &str, keys: &[&str]) -> Option<&'a str> {
    let start = memchr::memmem::find(text.as_bytes(), key.as_bytes())? + key.len();
    let rest = &text[start..];
    let end = keys
        .iter()
        .filter_map(|next| memchr::memmem::find(rest.as_bytes(), next.as_bytes()))
        .min()
        .unwrap_or(rest.len());
    non_empty(&rest[..end])
}

fn connection_error(mut cursor: Cursor<'_>) -> Option<Event<'_>> {
    if !cursor.eat("Error: ") {
        return None;
    }
    cursor.eat("connection timed out ");
    let rest = cursor.rest();
    if !cursor.eat("DCID") {
        return None;
    }
    cursor.eat(":");
    cursor.spaces();
    let dcid = cursor.number()?;
    const KEYS: &[&str] = &[
        " domain: ",
        " IP: ",
        " port: ",
        " details: ",
        " interface: ",
        " reason: ",
    ];
    let remote_ip = keyed_value(rest, " IP: ", KEYS);
    let details = keyed_value(rest, " details: ", KEYS);
    let reason = keyed_value(rest, " reason: ", KEYS);
    Some(Event::ConnectionError {
        dcid,
        remote_ip,
        details,
        reason,
    })
}

/// Finds `MID n` anywhere in `text` and returns `n`.
fn find_mid(text: &str) -> Option<u64> {
    let at = text.find("MID ")?;
    Cursor::new(&text[at + 4..]).number()
}

/// Parses the entries that start with any other word.
fn other<'a>(first: &'a str, mut cursor: Cursor<'a>, text: &'a str) -> Option<Event<'a>> {
    let event = match first {
        "Begin" if cursor.rest() == "Logfile" => Event::BeginLogfile,
        "End" if cursor.rest() == "Logfile" => Event::EndLogfile,
        "Version:" => {
            let version = cursor.word()?;
            let serial = if cursor.eat("SN: ") {
                cursor.word()
            } else {
                None
            };
            Event::Version { version, serial }
        }
        "Time" => {
            if !cursor.eat("offset from UTC: ") {
                return None;
            }
            let rest = cursor.rest();
            let (number, unit) = rest.split_once(' ')?;
            if unit != "seconds" {
                return None;
            }
            Event::TimeOffset {
                seconds: number.parse().ok()?,
            }
        }
        "SMTP" => {
            let rest = cursor.rest();
            if let Some(after) = rest.strip_prefix("Auth: (ICID ") {
                note_icid(NoteKind::Session, Cursor::new(after).number()?)
            } else if let Some(after) = rest.strip_prefix("server connection killed ICID: ") {
                note_icid(NoteKind::Session, Cursor::new(after).number()?)
            } else if let Some(after) = rest.strip_prefix("client connection killed DCID: ") {
                note_dcid(NoteKind::Session, Cursor::new(after).number()?)
            } else {
                return None;
            }
        }
        "Mail" => {
            let after = cursor.rest().strip_prefix("delivery client with DCID ")?;
            note_dcid(NoteKind::Session, Cursor::new(after).number()?)
        }
        "RPC" | "ISQ:" | "EUQ:" if find_mid(text).is_none() => note(NoteKind::Quarantine),
        "RPC" | "ISQ:" | "EUQ:" => {
            if let Some(after) = cursor.rest().strip_prefix("Reinjected MID ") {
                let mut inner = Cursor::new(after);
                let origin = inner.number_word()?;
                if !inner.eat("as MID ") {
                    return None;
                }
                let mid = inner.number()?;
                return Some(Event::MessageDerived {
                    mid,
                    origin,
                    derivation: Derivation::Reinjected,
                });
            }
            note_mid(NoteKind::Quarantine, find_mid(text)?)
        }
        "LDAP:" => Event::Note {
            kind: NoteKind::Ldap,
            mid: find_mid(text),
            icid: None,
            dcid: None,
        },
        "Double" if cursor.rest().starts_with("bounce: Message ") => {
            let mut inner = Cursor::new(&cursor.rest()["bounce: Message ".len()..]);
            note_mid(NoteKind::Queue, inner.number()?)
        }
        "Possible" if cursor.rest().starts_with("Delivery: DCID: ") => Event::Note {
            kind: NoteKind::Queue,
            mid: find_mid(text),
            icid: None,
            dcid: None,
        },
        "Status:" | "SenderBase" | "URL_REP_CLIENT:" => note(NoteKind::System),
        "CASE" if cursor.rest().starts_with("cache status") => note(NoteKind::System),
        "Internal" if cursor.rest().starts_with("SMTP ") => note(NoteKind::System),
        "graymail" if cursor.rest().starts_with('[') => Event::Note {
            kind: NoteKind::Antispam,
            mid: find_mid(text),
            icid: None,
            dcid: None,
        },
        "GRAYMAIL:" => note(NoteKind::Antispam),
        "URL"
            if cursor
                .rest()
                .starts_with("category definitions have changed") =>
        {
            note(NoteKind::System)
        }
        "Your" if cursor.rest().contains(" key will expire") => note(NoteKind::System),
        "Error" if cursor.rest().starts_with("while sending alert:") => note(NoteKind::System),
        "A" if cursor.rest().contains(" alert was sent to ") => note(NoteKind::System),
        "Alias" if cursor.rest().starts_with("match:") => note(NoteKind::System),
        _ => {
            let _ = cursor.take_rest();
            return None;
        }
    };
    Some(event)
}

#[cfg(test)]
mod tests;
