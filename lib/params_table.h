/*
 * params_table - every main.cf parameter, one PARAM() line each.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	#define PARAM(kind, name, defval, doc, choices, mandefault, ...) ...
 *	#include "params_table.h"
 *	#undef PARAM
 *
 * DESCRIPTION
 *	The one place where a parameter is declared: its kind (the
 *	enum param_type without PARAM_), its name, its default as written
 *	in main.cf, one line of documentation (a sentence, shown by stsconf
 *	-m and in stsd.conf(5)), the accepted values of an enumeration, and
 *	the default as the manual shows it when it depends on the build or
 *	the host; then, by name, the rule of its value (params.h): .min and
 *	.max, .check, .flags.  params.h includes it to declare the variable
 *	var_NAME of each, params.c to define them and to make param_table.
 *	Entries are kept in alphabetical order of name within each group;
 *	stsconf sorts its output anyway.
 *
 *	Adding a parameter: add its line here with its bounds (a daemon
 *	does not check them again), read var_NAME where it is needed, run
 *	"make update-man" and commit the regenerated man/stsd.conf.5.
 *
 *	No include guard: each includer defines PARAM for its purpose.
 *	The bounds' names (HOUR, DAY, WEEK, KIB, MIB, GIB, STS_*_DIR,
 *	POLICY_MAX_AGE_MAX) are needed only where the whole entry is
 *	expanded, in params.c.
 */

/* Files and users. */
PARAM(STRING, config_directory, STS_CONFIG_DIR,
    "The directory with main.cf and master.cf. At run time it is the "
    "directory actually read (the -c option of a command, or "
    "STSD_CONFIG_DIR); setting it in main.cf does not move it.",
    NULL, "the configuration directory chosen at build time "
    "(/etc/stsd in packages)")
PARAM(STRING, daemon_directory, STS_DAEMON_DIR,
    "The directory with the daemon programs that master starts "
    "(the command column of master.cf).",
    NULL, "the daemon directory chosen at build time "
    "(/usr/libexec/stsd in packages)",
    .check = PARAM_CHECK_PATH)
PARAM(STRING, data_directory, STS_DATA_DIR,
    "The directory with the databases (policy.db, reports.db) "
    "and the ACME account; owned by mail_owner.",
    NULL, "the data directory chosen at build time "
    "(/var/lib/stsd in packages)",
    .check = PARAM_CHECK_PATH)
PARAM(STRING, queue_directory, STS_QUEUE_DIR,
    "The spool: incoming/, active/ and corrupt/ reports, the private/ "
    "and public/ sockets of the services, and master's pid/ directory.",
    NULL, "the queue directory chosen at build time "
    "(/var/spool/stsd in packages)",
    .check = PARAM_CHECK_PATH)
PARAM(STRING, mail_owner, STS_MAIL_OWNER,
    "The unprivileged user (and its group) that every daemon except "
    "master runs as, and that owns the data and queue directories.",
    NULL, "the user chosen at build time (stsd in packages)",
    .check = PARAM_CHECK_USER)
PARAM(STRING, setgid_group, "$mail_owner",
    "The group of the public sockets in $queue_directory/public: "
    "members of this group may use stsctl.",
    NULL, NULL,
    .check = PARAM_CHECK_GROUP)
PARAM(STRING, maillog_file, "",
    "A file that every daemon appends its log to, instead of syslog "
    "(facility mail); empty means syslog.",
    NULL, NULL,
    .check = PARAM_CHECK_PATH, .flags = PARAM_EMPTY_OK)

/* Storage. */
PARAM(STRING, storage_engine, "sqlite",
    "Where policyd keeps policy.db and rptparse reports.db: sqlite "
    "(files in $data_directory, the default) or postgresql (the "
    "database of postgresql_conninfo, both in one). The fetch "
    "records stay on SQLite whatever this says.",
    "sqlite|postgresql", NULL,
    .check = PARAM_CHECK_ENGINE)
PARAM(STRING, postgresql_conninfo, "",
    "With storage_engine = postgresql: the libpq connection string "
    "of the database, such as \"host=/run/postgresql dbname=stsd "
    "user=stsd\" or a postgresql:// URI; without a password, which "
    "goes in postgresql_password_file. The database must have "
    "LC_COLLATE C and encoding UTF8.",
    NULL, NULL,
    .check = PARAM_CHECK_CONNINFO, .flags = PARAM_EMPTY_OK)
