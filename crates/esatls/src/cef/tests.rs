//! One test per shape of consolidated event seen from AsyncOS 13.0 to 16.0.
//! The values are made up; the key order, quoting and oddities are those of
//! the appliance versions named in each test.

use super::*;

fn consolidated(text: &str) -> ConsolidatedEvent<'_> {
    match parse_cef(text) {
        Ok(CefEvent::Consolidated(event)) => event,
        other => panic!("expected a consolidated event, got {other:?}"),
    }
}

fn time(year: i16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> RawTime {
    RawTime {
        year: Some(year),
        month,
        day,
        hour,
        minute,
        second,
        offset: None,
    }
}

fn other_pairs<'a>(event: &ConsolidatedEvent<'a>) -> Vec<(&'a str, &'a str)> {
    event
        .other
        .iter()
        .map(|pair| (pair.key, pair.value))
        .collect()
}

fn custom_pairs<'a>(
    event: &ConsolidatedEvent<'a>,
) -> Vec<(&'a str, Option<&'a str>, Option<&'a str>)> {
    event
        .custom
        .iter()
        .map(|field| (field.kind.prefix(), field.label, field.value))
        .collect()
}

fn recipients<'a>(event: &ConsolidatedEvent<'a>) -> Vec<&'a str> {
    event
        .recipients
        .map_or(Vec::new(), |list| list.iter().collect())
}

fn quoted(raw: &str, quote: char) -> Option<Quoted<'_>> {
    Some(Quoted {
        raw,
        quote: Some(quote),
    })
}

const HEADER_14_0: &str = "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.0.0-657|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|";

#[test]
fn inbound_quarantined_14_0() {
    let text = format!(
        "{HEADER_14_0}deviceExternalId=4200AAAA1111BBBB2222-CCCC3333DDDD ESAMID=2071 ESAICID=318 \
         ESAAMPVerdict=UNKNOWN ESAASVerdict=NEGATIVE ESAAVVerdict=NEGATIVE  ESACFVerdict=MATCH \
         endTime=Fri Mar 19 09:15:02 2021 ESADLPVerdict=NOT_EVALUATED dvc=192.0.2.10 \
         ESAAttachmentDetails={{'notes.txt': {{'AMP': {{'Verdict': 'FILE UNKNOWN', 'fileHash': '0f1e2d3c'}}, 'BodyScanner': {{'fsize': 2048}}}}}} \
         ESAFriendlyFrom=alerts@example.com ESAGMVerdict=NEGATIVE startTime=Fri Mar 19 09:14:51 2021 \
         deviceInboundInterface=Incomingmail deviceDirection=0 ESAMailFlowPolicy=ACCEPT \
         suser=alerts@example.com cs1Label=MailPolicy cs1=DEFAULT ESAMFVerdict=NOT_EVALUATED \
         act=QUARANTINED ESAFinalActionDetails=To POLICY cs4Label=ExternalMsgID \
         cs4='<20210319.1@example.com>' ESAMsgSize=9120 ESAOFVerdict=POSITIVE duser=ops@example.net \
         ESAHeloIP=192.0.2.25 cfp1Label=SBRSScore cfp1=None ESASDRDomainAge=12 years 4 months 2 days \
         cs3Label=SDRThreatCategory cs3=N/A cs6Label=SDRRepScore cs6=Weak \
         ESASPFVerdict={{'mailfrom': {{'result': 'None', 'sender': 'alerts@example.com'}}, 'helo': {{'result': 'None', 'sender': 'postmaster'}}}} \
         sourceHostName=unknown ESASenderGroup=UNKNOWNLIST sourceAddress=192.0.2.25 msg='Weekly check'"
    );
    let event = consolidated(&text);

    assert_eq!(event.header.device_version, "14.0.0-657");
    assert_eq!(event.serial, Some("4200AAAA1111BBBB2222-CCCC3333DDDD"));
    assert_eq!(event.mid, Some(2071));
    assert_eq!(event.icid, Some(318));
    assert_eq!(event.dcid, None);
    assert_eq!(event.start, Some(time(2021, 3, 19, 9, 14, 51)));
    assert_eq!(event.end, Some(time(2021, 3, 19, 9, 15, 2)));
    assert_eq!(event.sender, Some("alerts@example.com"));
    assert_eq!(recipients(&event), vec!["ops@example.net"]);
    assert_eq!(event.subject, quoted("Weekly check", '\''));
    assert_eq!(event.message_id, quoted("<20210319.1@example.com>", '\''));
    assert_eq!(event.source_address, Some("192.0.2.25"));
    assert_eq!(event.source_host, Some("unknown"));
    assert_eq!(event.direction, Some(Direction::Inbound));
    assert_eq!(event.action, Some(Action::Quarantined));
    assert_eq!(event.action_details, Some("To POLICY"));
    assert!(event.tls_inbound.is_empty());
    assert!(event.tls_outbound.is_empty());
    assert_eq!(event.device_address, Some("192.0.2.10"));
    assert_eq!(event.inbound_interface, Some("Incomingmail"));
    assert_eq!(event.mail_flow_policy, Some("ACCEPT"));
    assert_eq!(event.sender_group, Some("UNKNOWNLIST"));
    assert_eq!(event.message_size, Some(9120));
    assert_eq!(event.helo_address, Some("192.0.2.25"));
    assert_eq!(event.friendly_from, Some("alerts@example.com"));
    assert_eq!(event.custom_value("SBRSScore"), Some("None"));
    assert_eq!(
        custom_pairs(&event),
        vec![
            ("cs", Some("MailPolicy"), Some("DEFAULT")),
            (
                "cs",
                Some("ExternalMsgID"),
                Some("'<20210319.1@example.com>'")
            ),
            ("cfp", Some("SBRSScore"), Some("None")),
            ("cs", Some("SDRThreatCategory"), Some("N/A")),
            ("cs", Some("SDRRepScore"), Some("Weak")),
        ]
    );
    assert_eq!(
        other_pairs(&event),
        vec![
            ("ESAAMPVerdict", "UNKNOWN"),
            ("ESAASVerdict", "NEGATIVE"),
            ("ESAAVVerdict", "NEGATIVE"),
            ("ESACFVerdict", "MATCH"),
            ("ESADLPVerdict", "NOT_EVALUATED"),
            (
                "ESAAttachmentDetails",
                "{'notes.txt': {'AMP': {'Verdict': 'FILE UNKNOWN', 'fileHash': '0f1e2d3c'}, 'BodyScanner': {'fsize': 2048}}}"
            ),
            ("ESAGMVerdict", "NEGATIVE"),
            ("ESAMFVerdict", "NOT_EVALUATED"),
            ("ESAOFVerdict", "POSITIVE"),
            ("ESASDRDomainAge", "12 years 4 months 2 days"),
            (
                "ESASPFVerdict",
                "{'mailfrom': {'result': 'None', 'sender': 'alerts@example.com'}, 'helo': {'result': 'None', 'sender': 'postmaster'}}"
            ),
        ]
    );
    assert_eq!(event.invalid, vec![]);
}

