//! Fixed word lists the generated logs draw from.
//!
//! Names are documentation names only: domains under `example.com`,
//! `example.net`, `example.org` and the `.example` top-level domain
//! (RFC 2606), addresses in the documentation ranges 192.0.2.0/24,
//! 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) and 2001:db8::/32 (RFC 3849).

/// The appliance's own mail domain: inbound mail goes to its users.
pub const LOCAL_DOMAIN: &str = "example.com";

/// Organisation names, combined with a parent domain into remote domains.
pub const ORGANISATIONS: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "wonka",
    "tyrell",
    "soylent",
    "cyberdyne",
    "oscorp",
    "aperture",
    "nakatomi",
    "gringotts",
    "monarch",
    "duff",
    "stark",
    "wayne",
    "virtucon",
    "octan",
    "massive",
    "zorg",
    "prestige",
    "sirius",
    "buynlarge",
    "contoso",
    "fabrikam",
    "northwind",
    "tailspin",
    "adatum",
    "litware",
    "proseware",
    "wingtip",
    "lucerne",
    "margie",
    "fourth",
    "coho",
    "alpine",
    "blue",
    "trey",
];

/// Parents of remote domains.
pub const PARENTS: &[&str] = &["example", "example.net", "example.org"];

/// Local parts of addresses.
pub const USERS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "walter",
    "yasmin",
    "zoe",
    "billing",
    "support",
    "sales",
    "noreply",
    "hr",
    "it-helpdesk",
    "newsletter",
    "orders",
    "info",
];

/// Subjects, some with quotes that the appliance escapes.
pub const SUBJECTS: &[&str] = &[
    "Quarterly report",
    "Re: Meeting on Thursday",
    "Invoice 2024-0117",
    "Your order has shipped",
    "FW: Travel plans",
    "It's done",
    "Re: \"Q3\" numbers aren't final",
    "Password reset request",
    "Welcome aboard",
    "Weekly newsletter",
    "Re: Re: contract draft v3",
    "Action required: confirm your address",
    "Lunch?",
    "=?UTF-8?B?UmU6IEJlc3RlbGx1bmcgYmVzdMOkdGlndA==?=",
    "=?UTF-8?Q?Paycor=E2=80=99s_Onboarding?=",
    "Delivery Status Notification (Failure)",
    "Path C:\\shared\\plans",
    "",
];

/// Names of the content filters that make bcc copies.
pub const BCC_FILTERS: &[&str] = &["Archive_BCC", "Legal_Hold", "Compliance_Copy"];

/// Names of per-recipient mail policies that split messages.
pub const SPLIT_POLICIES: &[&str] = &["Executives", "Finance", "Contractors"];

/// TLS protocols with relative weights and their cipher suites, by OpenSSL
/// name.
pub const PROTOCOLS: &[(&str, u32, &[&str])] = &[
    (
        "TLSv1.3",
        30,
        &[
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
        ],
    ),
    (
        "TLSv1.2",
        55,
        &[
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-CHACHA20-POLY1305",
            "DHE-RSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-SHA384",
            "AES256-GCM-SHA384",
            "AES128-SHA256",
        ],
    ),
    (
        "TLSv1.1",
        5,
        &["ECDHE-RSA-AES256-SHA", "DHE-RSA-AES256-SHA", "AES256-SHA"],
    ),
    (
        "TLSv1",
        10,
        &[
            "AES128-SHA",
            "ECDHE-RSA-AES256-SHA",
            "DHE-RSA-AES256-SHA",
            "DES-CBC3-SHA",
            "RC4-SHA",
        ],
    ),
];

/// Reasons of failed inbound TLS negotiations.
pub const INBOUND_TLS_FAILURES: &[&str] = &[
    "[Errno 54] Connection reset by peer",
    "[Errno 104] Connection reset by peer",
    "error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown",
    "error:1408F10B:SSL routines:ssl3_get_record:wrong version number",
    "error:14209102:SSL routines:tls_early_post_process_client_hello:unsupported protocol",
    "timed out",
];

/// Reasons of failed outbound TLS negotiations.
pub const OUTBOUND_TLS_FAILURES: &[&str] = &[
    "STARTTLS unexpected response",
    "error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed",
    "error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure",
    "[Errno 54] Connection reset by peer",
];

/// Temporary recipient failures: the `Delayed:` text after `- `.
pub const DELAYS: &[&str] = &[
    "4.1.0 - Unknown address error ('466', ['Mailbox temporarily full.']) []",
    "4.2.2 - Mailbox full ('452', ['4.2.2 The email account that you tried to reach is over quota.']) []",
    "4.7.1 - Greylisted ('451', ['4.7.1 Greylisting in action, please come back later']) []",
    "4.4.0 - Other network problem ('000', ['[Errno 54] Connection reset by peer']) []",
];

/// Permanent recipient failures: the `Bounced:` text after `- `.
pub const BOUNCES: &[&str] = &[
    "5.1.0 - Unknown address error ('550', ['5.1.1 User unknown']) []",
    "5.1.1 - Bad destination mailbox address ('550', ['5.1.1 <recipient>: Recipient address rejected: User unknown in virtual mailbox table']) []",
    "5.7.1 - Delivery not authorized, message refused ('550', ['5.7.1 Message rejected as spam by Content Filtering.']) []",
    "5.3.4 - Message too big for system ('552', ['5.3.4 Message size exceeds fixed limit']) []",
];

/// The `Bounced:` text when the retry time ran out.
pub const EXPIRED: &str = "5.4.7 - Delivery expired (message too old) ('000', []) []";

/// The `Delayed:` text when a destination requires TLS that failed.
pub const TLS_REQUIRED_DELAY: &str =
    "4.7.0 - TLS required but could not be negotiated ('000', ['TLS negotiation failed']) []";

/// Countries of HAT lines.
pub const COUNTRIES: &[&str] = &[
    "United States",
    "Germany",
    "France",
    "Japan",
    "Brazil",
    "not enabled",
];

/// System lines esatls recognises: appliance status and alerts.
pub const SYSTEM_LINES: &[&str] = &[
    "SenderBase upload: 2 hosts totalling 1K",
    "CASE cache status: hit ratio 0.93",
    "A System/Warning alert was sent to admin@example.com with subject \"Warning <System> esa.example.com: Log file size limit reached\".",
    "Internal SMTP system successfully sent a message to admin@example.com with subject 'Daily report'.",
];

/// A Critical-level line the appliance writes when it cannot send an
/// alert.
pub const ALERT_FAILURE: &str = "Internal SMTP giving up on message to admin@example.com with \
subject 'Warning <System> esa.example.com: Your \"IronPort Email Encryption\" key will expire in \
under 60...': Unrecoverable error.";

/// System lines of forms esatls need not recognise.
pub const OTHER_SYSTEM_LINES: &[&str] = &[
    "URL category definitions have changed. Please check and update your filters to use the new definitions",
    "Anti-Spam engine CASE: rules update completed",
];