PARAM(STRING, postgresql_password_file, "",
    "With storage_engine = postgresql: a file whose first line is "
    "the database password, read by policyd and rptparse when they "
    "start and by the readers of reports (stsctl report, metrics, "
    "webd), which must then run as mail_owner; it must "
    "be a regular file owned by mail_owner with no permission for "
    "others (mode 0600 or 0640), and at most 1024 bytes. Empty: no "
    "password (peer or certificate authentication).",
    NULL, NULL,
    .check = PARAM_CHECK_PATH, .flags = PARAM_EMPTY_OK)

/* Several nodes on one database. */
PARAM(TIME, cluster_lease_time, "60s",
    "With storage_engine = postgresql: how long a node holds the "
    "lease of a work that must happen once (dnsmon's rounds, acmed's "
    "orders and renewals, alert sending) after its last renewal; "
    "policyd renews it, and heartbeats, every third of this, so that "
    "another node takes over the work of a node that died within "
    "this time and one heartbeat.",
    NULL, NULL,
    .min = 5, .max = HOUR)
PARAM(STRING, node_name, "$myhostname",
    "The name of this host among the nodes that share a database "
    "(stsctl node list, the holder of a lease); a host name, unique "
    "among the nodes.",
    NULL, NULL,
    .check = PARAM_CHECK_DOMAIN)

/* Names. */
PARAM(STRING, myhostname, NULL,
    "The host name of this system, as used in SMTP greetings and "
    "in logs; by default the system host name, found when main.cf "
    "is read.",
    NULL, "the system host name")
PARAM(STRING, sts_zone, "",
    "The DNS zone of the service, where the _mta-sts and _smtp._tls "
    "records of hosted domains are published; the operator must set "
    "it.",
    NULL, NULL,
    .check = PARAM_CHECK_DOMAIN, .flags = PARAM_REQUIRED)
PARAM(STRING, policy_host, "mta-sts.$sts_zone",
    "The host name that hosted domains point their mta-sts host at "
    "(a CNAME target) and that serves their policies.",
    NULL, NULL,
    .check = PARAM_CHECK_DOMAIN)
PARAM(LIST, report_recipients, "tlsrpt@$sts_zone",
    "The addresses that accept TLS reports by mail (rua=mailto:); "
    "mail to other addresses is refused.",
    NULL, NULL,
    .check = PARAM_CHECK_RCPT_LIST)
PARAM(STRING, smtp_hostname, "$myhostname",
    "The host name that the report receiver announces in its SMTP "
    "greeting and EHLO reply.",
    NULL, NULL)

/* Processes and messages between them. */
PARAM(TIME, service_throttle_time, "60s",
    "The longest time that master waits before it restarts a service "
    "whose processes keep exiting too soon (the back-off doubles up "
    "to this).",
    NULL, NULL,
    .min = 1, .max = 30 * DAY)
PARAM(TIME, service_crash_time, "10s",
    "A process that exits sooner than this after its start counts "
    "as a crash toward throttling of its service.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(TIME, ipc_timeout, "30s",
    "The longest time to wait for a peer on a local socket to send "
    "or accept one message.",
    NULL, NULL,
    .min = 1, .max = HOUR)
PARAM(SIZE, ipc_message_size_limit, "1m",
    "The largest message that a daemon accepts on a local socket; "
    "a longer one closes the connection.",
    NULL, NULL,
    .min = 256, .max = GIB)

/* Policies and reports. */
PARAM(STRING, domain_verification, "dns",
    "How a new domain proves that its owner wants it hosted: dns "
    "(its records must point at the service) or none (trusted "
    "operator input, for tests and demos).",
    "dns|none", NULL)
PARAM(STRING, default_policy_mode, "testing",
    "The MTA-STS mode of a domain added without --mode.",
    "enforce|testing|none", NULL)
PARAM(TIME, default_policy_max_age, "7d",
    "The max_age of a domain added without --max-age: how long "
    "senders may cache its policy (published in seconds).",
    NULL, NULL,
    .min = 0, .max = POLICY_MAX_AGE_MAX)
PARAM(SIZE, message_size_limit, "10m",
    "The largest report that the service accepts, by mail or by "
    "HTTPS; larger ones are refused before they are stored.",
    NULL, NULL,
    .min = KIB, .max = GIB)

/* httpd */
PARAM(BOOL, httpd_tls, "yes",
    "Whether httpd speaks HTTPS (TLS 1.2 or 1.3, certificate chosen "
    "by SNI) on its sockets; no for the plain HTTP service on port 80, "
    "which serves no policy.",
    NULL, NULL)
PARAM(INT, httpd_connection_limit, "10000",
    "The most client connections one httpd process holds open; at "
    "the limit it stops accepting until one closes.",
    NULL, NULL,
    .min = 1, .max = 1000000)