#[test]
fn outbound_relay_without_tls_14_0() {
    let text = "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.0.2-020|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=4200EEEE5555FFFF6666-777788889999 ESAMID=98001 ESAICID=41002 ESADCID=30003 \
        ESAAMPVerdict=NOT_EVALUATED ESAASVerdict=NOT_EVALUATED ESAAVVerdict=NEGATIVE ESACFVerdict=NO_MATCH \
        endTime=Thu Nov  3 14:05:44 2022 ESADLPVerdict=NO_TRIGGER dvc=192.0.2.10 ESAFriendlyFrom=monitor@example.org \
        ESAGMVerdict=NEGATIVE startTime=Thu Nov  3 14:05:43 2022 deviceOutboundInterface=OutList deviceDirection=1 \
        ESAMailFlowPolicy=RELAY suser=monitor@example.org cs1Label=MailPolicy cs1=DEFAULT \
        cs2Label=SenderCountry cs2=not enabled ESAMFVerdict=NOT_EVALUATED act=DELIVERED \
        cs4Label=ExternalMsgID cs4='<m.1@example.org>' ESAMsgSize=8893 ESAOFVerdict=NEGATIVE \
        duser=probe@example.net ESAHeloDomain=relay.example.org ESAHeloIP=192.0.2.30 \
        ESAReplyTo=noreply@example.org cfp1Label=SBRSScore cfp1=not enabled sourceHostName=unknown \
        ESASenderGroup=RELAYLIST sourceAddress=192.0.2.30 \
        msg='[SUSPICIOUS MESSAGE] Mailflow monitor guid: 4242' \
        ESAURLDetails={'https://links.example.com/abc-def...': {'ExpandedUrl': 'https://www.example.com/monitor'}}";
    let event = consolidated(text);

    assert_eq!(event.dcid, Some(30003));
    assert_eq!(event.start, Some(time(2022, 11, 3, 14, 5, 43)));
    assert_eq!(event.direction, Some(Direction::Outbound));
    assert_eq!(event.outbound_interface, Some("OutList"));
    assert_eq!(event.inbound_interface, None);
    assert_eq!(event.mail_flow_policy, Some("RELAY"));
    assert_eq!(event.helo_domain, Some("relay.example.org"));
    assert_eq!(event.reply_to, Some("noreply@example.org"));
    assert_eq!(event.custom_value("SenderCountry"), Some("not enabled"));
    assert_eq!(event.custom_value("SBRSScore"), Some("not enabled"));
    assert_eq!(
        event.subject,
        quoted("[SUSPICIOUS MESSAGE] Mailflow monitor guid: 4242", '\'')
    );
    assert!(event.tls_inbound.is_empty());
    assert!(event.tls_outbound.is_empty());
    assert_eq!(
        event.other.last().copied(),
        Some(Extension {
            key: "ESAURLDetails",
            value: "{'https://links.example.com/abc-def...': {'ExpandedUrl': 'https://www.example.com/monitor'}}"
        })
    );
}

#[test]
fn aborted_with_empty_subject_14_0() {
    let text = "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.0.2-020|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=4200EEEE5555FFFF6666-777788889999 ESAMID=98002 ESAICID=41003 \
        ESAAMPVerdict=NOT_EVALUATED endTime=Mon Nov 14 15:32:05 2022 dvc=192.0.2.10 \
        startTime=Mon Nov 14 15:32:05 2022 deviceInboundInterface=IncList ESAMailFlowPolicy=ACCEPT \
        suser=someone@example.com cs2Label=SenderCountry cs2=United States act=ABORTED \
        ESAFinalActionDetails=Receiving aborted by sender ESAHeloDomain=HOST-NAME-1 \
        ESAHeloIP=192.0.2.40 cfp1Label=SBRSScore cfp1=-2.3 sourceHostName=mx.example.com \
        ESASenderGroup=SUSPECTLIST sourceAddress=192.0.2.40 msg=''";
    let event = consolidated(text);

    assert_eq!(event.dcid, None);
    assert_eq!(event.direction, None);
    assert_eq!(event.recipients, None);
    assert_eq!(event.message_id, None);
    assert_eq!(event.action, Some(Action::Aborted));
    assert_eq!(event.action_details, Some("Receiving aborted by sender"));
    assert_eq!(event.subject, quoted("", '\''));
    assert_eq!(event.subject_text().as_deref(), Some(""));
    assert_eq!(event.custom_value("SenderCountry"), Some("United States"));
    assert_eq!(event.custom_value("SBRSScore"), Some("-2.3"));
}

