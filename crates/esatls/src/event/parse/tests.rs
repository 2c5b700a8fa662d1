use super::*;

fn rids(event: &Event<'_>) -> Vec<u32> {
    match event {
        Event::DeliveryStart { rids, .. }
        | Event::DeliveryDone { rids, .. }
        | Event::Bounced { rids, .. }
        | Event::Delayed { rids, .. }
        | Event::MessagePending { rids, .. }
        | Event::MessageResponse { rids, .. } => rids.iter().collect(),
        other => panic!("no recipient list in {other:?}"),
    }
}

#[test]
fn file_header_lines() {
    assert_eq!(parse_event("Begin Logfile"), Event::BeginLogfile);
    assert_eq!(parse_event("End Logfile"), Event::EndLogfile);
    assert_eq!(
        parse_event("Version: 7.6.3-019 SN: 420D4FEA709365BFB3E3-0AF2EE5E700E"),
        Event::Version {
            version: "7.6.3-019",
            serial: Some("420D4FEA709365BFB3E3-0AF2EE5E700E")
        }
    );
    assert_eq!(
        parse_event("Time offset from UTC: -21600 seconds"),
        Event::TimeOffset { seconds: -21_600 }
    );
    assert_eq!(
        parse_event("Time offset from UTC: x seconds"),
        Event::Unknown
    );
}

#[test]
fn icid_open_forms() {
    assert_eq!(
        parse_event("New SMTP ICID 60140291 interface Data 1 (192.0.2.10) address 198.51.100.114 reverse dns host mx.example.net verified no"),
        Event::IcidOpen {
            icid: 60140291,
            interface: Some("Data 1 (192.0.2.10)"),
            remote_ip: Some("198.51.100.114"),
            remote_host: Some("mx.example.net"),
        }
    );
    assert_eq!(
        parse_event("New smtp ICID 282204970 interface Management (10.10.10.1) address 192.168.1.1 reverse dns host unknown verified no"),
        Event::IcidOpen {
            icid: 282204970,
            interface: Some("Management (10.10.10.1)"),
            remote_ip: Some("192.168.1.1"),
            remote_host: None,
        }
    );
    assert_eq!(
        parse_event("New SMTP ICID 27389415 interface Marsh (192.0.2.20) address 198.51.100.192 reverse dns host  server.example.com.br verified no"),
        Event::IcidOpen {
            icid: 27389415,
            interface: Some("Marsh (192.0.2.20)"),
            remote_ip: Some("198.51.100.192"),
            remote_host: Some("server.example.com.br"),
        }
    );
    assert_eq!(
        parse_event("New SMTP ICID 10292815 interface private address 198.51.100.69"),
        Event::IcidOpen {
            icid: 10292815,
            interface: Some("private"),
            remote_ip: Some("198.51.100.69"),
            remote_host: None,
        }
    );
}

#[test]
fn icid_policy_forms() {
    for (line, action, group) in [
        (
            "ICID 824108 ACCEPT SG ACCEPTLIST match sbrs[0.0:10.0] SBRS 3.4 country United States",
            HatAction::Accept,
            Some("ACCEPTLIST"),
        ),
        (
            "ICID 5 RELAY SG RELAYLIST match 192.0.2.0/24 SBRS None",
            HatAction::Relay,
            Some("RELAYLIST"),
        ),
        (
            "ICID 60140291 REJECT SG BLACKLIST match sbrs[-10.0:-2.5] SBRS -9.5",
            HatAction::Reject,
            Some("BLACKLIST"),
        ),
        (
            "ICID 0 TCPREFUSE SG RBLBlacklist match dnslist[sbl-xbl.spamhaus.org] SBRS None",
            HatAction::TcpRefuse,
            Some("RBLBlacklist"),
        ),
        (
            "ICID 3 ACCEPT SG None SBRS rfc1918",
            HatAction::Accept,
            Some("None"),
        ),
    ] {
        let Event::IcidPolicy {
            action: got,
            sender_group,
            ..
        } = parse_event(line)
        else {
            panic!("not a policy line: {line}");
        };
        assert_eq!(got, action, "{line}");
        assert_eq!(sender_group, group, "{line}");
    }
}