PARAM(INT, httpd_cert_cache_size, "10000",
    "How many hosts' certificates (and misses) one httpd process "
    "keeps in memory; the least recently used are dropped first.",
    NULL, NULL,
    .min = 1, .max = 10000000)
PARAM(TIME, httpd_request_timeout, "10s",
    "The longest time a client may take for the TLS handshake or "
    "to send one complete request header, counted from its first "
    "byte.",
    NULL, NULL,
    .min = 1, .max = HOUR)
PARAM(TIME, httpd_idle_timeout, "60s",
    "How long httpd keeps a connection open while waiting for the "
    "next request.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(SIZE, httpd_max_header_size, "8k",
    "The largest request line plus header block httpd reads; a "
    "longer request gets 414 or 431 and the connection is closed.",
    NULL, NULL,
    .min = 256, .max = MIB)
PARAM(INT, httpd_max_header_count, "64",
    "The most header fields httpd accepts in one request (431 "
    "beyond).",
    NULL, NULL,
    .min = 1, .max = 10000)
PARAM(INT, httpd_keepalive_requests, "1000",
    "The most requests httpd serves on one connection before it "
    "closes it.",
    NULL, NULL,
    .min = 1, .max = INT_MAX)
PARAM(TIME, httpd_policyd_retry_time, "30s",
    "The longest wait between two attempts of httpd to reconnect to "
    "policyd (the wait doubles from 1s); it serves the policies it "
    "has meanwhile.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(STRING, report_https_path, "/tlsrpt",
    "The path at which httpd accepts TLS reports POSTed by senders "
    "(RFC 8460 rua=https://HOST$report_https_path), for a hosted "
    "domain whose policy it serves at HOST = mta-sts.DOMAIN, and only "
    "with $report_https_rua = yes (others get 404, unread); empty: "
    "reports are not accepted by HTTPS.",
    NULL, NULL,
    .check = PARAM_CHECK_URL_PATH, .flags = PARAM_EMPTY_OK)
PARAM(TIME, httpd_body_timeout, "60s",
    "The longest time a client may take to send the body of a report "
    "POST, counted from the end of its header (408 beyond).",
    NULL, NULL,
    .min = 1, .max = HOUR)
PARAM(INT, httpd_report_client_limit, "60",
    "The most report POSTs that one client address (an IPv6 client: "
    "its /64) may send to one httpd process in "
    "$httpd_report_client_window; further ones get 429 with "
    "Retry-After, unread; 0: no limit.",
    NULL, NULL,
    .min = 0, .max = 1000000)
PARAM(TIME, httpd_report_client_window, "1m",
    "The time over which httpd counts the report POSTs of each "
    "client for $httpd_report_client_limit.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(INT, httpd_report_upload_limit, "100",
    "The most report bodies that one httpd process receives at once; "
    "each holds a spool file open until it is complete.  A report "
    "POST beyond them gets 503 with Retry-After, unread.  httpd asks "
    "for descriptors for $httpd_connection_limit clients and these "
    "files together.",
    NULL, NULL,
    .min = 1, .max = 100000)
PARAM(BOOL, httpd_plain_reports, "no",
    "Whether the plain HTTP service (httpd_tls = no) also accepts "
    "report POSTs at $report_https_path; by default reports are "
    "taken over HTTPS only.",
    NULL, NULL)
PARAM(BOOL, httpd_fetch_log, "yes",
    "Whether httpd records each request it answers on HTTPS and each "
    "TLS handshake that fails (time, client address, SNI, status or "
    "failure, TLS version, duration) and hands the records to "
    "rptparse, which keeps them in fetches.db for $fetch_log_days "
    "(stsctl fetch list, stsctl report show).",
    NULL, NULL)

/* policyd */
PARAM(TIME, policyd_retire_max_age, "1d",
    "The max_age of the mode none policy that a deleted domain "
    "serves while it retires (RFC 8461 section 8.3); it is never "
    "more than the domain's previous max_age.",
    NULL, NULL,
    .min = 0, .max = POLICY_MAX_AGE_MAX)
PARAM(TIME, policyd_dns_retry_max, "1h",
    "The longest wait between two attempts of policyd to publish a "
    "domain's service-zone records by DNS UPDATE (the wait doubles "
    "from $policyd_dns_retry_min).",
    NULL, NULL,
    .min = 1, .max = WEEK)
PARAM(TIME, policyd_dns_retry_min, "30s",
    "The wait after the first failed DNS UPDATE of a domain's "
    "service-zone records; it doubles with each failure up to "
    "$policyd_dns_retry_max.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(TIME, portal_anonymous_time, "10m",
    "How long webd keeps the session of a visitor who has not signed "
    "in yet (it carries the sign-in form's CSRF token).",
    NULL, NULL,
    .min = 60, .max = DAY)
