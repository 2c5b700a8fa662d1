//! Fuzzes `event::parse_event` and the template of unrecognised text.
//!
//! Besides not panicking: trailing whitespace must not change the event,
//! every recipient list a recognised event carries must be non-empty,
//! quoted values must decode, and templates must stay within their length
//! limit.

#![no_main]

use esatls::event::template::{template_of, MAX_TEMPLATE_CHARS};
use esatls::event::{parse_event, Event, Quoted, RidList};
use libfuzzer_sys::fuzz_target;

fn check_rids(rids: &RidList<'_>) {
    assert!(!rids.is_empty(), "a parsed recipient list is empty");
    assert_eq!(rids.iter().count(), rids.len());
}

fn check_quoted(value: &Quoted<'_>) {
    let decoded = value.decode();
    if value.quote.is_none() {
        assert_eq!(decoded, value.raw, "a bare value was changed by decoding");
    }
}

fn check_event(event: &Event<'_>) {
    assert_eq!(event.is_recognised(), event.kind_name() != "unknown");
    match event {
        Event::MessageResponse { rids, response, .. } => {
            check_rids(rids);
            check_quoted(response);
        }
        Event::MessagePending { rids, .. }
        | Event::DeliveryStart { rids, .. }
        | Event::DeliveryDone { rids, .. }
        | Event::Bounced { rids, .. }
        | Event::Delayed { rids, .. } => check_rids(rids),
        Event::MessageId { message_id, .. } => check_quoted(message_id),
        Event::MessageSubject { subject, .. } => check_quoted(subject),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let event = parse_event(&text);
    check_event(&event);

    let padded = format!("{text} \t ");
    assert_eq!(
        parse_event(&padded),
        event,
        "trailing whitespace changed the event of {text:?}"
    );

    let template = template_of(&text);
    assert!(
        template.len() <= MAX_TEMPLATE_CHARS + " ...".len(),
        "template of {} bytes",
        template.len()
    );
});
