/*
 * alert - tell the operator that something changed for the worse.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	alert_store_file(path, &err)	dedup state in a file (or:)
 *	alert_store_set(&store)		dedup state kept by the caller
 *	alert_raise(domain, kind, key, subject, text)
 *	alert_clear(domain, kind)	the condition is gone
 *	alert_raised(domain, kind)	1: raised and not cleared since
 *	alert_send()			the digest of what was raised
 *	alert_store_flush()		save what changed (end of a round)
 *	alert_store_close()		sends, flushes
 *
 * DESCRIPTION
 *	alert_raise() logs the alert (log_warn, always) and adds it to the
 *	digest; alert_send() sends the digest: one mail to
 *	alert_recipients through sendmail_path, and one POST to
 *	alert_webhook_url (http:// or https://; https checks the server's
 *	certificate against the system CAs and its name) of the JSON
 *	object {"time","alerts":[{"domain","kind","key","subject","text",
 *	"time"},...],"dropped"}.  Callers send at the end of a unit of
 *	work (rptparse: a turn of reports; dnsmon: a round); alert_raise()
 *	itself sends when ALERT_DIGEST_MAX alerts wait, or when the oldest
 *	waited ALERT_DIGEST_WAIT seconds; alert_store_close() sends what
 *	is left.
 *
 *	The mail: its Subject is the alert's subject (several: "stsd: N
 *	alerts: DOMAIN, ..."), written by esc_header() so that no CR or LF
 *	of an alert reaches the header; then Auto-Submitted:
 *	auto-generated, MIME-Version, Content-Type text/plain; charset=
 *	utf-8, Content-Transfer-Encoding: 8bit; the body holds each
 *	alert's subject and text.  Callers write what came from outside
 *	into a text with esc_text(); a line of the text that still holds
 *	a control character or bytes that are not UTF-8 goes into the
 *	body through esc_text() as a whole.
 *
 *	Limits, for every process that alerts (dnsmon, rptparse and
 *	policyd together): at most alert_hourly_limit alerts in any 60
 *	minutes, and alert_per_domain_daily_limit per domain and UTC day
 *	(0: no limit).  alert_send() counts each alert of the digest in
 *	$data_directory/ALERT_LIMITS_FILE, one line "TIME TAB DOMAIN" per
 *	alert sent (DOMAIN as esc_line() writes it; lines older than both
 *	the hour and the day are dropped), read and rewritten under an
 *	flock() of the file, once per digest.  An alert over a limit is
 *	logged ("not sent: over alert_hourly_limit"), counted in
 *	stsd_alerts_dropped_total{reason="hourly-limit" or
 *	"domain-daily-limit"} and left out of the digest, whose text says
 *	how many were left out; it stays in the dedup store, as if sent,
 *	so that it is not raised again for the same key.  When that file
 *	cannot be used (logged), only the digest itself is counted.
 *
 *	One alert per change, not one per run: every alert has a domain,
 *	a kind ("mx-outside-policy", "cert-expiry:mx1.example.com", ...)
 *	and a state key that says what exactly is wrong (the sorted list
 *	of offending MX hosts, "21" days, ...).  The store remembers the
 *	last key sent for each (domain, kind); alert_raise() with the same
 *	key again only logs at debug level and returns 0.  alert_clear()
 *	forgets the key, so that the condition alerts again when it comes
 *	back.  The store is pluggable: alert_store_file() keeps it in a
 *	small text file, a journal of "domain TAB kind TAB key" (set) and
 *	"domain TAB kind" (forget) lines, each field written by esc_line()
 *	and read back by esc_unline(), so that any byte of a domain, kind
 *	or key reads back as it was written: each change is appended at
 *	once, so that a process that is killed and restarted neither
 *	repeats an alert nor forgets a cleared one; the file is synced at
 *	most ALERT_SAVE_INTERVAL seconds after a change and on
 *	alert_store_flush() or alert_store_close(), and rewritten
 *	atomically (PATH.tmp, rename) with only the live entries when it
 *	is opened and when it grows past twice their number.  A line that
 *	does not read back is logged and dropped.  One process may write
 *	a file ($data_directory/alerts.state is dnsmon's,
 *	rptparse-alerts.state rptparse's, policyd-alerts.state policyd's;
 *	dnsmon locks its own);
 *	alert_store_set() lets the caller keep it elsewhere (policy.db,
 *	through policyd).  Without a store every alert_raise() is sent.
 *
 *	Subscribers (lib/alertsub: the mail addresses and webhooks that
 *	policyd lists in $data_directory/ALERTSUB_FILE for a domain) get
 *	the alerts of their domain only, of the digest that the limits
 *	let through: one mail per address (sendmail_path, one recipient)
 *	and one POST per webhook, each domain's alerts in a digest of
 *	their own, never another domain's.  alert_webhook_post() is
 *	alert_http_post() for them: https only, the host resolved once
 *	and every address checked by lib/pubaddr (public, or in
 *	alert_webhook_private_networks), the connection made to a
 *	checked address only, no redirect followed; a refused address is
 *	logged ("alert: DOMAIN: subscribed webhook: webhook host H: A is
 *	a loopback address, not a public one ...") and nothing is sent.
 *	alert_webhook_check() is the same check without the POST, for
 *	policyd when a webhook is subscribed.
 *
 *	Delivery never blocks the caller for long, and costs one fork per
 *	digest, not per alert: alert_send() forks a child that forks again
 *	and exits, so the caller reaps it at once and never waits for
 *	delivery; the grandchild runs sendmail (fed on stdin, killed after
 *	ALERT_TIME_LIMIT) and the webhook POST (every connect, write and
 *	read bounded by poll), and is killed by alarm() after
 *	ALERT_TIME_LIMIT seconds whatever happens.  Failures of delivery
 *	are logged by the grandchild.
 *
 * LIMITS
 *	ALERT_TIME_LIMIT seconds per delivery (the operator's; all the
 *	subscribers' of a digest, in a process of their own, share one); ALERT_DIGEST_MAX alerts per
 *	digest; ALERT_TEXT_MAX bytes of text, ALERT_SUBJECT_MAX of a
 *	subject, ALERT_FIELD_MAX of a domain, kind or key (cut there);
 *	ALERT_LIMITS_FILE_MAX bytes and ALERT_LIMITS_LINES_MAX lines of the
 *	limits file are read; its lock is waited for ALERT_LOCK_WAIT s.
 *
 * DIAGNOSTICS
 *	alert_raise() returns 1 when the alert went into the digest, 0
 *	when it was a repeat, -1 when a digest it had to send could not
 *	be (the delivery process could not be started; logged).
 *	alert_send() returns the number of alerts handed to delivery, or
 *	-1.
 */