PARAM(SIZE, portal_body_limit, "64k",
    "The largest request body (a form) that httpd forwards to the "
    "portal; a larger one gets 413 unread.",
    NULL, NULL,
    .min = KIB, .max = MIB)
PARAM(INT, portal_default_quota, "10",
    "The number of domains an account of a domain owner may manage "
    "when \"stsctl account add\" gives no --quota (0 to 1000000).",
    NULL, NULL,
    .min = 0, .max = 1000000)
PARAM(BOOL, portal_enabled, "no",
    "Whether httpd passes the requests for $portal_hostname to webd, "
    "the portal of domain owners, and acmed gets its certificate; "
    "with no, such requests get 404.",
    NULL, NULL)
PARAM(STRING, portal_hostname, "",
    "The one host name (SNI and Host) on the HTTPS listener that is "
    "the portal of domain owners; empty: no portal.",
    NULL, NULL,
    .check = PARAM_CHECK_DOMAIN, .flags = PARAM_EMPTY_OK)
PARAM(INT, portal_password_min_length, "12",
    "The fewest characters of an account's password (8 to 1024); "
    "policyd refuses a shorter one.",
    NULL, NULL,
    .min = 8, .max = 1024)
PARAM(INT, portal_sessions_max, "10000",
    "The most sessions (signed in or not) that webd keeps in memory; "
    "when full, the oldest visitor who has not signed in is dropped, "
    "and a sign-in is refused (503) when there is none.",
    NULL, NULL,
    .min = 10, .max = 1000000)
PARAM(TIME, portal_session_time, "8h",
    "How long a signed-in session of the portal lasts from the "
    "sign-in; then the owner signs in again.",
    NULL, NULL,
    .min = 60, .max = WEEK)
PARAM(INT, portal_signin_limit, "10",
    "The most sign-in attempts webd takes for one account name, and "
    "from one client address, in $portal_signin_window; more get 429 "
    "with Retry-After (0: no limit).",
    NULL, NULL,
    .min = 0, .max = 1000000)
PARAM(TIME, portal_signin_window, "15m",
    "The window of $portal_signin_limit.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(BOOL, portal_signup, "no",
    "Whether the portal's sign-in page offers self sign-up: anyone "
    "may create an account (a name, an e-mail address, a password; "
    "$portal_default_quota domains, none yet) and add domains to it, "
    "each proven by a TXT record; with no, accounts are made by "
    "\"stsctl account add\" only and /signup is 404.",
    NULL, NULL)
PARAM(INT, portal_signup_limit, "5",
    "The most sign-ups webd takes from one client address in "
    "$portal_signup_window, made or refused; more get 429 with "
    "Retry-After (0: no limit).",
    NULL, NULL,
    .min = 0, .max = 1000000)
PARAM(TIME, portal_signup_window, "1h",
    "The window of $portal_signup_limit.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(TIME, portal_timeout, "30s",
    "The longest time httpd waits for webd to answer one portal "
    "request (then 504), and webd for httpd to send or take one.",
    NULL, NULL,
    .min = 1, .max = HOUR)
PARAM(INT, portal_tokens_max, "100",
    "The most live API tokens of one account (1 to 10000); policyd "
    "refuses another until one is revoked.",
    NULL, NULL,
    .min = 1, .max = 10000)
PARAM(BOOL, report_https_rua, "no",
    "Whether the TLSRPT record of every domain also lists "
    "https://mta-sts.DOMAIN$report_https_path after the mailto: "
    "addresses of $report_recipients (when $report_https_path is "
    "not empty); httpd must hold a certificate for mta-sts.DOMAIN, "
    "as it does when it serves the policy.  Off by default: a "
    "sender that honours both URIs sends each report twice, and "
    "reports.db stores it once.  httpd accepts report POSTs only "
    "when it is yes.",
    NULL, NULL)
PARAM(BOOL, report_require_dkim, "yes",
    "Whether a mailed report counts only with a valid DKIM signature "
    "aligned with its From: domain (RFC 8460 section 3); the others "
    "are stored as unverified and add to no summary, readiness "
    "verdict, alert, metric or export (stsctl report list "
    "--unverified).  Decided when reports are read: a change counts "
    "or discounts the reports already stored.",
    NULL, NULL)

/* acmed */
PARAM(BOOL, acme_enabled, "yes",
    "Whether acmed gets and renews certificates by ACME for every "
    "hosted policy host; no leaves $queue_directory/certs to the "
    "operator.",
    NULL, NULL)