#[test]
fn tls_keys_after_subject_14_3() {
    // From 14.3 the TLS keys follow the subject and the verdicts follow the
    // TLS keys, so a protocol value must end before `ESAAMPVerdict=`.
    let text = "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.3.0-032|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=4200123412341234ABCD-ABCDABCDABCD ESAMID=5100001 ESAICID=17200001 ESADCID=3030001 \
        endTime=Mon Jun 12 14:01:31 2023 ESADKIMVerdict=pass ESADLPVerdict=NOT_EVALUATED dvc=192.0.2.10 \
        ESAFriendlyFrom=Jean Example <jean@example.com> ESAGMVerdict=NEGATIVE startTime=Mon Jun 12 14:01:27 2023 \
        deviceInboundInterface=IncomingMail deviceDirection=0 ESAMailFlowPolicy=ACCEPT \
        suser=jean@example.com cs1Label=MailPolicy cs1=Test quarantine for users \
        cs2Label=SenderCountry cs2=United States ESAMFVerdict=MATCH act=DELIVERED \
        cs4Label=ExternalMsgID cs4='<CAAbc+dEf\\\\=ghIJ-kl@mail.example.com>' ESAMsgSize=3078 \
        ESAOFVerdict=NEGATIVE duser=team@example.net ESAHeloDomain=mail-out.example.com \
        ESAHeloIP=192.0.2.50 cfp1Label=SBRSScore cfp1=3.4 ESASDRDomainAge=30 days (or greater) \
        cs3Label=SDRThreatCategory cs3=N/A cs6Label=SDRRepScore cs6=Neutral \
        ESASPFVerdict={'mailfrom': {'result': 'Pass', 'sender': 'jean@example.com'}} \
        sourceHostName=mail-out.example.com ESASenderGroup=ACCEPTLIST sourceAddress=192.0.2.50 \
        msg='test url' ESATLSInCipher=ECDHE-RSA-AES256-GCM-SHA384 ESATLSInConnStatus=Success \
        ESATLSInProtocol=TLSv1.2 ESATLSOutCipher=ECDHE-RSA-AES128-GCM-SHA256 ESATLSOutConnStatus=Success \
        ESATLSOutProtocol=TLSv1.3 ESAAMPVerdict=SKIPPED ESAASVerdict=NEGATIVE ESAAVVerdict=NOT_EVALUATED \
        ESACFVerdict=NO_MATCH";
    let event = consolidated(text);

    assert_eq!(event.header.device_version, "14.3.0-032");
    assert_eq!(
        event.tls_inbound,
        TlsConnection {
            status: Some(Outcome::Success),
            protocol: Some("TLSv1.2"),
            cipher: Some("ECDHE-RSA-AES256-GCM-SHA384"),
        }
    );
    assert_eq!(
        event.tls_outbound,
        TlsConnection {
            status: Some(Outcome::Success),
            protocol: Some("TLSv1.3"),
            cipher: Some("ECDHE-RSA-AES128-GCM-SHA256"),
        }
    );
    assert_eq!(event.friendly_from, Some("Jean Example <jean@example.com>"));
    assert_eq!(
        event.custom_value("MailPolicy"),
        Some("Test quarantine for users")
    );
    assert_eq!(event.subject, quoted("test url", '\''));
    assert_eq!(
        event.message_id,
        quoted(r"<CAAbc+dEf\\=ghIJ-kl@mail.example.com>", '\'')
    );
    assert_eq!(
        event.message_id_text().as_deref(),
        Some("<CAAbc+dEf=ghIJ-kl@mail.example.com>")
    );
    let other = other_pairs(&event);
    assert_eq!(
        other[other.len() - 4..],
        [
            ("ESAAMPVerdict", "SKIPPED"),
            ("ESAASVerdict", "NEGATIVE"),
            ("ESAAVVerdict", "NOT_EVALUATED"),
            ("ESACFVerdict", "NO_MATCH"),
        ]
    );
    assert!(other.contains(&("ESASDRDomainAge", "30 days (or greater)")));
}

#[test]
fn dane_and_extra_keys_14_3() {
    let text = "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.3.0-023|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=4200999988887777AAAA-BBBBCCCCDDDD ESAMID=4080001 ESAICID=13950001 ESADCID=2520001 \
        endTime=Thu Nov 24 13:39:24 2022 startTime=Thu Nov 24 13:39:16 2022 deviceDirection=0 \
        suser=billing@example.com act=DELIVERED duser=accounts@example.net sourceAddress=192.0.2.60 \
        msg='RE: SR 1234 : consolidated event log' ESATLSInCipher=ECDHE-RSA-AES256-GCM-SHA384 \
        ESATLSInConnStatus=Success ESATLSInProtocol=TLSv1.2 ESATLSOutCipher=ECDHE-RSA-AES256-GCM-SHA384 \
        ESATLSOutConnStatus=Success ESATLSOutProtocol=TLSv1.2 ESADaneHost=mx.example.net \
        ESADaneStatus=success ESADHASource=192.0.2.61 ESADMARCVerdict=TempFailure \
        cs5Label=ESAMsgLanguage cs5=English \
        ESAMARAction={'action':'<>';'succesful_rcpts'='<>';'failed_recipients'='<>';'filename'='<>'} \
        ESAMsgTooBigFromSender=true ESARateLimitedIP=192.0.2.62";
    let event = consolidated(text);

    assert_eq!(event.dane_status, Some(Outcome::Success));
    assert_eq!(event.dane_host, Some("mx.example.net"));
    assert_eq!(
        event.subject,
        quoted("RE: SR 1234 : consolidated event log", '\'')
    );
    assert_eq!(event.custom_value("ESAMsgLanguage"), Some("English"));
    assert_eq!(
        other_pairs(&event),
        vec![
            ("ESADHASource", "192.0.2.61"),
            ("ESADMARCVerdict", "TempFailure"),
            (
                "ESAMARAction",
                "{'action':'<>';'succesful_rcpts'='<>';'failed_recipients'='<>';'filename'='<>'}"
            ),
            ("ESAMsgTooBigFromSender", "true"),
            ("ESARateLimitedIP", "192.0.2.62"),
        ]
    );
}