#ifndef STS_ALERT_H
#define STS_ALERT_H

#include "buf.h"

#define ALERT_TIME_LIMIT	30		/* seconds per delivery */
#define ALERT_TEXT_MAX		(16 * 1024)	/* bytes of an alert text */
#define ALERT_HTTP_REPLY_MAX	4096		/* bytes of a webhook reply read */
#define ALERT_SAVE_INTERVAL	5		/* seconds between state saves */
#define ALERT_DIGEST_MAX	1000		/* alerts in one digest */
#define ALERT_DIGEST_WAIT	60		/* seconds an alert may wait */
#define ALERT_FIELD_MAX		1024		/* bytes of a domain, kind, key */
#define ALERT_SUBJECT_MAX	200		/* bytes of a subject */
#define ALERT_SUBJECT_DOMAINS	3		/* named in a digest's subject */
#define ALERT_LIMITS_FILE	"alert-limits.state"	/* in data_directory */
#define ALERT_LIMITS_FILE_MAX	(8 * 1024 * 1024)	/* bytes read */
#define ALERT_LIMITS_LINES_MAX	100000		/* alerts counted */
#define ALERT_LOCK_WAIT		5		/* seconds for its lock */
#define ALERT_HOUR		(60 * 60)
#define ALERT_DAY		(24 * 60 * 60)

struct alert_store {
	/* The key last sent for (domain, kind), or NULL. */
	const char *(*get)(void *ctx, const char *domain, const char *kind);
	/* Remember key (NULL: forget) for (domain, kind). */
	void	(*put)(void *ctx, const char *domain, const char *kind,
		    const char *key);
	void	*ctx;
};

int	alert_store_file(const char *path, struct buf *err);
void	alert_store_set(const struct alert_store *);
void	alert_store_flush(void);	/* save now what changed */
void	alert_store_close(void);	/* flushes */

int	alert_raise(const char *domain, const char *kind, const char *key,
	    const char *subject, const char *text);
void	alert_clear(const char *domain, const char *kind);
int	alert_raised(const char *domain, const char *kind);
int	alert_send(void);

/* The webhook client, for tests and for callers that post elsewhere. */
int	alert_http_post(const char *url, const char *body, int timeout_ms,
	    struct buf *err);
/* A subscription's webhook: https, public addresses or allow only. */
int	alert_webhook_check(const char *url, char **allow, struct buf *err);
int	alert_webhook_post(const char *url, const char *body, int timeout_ms,
	    char **allow, struct buf *err);

#endif