PARAM(BOOL, acme_smtp_certificate, "yes",
    "Whether acmed also gets and renews the certificate of "
    "$smtp_hostname, with which rptrecv offers STARTTLS; only for a "
    "name with a dot that is neither localhost nor an address.",
    NULL, NULL)
PARAM(STRING, acme_directory_url,
    "https://acme-v02.api.letsencrypt.org/directory",
    "The directory URL of the ACME certificate authority (RFC 8555); "
    "must be https.",
    NULL, NULL,
    .check = PARAM_CHECK_HTTPS_URL)
PARAM(LIST, acme_contact, "",
    "Contact addresses given to the CA when the ACME account is "
    "registered (mailto: is added when missing); empty: none.",
    NULL, NULL)
PARAM(STRING, acme_ca_file, "",
    "A PEM file of CA certificates trusted for the ACME server's own "
    "HTTPS certificate, in addition to the system's; empty: the "
    "system's only.",
    NULL, NULL,
    .check = PARAM_CHECK_PATH, .flags = PARAM_EMPTY_OK)
PARAM(STRING, acme_challenge, "http-01",
    "The ACME challenge type that acmed answers (through httpd): "
    "http-01 on port 80 or tls-alpn-01 on port 443.",
    "http-01|tls-alpn-01", NULL)
PARAM(TIME, acme_renew_before, "30d",
    "acmed renews a certificate when less than this time of validity "
    "remains, or when two thirds of its lifetime have passed, "
    "whichever comes first.",
    NULL, NULL,
    .min = 0, .max = 3650 * DAY)
PARAM(TIME, cert_warning_time, "14d",
    "A policy host certificate in $queue_directory/certs, from acmed "
    "or installed by hand, that expires within this time is a "
    "warning, and one that has expired an error: in stsd check "
    "(which then exits with status 1), stsctl cert list, the metric "
    "stsd_certificate_problem and an alert of dnsmon "
    "(policy-cert:HOST).",
    NULL, NULL,
    .min = 0, .max = 3650 * DAY)
PARAM(TIME, acmed_poll_timeout, "2m",
    "The longest time that acmed waits for the CA to validate an "
    "authorization or to issue an ordered certificate.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(TIME, acmed_request_timeout, "30s",
    "The longest time that one HTTPS request of acmed to the ACME "
    "server may take (connect, TLS, answer).",
    NULL, NULL,
    .min = 1, .max = HOUR)
PARAM(SIZE, acmed_response_size_limit, "1m",
    "The largest answer body that acmed reads from the ACME server; "
    "a larger one is an error.",
    NULL, NULL,
    .min = KIB, .max = GIB)
PARAM(TIME, acmed_retry_max, "1d",
    "The longest wait between two attempts of acmed to get a "
    "certificate that failed (the wait doubles from "
    "$acmed_retry_min); a CA's Retry-After may ask for longer.",
    NULL, NULL,
    .min = 1, .max = 30 * DAY)
PARAM(TIME, acmed_retry_min, "5m",
    "The wait after the first failed attempt of acmed to get a "
    "certificate; it doubles with each failure up to "
    "$acmed_retry_max.",
    NULL, NULL,
    .min = 1, .max = DAY)

/* dnsmon */
PARAM(INT, alert_hourly_limit, "100",
    "The most alerts that dnsmon, rptparse and policyd together send "
    "in any 60 minutes; further ones are logged and counted in "
    "stsd_alerts_dropped_total but not sent; 0: no limit.",
    NULL, NULL,
    .min = 0, .max = 1000000)
PARAM(INT, alert_per_domain_daily_limit, "20",
    "The most alerts about one domain that dnsmon, rptparse and "
    "policyd together send in one UTC day; further ones are logged and "
    "counted in stsd_alerts_dropped_total but not sent; 0: no limit.",
    NULL, NULL,
    .min = 0, .max = 1000000)
PARAM(LIST, alert_recipients, "",
    "The addresses that alerts (a new MX outside a policy, a stale "
    "record, a failing MX certificate, a step of an MX migration) "
    "are mailed to with "
    "$sendmail_path, one mail per digest of alerts raised together; "
    "empty: alerts go to the log only.",
    NULL, NULL,
    .check = PARAM_CHECK_ADDRESS_LIST)
PARAM(INT, alert_subscriptions_max, "20",
    "The most alert subscriptions (mail addresses and webhook URLs) "
    "of one domain; policyd refuses another until one is removed.",
    NULL, NULL,
    .min = 1, .max = 1000)
