//! The network one appliance talks to: the hosts that send it mail and the
//! servers it delivers to, each with a stable TLS behaviour.

use crate::emit::Trailer;
use crate::rng::Rng;
use crate::vocab::{LOCAL_DOMAIN, ORGANISATIONS, PARENTS, PROTOCOLS, USERS};

/// The STARTTLS support of a receiving server.
#[derive(Clone, Debug)]
pub enum ServerTls {
    /// Offers STARTTLS and negotiates this protocol and cipher.
    Offers {
        protocol: &'static str,
        cipher: &'static str,
        /// The trailer the appliance logs after the cipher.
        trailer: Trailer,
        /// Whether the line names protocol and cipher; releases before 5.x
        /// wrote a bare `TLS success`.
        detailed: bool,
    },
    /// Does not offer STARTTLS.
    Plain,
}

/// A destination the appliance delivers to: a domain and its server.
#[derive(Clone, Debug)]
pub struct Destination {
    pub domain: String,
    pub server_ip: String,
    pub tls: ServerTls,
    /// The appliance's destination controls require TLS for the domain.
    pub tls_required: bool,
    /// The domain has no MX or A record.
    pub unresolvable: bool,
    /// Most delivery connections open to it at once.
    pub max_connections: u32,
    /// Share of connections whose TLS negotiation fails.
    pub tls_failure_rate: f64,
    /// Share of recipients that bounce.
    pub bounce_rate: f64,
    /// Share of recipients that are delayed.
    pub delay_rate: f64,
}

/// A host that sends mail to the appliance.
#[derive(Clone, Debug)]
pub struct Client {
    pub ip: String,
    /// Reverse DNS name; `None` logs `unknown`.
    pub reverse_dns: Option<String>,
    /// Domain of the senders on this host.
    pub domain: String,
}

/// Everything one appliance's simulation draws names and behaviours from.
pub struct World {
    /// Interface of the listener for mail from the internet.
    pub incoming_interface: String,
    /// Interface of the listener for internal relaying.
    pub relay_interface: String,
    /// IP address delivery connections leave from.
    pub delivery_ip: String,
    /// Index in `destinations` of the internal groupware server, which
    /// receives all mail for [`LOCAL_DOMAIN`].
    pub local: usize,
    /// Index of the archive that bcc copies go to.
    pub archive: usize,
    pub destinations: Vec<Destination>,
    /// Internet hosts; each sends as one of the remote domains.
    pub clients: Vec<Client>,
    /// Internal hosts that relay outgoing mail.
    pub relays: Vec<Client>,
}

/// Returns a documentation IPv4 address in 198.51.100.0/24 or
/// 203.0.113.0/24, or an IPv6 address in 2001:db8::/32.
fn public_ip(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=4 => format!("198.51.100.{}", rng.between(1, 254)),
        5..=8 => format!("203.0.113.{}", rng.between(1, 254)),
        _ => format!(
            "2001:db8:{:x}::{:x}",
            rng.between(1, 0xffff),
            rng.between(1, 0xfff)
        ),
    }
}

/// Chooses a protocol by weight, then one of its ciphers.
pub fn protocol_and_cipher(rng: &mut Rng) -> (&'static str, &'static str) {
    let weights: Vec<u32> = PROTOCOLS.iter().map(|(_, weight, _)| *weight).collect();
    let (protocol, _, ciphers) = PROTOCOLS[rng.weighted(&weights)];
    (protocol, *rng.pick(ciphers))
}

fn server_tls(rng: &mut Rng, server_name: &str, domain: &str) -> ServerTls {
    if rng.chance(0.2) {
        return ServerTls::Plain;
    }
    let (protocol, cipher) = protocol_and_cipher(rng);
    let trailer = match rng.below(6) {
        0 => Trailer::Space,
        1 => Trailer::CnEquals(server_name.to_string()),
        2 => Trailer::CnAngle(server_name.to_string()),
        3 => Trailer::ForDomain(domain.to_string()),
        _ => Trailer::Nothing,
    };
    ServerTls::Offers {
        protocol,
        cipher,
        trailer,
        detailed: !rng.chance(0.03),
    }
}

