//! One method per kind of log line: each writes the line and reports what
//! it means to the truth [`Book`], so that the two never disagree.

use std::fmt;
use std::io::Write;

use crate::storage::Storage;
use crate::time::Civil;
use crate::truth::{Book, Direction, FailureText, Progress, TruthSink};
use crate::writer::{Level, LogWriter};

/// Writes `format_args!` text as one log line.
macro_rules! line {
    ($emitter:expr, $now:expr, $level:expr, $($arg:tt)*) => {{
        let out = $emitter.begin($now, $level);
        let _ = write!(out, $($arg)*);
        $emitter.writer.end();
    }};
}

/// A recipient id list as the appliance writes it: `[0, 1, 2]`.
pub struct Rids<'a>(pub &'a [u32]);

impl fmt::Display for Rids<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (index, rid) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{rid}")?;
        }
        f.write_str("]")
    }
}

/// A string in Python `repr` quotes, as the appliance logs subjects: in
/// single quotes, or in double quotes when it contains a single quote and
/// no double quote.
pub struct Repr<'a>(pub &'a str);

impl fmt::Display for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let quote = if text.contains('\'') && !text.contains('"') {
            '"'
        } else {
            '\''
        };
        write!(f, "{quote}")?;
        for c in text.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c == quote => write!(f, "\\{c}")?,
                c => write!(f, "{c}")?,
            }
        }
        write!(f, "{quote}")
    }
}

/// The trailer after the cipher on a DCID `TLS success` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trailer {
    Nothing,
    /// A trailing space, as AsyncOS 7.6 wrote.
    Space,
    /// `CN=name`.
    CnEquals(String),
    /// `CN: <name>`.
    CnAngle(String),
    /// `for domain`.
    ForDomain(String),
}

impl Trailer {
    fn cn(&self) -> Option<&str> {
        match self {
            Trailer::CnEquals(name) | Trailer::CnAngle(name) => Some(name),
            _ => None,
        }
    }
}

/// The outcome of a delivery for some recipients.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    Bounced(&'a str),
    Delayed(&'a str),
}

/// Writes each kind of log line and reports its meaning to the truth book.
pub struct Emitter<S: Storage, T: TruthSink> {
    pub(crate) writer: LogWriter<S>,
    pub(crate) book: Book<T>,
    /// Lines written in a form esatls is not expected to recognise.
    unrecognised: u64,
}