PARAM(LIST, alert_webhook_private_networks, "",
    "Networks (address/bits) that the webhooks of alert subscriptions "
    "may reach although they are not public (loopback, private, "
    "link-local, ...); for tests and closed networks only: empty, "
    "every such address is refused, when a webhook is subscribed and "
    "when it is sent to, to prevent forged requests into the host's "
    "own networks.",
    NULL, NULL,
    .check = PARAM_CHECK_NETWORK_LIST)
PARAM(STRING, alert_webhook_url, "",
    "An http:// or https:// URL that alerts are also POSTed to, one "
    "JSON object per digest of alerts raised together (time, alerts: "
    "each with domain, kind, key, subject, text and time, dropped); "
    "empty: no webhook.",
    NULL, NULL,
    .check = PARAM_CHECK_URL, .flags = PARAM_EMPTY_OK)
PARAM(STRING, dns_update_key_file, "",
    "The TSIG key for DNS UPDATE, one line \"name algorithm "
    "base64-secret\" (algorithm hmac-sha256); the file must not be "
    "readable by group or others.",
    NULL, NULL,
    .check = PARAM_CHECK_PATH, .flags = PARAM_EMPTY_OK)
PARAM(STRING, dns_update_server, "",
    "The authoritative server (host or host:port) that takes the "
    "DNS UPDATEs (RFC 2136) of the service zone's TXT records; "
    "empty: records are published by hand.",
    NULL, NULL)
PARAM(STRING, dnsmon_ca_file, "",
    "A PEM file of CA certificates that dnsmon trusts for MX "
    "certificates instead of the system's; empty: the system's.",
    NULL, NULL,
    .check = PARAM_CHECK_PATH, .flags = PARAM_EMPTY_OK)
PARAM(INT, dnsmon_cname_depth, "8",
    "The longest CNAME chain that dnsmon follows; a longer one (or "
    "a loop) is reported as an error.",
    NULL, NULL,
    .min = 1, .max = 100)
PARAM(INT, dnsmon_concurrency, "16",
    "The most domains that dnsmon checks at the same time (their "
    "DNS queries are asynchronous, in one process; each MX host is "
    "probed once per round).",
    NULL, NULL,
    .min = 1, .max = 10000)
PARAM(TIME, dnsmon_interval, "1h",
    "The time from the start of one round of dnsmon's checks of every "
    "domain to the start of the next (with up to 10% random jitter); "
    "a round that takes longer (see dnsmon_query_rate) is followed by "
    "the next as soon as it ends, and says so in the log.",
    NULL, NULL,
    .min = 1, .max = 30 * DAY)
PARAM(BOOL, dnsmon_probe, "yes",
    "Whether dnsmon probes every MX host with STARTTLS; no: DNS "
    "checks only (where outgoing connections to port 25 are "
    "blocked).",
    NULL, NULL)
PARAM(TIME, dnsmon_probe_timeout, "10s",
    "The longest time that each step of an MX probe may take "
    "(connect, greeting, EHLO, STARTTLS, TLS handshake).",
    NULL, NULL,
    .min = 1, .max = HOUR)
PARAM(INT, dnsmon_query_rate, "500",
    "The most DNS queries per second that dnsmon sends to the "
    "nameservers of resolv.conf, over all its lookups (resends and "
    "TCP retries included, in bursts of at most a tenth of a second's "
    "worth); resolvers limit queries per second per client address "
    "(Google Public DNS: 1000 to 1500 by default, as its documentation "
    "says), and the default, half the lower figure, "
    "leaves room for the host's other traffic.  A round asks "
    "about 6 queries per domain when MX hosts are shared, so it takes "
    "at least 6 times the number of domains divided by this rate (at "
    "500: 10^6 domains in 3 h 20 min); raise it for a resolver of your "
    "own.",
    NULL, NULL,
    .min = 1, .max = 1000000)
PARAM(TIME, dnsmon_query_timeout, "5s",
    "The longest time that dnsmon waits for the answer to one DNS "
    "query (retries included).",
    NULL, NULL,
    .min = 1, .max = HOUR)