impl World {
    /// Builds the world of appliance `index` (0 for the first).
    pub fn new(rng: &mut Rng, index: u32) -> World {
        let incoming_ip = format!("192.0.2.{}", 10 + 3 * index);
        let relay_ip = format!("192.0.2.{}", 11 + 3 * index);
        let delivery_ip = format!("192.0.2.{}", 12 + 3 * index);
        let incoming_name = if rng.chance(0.5) {
            "IncomingMail"
        } else {
            "Data 1"
        };

        let mut destinations = Vec::new();
        let local = destinations.len();
        let local_tls = if rng.chance(0.8) {
            ServerTls::Offers {
                protocol: "TLSv1.2",
                cipher: "ECDHE-RSA-AES256-GCM-SHA384",
                trailer: Trailer::CnEquals("groupware.example.com".to_string()),
                detailed: true,
            }
        } else {
            ServerTls::Plain
        };
        destinations.push(Destination {
            domain: LOCAL_DOMAIN.to_string(),
            server_ip: "192.0.2.25".to_string(),
            tls: local_tls,
            tls_required: false,
            unresolvable: false,
            max_connections: 60,
            tls_failure_rate: 0.01,
            bounce_rate: 0.01,
            delay_rate: 0.01,
        });

        let archive = destinations.len();
        destinations.push(Destination {
            domain: "archive.example".to_string(),
            server_ip: "192.0.2.40".to_string(),
            tls: ServerTls::Plain,
            tls_required: false,
            unresolvable: false,
            max_connections: 10,
            tls_failure_rate: 0.0,
            bounce_rate: 0.0,
            delay_rate: 0.0,
        });

        for (number, organisation) in ORGANISATIONS.iter().enumerate() {
            let parent = rng.pick(PARENTS);
            let domain = format!("{organisation}.{parent}");
            let server_name = format!("mx{}.{domain}", rng.between(1, 3));
            let tls = server_tls(rng, &server_name, &domain);
            let offers = matches!(tls, ServerTls::Offers { .. });
            destinations.push(Destination {
                server_ip: public_ip(rng),
                tls,
                tls_required: offers && rng.chance(0.12),
                unresolvable: false,
                max_connections: rng.between(2, 12) as u32,
                tls_failure_rate: if offers { 0.04 } else { 0.0 },
                bounce_rate: 0.03,
                // The first remote server defers almost everything, so
                // that its recipients run out of attempts.
                delay_rate: if number == 0 { 0.9 } else { 0.05 },
                domain,
            });
        }

        destinations.push(Destination {
            domain: "nx.example".to_string(),
            server_ip: String::new(),
            tls: ServerTls::Plain,
            tls_required: false,
            unresolvable: true,
            max_connections: 1,
            tls_failure_rate: 0.0,
            bounce_rate: 0.0,
            delay_rate: 0.0,
        });

        let mut clients = Vec::new();
        for destination in destinations.iter().skip(2) {
            if destination.unresolvable {
                continue;
            }
            for number in 0..rng.between(1, 3) {
                let reverse_dns = if rng.chance(0.15) {
                    None
                } else {
                    Some(format!("mail{number}.{}", destination.domain))
                };
                clients.push(Client {
                    ip: public_ip(rng),
                    reverse_dns,
                    domain: destination.domain.clone(),
                });
            }
        }

        let relays = (0..8)
            .map(|number| Client {
                ip: format!("192.0.2.{}", 100 + 10 * index + number),
                reverse_dns: Some(format!("app{number}.{LOCAL_DOMAIN}")),
                domain: LOCAL_DOMAIN.to_string(),
            })
            .collect();
        World {
            incoming_interface: format!("{incoming_name} ({incoming_ip})"),
            relay_interface: format!("OutgoingMail ({relay_ip})"),
            delivery_ip,
            local,
            archive,
            destinations,
            clients,
            relays,
        }
    }

    /// Returns the index of the destination of `domain`.
    pub fn destination_of(&self, domain: &str) -> usize {
        self.destinations
            .iter()
            .position(|destination| destination.domain == domain)
            .unwrap_or(self.local)
    }

    /// Returns a random remote destination, sometimes the unresolvable one.
    pub fn remote_destination(&self, rng: &mut Rng) -> usize {
        if rng.chance(0.01) {
            return self.destinations.len() - 1;
        }
        let remote = self.destinations.len() - 3;
        2 + rng.index(remote)
    }

    /// Returns an address at `domain`.
    pub fn address(rng: &mut Rng, domain: &str) -> String {
        format!("{}@{domain}", rng.pick(USERS))
    }
}