impl<S: Storage, T: TruthSink> Emitter<S, T> {
    pub fn new(writer: LogWriter<S>, book: Book<T>) -> Self {
        Emitter {
            writer,
            book,
            unrecognised: 0,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.writer.total_bytes()
    }

    pub fn lines(&self) -> u64 {
        self.writer.lines()
    }

    pub fn unrecognised(&self) -> u64 {
        self.unrecognised
    }

    fn begin(&mut self, now: i64, level: Level) -> &mut Vec<u8> {
        self.book.advance(now);
        self.writer.begin(now, level)
    }

    // Inbound connections.

    #[allow(clippy::too_many_arguments)]
    pub fn icid_open(
        &mut self,
        now: i64,
        icid: u64,
        interface: &str,
        remote_ip: &str,
        remote_host: Option<&str>,
        verified: bool,
        double_space: bool,
    ) {
        let host = remote_host.unwrap_or("unknown");
        let gap = if double_space { "  " } else { " " };
        let verified = if verified { "yes" } else { "no" };
        line!(
            self,
            now,
            Level::Info,
            "New SMTP ICID {icid} interface {interface} address {remote_ip} \
             reverse dns host{gap}{host} verified {verified}"
        );
        self.book.open(
            Direction::Inbound,
            icid,
            Some(remote_ip),
            remote_host,
            interface,
        );
    }

    /// Writes a HAT verdict line, where `policy` is everything after
    /// `ICID n `.
    pub fn icid_policy(&mut self, now: i64, icid: u64, policy: fmt::Arguments<'_>) {
        line!(self, now, Level::Info, "ICID {icid} {policy}");
        self.book.touch_connection(Direction::Inbound, icid);
    }

    pub fn icid_tls_success(
        &mut self,
        now: i64,
        icid: u64,
        protocol: Option<&str>,
        cipher: Option<&str>,
    ) {
        match (protocol, cipher) {
            (Some(protocol), Some(cipher)) => line!(
                self,
                now,
                Level::Info,
                "ICID {icid} TLS success protocol {protocol} cipher {cipher}"
            ),
            _ => line!(self, now, Level::Info, "ICID {icid} TLS success"),
        }
        self.book
            .tls_success(Direction::Inbound, icid, protocol, cipher, None);
    }

    pub fn icid_tls_failed(&mut self, now: i64, icid: u64, reason: Option<&str>) {
        match reason {
            Some(reason) => line!(self, now, Level::Info, "ICID {icid} TLS failed: {reason}"),
            None => line!(self, now, Level::Info, "ICID {icid} TLS failed"),
        }
        let text = reason.map_or(FailureText::Bare, FailureText::Reason);
        self.book.tls_failure(Direction::Inbound, icid, text, None);
    }

    pub fn icid_tls_required(&mut self, now: i64, icid: u64) {
        const TEXT: &str = "was required but remote host did not initiate it";
        line!(self, now, Level::Info, "ICID {icid} TLS {TEXT}");
        self.book
            .tls_failure(Direction::Inbound, icid, FailureText::Required(TEXT), None);
    }

    pub fn icid_close(&mut self, now: i64, icid: u64, lost: bool) {
        let word = if lost { "lost" } else { "close" };
        line!(self, now, Level::Info, "ICID {icid} {word}");
        self.book.close(Direction::Inbound, icid);
    }

    pub fn smtp_auth(&mut self, now: i64, icid: u64, user: &str) {
        line!(
            self,
            now,
            Level::Info,
            "SMTP Auth: (ICID {icid}) succeeded for user: {user} using AUTH mechanism: LOGIN \
             with profile: ldap_smtp"
        );
        self.book.touch_connection(Direction::Inbound, icid);
    }

    // Messages.

    pub fn message_start(&mut self, now: i64, mid: u64, icid: u64) {
        line!(self, now, Level::Info, "Start MID {mid} ICID {icid}");
        self.book.start(mid, icid);
    }

    /// Writes `From:`. With `brackets` the address is in angle brackets,
    /// as in all but some anonymised copies.
    pub fn message_from(&mut self, now: i64, mid: u64, icid: u64, sender: &str, brackets: bool) {
        if brackets {
            line!(
                self,
                now,
                Level::Info,
                "MID {mid} ICID {icid} From: <{sender}>"
            );
        } else {
            line!(
                self,
                now,
                Level::Info,
                "MID {mid} ICID {icid} From: {sender}"
            );
        }
        self.book.sender(mid, Some(icid), sender);
    }

    pub fn message_to(&mut self, now: i64, mid: u64, icid: u64, rid: u32, address: &str) {
        line!(
            self,
            now,
            Level::Info,
            "MID {mid} ICID {icid} RID {rid} To: <{address}>"
        );
        self.book
            .recipient_address(mid, Some(icid), Some(rid), address);
    }

    /// Writes a recipient rejected at RCPT TO, which gets no RID.
    pub fn message_to_rejected(&mut self, now: i64, mid: u64, icid: u64, address: &str) {
        line!(
            self,
            now,
            Level::Info,
            "MID {mid} ICID {icid} To: <{address}> Rejected by RAT"
        );
        self.book.recipient_address(mid, Some(icid), None, address);
    }

    /// Writes the Debug-level I/O trace of a TLS connection, which is not
    /// a negotiation.
    pub fn tls_read(&mut self, now: i64, mid: u64, icid: u64, bytes: u64) {
        line!(
            self,
            now,
            Level::Debug,
            "MID {mid} ICID {icid} TLS read {bytes} bytes (0.0 seconds)"
        );
        self.book.touch_message(mid);
        self.book.touch_connection(Direction::Inbound, icid);
    }

    /// Writes `Message-ID`. With `brackets` the logged value keeps its
    /// angle brackets.
    pub fn message_id(&mut self, now: i64, mid: u64, message_id: &str, brackets: bool) {
        if brackets {
            line!(
                self,
                now,
                Level::Info,
                "MID {mid} Message-ID '<{message_id}>'"
            );
            self.book.message_id(mid, &format!("<{message_id}>"));
        } else {
            line!(
                self,
                now,
                Level::Info,
                "MID {mid} Message-ID '{message_id}'"
            );
            self.book.message_id(mid, message_id);
        }
    }

    pub fn subject(&mut self, now: i64, mid: u64, subject: &str) {
        line!(
            self,
            now,
            Level::Info,
            "MID {mid} Subject {}",
            Repr(subject)
        );
        self.book.subject(mid, subject);
    }

    pub fn ready(&mut self, now: i64, mid: u64, bytes: u64, sender: &str) {
        line!(
            self,
            now,
            Level::Info,
            "MID {mid} ready {bytes} bytes from <{sender}>"
        );
        self.book.size(mid, bytes);
    }

    /// Writes a scanning, policy or authentication line about `mid`, where
    /// `text` is everything after `MID n `.
    pub fn message_note(&mut self, now: i64, level: Level, mid: u64, text: fmt::Arguments<'_>) {
        line!(self, now, level, "MID {mid} {text}");
        self.book.touch_message(mid);
    }

    /// Writes a Trace-level line such as `MID 14: Skip AMP Engine check`,
    /// and counts it among the forms esatls need not recognise.
    pub fn message_trace(&mut self, now: i64, mid: u64, text: &str) {
        line!(self, now, Level::Trace, "MID {mid}: {text}");
        self.unrecognised += 1;
    }

    pub fn queued(&mut self, now: i64, mid: u64) {
        line!(self, now, Level::Info, "MID {mid} queued for delivery");
        self.book.touch_message(mid);
    }

    pub fn split(&mut self, now: i64, mid: u64, copy: u64, policy: &str) {
        line!(
            self,
            now,
            Level::Info,
            "MID {mid} was split creating MID {copy} due to a per-recipient policy {policy} \
             in the inbound table"
        );
        self.book.split(mid, copy);
    }

    pub fn generated_by_filter(&mut self, now: i64, mid: u64, origin: u64, filter: &str) {
        line!(
            self,
            now,
            Level::Info,
            "MID {mid} was generated based on MID {origin} by bcc filter '{filter}'"
        );
        self.book.generated(mid, origin, "generated");
    }

    pub fn generated_bounce(&mut self, now: i64, mid: u64, origin: u64) {
        line!(
            self,
            now,
            Level::Info,
            "MID {mid} was generated for bounce of MID {origin}"
        );
        self.book.generated(mid, origin, "bounce");
    }

    pub fn aborted(&mut self, now: i64, mid: u64, reason: &str) {
        line!(self, now, Level::Info, "Message aborted MID {mid} {reason}");
        self.book.abort(mid, reason);
    }

    pub fn finished(&mut self, now: i64, mid: u64) {
        line!(self, now, Level::Info, "Message finished MID {mid} done");
        self.book.finish(mid);
    }

    // Delivery connections.

    pub fn dcid_open(&mut self, now: i64, dcid: u64, interface: &str, remote_ip: &str) {
        line!(
            self,
            now,
            Level::Info,
            "New SMTP DCID {dcid} interface {interface} address {remote_ip} port 25"
        );
        self.book
            .open(Direction::Outbound, dcid, Some(remote_ip), None, interface);
    }

    pub fn dcid_tls_success(
        &mut self,
        now: i64,
        dcid: u64,
        protocol: Option<&str>,
        cipher: Option<&str>,
        trailer: &Trailer,
    ) {
        let out = self.begin(now, Level::Info);
        let _ = write!(out, "DCID {dcid} TLS success");
        if let (Some(protocol), Some(cipher)) = (protocol, cipher) {
            let _ = write!(out, " protocol {protocol} cipher {cipher}");
        }
        let _ = match trailer {
            Trailer::Nothing => Ok(()),
            Trailer::Space => write!(out, " "),
            Trailer::CnEquals(name) => write!(out, " CN={name}"),
            Trailer::CnAngle(name) => write!(out, " CN: <{name}>"),
            Trailer::ForDomain(domain) => write!(out, " for {domain}"),
        };
        self.writer.end();
        self.book
            .tls_success(Direction::Outbound, dcid, protocol, cipher, trailer.cn());
    }

    pub fn dcid_tls_failed(&mut self, now: i64, dcid: u64, reason: &str) {
        line!(self, now, Level::Info, "DCID {dcid} TLS failed: {reason}");
        self.book
            .tls_failure(Direction::Outbound, dcid, FailureText::Reason(reason), None);
    }

    pub fn dcid_tls_required(&mut self, now: i64, dcid: u64, remote_ip: &str) {
        const TEXT: &str = "was required but could not be successfully negotiated";
        line!(
            self,
            now,
            Level::Info,
            "DCID {dcid} IP {remote_ip} TLS {TEXT}"
        );
        self.book.tls_failure(
            Direction::Outbound,
            dcid,
            FailureText::Required(TEXT),
            Some(remote_ip),
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub fn connection_error(
        &mut self,
        now: i64,
        dcid: u64,
        domain: &str,
        remote_ip: &str,
        details: &str,
        interface: &str,
        reason: &str,
    ) {
        line!(
            self,
            now,
            Level::Info,
            "Connection Error: DCID {dcid} domain: {domain} IP: {remote_ip} port: 25 \
             details: {details} interface: {interface} reason: {reason}"
        );
        self.book
            .connection_error(dcid, &format!("{reason} ({details})"), remote_ip);
    }

    pub fn delivery_start(&mut self, now: i64, dcid: u64, mid: u64, rids: &[u32]) {
        line!(
            self,
            now,
            Level::Info,
            "Delivery start DCID {dcid} MID {mid} to RID {}",
            Rids(rids)
        );
        self.book.delivery(dcid, mid, rids, None);
    }

    /// Writes `Message done`. A `logged_header` value is appended as the
    /// `X-SBRS` header that `logconfig -> logheaders` adds.
    pub fn delivery_done(
        &mut self,
        now: i64,
        dcid: u64,
        mid: u64,
        rids: &[u32],
        logged_header: Option<&str>,
    ) {
        match logged_header {
            Some(value) => line!(
                self,
                now,
                Level::Info,
                "Message done DCID {dcid} MID {mid} to RID {} [('X-SBRS', '{value}')]",
                Rids(rids)
            ),
            None => line!(
                self,
                now,
                Level::Info,
                "Message done DCID {dcid} MID {mid} to RID {}",
                Rids(rids)
            ),
        }
        self.book
            .delivery(dcid, mid, rids, Some((Progress::Delivered, "")));
    }

    /// Writes the receiving server's reply, in quotes when `quoted`, as
    /// current releases do.
    pub fn response(&mut self, now: i64, mid: u64, rids: &[u32], text: &str, quoted: bool) {
        if quoted {
            line!(
                self,
                now,
                Level::Info,
                "MID {mid} RID {} Response '{text}'",
                Rids(rids)
            );
        } else {
            line!(
                self,
                now,
                Level::Info,
                "MID {mid} RID {} Response {text}",
                Rids(rids)
            );
        }
        self.book.response(mid, rids, text);
    }

    /// Writes `Bounced:` or `Delayed:` for one recipient. A `dcid` of 0
    /// means that no connection was made.
    pub fn outcome(&mut self, now: i64, dcid: u64, mid: u64, rid: u32, outcome: Outcome<'_>) {
        let (word, progress, reason) = match outcome {
            Outcome::Bounced(reason) => ("Bounced", Progress::Bounced, reason),
            Outcome::Delayed(reason) => ("Delayed", Progress::Delayed, reason),
        };
        line!(
            self,
            now,
            Level::Info,
            "{word}: DCID {dcid} MID {mid} to RID {rid} - {reason}"
        );
        self.book
            .delivery(dcid, mid, &[rid], Some((progress, reason)));
    }

    /// Writes `Message m to RID [..] pending till <time>`, or with `short`
    /// the `MID m ... [Default]` form that names the bounce profile.
    pub fn pending_till(&mut self, now: i64, mid: u64, rids: &[u32], till: i64, short: bool) {
        let out = self.begin(now, Level::Info);
        if short {
            let _ = write!(out, "MID {mid} to RID {} pending till ", Rids(rids));
        } else {
            let _ = write!(out, "Message {mid} to RID {} pending till ", Rids(rids));
        }
        Civil::from_seconds(till).write_asctime(out);
        if short {
            out.extend_from_slice(b" [Default]");
        }
        self.writer.end();
        self.book.pending_till(mid, rids);
    }

    pub fn dcid_close(&mut self, now: i64, dcid: u64) {
        line!(self, now, Level::Info, "DCID {dcid} close");
        self.book.close(Direction::Outbound, dcid);
    }

    // Appliance lines.

    /// Writes a line that names no connection or message. `recognised` is
    /// false for forms esatls is not expected to recognise.
    pub fn system(&mut self, now: i64, level: Level, text: fmt::Arguments<'_>, recognised: bool) {
        line!(self, now, level, "{text}");
        if !recognised {
            self.unrecognised += 1;
        }
    }

    /// Resolves the last second's verdicts, closes the last file and
    /// returns the storage and the truth sink.
    pub fn finish(self) -> std::io::Result<(S, T)> {
        let sink = self.book.finish_all();
        let storage = self.writer.finish()?;
        Ok((storage, sink))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rid_list_form() {
        assert_eq!(Rids(&[0]).to_string(), "[0]");
        assert_eq!(Rids(&[0, 1, 2]).to_string(), "[0, 1, 2]");
    }

    #[test]
    fn repr_picks_quotes_like_python() {
        assert_eq!(Repr("sample").to_string(), "'sample'");
        assert_eq!(Repr("it's").to_string(), "\"it's\"");
        assert_eq!(Repr("say \"hi\"").to_string(), "'say \"hi\"'");
        assert_eq!(Repr("it's \"x\"").to_string(), "'it\\'s \"x\"'");
        assert_eq!(Repr("a\\b").to_string(), "'a\\\\b'");
    }
}
