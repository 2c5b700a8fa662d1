Mon Mar  2 09:00:00 2026 Info: Begin Logfile
Mon Mar  2 09:00:00 2026 Info: Version: 15.0.0-104 SN: 4229B7A1C2D3E4F5A6B7-0C1D2E3F4A5B
Mon Mar  2 09:00:00 2026 Info: Time offset from UTC: 3600 seconds
Mon Mar  2 09:00:00 2026 Info: New SMTP ICID 51001 interface IncomingMail (192.0.2.1) address 198.51.100.10 reverse dns host mx1.example.net verified yes
Mon Mar  2 09:00:00 2026 Info: ICID 51001 ACCEPT SG ACCEPTLIST match sbrs[0.0:10.0] SBRS 4.1 country United States
Mon Mar  2 09:00:00 2026 Info: ICID 51001 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
Mon Mar  2 09:00:01 2026 Info: Start MID 81001 ICID 51001
Mon Mar  2 09:00:01 2026 Info: MID 81001 ICID 51001 From: <alice@example.net>
Mon Mar  2 09:00:01 2026 Info: MID 81001 ICID 51001 RID 0 To: <bob@example.com>
Mon Mar  2 09:00:01 2026 Debug: MID 81001 ICID 51001 TLS read 4096 bytes (0.0 seconds)
Mon Mar  2 09:00:02 2026 Info: MID 81001 Message-ID '<20260302085959.1@mx1.example.net>'
Mon Mar  2 09:00:02 2026 Info: MID 81001 Subject 'Quarterly figures'
Mon Mar  2 09:00:02 2026 Info: MID 81001 ready 48211 bytes from <alice@example.net>
Mon Mar  2 09:00:02 2026 Info: MID 81001 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:02 2026 Info: Start MID 81007 ICID 50990
Mon Mar  2 09:00:02 2026 Info: MID 81007 ICID 50990 From: <grace@example.org>
Mon Mar  2 09:00:02 2026 Info: MID 81007 ICID 50990 RID 0 To: <heidi@example.com>
Mon Mar  2 09:00:03 2026 Info: MID 81001 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:03 2026 Info: MID 81001 using engine: CASE spam negative
Mon Mar  2 09:00:03 2026 Info: MID 81001 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:03 2026 Info: MID 81001 antivirus negative
Mon Mar  2 09:00:03 2026 Info: MID 81001 Outbreak Filters: verdict negative
Mon Mar  2 09:00:03 2026 Info: MID 81001 SPF: mailfrom identity alice@example.net Pass (v=spf1)
Mon Mar  2 09:00:03 2026 Info: MID 81001 DKIM: pass signature verified (d=example.net s=sel1 i=@example.net)
Mon Mar  2 09:00:03 2026 Info: MID 81001 DMARC: Message from domain example.net, DMARC pass (SPF aligned True, DKIM aligned True)
Mon Mar  2 09:00:03 2026 Info: New SMTP ICID 51002 interface IncomingMail (192.0.2.1) address 203.0.113.25 reverse dns host mail.example.org verified yes
Mon Mar  2 09:00:03 2026 Info: ICID 51002 ACCEPT SG UNKNOWNLIST match sbrs[-1.0:10.0] SBRS 0.3 country Germany
Mon Mar  2 09:00:03 2026 Info: MID 81007 Message-ID '<g-7741@example.org>'
Mon Mar  2 09:00:03 2026 Info: MID 81007 Subject 'Contract draft v3'
Mon Mar  2 09:00:03 2026 Info: MID 81007 ready 90112 bytes from <grace@example.org>
Mon Mar  2 09:00:04 2026 Info: MID 81001 queued for delivery
Mon Mar  2 09:00:04 2026 Info: Start MID 81003 ICID 51002
Mon Mar  2 09:00:04 2026 Info: MID 81003 ICID 51002 From: <news@example.org>
Mon Mar  2 09:00:04 2026 Info: MID 81003 ICID 51002 RID 0 To: <bob@example.com>
Mon Mar  2 09:00:04 2026 Info: MID 81003 ICID 51002 RID 1 To: <erin@example.com>
Mon Mar  2 09:00:04 2026 Info: MID 81007 queued for delivery
Mon Mar  2 09:00:05 2026 Info: Start MID 81002 ICID 51001
Mon Mar  2 09:00:05 2026 Info: MID 81002 ICID 51001 From: <alice@example.net>
Mon Mar  2 09:00:05 2026 Info: MID 81002 ICID 51001 RID 0 To: <carol@example.com>
Mon Mar  2 09:00:05 2026 Info: MID 81002 ICID 51001 RID 1 To: <dave@example.com>
Mon Mar  2 09:00:05 2026 Info: MID 81003 Message-ID '<n.8841@mail.example.org>'
Mon Mar  2 09:00:05 2026 Info: MID 81003 Subject 'Weekly newsletter'
Mon Mar  2 09:00:05 2026 Info: MID 81003 ready 30977 bytes from <news@example.org>
Mon Mar  2 09:00:05 2026 Info: MID 81003 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:05 2026 Info: New SMTP ICID 51003 interface IncomingMail (192.0.2.1) address 203.0.113.80 reverse dns host unknown verified no
Mon Mar  2 09:00:05 2026 Info: ICID 51003 ACCEPT SG UNKNOWNLIST match sbrs[-1.0:10.0] SBRS -0.2 country not enabled
Mon Mar  2 09:00:05 2026 Info: ICID 51003 TLS failed: (336027900, 'error:1408F09C:SSL routines:ssl3_get_record:http request')
Mon Mar  2 09:00:05 2026 Info: New SMTP DCID 71001 interface 192.0.2.3 address 192.0.2.60 port 25
Mon Mar  2 09:00:05 2026 Info: DCID 71001 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
Mon Mar  2 09:00:05 2026 Info: Delivery start DCID 71001 MID 81001 to RID [0]
Mon Mar  2 09:00:06 2026 Info: MID 81002 Message-ID '<20260302090004.7@mx1.example.net>'
Mon Mar  2 09:00:06 2026 Info: MID 81002 Subject "Re: Lunch on Friday? it's on me"
Mon Mar  2 09:00:06 2026 Info: MID 81002 ready 5120 bytes from <alice@example.net>
Mon Mar  2 09:00:06 2026 Info: MID 81002 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:06 2026 Info: MID 81003 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:06 2026 Info: MID 81003 using engine: CASE spam negative
Mon Mar  2 09:00:06 2026 Info: MID 81003 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:06 2026 Info: MID 81003 antivirus negative
Mon Mar  2 09:00:06 2026 Info: MID 81003 Outbreak Filters: verdict negative
Mon Mar  2 09:00:06 2026 Info: MID 81003 using engine: GRAYMAIL marketing_mail
Mon Mar  2 09:00:06 2026 Info: Start MID 81004 ICID 51003
Mon Mar  2 09:00:06 2026 Info: MID 81004 ICID 51003 From: <billing@example.org>
Mon Mar  2 09:00:06 2026 Info: MID 81004 ICID 51003 RID 0 To: <frank@example.com>
Mon Mar  2 09:00:06 2026 Info: ICID 50990 close
Mon Mar  2 09:00:06 2026 Info: Message done DCID 71001 MID 81001 to RID [0]
Mon Mar  2 09:00:06 2026 Info: MID 81001 RID [0] Response '2.6.0 <20260302085959.1@mx1.example.net> [InternalId=1] Queued mail for delivery'
Mon Mar  2 09:00:06 2026 Info: Message finished MID 81001 done
Mon Mar  2 09:00:06 2026 Info: Delivery start DCID 70950 MID 81007 to RID [0]
Mon Mar  2 09:00:07 2026 Info: MID 81002 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:07 2026 Info: MID 81002 using engine: CASE spam negative
Mon Mar  2 09:00:07 2026 Info: MID 81002 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:07 2026 Info: MID 81002 antivirus negative
Mon Mar  2 09:00:07 2026 Info: MID 81002 Outbreak Filters: verdict negative
Mon Mar  2 09:00:07 2026 Info: MID 81003 queued for delivery
Mon Mar  2 09:00:07 2026 Info: MID 81004 Message-ID '<inv-0117@example.org>'
Mon Mar  2 09:00:07 2026 Info: MID 81004 Subject 'Invoice 2026-0117'
Mon Mar  2 09:00:07 2026 Info: MID 81004 ready 11802 bytes from <billing@example.org>
Mon Mar  2 09:00:07 2026 Info: MID 81004 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:07 2026 Info: New SMTP ICID 51004 interface IncomingMail (192.0.2.1) address 203.0.113.99 reverse dns host unknown verified no
Mon Mar  2 09:00:07 2026 Info: ICID 51004 ACCEPT SG TLSREQUIRED match 203.0.113.0/24 SBRS None
Mon Mar  2 09:00:07 2026 Info: Message done DCID 70950 MID 81007 to RID [0]
Mon Mar  2 09:00:07 2026 Info: MID 81007 RID [0] Response '2.6.0 Queued mail for delivery'
Mon Mar  2 09:00:07 2026 Info: Message finished MID 81007 done
Mon Mar  2 09:00:08 2026 Info: MID 81002 queued for delivery
Mon Mar  2 09:00:08 2026 Info: MID 81004 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:08 2026 Info: MID 81004 using engine: CASE spam negative
Mon Mar  2 09:00:08 2026 Info: MID 81004 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:08 2026 Info: MID 81004 antivirus negative
Mon Mar  2 09:00:08 2026 Info: MID 81004 Outbreak Filters: verdict negative
Mon Mar  2 09:00:08 2026 Info: ICID 51004 TLS was required but remote host did not initiate it
Mon Mar  2 09:00:08 2026 Info: ICID 51004 close
Mon Mar  2 09:00:08 2026 Info: Delivery start DCID 71001 MID 81002 to RID [0, 1]
Mon Mar  2 09:00:09 2026 Info: MID 81004 queued for delivery
Mon Mar  2 09:00:09 2026 Info: New SMTP ICID 51005 interface IncomingMail (192.0.2.1) address 198.51.100.77 reverse dns host legacy.example.net verified yes
Mon Mar  2 09:00:09 2026 Info: ICID 51005 ACCEPT SG ACCEPTLIST match sbrs[0.0:10.0] SBRS 2.0
Mon Mar  2 09:00:09 2026 Info: ICID 51005 TLS success protocol TLSv1 cipher AES128-SHA
Mon Mar  2 09:00:09 2026 Info: Message done DCID 71001 MID 81002 to RID [0, 1]
Mon Mar  2 09:00:09 2026 Info: MID 81002 RID [0, 1] Response '2.6.0 <20260302090004.7@mx1.example.net> [InternalId=2] Queued mail for delivery'
Mon Mar  2 09:00:09 2026 Info: Message finished MID 81002 done
Mon Mar  2 09:00:09 2026 Info: Delivery start DCID 71001 MID 81003 to RID [0, 1]
Mon Mar  2 09:00:09 2026 Info: DCID 70950 close
Mon Mar  2 09:00:10 2026 Info: Start MID 81005 ICID 51005
Mon Mar  2 09:00:10 2026 Info: MID 81005 ICID 51005 From: <scanner@legacy.example.net>
Mon Mar  2 09:00:10 2026 Info: MID 81005 ICID 51005 RID 0 To: <frank@example.com>
Mon Mar  2 09:00:10 2026 Info: New SMTP ICID 51006 interface IncomingMail (192.0.2.1) address 203.0.113.66 reverse dns host bad.example verified no
Mon Mar  2 09:00:10 2026 Info: ICID 51006 REJECT SG BLACKLIST match sbrs[-10.0:-3.0] SBRS -9.1
Mon Mar  2 09:00:10 2026 Info: Message done DCID 71001 MID 81003 to RID [0, 1]
Mon Mar  2 09:00:10 2026 Info: MID 81003 RID [0, 1] Response '2.6.0 <n.8841@mail.example.org> [InternalId=3] Queued mail for delivery'
Mon Mar  2 09:00:10 2026 Info: Message finished MID 81003 done
Mon Mar  2 09:00:11 2026 Info: ICID 51002 close
Mon Mar  2 09:00:11 2026 Info: MID 81005 Message-ID '<scan.33@legacy.example.net>'
Mon Mar  2 09:00:11 2026 Info: MID 81005 Subject 'Scanned document'
Mon Mar  2 09:00:11 2026 Info: MID 81005 ready 220416 bytes from <scanner@legacy.example.net>
Mon Mar  2 09:00:11 2026 Info: MID 81005 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:11 2026 Info: ICID 51006 close
Mon Mar  2 09:00:11 2026 Info: Delivery start DCID 71001 MID 81004 to RID [0]
Mon Mar  2 09:00:12 2026 Info: ICID 51001 close
Mon Mar  2 09:00:12 2026 Info: MID 81005 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:12 2026 Info: MID 81005 using engine: CASE spam negative
Mon Mar  2 09:00:12 2026 Info: MID 81005 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:12 2026 Info: MID 81005 antivirus negative
Mon Mar  2 09:00:12 2026 Info: MID 81005 Outbreak Filters: verdict negative
Mon Mar  2 09:00:12 2026 Info: MID 81005 attachment 'scan0001.pdf'
Mon Mar  2 09:00:12 2026 Info: New SMTP ICID 51007 interface IncomingMail (192.0.2.1) address 198.51.100.200 reverse dns host out.example.net verified yes
Mon Mar  2 09:00:12 2026 Info: ICID 51007 ACCEPT SG UNKNOWNLIST match sbrs[-1.0:10.0] SBRS -0.9
Mon Mar  2 09:00:12 2026 Info: ICID 51007 TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384
Mon Mar  2 09:00:12 2026 Info: Message done DCID 71001 MID 81004 to RID [0]
Mon Mar  2 09:00:12 2026 Info: MID 81004 RID [0] Response '2.6.0 <inv-0117@example.org> [InternalId=4] Queued mail for delivery'
Mon Mar  2 09:00:12 2026 Info: Message finished MID 81004 done
Mon Mar  2 09:00:13 2026 Info: ICID 51003 close
Mon Mar  2 09:00:13 2026 Info: MID 81005 queued for delivery
Mon Mar  2 09:00:13 2026 Info: Start MID 81006 ICID 51007
Mon Mar  2 09:00:13 2026 Info: MID 81006 ICID 51007 From: <promo@out.example.net>
Mon Mar  2 09:00:13 2026 Info: MID 81006 ICID 51007 RID 0 To: <bob@example.com>
Mon Mar  2 09:00:14 2026 Info: MID 81006 Message-ID '<promo-99@out.example.net>'
Mon Mar  2 09:00:14 2026 Info: MID 81006 Subject 'You have won'
Mon Mar  2 09:00:14 2026 Info: MID 81006 ready 3071 bytes from <promo@out.example.net>
Mon Mar  2 09:00:14 2026 Info: Delivery start DCID 71001 MID 81005 to RID [0]
Mon Mar  2 09:00:15 2026 Info: MID 81006 interim verdict using engine: CASE spam positive
Mon Mar  2 09:00:15 2026 Info: MID 81006 using engine: CASE spam positive
Mon Mar  2 09:00:15 2026 Info: Message aborted MID 81006 Dropped by CASE
Mon Mar  2 09:00:15 2026 Info: Message finished MID 81006 done
Mon Mar  2 09:00:15 2026 Info: Message done DCID 71001 MID 81005 to RID [0]
Mon Mar  2 09:00:15 2026 Info: MID 81005 RID [0] Response '2.6.0 <scan.33@legacy.example.net> [InternalId=5] Queued mail for delivery'
Mon Mar  2 09:00:15 2026 Info: Message finished MID 81005 done
Mon Mar  2 09:00:16 2026 Info: ICID 51007 close
Mon Mar  2 09:00:17 2026 Info: ICID 51005 close
Mon Mar  2 09:00:20 2026 Info: New SMTP ICID 51008 interface OutgoingMail (192.0.2.2) address 192.0.2.50 reverse dns host exch.example.com verified yes
Mon Mar  2 09:00:20 2026 Info: ICID 51008 RELAY SG RELAYLIST match 192.0.2.0/24 SBRS None
Mon Mar  2 09:00:20 2026 Info: ICID 51008 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
Mon Mar  2 09:00:21 2026 Info: Start MID 81010 ICID 51008
Mon Mar  2 09:00:21 2026 Info: MID 81010 ICID 51008 From: <bob@example.com>
Mon Mar  2 09:00:21 2026 Info: MID 81010 ICID 51008 RID 0 To: <ivan@partner.example>
Mon Mar  2 09:00:21 2026 Info: MID 81010 ICID 51008 RID 1 To: <judy@partner.example>
Mon Mar  2 09:00:22 2026 Info: MID 81010 Message-ID '<pp1@exch.example.com>'
Mon Mar  2 09:00:22 2026 Info: MID 81010 Subject 'Project plan'
Mon Mar  2 09:00:22 2026 Info: MID 81010 ready 77120 bytes from <bob@example.com>
Mon Mar  2 09:00:22 2026 Info: MID 81010 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:23 2026 Info: MID 81010 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:23 2026 Info: MID 81010 using engine: CASE spam negative
Mon Mar  2 09:00:23 2026 Info: MID 81010 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:23 2026 Info: MID 81010 antivirus negative
Mon Mar  2 09:00:23 2026 Info: MID 81010 Outbreak Filters: verdict negative
Mon Mar  2 09:00:24 2026 Info: MID 81010 queued for delivery
Mon Mar  2 09:00:24 2026 Info: New SMTP ICID 51009 interface IncomingMail (192.0.2.1) address 198.51.100.31 reverse dns host mx.example.net verified yes
Mon Mar  2 09:00:24 2026 Info: ICID 51009 ACCEPT SG ACCEPTLIST match sbrs[0.0:10.0] SBRS 3.0
Mon Mar  2 09:00:24 2026 Info: ICID 51009 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
Mon Mar  2 09:00:25 2026 Info: Start MID 81011 ICID 51008
Mon Mar  2 09:00:25 2026 Info: MID 81011 ICID 51008 From: <carol@example.com>
Mon Mar  2 09:00:25 2026 Info: MID 81011 ICID 51008 RID 0 To: <kim@oldpartner.example>
Mon Mar  2 09:00:25 2026 Info: Start MID 81015 ICID 51009
Mon Mar  2 09:00:25 2026 Info: MID 81015 ICID 51009 From: <peggy@example.net>
Mon Mar  2 09:00:25 2026 Info: MID 81015 ICID 51009 RID 0 To: <bob@example.com>
Mon Mar  2 09:00:26 2026 Info: MID 81011 Message-ID '<oc2@exch.example.com>'
Mon Mar  2 09:00:26 2026 Info: MID 81011 Subject 'Order confirmation'
Mon Mar  2 09:00:26 2026 Info: MID 81011 ready 9120 bytes from <carol@example.com>
Mon Mar  2 09:00:26 2026 Info: MID 81011 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:26 2026 Info: MID 81015 Message-ID '<x9@mx.example.net>'
Mon Mar  2 09:00:26 2026 Info: MID 81015 Subject '=?UTF-8?B?UmU6IGZhY3R1cmU=?='
Mon Mar  2 09:00:26 2026 Info: MID 81015 ready 6200 bytes from <peggy@example.net>
Mon Mar  2 09:00:26 2026 Info: MID 81015 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:26 2026 Info: DCID 71002 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for partner.example
Mon Mar  2 09:00:26 2026 Info: New SMTP DCID 71002 interface 192.0.2.3 address 198.51.100.140 port 25
Mon Mar  2 09:00:26 2026 Info: Delivery start DCID 71002 MID 81010 to RID [0, 1]
Mon Mar  2 09:00:27 2026 Info: MID 81011 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:27 2026 Info: MID 81011 using engine: CASE spam negative
Mon Mar  2 09:00:27 2026 Info: MID 81011 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:27 2026 Info: MID 81011 antivirus negative
Mon Mar  2 09:00:27 2026 Info: MID 81011 Outbreak Filters: verdict negative
Mon Mar  2 09:00:27 2026 Info: MID 81015 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:27 2026 Info: MID 81015 using engine: CASE spam negative
Mon Mar  2 09:00:27 2026 Info: MID 81015 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:27 2026 Info: MID 81015 antivirus negative
Mon Mar  2 09:00:27 2026 Info: MID 81015 Outbreak Filters: verdict negative
Mon Mar  2 09:00:27 2026 Info: Message done DCID 71002 MID 81010 to RID [0, 1]
Mon Mar  2 09:00:27 2026 Info: MID 81010 RID [0, 1] Response '2.0.0 Ok: queued as 4Fq1Xb2'
Mon Mar  2 09:00:27 2026 Info: Message finished MID 81010 done
Mon Mar  2 09:00:28 2026 Info: MID 81011 queued for delivery
Mon Mar  2 09:00:28 2026 Info: MID 81015 queued for delivery
Mon Mar  2 09:00:28 2026 Info: New SMTP DCID 71003 interface 192.0.2.3 address 203.0.113.120 port 25
Mon Mar  2 09:00:28 2026 Info: DCID 71003 IP 203.0.113.120 TLS failed: STARTTLS unexpected response
Mon Mar  2 09:00:28 2026 Info: Delivery start DCID 71003 MID 81011 to RID [0]
Mon Mar  2 09:00:29 2026 Info: Start MID 81012 ICID 51008
Mon Mar  2 09:00:29 2026 Info: MID 81012 ICID 51008 From: <dave@example.com>
Mon Mar  2 09:00:29 2026 Info: MID 81012 ICID 51008 RID 0 To: <lee@partner.example>
Mon Mar  2 09:00:29 2026 Info: MID 81012 ICID 51008 RID 1 To: <mallory@clear.example>
Mon Mar  2 09:00:29 2026 Info: Delivery start DCID 71001 MID 81015 to RID [0]
Mon Mar  2 09:00:29 2026 Info: Message done DCID 71003 MID 81011 to RID [0]
Mon Mar  2 09:00:29 2026 Info: MID 81011 RID [0] Response '250 OK id=1wXyZ'
Mon Mar  2 09:00:29 2026 Info: Message finished MID 81011 done
Mon Mar  2 09:00:30 2026 Info: MID 81012 Message-ID '<ag3@exch.example.com>'
Mon Mar  2 09:00:30 2026 Info: MID 81012 Subject 'Agenda'
Mon Mar  2 09:00:30 2026 Info: MID 81012 ready 4420 bytes from <dave@example.com>
Mon Mar  2 09:00:30 2026 Info: MID 81012 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:30 2026 Info: Message done DCID 71001 MID 81015 to RID [0]
Mon Mar  2 09:00:30 2026 Info: MID 81015 RID [0] Response '2.6.0 <x9@mx.example.net> [InternalId=6] Queued mail for delivery'
Mon Mar  2 09:00:30 2026 Info: Message finished MID 81015 done
Mon Mar  2 09:00:30 2026 Info: DCID 71003 close
Mon Mar  2 09:00:31 2026 Info: MID 81012 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:31 2026 Info: MID 81012 using engine: CASE spam negative
Mon Mar  2 09:00:31 2026 Info: MID 81012 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:31 2026 Info: MID 81012 antivirus negative
Mon Mar  2 09:00:31 2026 Info: MID 81012 Outbreak Filters: verdict negative
Mon Mar  2 09:00:32 2026 Info: MID 81012 queued for delivery
Mon Mar  2 09:00:32 2026 Info: ICID 51009 close
Mon Mar  2 09:00:32 2026 Info: Delivery start DCID 71002 MID 81012 to RID [0]
Mon Mar  2 09:00:32 2026 Info: Message done DCID 71002 MID 81012 to RID [0]
Mon Mar  2 09:00:32 2026 Info: MID 81012 RID [0] Response '2.0.0 Ok: queued as 4Fq1Xc9'
Mon Mar  2 09:00:33 2026 Info: Start MID 81013 ICID 51008
Mon Mar  2 09:00:33 2026 Info: MID 81013 ICID 51008 From: <erin@example.com>
Mon Mar  2 09:00:33 2026 Info: MID 81013 ICID 51008 RID 0 To: <nobody@nowhere.example>
Mon Mar  2 09:00:33 2026 Info: DCID 71001 close
Mon Mar  2 09:00:33 2026 Info: New SMTP DCID 71005 interface 192.0.2.3 address 203.0.113.150 port 25
Mon Mar  2 09:00:33 2026 Info: Delivery start DCID 71005 MID 81012 to RID [1]
Mon Mar  2 09:00:34 2026 Info: MID 81013 Message-ID '<he4@exch.example.com>'
Mon Mar  2 09:00:34 2026 Info: MID 81013 Subject 'Hello'
Mon Mar  2 09:00:34 2026 Info: MID 81013 ready 2100 bytes from <erin@example.com>
Mon Mar  2 09:00:34 2026 Info: MID 81013 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:34 2026 Info: Message done DCID 71005 MID 81012 to RID [1]
Mon Mar  2 09:00:34 2026 Info: MID 81012 RID [1] Response '250 2.0.0 accepted'
Mon Mar  2 09:00:34 2026 Info: Message finished MID 81012 done
Mon Mar  2 09:00:35 2026 Info: MID 81013 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:35 2026 Info: MID 81013 using engine: CASE spam negative
Mon Mar  2 09:00:35 2026 Info: MID 81013 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:35 2026 Info: MID 81013 antivirus negative
Mon Mar  2 09:00:35 2026 Info: MID 81013 Outbreak Filters: verdict negative
Mon Mar  2 09:00:36 2026 Info: MID 81013 queued for delivery
Mon Mar  2 09:00:36 2026 Info: DCID 71005 close
Mon Mar  2 09:00:37 2026 Info: Start MID 81014 ICID 51008
Mon Mar  2 09:00:37 2026 Info: MID 81014 ICID 51008 From: <frank@example.com>
Mon Mar  2 09:00:37 2026 Info: MID 81014 ICID 51008 RID 0 To: <olivia@strict.example>
Mon Mar  2 09:00:37 2026 Info: New SMTP DCID 71006 interface 192.0.2.3 address 203.0.113.170 port 25
Mon Mar  2 09:00:37 2026 Info: DCID 71006 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
Mon Mar  2 09:00:37 2026 Info: Delivery start DCID 71006 MID 81013 to RID [0]
Mon Mar  2 09:00:38 2026 Info: MID 81014 Message-ID '<cs5@exch.example.com>'
Mon Mar  2 09:00:38 2026 Info: MID 81014 Subject 'Confidential: salaries'
Mon Mar  2 09:00:38 2026 Info: MID 81014 ready 15500 bytes from <frank@example.com>
Mon Mar  2 09:00:38 2026 Info: MID 81014 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:38 2026 Info: DCID 71002 close
Mon Mar  2 09:00:38 2026 Info: Bounced: DCID 71006 MID 81013 to RID 0 - 5.1.1 - Bad destination email address ('550', ['5.1.1 <nobody@nowhere.example>: Recipient address rejected: User unknown']) []
Mon Mar  2 09:00:38 2026 Info: Message finished MID 81013 done
Mon Mar  2 09:00:38 2026 Info: Start MID 81016 ICID 0
Mon Mar  2 09:00:38 2026 Info: MID 81016 was generated for bounce of MID 81013
Mon Mar  2 09:00:38 2026 Info: MID 81016 ICID 0 From: <>
Mon Mar  2 09:00:38 2026 Info: MID 81016 ICID 0 RID 0 To: <erin@example.com>
Mon Mar  2 09:00:38 2026 Info: MID 81016 Subject 'Delivery Status Notification (Failure)'
Mon Mar  2 09:00:38 2026 Info: MID 81016 ready 4410 bytes from <>
Mon Mar  2 09:00:39 2026 Info: MID 81014 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:39 2026 Info: MID 81014 using engine: CASE spam negative
Mon Mar  2 09:00:39 2026 Info: MID 81014 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:39 2026 Info: MID 81014 antivirus negative
Mon Mar  2 09:00:39 2026 Info: MID 81014 Outbreak Filters: verdict negative
Mon Mar  2 09:00:39 2026 Info: DCID 71006 close
Mon Mar  2 09:00:39 2026 Info: MID 81016 queued for delivery
Mon Mar  2 09:00:40 2026 Info: MID 81014 queued for delivery
Mon Mar  2 09:00:40 2026 Info: New SMTP DCID 71007 interface 192.0.2.3 address 192.0.2.60 port 25
Mon Mar  2 09:00:40 2026 Info: DCID 71007 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384
Mon Mar  2 09:00:40 2026 Info: Delivery start DCID 71007 MID 81016 to RID [0]
Mon Mar  2 09:00:41 2026 Info: New SMTP DCID 71004 interface 192.0.2.3 address 198.51.100.160 port 25
Mon Mar  2 09:00:41 2026 Info: DCID 71004 IP 198.51.100.160 TLS was required but could not be successfully negotiated
Mon Mar  2 09:00:41 2026 Info: Delayed: DCID 71004 MID 81014 to RID 0 - 4.0.0 - Unknown address error ('000', ['TLS was required but could not be successfully negotiated']) []
Mon Mar  2 09:00:41 2026 Info: Message 81014 to RID [0] pending till Mon Mar  2 09:10:41 2026
Mon Mar  2 09:00:41 2026 Info: Message done DCID 71007 MID 81016 to RID [0]
Mon Mar  2 09:00:41 2026 Info: MID 81016 RID [0] Response '2.6.0 Queued mail for delivery'
Mon Mar  2 09:00:41 2026 Info: Message finished MID 81016 done
Mon Mar  2 09:00:42 2026 Info: DCID 71004 close
Mon Mar  2 09:00:42 2026 Info: New SMTP ICID 51010 interface OutgoingMail (192.0.2.2) address 192.0.2.51 reverse dns host app.example.com verified yes
Mon Mar  2 09:00:42 2026 Info: ICID 51010 RELAY SG RELAYLIST match 192.0.2.0/24 SBRS None
Mon Mar  2 09:00:43 2026 Info: ICID 51008 TLS failed: [Errno 54] Connection reset by peer
Mon Mar  2 09:00:43 2026 Info: Start MID 81020 ICID 51010
Mon Mar  2 09:00:43 2026 Info: MID 81020 ICID 51010 From: <reports@example.com>
Mon Mar  2 09:00:43 2026 Info: MID 81020 ICID 51010 RID 0 To: <quinn@partner.example>
Mon Mar  2 09:00:43 2026 Info: MID 81020 ICID 51010 RID 1 To: <rupert@dnsfail.example>
Mon Mar  2 09:00:44 2026 Info: ICID 51008 close
Mon Mar  2 09:00:44 2026 Info: MID 81020 Message-ID '<mr-1@app.example.com>'
Mon Mar  2 09:00:44 2026 Info: MID 81020 Subject 'Monthly report'
Mon Mar  2 09:00:44 2026 Info: MID 81020 ready 64200 bytes from <reports@example.com>
Mon Mar  2 09:00:44 2026 Info: MID 81020 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:44 2026 Info: Start MID 81022 ICID 0
Mon Mar  2 09:00:44 2026 Info: MID 81022 ICID 0 From: <reports@example.com>
Mon Mar  2 09:00:44 2026 Info: MID 81022 ICID 0 RID 0 To: <archive@example.com>
Mon Mar  2 09:00:44 2026 Info: MID 81021 ICID 0 From: <reports@example.com>
Mon Mar  2 09:00:44 2026 Info: MID 81021 ICID 0 RID 0 To: <quinn@partner.example>
Mon Mar  2 09:00:45 2026 Info: MID 81020 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:45 2026 Info: MID 81020 using engine: CASE spam negative
Mon Mar  2 09:00:45 2026 Info: MID 81020 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:45 2026 Info: MID 81020 antivirus negative
Mon Mar  2 09:00:45 2026 Info: MID 81020 Outbreak Filters: verdict negative
Mon Mar  2 09:00:45 2026 Info: MID 81020 was split creating MID 81021 due to a per-recipient policy ENCRYPT for following recipients: quinn@partner.example
Mon Mar  2 09:00:45 2026 Info: MID 81022 was generated based on MID 81020 by bcc filter 'Archive_BCC'
Mon Mar  2 09:00:45 2026 Info: MID 81022 queued for delivery
Mon Mar  2 09:00:45 2026 Info: MID 81021 queued for delivery
Mon Mar  2 09:00:46 2026 Info: MID 81020 queued for delivery
Mon Mar  2 09:00:47 2026 Info: New SMTP DCID 71008 interface 192.0.2.3 address 198.51.100.140 port 25
Mon Mar  2 09:00:47 2026 Info: DCID 71008 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 for partner.example
Mon Mar  2 09:00:47 2026 Info: Delivery start DCID 71008 MID 81021 to RID [0]
Mon Mar  2 09:00:47 2026 Info: Bounced: DCID 0 MID 81020 to RID 1 - 5.1.2 - Bad destination host ('000', ['DNS Hard Error looking up dnsfail.example (MX):  NXDomain'])
Mon Mar  2 09:00:47 2026 Info: Message finished MID 81020 done
Mon Mar  2 09:00:48 2026 Info: Message done DCID 71008 MID 81021 to RID [0]
Mon Mar  2 09:00:48 2026 Info: MID 81021 RID [0] Response '2.0.0 Ok: queued as 4Fq1Y00'
Mon Mar  2 09:00:48 2026 Info: Message finished MID 81021 done
Mon Mar  2 09:00:48 2026 Info: New SMTP DCID 71009 interface 192.0.2.3 address 192.0.2.61 port 25
Mon Mar  2 09:00:48 2026 Info: Delivery start DCID 71009 MID 81022 to RID [0]
Mon Mar  2 09:00:49 2026 Info: Message done DCID 71009 MID 81022 to RID [0]
Mon Mar  2 09:00:49 2026 Info: Message finished MID 81022 done
Mon Mar  2 09:00:50 2026 Info: ICID 51010 close
Mon Mar  2 09:00:50 2026 Info: New SMTP ICID 51011 interface OutgoingMail (192.0.2.2) address 192.0.2.50 reverse dns host exch.example.com verified yes
Mon Mar  2 09:00:50 2026 Info: ICID 51011 RELAY SG RELAYLIST match 192.0.2.0/24 SBRS None
Mon Mar  2 09:00:50 2026 Info: ICID 51011 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
Mon Mar  2 09:00:51 2026 Info: Start MID 81030 ICID 51011
Mon Mar  2 09:00:51 2026 Info: MID 81030 ICID 51011 From: <bob@example.com>
Mon Mar  2 09:00:51 2026 Info: MID 81030 ICID 51011 RID 0 To: <sam@down.example>
Mon Mar  2 09:00:52 2026 Info: DCID 71008 close
Mon Mar  2 09:00:52 2026 Info: MID 81030 Message-ID '<ayt@exch.example.com>'
Mon Mar  2 09:00:52 2026 Info: MID 81030 Subject 'Are you there?'
Mon Mar  2 09:00:52 2026 Info: MID 81030 ready 1900 bytes from <bob@example.com>
Mon Mar  2 09:00:52 2026 Info: MID 81030 matched all recipients for per-recipient policy DEFAULT in the inbound table
Mon Mar  2 09:00:53 2026 Info: MID 81030 interim verdict using engine: CASE spam negative
Mon Mar  2 09:00:53 2026 Info: MID 81030 using engine: CASE spam negative
Mon Mar  2 09:00:53 2026 Info: MID 81030 interim AV verdict using Sophos CLEAN
Mon Mar  2 09:00:53 2026 Info: MID 81030 antivirus negative
Mon Mar  2 09:00:53 2026 Info: MID 81030 Outbreak Filters: verdict negative
Mon Mar  2 09:00:54 2026 Info: MID 81030 queued for delivery
Mon Mar  2 09:00:55 2026 Info: DCID 71009 close
Mon Mar  2 09:00:56 2026 Info: New SMTP DCID 71010 interface 192.0.2.3 address 203.0.113.190 port 25
Mon Mar  2 09:00:58 2026 Info: ICID 51011 close
Mon Mar  2 09:01:00 2026 Info: DCID 71007 close
Mon Mar  2 09:01:00 2026 Info: SenderBase upload: 214 hosts totaling 31288 bytes
Mon Mar  2 09:01:26 2026 Info: Connection Error: DCID 71010 domain: down.example IP: 203.0.113.190 port: 25 details: timeout interface: 192.0.2.3 reason: network error
Mon Mar  2 09:01:26 2026 Info: Delayed: DCID 71010 MID 81030 to RID 0 - 4.4.0 - Other network problem ('000', ['timeout']) []
Mon Mar  2 09:01:26 2026 Info: Message 81030 to RID [0] pending till Mon Mar  2 09:06:26 2026
Mon Mar  2 09:02:00 2026 Info: Internal SMTP system successfully sent a message to admin@example.com with subject 'Warning <System> esa1.example.com: Your "Sophos Anti-Virus" key will expire in under 30 day(s)'.
Mon Mar  2 09:05:00 2026 Info: SDS_CLIENT: URL scanner enabled=1
Mon Mar  2 09:10:40 2026 Info: New SMTP DCID 71020 interface 192.0.2.3 address 198.51.100.161 port 25
Mon Mar  2 09:10:40 2026 Info: DCID 71020 TLS success protocol TLSv1.3 cipher TLS_AES_128_GCM_SHA256 CN=mx2.strict.example
Mon Mar  2 09:10:40 2026 Info: Delivery start DCID 71020 MID 81014 to RID [0]
Mon Mar  2 09:10:41 2026 Info: Message done DCID 71020 MID 81014 to RID [0]
Mon Mar  2 09:10:41 2026 Info: MID 81014 RID [0] Response '2.0.0 OK 1772443241'
Mon Mar  2 09:10:41 2026 Info: Message finished MID 81014 done
Mon Mar  2 09:10:45 2026 Info: DCID 71020 close