PARAM(TIME, dnsmon_retry_min, "1m",
    "The time after which dnsmon checks again a domain that is "
    "pending or has a failing check, doubling after each check that "
    "still fails up to dnsmon_retry_max; then it waits for the next "
    "round (dnsmon_interval).",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(TIME, dnsmon_retry_max, "30m",
    "The longest step of dnsmon's back-off for a pending or failing "
    "domain (see dnsmon_retry_min).",
    NULL, NULL,
    .min = 1, .max = WEEK)
PARAM(TIME, dnsmon_check_now_interval, "10s",
    "The shortest time between two checks of one domain that \"stsctl "
    "domain add\" and \"stsctl check\" ask dnsmon for; a request that "
    "comes sooner is served when the time has passed, once.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(INT, dnsmon_smtp_port, "25",
    "The TCP port of the MX hosts that dnsmon probes (other than 25 "
    "only for tests).",
    NULL, NULL,
    .min = 1, .max = 65535)
PARAM(STRING, sendmail_path, "/usr/sbin/sendmail",
    "The sendmail(1) compatible command that mails alerts.",
    NULL, NULL,
    .check = PARAM_CHECK_PATH)

/* rptrecv */
PARAM(INT, rptrecv_client_connection_limit, "50",
    "The most connections that one client network (an IPv4 /24, an "
    "IPv6 /64) may hold open to one rptrecv process; a connection "
    "over it gets 421 4.7.0 naming the network and is closed.",
    NULL, NULL,
    .min = 1, .max = 1000000)
PARAM(INT, rptrecv_command_limit, "100",
    "The most SMTP commands rptrecv takes on one connection between "
    "two queued messages (or before the first); the next one gets "
    "421 4.7.0 and the connection is closed.",
    NULL, NULL,
    .min = 1, .max = 1000000)
PARAM(TIME, rptrecv_command_timeout, "300s",
    "The deadline of one SMTP command in rptrecv: from the end of "
    "the previous one (or the greeting, or the reply to a message) "
    "to the end of its line, however slowly it comes (the TLS "
    "handshake after STARTTLS counts in the next one); then 421 "
    "4.4.2 and the connection is closed.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(INT, rptrecv_connection_limit, "1000",
    "The most connections that one rptrecv process holds open; a "
    "connection over it gets 421 4.3.2 and is closed.",
    NULL, NULL,
    .min = 1, .max = 1000000)
PARAM(TIME, rptrecv_data_timeout, "10m",
    "The longest time that rptrecv waits for the whole text of one "
    "message after its 354 reply; then 421 4.4.2 and nothing is "
    "queued.",
    NULL, NULL,
    .min = 1, .max = DAY)

/* rptparse */
PARAM(INT, fetch_log_days, "14",
    "How many days rptparse keeps the records of policy fetches and "
    "failed TLS handshakes in fetches.db; older ones are deleted "
    "every hour.",
    NULL, NULL,
    .min = 1, .max = 3650)
PARAM(INT, fetch_log_domain_limit, "10000",
    "The most records of policy fetches and failed TLS handshakes "
    "that fetches.db keeps for one policy domain (and for all SNI "
    "names that name no served policy host, together); the oldest "
    "go first.",
    NULL, NULL,
    .min = 10, .max = 100000000)
PARAM(SIZE, rptparse_gunzip_limit, "20m",
    "The largest report that rptparse inflates from a gzip "
    "attachment or takes as JSON; a larger one goes to corrupt/.",
    NULL, NULL,
    .min = KIB, .max = GIB)
PARAM(INT, rptparse_gunzip_ratio_limit, "200",
    "The largest ratio of inflated to compressed size that rptparse "
    "accepts once the output passes 1 MiB (a gzip bomb); 0: no "
    "ratio limit.",
    NULL, NULL,
    .min = 0, .max = 1000000)
PARAM(INT, rptparse_mime_depth_limit, "8",
    "The deepest nesting of multipart and message parts that "
    "rptparse searches for a report; deeper mail goes to corrupt/.",
    NULL, NULL,
    .min = 1, .max = 100)
PARAM(INT, rptparse_json_depth_limit, "64",
    "The deepest nesting of JSON arrays and objects that rptparse "
    "accepts in a report.",
    NULL, NULL,
    .min = 1, .max = 1000)
PARAM(INT, rptparse_policy_limit, "1000",
    "The most policies that rptparse accepts in one report.",
    NULL, NULL,
    .min = 1, .max = 1000000)
PARAM(INT, rptparse_failure_detail_limit, "1000",
    "The most failure details that rptparse accepts in one policy "
    "of a report.",
    NULL, NULL,
    .min = 1, .max = 1000000)
PARAM(SIZE, rptparse_db_cache_size, "4m",
    "The memory that rptparse keeps of the pages of reports.db "
    "(SQLite's page cache); with less, storing a report reads the "
    "pages of the domain indexes again and again once reports.db "
    "is larger than the cache.",
    NULL, NULL,
    .min = 0, .max = 16 * GIB)
PARAM(TIME, rptparse_dkim_give_up_time, "2d",
    "How long after its arrival rptparse keeps trying to look up "
    "the DKIM key of a mailed report whose lookup failed for a "
    "passing reason; then the report is stored with DKIM result "
    "temperror, unverified.",
    NULL, NULL,
    .min = 1, .max = 30 * DAY)
PARAM(TIME, rptparse_dkim_retry_time, "5m",
    "How long a mailed report waits in deferred/ after a DKIM key "
    "lookup failed for a passing reason (a timeout, SERVFAIL) "
    "before rptparse verifies it again.",
    NULL, NULL,
    .min = 1, .max = DAY)
PARAM(TIME, rptparse_dkim_timeout, "5s",
    "The longest time that rptparse waits for one DKIM key lookup, "
    "over all the nameservers of /etc/resolv.conf; then the "
    "message goes to deferred/.",
    NULL, NULL,
    .min = 1, .max = 60)
PARAM(PERCENT, alert_failure_rate, "1%",
    "The share of a domain's TLS sessions, in the reports received "
    "in one day, that may fail before rptparse alerts (once per "
    "domain and day); a percentage such as 1% or 0.5%.",
    NULL, NULL)
PARAM(INT, alert_silent_min_reports, "5",
    "The reports that an organization must have sent a hosted "
    "domain, within $alert_silent_window, to count as one of its "
    "regular reporters; rptparse alerts when a regular reporter "
    "sends nothing for $alert_silent_time.",
    NULL, NULL,
    .min = 1, .max = 100000)
PARAM(TIME, alert_silent_window, "14d",
    "The time before the last $alert_silent_time in which an "
    "organization must have sent $alert_silent_min_reports reports "
    "(by the start of their date range) to count as a regular "
    "reporter of a domain.",
    NULL, NULL,
    .min = DAY, .max = 366 * DAY)
PARAM(TIME, alert_silent_time, "3d",
    "How long a regular reporter of a domain may send nothing (no "
    "report whose date range ends within that time) before "
    "rptparse raises one \"silent-reporter\" alert for the domain "
    "and organization; the next report from it clears the alert.",
    NULL, NULL,
    .min = HOUR, .max = 366 * DAY)

/* stsctl */
PARAM(TIME, stsctl_check_timeout, "10s",
    "The longest time that \"stsctl check\" takes for its requests "
    "to policyd, DNS queries and MX probes together; then it gives up "
    "and says what it was waiting for.  A wait of more than a second "
    "is said as it happens.",
    NULL, NULL,
    .min = 1, .max = HOUR)

/* Reports: stsctl report, stsctl domain show, the HTML pages. */
PARAM(INT, dashboard_page_size, "100",
    "The domains on one page of the HTML overview (stsctl report "
    "html --page N, the metrics listener's /?page=N), in policyd's "
    "order of their names, each page with its domains' rows and "
    "sections and links to the pages before and after it.",
    NULL, NULL,
    .min = 1, .max = 10000)
PARAM(INT, readiness_days, "14",
    "The days of reports that the readiness verdict looks at: a "
    "domain is safe to move to mode enforce when they hold sessions "
    "and no major sender reported a failed session (1 to 3660).",
    NULL, NULL,
    .min = 1, .max = 3660)
PARAM(INT, readiness_major_share, "10",
    "The share of a domain's sessions, in percent, from which a "
    "sending organization counts as a major sender for the readiness "
    "verdict; failures from smaller senders are shown but do not "
    "hold the domain back (1 to 100).",
    NULL, NULL,
    .min = 1, .max = 100)

/* metrics */
PARAM(STRING, metrics_auth_file, "",
    "A file of user:hash lines (a crypt(3) hash or the SHA-256 of "
    "the password in hexadecimal); when set, every request to the "
    "metrics listener needs HTTP basic authentication by one of "
    "them. Read by the metrics worker at start, as root.",
    NULL, NULL,
    .check = PARAM_CHECK_PATH, .flags = PARAM_EMPTY_OK)
PARAM(INT, metrics_domain_series_limit, "1000",
    "The most domains whose series the metrics listener shows one "
    "by one (the domain label of stsd_policy_fetches_total, "
    "stsd_report_sessions_total and stsd_failed_sessions_total, "
    "the host label of stsd_certificate_expiry_timestamp_seconds); "
    "with more domains in a scrape, these metrics are summed over "
    "the domains and shown without the domain label, and the "
    "certificate expiry is one series, the earliest. 0: never per "
    "domain.",
    NULL, NULL,
    .min = 0, .max = 500000)
PARAM(STRING, metrics_listen, "127.0.0.1:9425",
    "The address of the metrics and dashboard listener that stsd "
    "init writes as the service of the metrics line of master.cf; "
    "master binds what master.cf says.",
    NULL, NULL,
    .check = PARAM_CHECK_HOSTPORT)