#[test]
fn inbound_tls_only_delay_quarantine_14_3() {
    let text = "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.3.0-032|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=E7000000000000000000-000000000001 ESAMID=54300001 ESAICID=43500001 \
        endTime=Tue Jul  4 06:21:54 2023 dvc=192.0.2.10 \
        ESAAttachmentDetails={'meeting.ics': {'AMP': {'Verdict': 'FILE UNKNOWN', 'fileHash': 'aa11'}, 'BodyScanner': {}}} \
        ESAFriendlyFrom=River <river@example.com> startTime=Tue Jul  4 16:12:44 2023 \
        suser=river@example.com act=DQ ESAFinalActionDetails=Message held temporarily in Delay Quarantine \
        cs4Label=ExternalMsgID cs4='<1.2.3.mail@example.com>' duser=smith@example.net \
        sourceHostName=gw.example.com sourceAddress=192.0.2.70 msg='Accept: Meeting - PLANNING' \
        ESATLSInCipher=ECDHE-RSA-AES256-GCM-SHA384 ESATLSInConnStatus=Success ESATLSInProtocol=TLSv1.2 \
        ESAAMPVerdict=FA_PENDING ESACFVerdict=MATCH";
    let event = consolidated(text);

    assert_eq!(event.dcid, None);
    assert_eq!(event.action, Some(Action::DelayQuarantined));
    assert_eq!(
        event.action_details,
        Some("Message held temporarily in Delay Quarantine")
    );
    // The end time comes before the start time in this shape; both are kept
    // as written.
    assert_eq!(event.start, Some(time(2023, 7, 4, 16, 12, 44)));
    assert_eq!(event.end, Some(time(2023, 7, 4, 6, 21, 54)));
    assert_eq!(event.tls_inbound.status, Some(Outcome::Success));
    assert_eq!(event.tls_inbound.protocol, Some("TLSv1.2"));
    assert!(event.tls_outbound.is_empty());
    assert_eq!(event.subject, quoted("Accept: Meeting - PLANNING", '\''));
}

#[test]
fn escaped_double_quotes_and_escaped_equals_14_3() {
    let text = "CEF:0|Cisco|C100V Email Security Virtual Appliance|14.3.0-032|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=4F00000000000000000-000000000002 ESAMID=786001 ESAICID=35600001 ESADCID=970001 \
        ESAFriendlyFrom=Beaches <sand@example.com> suser=bounce-lane\\\\=example.com@example.com \
        act=QUARANTINED ESAFinalActionDetails=To SPAM ESAReplyTo=lane@example.com \
        ESASPFVerdict={'mailfrom': {'result': 'Pass', 'sender': 'bounce-lane=example.com@example.com'}} \
        sourceAddress=192.0.2.80 msg=\\\"Totally ordinary subject\\\" ESATLSInConnStatus=Success";
    let event = consolidated(text);

    assert_eq!(event.sender, Some(r"bounce-lane\\=example.com@example.com"));
    assert_eq!(
        unescape(event.sender.unwrap()),
        "bounce-lane=example.com@example.com"
    );
    assert_eq!(event.subject, quoted("Totally ordinary subject", '"'));
    assert_eq!(event.action_details, Some("To SPAM"));
    assert_eq!(event.tls_inbound.status, Some(Outcome::Success));
}

#[test]
fn double_quoted_subject_with_apostrophe_14_0() {
    let text = format!(
        "{HEADER_14_0}ESAMID=164229 duser=buyer@example.com sourceAddress=192.0.2.90 \
         msg=\"Demande d'achat Example Products,  ref: ABC-123\""
    );
    let event = consolidated(&text);

    assert_eq!(
        event.subject,
        quoted("Demande d'achat Example Products,  ref: ABC-123", '"')
    );
    assert_eq!(event.source_address, Some("192.0.2.90"));
}

#[test]
fn renamed_keys_and_recipient_list_15_0() {
    let text = "CEF:0|Cisco|C600V Email Security Virtual Appliance|15.0.0-104|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=4230000000000000000B-220000000001 ESAMID=75100001 ESAICID=9030001 ESADCID=3250001 \
        ESAAMPVerdict=UNKNOWN end=Wed Aug 6 07:46:00 2025 dvc=192.0.2.10 \
        ESAFriendlyFrom=From <sender@example.com> start=Wed Aug 6 07:45:58 2025 \
        deviceInboundInterface=incoming deviceDirection=0 ESAMailFlowPolicy=ACCEPT suser=sender@example.com \
        cs1Label=MailPolicy cs1=Policy cs2Label=SenderCountry cs2=not applicable act=DELIVERED \
        cs4Label=ExternalMsgID cs4='<ABC@MAIL01.EXAMPLE.COM>' ESAMsgSize=798896 \
        duser=dest1@example.net;dest2@example.net ESAHeloDomain=example.org ESAHeloIP=192.0.2.100 \
        cfp1Label=SBRSScore cfp1=rfc1918 shost=sourcehost ESASenderGroup=SEG src=192.0.2.100 msg='Subject'";
    let event = consolidated(text);

    assert_eq!(event.start, Some(time(2025, 8, 6, 7, 45, 58)));
    assert_eq!(event.end, Some(time(2025, 8, 6, 7, 46, 0)));
    assert_eq!(event.source_address, Some("192.0.2.100"));
    assert_eq!(event.source_host, Some("sourcehost"));
    assert_eq!(
        recipients(&event),
        vec!["dest1@example.net", "dest2@example.net"]
    );
    assert_eq!(event.custom_value("SBRSScore"), Some("rfc1918"));
    assert_eq!(event.sender_group, Some("SEG"));
    assert_eq!(event.friendly_from, Some("From <sender@example.com>"));
}