#[test]
fn icid_tls_forms() {
    assert_eq!(
        parse_event("ICID 282204970 TLS success"),
        Event::IcidTls {
            icid: 282204970,
            outcome: TlsOutcome::Success {
                protocol: None,
                cipher: None,
                cn: None,
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("ICID 824108 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384"),
        Event::IcidTls {
            icid: 824108,
            outcome: TlsOutcome::Success {
                protocol: Some("TLSv1.2"),
                cipher: Some("ECDHE-RSA-AES256-GCM-SHA384"),
                cn: None,
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("ICID 623143 TLS success protocol TLSv1/SSLv3 cipher DHE-RSA-AES256-SHA"),
        Event::IcidTls {
            icid: 623143,
            outcome: TlsOutcome::Success {
                protocol: Some("TLSv1/SSLv3"),
                cipher: Some("DHE-RSA-AES256-SHA"),
                cn: None,
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("ICID 282204971 TLS failed"),
        Event::IcidTls {
            icid: 282204971,
            outcome: TlsOutcome::Failed { reason: None }
        }
    );
    assert_eq!(
        parse_event("ICID 4 TLS failed: [Errno 54] Connection reset by peer"),
        Event::IcidTls {
            icid: 4,
            outcome: TlsOutcome::Failed {
                reason: Some("[Errno 54] Connection reset by peer")
            }
        }
    );
    assert_eq!(
        parse_event("ICID 8 TLS was required but remote host did not initiate it"),
        Event::IcidTls {
            icid: 8,
            outcome: TlsOutcome::Required {
                text: "was required but remote host did not initiate it"
            }
        }
    );
    for line in [
        "ICID 9 TLS deferring handshake",
        "ICID 9 TLS",
        "ICID 9 TLS succ ess protocol TLSv1.3",
        "ICID 9 TLS failedx",
        "DCID 9 TLS was required",
        "DCID 9 TLS",
    ] {
        assert_eq!(parse_event(line), Event::Unknown, "{line}");
    }
}

#[test]
fn icid_close_and_notes() {
    assert_eq!(
        parse_event("ICID 5 close"),
        Event::IcidClose {
            icid: 5,
            lost: false
        }
    );
    assert_eq!(
        parse_event("ICID 4 lost"),
        Event::IcidClose {
            icid: 4,
            lost: true
        }
    );
    assert_eq!(parse_event("ICID 4 close now"), Event::Unknown);
    for line in [
        "ICID 9461571 SBRS None",
        "ICID 824107 Delayed HAT REJECT continuing session for recipient logging (192.0.2.135)",
        "ICID 9033 Receiving Failed: Message loop",
        "ICID 11723972 Injection Failed: Message loop",
        "ICID 3 disconnected address 192.0.2.101, no messages injected within timeout period",
        "ICID 30308138 Connection from 192.0.2.138 on interface PublicNet (192.0.2.25) lost after 139 seconds (DNS query took 139 seconds), before any commands were received",
        "ICID 12 Invalid sender address: foo",
        "ICID 12 Address: <a@example.com> sender rejected, envelope sender domain does not exist",
    ] {
        assert!(matches!(parse_event(line), Event::Note { kind: NoteKind::Session, icid: Some(_), .. }), "{line}");
    }
    assert_eq!(
        parse_event("ICID 493771866 MID 340448731 Invalid recipient address:  'RCPT TO:<>'"),
        Event::Note {
            kind: NoteKind::Session,
            mid: Some(340448731),
            icid: Some(493771866),
            dcid: None
        }
    );
}

#[test]
fn dcid_tls_forms() {
    assert_eq!(
        parse_event("DCID 2386069 TLS success CN: <common>"),
        Event::DcidTls {
            dcid: 2386069,
            remote_ip: None,
            outcome: TlsOutcome::Success {
                protocol: None,
                cipher: None,
                cn: Some("common"),
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("DCID 12 TLS success CN: <Messaging Gateway Appliance Demo Cert>"),
        Event::DcidTls {
            dcid: 12,
            remote_ip: None,
            outcome: TlsOutcome::Success {
                protocol: None,
                cipher: None,
                cn: Some("Messaging Gateway Appliance Demo Cert"),
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("DCID 58744 TLS success CN=mail.example.com"),
        Event::DcidTls {
            dcid: 58744,
            remote_ip: None,
            outcome: TlsOutcome::Success {
                protocol: None,
                cipher: None,
                cn: Some("mail.example.com"),
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("DCID 239490 TLS success protocol TLSv1 cipher RC4-SHA CN=c602.example.com"),
        Event::DcidTls {
            dcid: 239490,
            remote_ip: None,
            outcome: TlsOutcome::Success {
                protocol: Some("TLSv1"),
                cipher: Some("RC4-SHA"),
                cn: Some("c602.example.com"),
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("DCID 6565555 TLS success protocol TLSv1 cipher AES128-SHA "),
        Event::DcidTls {
            dcid: 6565555,
            remote_ip: None,
            outcome: TlsOutcome::Success {
                protocol: Some("TLSv1"),
                cipher: Some("AES128-SHA"),
                cn: None,
                domain: None
            }
        }
    );
    assert_eq!(
        parse_event("DCID 112095 TLS success protocol TLSv1 cipher AES128-SHA for example.com"),
        Event::DcidTls {
            dcid: 112095,
            remote_ip: None,
            outcome: TlsOutcome::Success {
                protocol: Some("TLSv1"),
                cipher: Some("AES128-SHA"),
                cn: None,
                domain: Some("example.com")
            }
        }
    );
    assert_eq!(
        parse_event("DCID 80167 TLS failed: STARTTLS unexpected response"),
        Event::DcidTls {
            dcid: 80167,
            remote_ip: None,
            outcome: TlsOutcome::Failed {
                reason: Some("STARTTLS unexpected response")
            }
        }
    );
    assert_eq!(
        parse_event("DCID 2386070 IP 192.168.2.2 TLS failed: STARTTLS unexpected response"),
        Event::DcidTls {
            dcid: 2386070,
            remote_ip: Some("192.168.2.2"),
            outcome: TlsOutcome::Failed {
                reason: Some("STARTTLS unexpected response")
            }
        }
    );
    assert_eq!(
        parse_event(
            "DCID 8 IP 192.0.2.140 TLS was required but could not be successfully negotiated"
        ),
        Event::DcidTls {
            dcid: 8,
            remote_ip: Some("192.0.2.140"),
            outcome: TlsOutcome::Required {
                text: "was required but could not be successfully negotiated"
            }
        }
    );
    assert_eq!(parse_event("DCID 4 close"), Event::DcidClose { dcid: 4 });
}

#[test]
fn dcid_open_forms() {
    assert_eq!(
        parse_event("New SMTP DCID 30 interface 10.13.102.10 address 10.13.101.31 port 25"),
        Event::DcidOpen {
            dcid: 30,
            interface: Some("10.13.102.10"),
            remote_ip: Some("10.13.101.31"),
            port: Some(25)
        }
    );
    assert_eq!(
        parse_event("New SMTP DCID 8 interface 192.168.42.42 address 10.5.3.25"),
        Event::DcidOpen {
            dcid: 8,
            interface: Some("192.168.42.42"),
            remote_ip: Some("10.5.3.25"),
            port: None
        }
    );
    assert_eq!(
        parse_event("New SMTP DCID 16 interface PublicNet address 172.17.0.113"),
        Event::DcidOpen {
            dcid: 16,
            interface: Some("PublicNet"),
            remote_ip: Some("172.17.0.113"),
            port: None
        }
    );
}

#[test]
fn message_envelope() {
    assert_eq!(
        parse_event("Start MID 6 ICID 5"),
        Event::MessageStart { mid: 6, icid: 5 }
    );
    assert_eq!(
        parse_event("Start MID 9 ICID 0 (ISQ Notification)"),
        Event::MessageStart { mid: 9, icid: 0 }
    );
    assert_eq!(
        parse_event("MID 6 ICID 5 From: <sender@example.com>"),
        Event::MessageFrom {
            mid: 6,
            icid: Some(5),
            sender: "sender@example.com"
        }
    );
    assert_eq!(
        parse_event("MID 14 ICID 14 From: ******@example.com"),
        Event::MessageFrom {
            mid: 14,
            icid: Some(14),
            sender: "******@example.com"
        }
    );
    assert_eq!(
        parse_event("MID 6 ICID 5 RID 0 To: <mary@example.org>"),
        Event::MessageTo {
            mid: 6,
            icid: Some(5),
            rid: Some(0),
            address: "mary@example.org",
            rejected: None
        }
    );
    assert_eq!(
        parse_event("MID 1 ICID 2 To: <postmaster@example.com> Rejected by RAT"),
        Event::MessageTo {
            mid: 1,
            icid: Some(2),
            rid: None,
            address: "postmaster@example.com",
            rejected: Some("Rejected by RAT")
        }
    );
    assert_eq!(
        parse_event("MID 6 ICID 5 RID 1 To: <>"),
        Event::MessageTo {
            mid: 6,
            icid: Some(5),
            rid: Some(1),
            address: "",
            rejected: None
        }
    );
    assert_eq!(
        parse_event("MID 64855 Message-ID '<op.zfdw@example.com>'"),
        Event::MessageId {
            mid: 64855,
            message_id: Quoted {
                raw: "<op.zfdw@example.com>",
                quote: Some('\'')
            }
        }
    );
    assert_eq!(
        parse_event("MID 14 Subject \"Testing\""),
        Event::MessageSubject {
            mid: 14,
            subject: Quoted {
                raw: "Testing",
                quote: Some('"')
            }
        }
    );
    assert_eq!(
        parse_event("MID 204841507 Subject Re: [example: #129226] FW: x"),
        Event::MessageSubject {
            mid: 204841507,
            subject: Quoted {
                raw: "Re: [example: #129226] FW: x",
                quote: None
            }
        }
    );
    assert_eq!(
        parse_event("MID 6 ready 100 bytes from <sender@example.com>"),
        Event::MessageReady { mid: 6, bytes: 100 }
    );
    assert_eq!(
        parse_event("MID 64855 queued for delivery"),
        Event::MessageQueued { mid: 64855 }
    );
}

#[test]
fn derived_messages() {
    for (line, mid, origin, derivation) in [
        (
            "MID 2 rewritten to 3 by antispam",
            3,
            2,
            Derivation::Rewritten,
        ),
        (
            "MID 1 rewritten to MID 2 by antispam (alt-rcpt-to) filter 'unknown'",
            2,
            1,
            Derivation::Rewritten,
        ),
        (
            "MID 58 was split creating MID 60 due to a per-recipient policy tcamp",
            60,
            58,
            Derivation::Split,
        ),
        (
            "MID 24611495 was generated based on MID 24611421 by bcc filter 'FireEye_BCC'",
            24611495,
            24611421,
            Derivation::Generated,
        ),
        (
            "MID 14 generated based on MID 13 by bcc filter 'nonetest'",
            14,
            13,
            Derivation::Generated,
        ),
        (
            "MID 515 was generated for bounce of MID 511",
            515,
            511,
            Derivation::Bounce,
        ),
        (
            "MID 15216898 generated for bounce of MID 8785588",
            15216898,
            8785588,
            Derivation::Bounce,
        ),
        (
            "EUQ: Reinjected MID 4433 as MID 4449",
            4449,
            4433,
            Derivation::Reinjected,
        ),
    ] {
        assert_eq!(
            parse_event(line),
            Event::MessageDerived {
                mid,
                origin,
                derivation
            },
            "{line}"
        );
    }
}

#[test]
fn delivery_lines() {
    let event = parse_event("Delivery start DCID 3 MID 4 to RID [0, 1]");
    assert!(matches!(
        event,
        Event::DeliveryStart {
            dcid: 3,
            mid: 4,
            ..
        }
    ));
    assert_eq!(rids(&event), vec![0, 1]);
    let event = parse_event(
        "Delivery start DCID 6565554 MID 24611424 to RID [0] to offbox IronPort Spam Quarantine",
    );
    assert!(matches!(
        event,
        Event::DeliveryStart {
            dcid: 6565554,
            mid: 24611424,
            ..
        }
    ));
    let event = parse_event("Delivery start DCID 4901127 MID 10288263 to [0]");
    assert_eq!(rids(&event), vec![0]);
    let event = parse_event("Message done DCID 8 MID 6 to RID [0] [('from', 'a@example.com'), ('to', 'b@example.com, c@example.com')]");
    assert!(matches!(
        event,
        Event::DeliveryDone {
            dcid: 8,
            mid: 6,
            ..
        }
    ));
    assert_eq!(rids(&event), vec![0]);
    let event = parse_event("Message done DCID 3312 MID 4806 to [0]");
    assert!(matches!(
        event,
        Event::DeliveryDone {
            dcid: 3312,
            mid: 4806,
            ..
        }
    ));
    let event =
        parse_event("Message done DCID 6565554 MID 24611424 to RID [0] (external quarantine) ");
    assert!(matches!(event, Event::DeliveryDone { dcid: 6565554, .. }));
    let event = parse_event("MID 68119155 RID [0] Response '2.0.0 OK  1687954632 x - gsmtp'");
    assert_eq!(
        event,
        Event::MessageResponse {
            mid: 68119155,
            rids: RidList::new("0"),
            response: Quoted {
                raw: "2.0.0 OK  1687954632 x - gsmtp",
                quote: Some('\'')
            }
        }
    );
    let event =
        parse_event("MID 9 RID [0] Response 2.6.0 <D8@example.com> Queued mail for delivery");
    assert!(matches!(
        event,
        Event::MessageResponse {
            mid: 9,
            response: Quoted { quote: None, .. },
            ..
        }
    ));
    assert_eq!(
        parse_event("Message finished MID 1648122665 done"),
        Event::MessageFinished { mid: 1648122665 }
    );
    assert_eq!(
        parse_event("Message aborted MID 24611411 Dropped by CASE"),
        Event::MessageAborted {
            mid: 24611411,
            reason: "Dropped by CASE"
        }
    );
    assert_eq!(
        parse_event("Message aborted MID 10288257 Receiving aborted"),
        Event::MessageAborted {
            mid: 10288257,
            reason: "Receiving aborted"
        }
    );
}

#[test]
fn pending_lines() {
    let event = parse_event("Message 4 to RID [0] pending till Mon Mar 31 20:01:23 2003");
    assert!(matches!(event, Event::MessagePending { mid: 4, .. }));
    let event = parse_event("Message 548799 to RID [712290] pending till Mon Aug 10 09:56:56 2020");
    assert_eq!(rids(&event), vec![712290]);
    let event = parse_event("MID 154 to RID [0] pending till Wed Jul 20 10:15:41 2005 [Default]");
    assert!(matches!(event, Event::MessagePending { mid: 154, .. }));
}

#[test]
fn bounce_and_delay_forms() {
    let event = parse_event("Bounced: DCID 3 MID 4 to RID 0 - 5.1.0 - Unknown address error ('550', ['<g@example.com>... Relaying denied']) []");
    assert_eq!(
        event,
        Event::Bounced {
            dcid: 3,
            mid: 4,
            rids: RidList::new("0"),
            reason:
                "5.1.0 - Unknown address error ('550', ['<g@example.com>... Relaying denied']) []"
        }
    );
    let event = parse_event("Bounced: DCID 0 MID 8 to RID 0 - 5.1.2 - Bad destination host ('000', ['DNS Hard Error looking up X (MX):  NXDomain'])");
    assert!(matches!(
        event,
        Event::Bounced {
            dcid: 0,
            mid: 8,
            ..
        }
    ));
    let event = parse_event("Bounced: DCID: 1911 Message 3993 to 0 - 5.1.0 - Unknown address error ('554', ['Too long line.']) []");
    assert!(matches!(
        event,
        Event::Bounced {
            dcid: 1911,
            mid: 3993,
            ..
        }
    ));
    assert_eq!(rids(&event), vec![0]);
    let event = parse_event("Bounced: DCID 2 MID 15232 From:<a@example.com> To:<b@example.com> RID 0 - 5.1.0 - Unknown address error ('550', ['x'])");
    assert!(matches!(
        event,
        Event::Bounced {
            dcid: 2,
            mid: 15232,
            ..
        }
    ));
    let event = parse_event("Delayed: DCID 5 MID 4 to RID 0 - 4.1.0 - Unknown address error ('466', ['Mailbox temporarily full.'])[]");
    assert_eq!(
        event,
        Event::Delayed {
            dcid: 5,
            mid: 4,
            rids: RidList::new("0"),
            reason: "4.1.0 - Unknown address error ('466', ['Mailbox temporarily full.'])[]"
        }
    );
    let event = parse_event("Delayed: DCID: 4370 Message 10800 to 0 - 4.4.0 - Other network problem ('000', ['[Errno 54] Connection reset by peer']) []");
    assert!(matches!(
        event,
        Event::Delayed {
            dcid: 4370,
            mid: 10800,
            ..
        }
    ));
    assert!(matches!(
        parse_event("Bounced: 123:123 From:<> To:<>"),
        Event::Note {
            kind: NoteKind::Queue,
            mid: Some(123),
            ..
        }
    ));
}

#[test]
fn connection_error_forms() {
    assert_eq!(
        parse_event("Connection Error: DCID 63 domain: example.com IP: 10.13.101.31 port: 25 details: [Errno 0] Error interface: 10.10.192.50 reason: network error"),
        Event::ConnectionError {
            dcid: 63,
            remote_ip: Some("10.13.101.31"),
            details: Some("[Errno 0] Error"),
            reason: Some("network error")
        }
    );
    assert_eq!(
        parse_event("Connection Error: DCID: 263 IP: 192.0.2.90 details: EOF interface: 192.0.2.246 reason: network error"),
        Event::ConnectionError { dcid: 263, remote_ip: Some("192.0.2.90"), details: Some("EOF"), reason: Some("network error") }
    );
    assert_eq!(
        parse_event("Connection Error: connection timed out DCID: 2804 IP: 192.0.2.5 details: timeout interface: 10.20.1.49"),
        Event::ConnectionError { dcid: 2804, remote_ip: Some("192.0.2.5"), details: Some("timeout"), reason: None }
    );
}

#[test]
fn note_lines() {
    for (line, kind) in [
        ("MID 24611421 interim verdict using engine: CASE spam negative", NoteKind::Antispam),
        ("MID 64855 using engine: GRAYMAIL negative", NoteKind::Antispam),
        ("MID 24611421 interim AV verdict using Sophos CLEAN", NoteKind::Antivirus),
        ("MID 24611421 antivirus negative", NoteKind::Antivirus),
        ("MID 24611417 Outbreak Filters: verdict negative", NoteKind::Scanning),
        ("MID 68119155 AMP file reputation verdict : SKIPPED (no attachment in message)", NoteKind::Scanning),
        ("MID 68119155 SPF: mailfrom identity a@example.com Pass (v=spf1)", NoteKind::Authentication),
        ("MID 68119155 DMARC: Verification passed", NoteKind::Authentication),
        ("MID 14 SDR: Message was not scanned for Sender Domain Reputation. Reason: Unknown error.", NoteKind::SenderReputation),
        ("MID 64855 matched all recipients for per-recipient policy mail_policy_one in the inbound table", NoteKind::Policy),
        ("MID 111 DLP violation. Severity: LOW (Risk Factor: 15). DLP policy match: 'PCI-DSS'.", NoteKind::Policy),
        ("MID 43 quarantined to \"Policy\"", NoteKind::Quarantine),
        ("ISQ: Tagging MID 24611424 for quarantine", NoteKind::Quarantine),
        ("RPC Delivery start RCID 756814 MID 2317877 to local IronPort Spam Quarantine", NoteKind::Quarantine),
        ("RPC Message done RCID 756814 MID 2317877", NoteKind::Quarantine),
        ("LDAP: Reroute query BBLDAP.routing MID 349826 RID 0 address j@example.com to [('j@example.com', 'smtp.example.com')]", NoteKind::Ldap),
        ("Double bounce: Message 8963393 to 0 - 5.1.1 - Bad destination email address", NoteKind::Queue),
        ("MID 14: Skip AMP Engine check", NoteKind::System),
        ("MID 824 was too big (455698/120000) for scanning by BRIGHTMAIL", NoteKind::Scanning),
        ("ISQ: out of limit action changed to 'DELETE OLDEST'", NoteKind::Quarantine),
        ("GRAYMAIL: No Actions Applied", NoteKind::Antispam),
        ("RPC client _message_loop sleeping when dequeuing a null entry", NoteKind::Quarantine),
        ("graymail [CONFIG] Starting graymail configuration handler", NoteKind::Antispam),
        ("URL category definitions have changed. Please check and update your filters", NoteKind::System),
        ("Your \"IronPort Anti-Spam\" key will expire in under 60 day(s).", NoteKind::System),
        ("Error while sending alert: Unable to send System/Warning alert to a@example.com", NoteKind::System),
        ("MID 5 Global unsubscribe matched entry a@example.com RID 0 Address a@example.com Action drop", NoteKind::Policy),
        ("Status: CPULd 3 DskIO 0 RAMUtil 1 QKUsd 141", NoteKind::System),
        ("SenderBase upload: 734 hosts totaling 201887 bytes", NoteKind::System),
        ("Internal SMTP system successfully sent a message to a@example.com with subject 'x'.", NoteKind::System),
        ("A System/Warning alert was sent to a@example.com with subject \"x\".", NoteKind::System),
        ("CASE cache status: hits = 5", NoteKind::System),
    ] {
        let Event::Note { kind: got, .. } = parse_event(line) else {
            panic!("not a note: {line}");
        };
        assert_eq!(got, kind, "{line}");
    }
    assert!(matches!(parse_event("Debug: ignored"), Event::Unknown));
    assert!(matches!(
        parse_event("MID 14 ICID 14 TLS read 126 bytes (0.0 seconds)"),
        Event::Note {
            kind: NoteKind::Session,
            mid: Some(14),
            icid: Some(14),
            ..
        }
    ));
    assert!(matches!(
        parse_event("SMTP client connection killed DCID: 196546347"),
        Event::Note {
            dcid: Some(196546347),
            ..
        }
    ));
}

#[test]
fn malformed_ids_are_unknown() {
    for line in [
        "ICID -5 close",
        "ICID 1234567890123456789012345678901234567890 close",
        "ICID 18446744073709551616 TLS success",
        "Start MID x ICID 5",
        "Start MID 5 ICID",
        "DCID 12abc TLS success",
        "Delivery start DCID 3 MID 4 to RID [0, x]",
        "Message done DCID 3 MID 4 to RID [0",
        "MID 6 ICID 5 RID 4294967296 To: <a@example.com>",
        "",
        "MID",
        "New SMTP ICID",
    ] {
        assert_eq!(parse_event(line), Event::Unknown, "{line}");
    }
    assert_eq!(
        parse_event("ICID 18446744073709551615 close"),
        Event::IcidClose {
            icid: u64::MAX,
            lost: false
        }
    );
}
