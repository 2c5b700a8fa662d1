//! Reads Cisco Secure Email Gateway (ESA, AsyncOS) text mail logs and decides,
//! for every connection, message and recipient, whether it was received and
//! delivered over TLS.
//!
//! The crate is a pipeline, one module a stage:
//!
//! 1. [`input`] opens files, directories and standard input, decompresses
//!    them and cuts them into bounded lines;
//! 2. [`header`] recognises each line's header (the appliance's own format,
//!    RFC 3164 and RFC 5424 syslog, and collector forms);
//! 3. [`event`] turns the text of one entry into a typed [`event::Event`],
//!    with no I/O;
//! 4. [`correlate`] joins events by appliance and id into records;
//! 5. [`record`] defines the message and connection records, and [`report`]
//!    aggregates them into the summary;
//! 6. [`output`] writes records and summaries as tables, JSON, CSV and HTML.
//!
//! The library writes only to the writers it is given; it never prints.

pub mod cef;
pub mod correlate;
pub mod event;
pub mod header;
pub mod input;
pub mod output;
pub mod pipeline;
pub mod record;
pub mod report;