#[test]
fn partial_events_of_one_message_15_0() {
    let header = "CEF:0|Cisco|C100V Email Security Virtual Appliance|15.0.0-104|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|";
    let second = format!(
        "{header}deviceExternalId=4235000000000000000-000000000003 ESAMID=2348001 ESAICID=435001 ESADCID=23870001 \
         ESAAMPVerdict=SKIPPED ESAFriendlyFrom=Castle Support <help@example.com> duser=support@example.net \
         sourceHostName=example.com ESASenderGroup=UNKNOWNLIST sourceAddress=192.0.2.110 \
         msg='Automatic reply: Your weekend reading' \
         ESAURLDetails={{'https://example.com': {{'WbrsScore': 3.0}}, 'http://www.example.com': {{'WbrsScore': 8.9000000000000004}}}}"
    );
    let third = format!(
        "{header}deviceExternalId=4235000000000000000-000000000003 ESAMID=2348001 ESAICID=435001 ESADCID=23870001 \
         ESAAVVerdict=NEGATIVE ESAFriendlyFrom=\"Castle. B (Example Castle)\" <help@example.com> \
         suser=help@example.com duser=support@example.net sourceHostName=unknown ESASenderGroup=RELAYLIST \
         sourceAddress=192.0.2.110 msg='Testing'"
    );
    let second = consolidated(&second);

    assert_eq!(second.mid, Some(2348001));
    assert_eq!(second.start, None);
    assert_eq!(second.end, None);
    assert_eq!(second.sender, None);
    assert_eq!(
        second.friendly_from,
        Some("Castle Support <help@example.com>")
    );
    assert_eq!(
        second.subject,
        quoted("Automatic reply: Your weekend reading", '\'')
    );
    let third = consolidated(&third);

    assert_eq!(
        third.friendly_from,
        Some("\"Castle. B (Example Castle)\" <help@example.com>")
    );
    assert_eq!(third.sender, Some("help@example.com"));
    assert_eq!(third.source_host, Some("unknown"));
    assert_eq!(third.subject, quoted("Testing", '\''));
}

#[test]
fn outbound_only_16_0() {
    let text = "CEF:0|Cisco|C300V Secure Email Gateway Virtual|16.0.0-054|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=423AAAAAAAAAAAAAAAAA-A00000000001 ESAMID=15790001 ESADCID=9620001 \
        end=Wed Mar 12 11:02:25 2025 ESADLPVerdict=NOT_EVALUATED \
        ESAAttachmentDetails={'winmail.dat': {'BodyScanner': {}}} ESAGMVerdict=NOT_EVALUATED \
        deviceDirection=0 cs1Label=MailPolicy cs1=DEFAULT ESAMFVerdict=NOT_EVALUATED act=DELIVERED \
        ESAOFVerdict=NOT_EVALUATED ESATLSOutCipher=ECDHE-RSA-AES256-GCM-SHA384 ESATLSOutConnStatus=Success \
        ESATLSOutProtocol=TLSv1.2 ESAAMPVerdict=LOW_RISK ESAASVerdict=NOT_EVALUATED \
        ESALogHeaders={'X-Scanner-Verdict': ['Negative']}\n\n";
    let event = consolidated(text);

    assert_eq!(
        event.header.device_product,
        "C300V Secure Email Gateway Virtual"
    );
    assert_eq!(event.header.device_version, "16.0.0-054");
    assert_eq!(event.mid, Some(15790001));
    assert_eq!(event.icid, None);
    assert_eq!(event.dcid, Some(9620001));
    assert_eq!(event.start, None);
    assert_eq!(event.end, Some(time(2025, 3, 12, 11, 2, 25)));
    assert_eq!(event.source_address, None);
    assert_eq!(event.sender, None);
    assert!(event.tls_inbound.is_empty());
    assert_eq!(
        event.tls_outbound,
        TlsConnection {
            status: Some(Outcome::Success),
            protocol: Some("TLSv1.2"),
            cipher: Some("ECDHE-RSA-AES256-GCM-SHA384"),
        }
    );
    assert_eq!(
        event.other.last().copied(),
        Some(Extension {
            key: "ESALogHeaders",
            value: "{'X-Scanner-Verdict': ['Negative']}"
        })
    );
}

#[test]
fn reordered_and_truncated_16_0() {
    let text = "CEF:0|Cisco|C300V Secure Email Gateway Virtual|16.0.2-112|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=0c5a0000-0000-0000-0000-000000000001 ESAMID=11110001 ESAICID=22220001 ESADCID=3330001 \
        cs4Label=ExternalMsgID cs4='<1111@mail.example.org>' src=192.0.2.120 shost=mailer.example.org \
        ESAAVVerdict=NEGATIVE cfp1Label=SBRSScore cfp1=4.2 suser=john@example.org \
        cs2Label=SenderCountry cs2=France \
        ESASPFVerdict={'mailfrom': {'result': 'Pass', 'sender': 'john@example.org'}} \
        msg='My Subject' duser=jane@example.org ESAAttachmentDetails={'image.png': {'AMP':\n";
    let event = consolidated(text);

    assert_eq!(event.message_id, quoted("<1111@mail.example.org>", '\''));
    assert_eq!(event.source_address, Some("192.0.2.120"));
    assert_eq!(event.source_host, Some("mailer.example.org"));
    assert_eq!(event.sender, Some("john@example.org"));
    assert_eq!(recipients(&event), vec!["jane@example.org"]);
    assert_eq!(event.subject, quoted("My Subject", '\''));
    assert_eq!(
        other_pairs(&event),
        vec![
            ("ESAAVVerdict", "NEGATIVE"),
            (
                "ESASPFVerdict",
                "{'mailfrom': {'result': 'Pass', 'sender': 'john@example.org'}}"
            ),
            ("ESAAttachmentDetails", "{'image.png': {'AMP':"),
        ]
    );
}

#[test]
fn failures_dane_and_spaced_key_13_0() {
    let text = "CEF:0|Cisco|C100V Email Security Virtual Appliance|13.0.0-283|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5| \
        cs6Label=esa-host cs6=Weak deviceExternalId=111111111111-ZZZZZZZZZZZ ESAMID=81 \
        startTime=Mon Aug 10 09:26:47 2020 deviceInboundInterface=Incoming ESADMARCVerdict=Skipped \
        dvc=192.0.2.1 ESAAttachmentDetails={'sample_attachment':   {'AMP': {'Verdict': 'FILE UNKNOWN', 'fileHash': 'c4b0'},  'BodyScanner': {}}} \
        ESAFriendlyFrom=sample_user deviceDirection=0 suser=sample_user cs1Label=MailPolicy cs1=DEFAULT \
        act=DQ ESAFinalActionDetails=To POLICY cs4Label=ExternalMsgID cs4='<dummy@example.com>' \
        duser=sample_duser ESAHeloIP=192.0.2.2 cfp1Label=SBRSScore cfp1=None \
        sourceHostName=unknown sourceAddress=192.0.2.3 ESAICID=91 cs5Label=ESAMsgLanguage cs5=English \
        msg=This is a sample subject cs2Label=GeoLocation cs2=India ESAHeloDomain=example.com \
        ESATLSOutConnStatus=Failure ESATLSOutProtocol=TLSv1.2 ESATLSOutCipher=ECDHE-RSA-AES128-GCM-SHA256 \
        ESATLSInConnStatus=Failure ESATLSInProtocol=TLSv1.2 ESATLSInCipher=ECDHE-RSA-AES128-GCM-SHA256 \
        ESAURLDetails={url1:{expanded_url: sample_expanded_url, wbrs_score: 45,},url2:{\u{2026}}} \
        ESAMARAction= {action:failure;succesful_rcpts=0;failed_recipients=41;filename=dummy.txt} \
        Message Filters Verdict=NO MATCH ESADCID=857 EndTime=Mon Aug 10 09:26:47 2020 \
        ESADaneStatus=failure ESADaneHost=mx.example.com";
    let event = consolidated(text);

    assert_eq!(event.header.device_version, "13.0.0-283");
    assert_eq!(event.serial, Some("111111111111-ZZZZZZZZZZZ"));
    assert_eq!(event.mid, Some(81));
    assert_eq!(event.icid, Some(91));
    assert_eq!(event.dcid, Some(857));
    assert_eq!(event.start, Some(time(2020, 8, 10, 9, 26, 47)));
    assert_eq!(event.end, Some(time(2020, 8, 10, 9, 26, 47)));
    assert_eq!(
        event.subject,
        Some(Quoted {
            raw: "This is a sample subject",
            quote: None
        })
    );
    assert_eq!(event.action, Some(Action::DelayQuarantined));
    assert_eq!(
        event.tls_inbound,
        TlsConnection {
            status: Some(Outcome::Failure),
            protocol: Some("TLSv1.2"),
            cipher: Some("ECDHE-RSA-AES128-GCM-SHA256"),
        }
    );
    assert_eq!(event.tls_outbound.status, Some(Outcome::Failure));
    assert_eq!(event.dane_status, Some(Outcome::Failure));
    assert_eq!(event.dane_host, Some("mx.example.com"));
    assert_eq!(event.custom_value("GeoLocation"), Some("India"));
    assert_eq!(event.custom_value("esa-host"), Some("Weak"));
    assert_eq!(event.message_id, quoted("<dummy@example.com>", '\''));
    assert_eq!(
        other_pairs(&event),
        vec![
            ("ESADMARCVerdict", "Skipped"),
            (
                "ESAAttachmentDetails",
                "{'sample_attachment':   {'AMP': {'Verdict': 'FILE UNKNOWN', 'fileHash': 'c4b0'},  'BodyScanner': {}}}"
            ),
            (
                "ESAURLDetails",
                "{url1:{expanded_url: sample_expanded_url, wbrs_score: 45,},url2:{\u{2026}}}"
            ),
            (
                "ESAMARAction",
                "{action:failure;succesful_rcpts=0;failed_recipients=41;filename=dummy.txt}"
            ),
            ("Message Filters Verdict", "NO MATCH"),
        ]
    );
}

#[test]
fn bounced_with_encoded_bare_subject_13_0() {
    let text = "CEF:0|Cisco|C300V Email Security Virtual Appliance|13.0.0-252|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=420D0000000000000000-B00000000001 ESAMID=4631 ESAAMPVerdict=SKIPPED ESADCID=66096 \
        endTime=Tue Aug 13 15:15:48 2019 ESAGMVerdict=NEGATIVE ESAICID=36050 startTime=Tue Aug 13 15:15:45 2019 \
        deviceDirection=0 suser=no-reply@example.org act=BOUNCED \
        ESAFinalActionDetails=5.1.0 - Unknown address error duser=john.doe@example.org \
        sourceAddress=192.0.2.130 msg=Example=20Phishing=20Protection=20Notice \
        ESATLSInCipher=ECDHE-RSA-AES128-GCM-SHA256 ESATLSInConnStatus=Success ESATLSInProtocol=TLSv1.2 \
        ESAURLDetails={'https://example.com/track/open.php?u=30372747&id=d572': {'Category': 'Computers and Internet', 'WbrsScore': '7.3'}} \
        deviceInboundInterface=IncomingMail";
    let event = consolidated(text);

    assert_eq!(event.mid, Some(4631));
    assert_eq!(event.icid, Some(36050));
    assert_eq!(event.dcid, Some(66096));
    assert_eq!(event.action, Some(Action::Bounced));
    assert_eq!(event.action_details, Some("5.1.0 - Unknown address error"));
    assert_eq!(
        event.subject_text().as_deref(),
        Some("Example=20Phishing=20Protection=20Notice")
    );
    assert_eq!(event.tls_inbound.protocol, Some("TLSv1.2"));
    assert_eq!(event.inbound_interface, Some("IncomingMail"));
    assert_eq!(
        other_pairs(&event).last().copied(),
        Some((
            "ESAURLDetails",
            "{'https://example.com/track/open.php?u=30372747&id=d572': {'Category': 'Computers and Internet', 'WbrsScore': '7.3'}}"
        ))
    );
}

#[test]
fn missing_start_time_and_key_typo_14_0() {
    let text = "CEF:0|Cisco|C390 Email Security Appliance|14.0.0-698|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=ABC123 ESAMID=123 E SAAMPVerdict=NOT_EVALUATED ESAASVerdict=NOT_EVALUATED \
        endTime=Mon Aug  1 06:40:30 2022 ESAOFVerdict=NOT_EVALUATED ESAStatus=QUEUED\n\n";
    let event = consolidated(text);

    assert_eq!(event.serial, Some("ABC123"));
    assert_eq!(event.mid, Some(123));
    assert_eq!(event.start, None);
    assert_eq!(event.end, Some(time(2022, 8, 1, 6, 40, 30)));
    assert_eq!(
        other_pairs(&event),
        vec![
            ("ESAAMPVerdict", "NOT_EVALUATED"),
            ("ESAASVerdict", "NOT_EVALUATED"),
            ("ESAOFVerdict", "NOT_EVALUATED"),
            ("ESAStatus", "QUEUED"),
        ]
    );
    assert_eq!(event.invalid, vec![]);
}

#[test]
fn encoded_word_subject_with_escaped_equals_14_2() {
    let text = "CEF:0|Cisco|C390 Email Security Appliance|14.2.1-015|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=254b0000000000000000000000000001 ESAMID=11110002 \
        msg='\\=?UTF-8?Q?N\\=c2\\=b0_REF\\= \\=?UTF-8?Q?020?\\=' ESAURLDetails={}";
    let event = consolidated(text);

    assert_eq!(
        event.subject,
        quoted(r"\=?UTF-8?Q?N\=c2\=b0_REF\= \=?UTF-8?Q?020?\=", '\'')
    );
    assert_eq!(
        event.subject_text().as_deref(),
        Some("=?UTF-8?Q?N=c2=b0_REF= =?UTF-8?Q?020?=")
    );
    assert_eq!(other_pairs(&event), vec![("ESAURLDetails", "{}")]);
}

#[test]
fn empty_custom_value_14_0() {
    let text = "CEF:0|Cisco|C390 Email Security Appliance|14.0.0-698|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        deviceExternalId=123456789-00000000001 ESAMID=12356 ESAHeloIP=192.0.2.140 cfp1Label=SBRSScore cfp1= \
        sourceHostName=unknown ESASenderGroup=RELAYLIST sourceAddress=192.0.2.140 \
        msg='\\=?ISO-8859-15?Q?foo\\=20bar?\\='";
    let event = consolidated(text);

    assert_eq!(custom_pairs(&event), vec![("cfp", Some("SBRSScore"), None)]);
    assert_eq!(event.custom_value("SBRSScore"), None);
    assert_eq!(event.source_host, Some("unknown"));
    assert_eq!(
        event.subject_text().as_deref(),
        Some("=?ISO-8859-15?Q?foo=20bar?=")
    );
}

#[test]
fn attachment_names_with_quotes_14_2() {
    let text = "CEF:0|Cisco|C390 Email Security Appliance|14.2.2-004|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
        ESAMID=111111 ESAAttachmentDetails={\"screenshot.jpg\": {'AMP': {'Verdict': 'FILE UNKNOWN', 'fileHash': ['01ba', '01bb']}}, \
        \"Capture d'\\xc3\\xa9cran {2}.jpg\": {'BodyScanner': {}}} ESAFriendlyFrom=\"John Doe\" <john.doe@example.org> \
        act=DELIVERED";
    let event = consolidated(text);

    assert_eq!(
        other_pairs(&event),
        vec![(
            "ESAAttachmentDetails",
            "{\"screenshot.jpg\": {'AMP': {'Verdict': 'FILE UNKNOWN', 'fileHash': ['01ba', '01bb']}}, \
             \"Capture d'\\xc3\\xa9cran {2}.jpg\": {'BodyScanner': {}}}"
        )]
    );
    assert_eq!(
        event.friendly_from,
        Some("\"John Doe\" <john.doe@example.org>")
    );
    assert_eq!(event.action, Some(Action::Delivered));
}

#[test]
fn subject_with_key_like_text() {
    let text = format!(
        "{HEADER_14_0}ESAMID=7 msg='Re: total=5 src=mine' ESATLSInProtocol=TLSv1.2 \
         ESATLSInCipher=TLS_AES_256_GCM_SHA384"
    );
    let event = consolidated(&text);

    assert_eq!(event.subject, quoted("Re: total=5 src=mine", '\''));
    assert_eq!(event.source_address, None);
    assert_eq!(event.tls_inbound.protocol, Some("TLSv1.2"));
}

#[test]
fn unknown_key_is_kept_apart() {
    let text = format!(
        "{HEADER_14_0}ESAMID=7 ESATLSInProtocol=TLSv1.3 tlsNewField=abc def ESATLSInCipher=TLS_AES_128_GCM_SHA256"
    );
    let event = consolidated(&text);

    assert_eq!(event.tls_inbound.protocol, Some("TLSv1.3"));
    assert_eq!(event.tls_inbound.cipher, Some("TLS_AES_128_GCM_SHA256"));
    assert_eq!(other_pairs(&event), vec![("tlsNewField", "abc def")]);
}

#[test]
fn repeated_key_keeps_first_value() {
    let text = format!(
        "{HEADER_14_0}ESAMID=7 ESATLSInProtocol=TLSv1.2 ESATLSInProtocol=TLSv1.3 cs1Label=A cs1=x cs1=y"
    );
    let event = consolidated(&text);

    assert_eq!(event.tls_inbound.protocol, Some("TLSv1.2"));
    assert_eq!(event.custom_value("A"), Some("x"));
    assert_eq!(
        other_pairs(&event),
        vec![("ESATLSInProtocol", "TLSv1.3"), ("cs1", "y")]
    );
}

#[test]
fn invalid_typed_values() {
    let text = format!(
        "{HEADER_14_0}ESAMID=12a ESAICID=99999999999999999999 startTime=yesterday \
         deviceDirection=2 ESAMsgSize=-1 ESADCID=5 ESATLSOutConnStatus=Pending"
    );
    let event = consolidated(&text);

    assert_eq!(event.mid, None);
    assert_eq!(event.icid, None);
    assert_eq!(event.start, None);
    assert_eq!(event.direction, None);
    assert_eq!(event.message_size, None);
    assert_eq!(event.dcid, Some(5));
    assert_eq!(event.tls_outbound.status, Some(Outcome::Other("Pending")));
    assert_eq!(
        event.invalid,
        vec![
            InvalidField {
                key: "ESAMID",
                value: "12a",
                expected: ValueKind::Integer
            },
            InvalidField {
                key: "ESAICID",
                value: "99999999999999999999",
                expected: ValueKind::Integer
            },
            InvalidField {
                key: "startTime",
                value: "yesterday",
                expected: ValueKind::Time
            },
            InvalidField {
                key: "deviceDirection",
                value: "2",
                expected: ValueKind::Direction
            },
            InvalidField {
                key: "ESAMsgSize",
                value: "-1",
                expected: ValueKind::Integer
            },
        ]
    );
}

#[test]
fn other_event_class() {
    let parsed =
        parse_cef("CEF:0|Cisco|C100V|14.0.0-657|ESA_OTHER_EVENT|Other|3|ESAMID=5 note=a b")
            .unwrap();
    assert_eq!(parsed.header().event_class_id, "ESA_OTHER_EVENT");
    assert_eq!(
        parsed,
        CefEvent::Other(OtherEvent {
            header: *parsed.header(),
            extensions: vec![
                Extension {
                    key: "ESAMID",
                    value: "5"
                },
                Extension {
                    key: "note",
                    value: "a b"
                },
            ],
        })
    );
}

#[test]
fn header_errors_reach_caller() {
    assert_eq!(parse_cef("LEEF:1|x"), Err(CefError::MissingPrefix));
    assert_eq!(
        parse_cef("CEF:0|Cisco|C100V"),
        Err(CefError::TruncatedHeader { fields: 3 })
    );
    assert_eq!(
        CefError::TruncatedHeader { fields: 3 }.to_string(),
        "truncated CEF header: 3 of the 7 fields before the extension"
    );
}

#[test]
fn header_only_event() {
    let event = consolidated(
        "CEF:0|Cisco|C100V|14.0.0-657|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5",
    );

    assert_eq!(event.mid, None);
    assert_eq!(event.other, vec![]);
}

#[test]
fn unescape_forms() {
    assert_eq!(unescape("plain"), "plain");
    assert_eq!(unescape(r"a\=b"), "a=b");
    assert_eq!(unescape(r"a\\=b"), "a=b");
    assert_eq!(unescape(r"a\\\=b\n"), r"a=b\n");
    assert_eq!(unescape(r"end\"), r"end\");
    assert_eq!(unescape(r"\\x \="), r"\\x =");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics_on_any_text(rest in any::<String>()) {
            let _ = parse_cef(&format!("CEF:0|{rest}"));
        }

        #[test]
        fn never_panics_on_cef_like_text(
            rest in r"([A-Za-z0-9 =|'\x22{}\[\]\\,;:<>@.é]|ESA|cs1|msg=|Label=|Message Filters ){0,80}"
        ) {
            let text = format!(
                "CEF:0|Cisco|C100V|14.0.0-657|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|{rest}"
            );
            let _ = parse_cef(&text);
        }

        #[test]
        fn plain_pairs_round_trip(
            pairs in proptest::collection::vec(
                (r"[A-Za-z][A-Za-z0-9_]{0,10}", r"[a-z0-9.@-]{1,8}( [a-z0-9.@-]{1,8}){0,3}"),
                0..12,
            )
        ) {
            let text = pairs
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join(" ");
            let parsed: Vec<(String, String)> = parse_extension(&text)
                .into_iter()
                .map(|pair| (pair.key.to_string(), pair.value.to_string()))
                .collect();
            prop_assert_eq!(parsed, pairs);
        }
    }
}
