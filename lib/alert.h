/*
 * alert - tell the operator that something changed for the worse.
 *
 * SYNOPSIS
 *	alert_store_file(path, &err)	dedup state in a file (or:)
 *	alert_store_set(&store)		dedup state kept by the caller
 *	alert_raise(domain, kind, key, subject, text)
 *	alert_clear(domain, kind)	the condition is gone
 *	alert_store_flush()		save what changed (end of a round)
 *	alert_store_close()
 *
 * DESCRIPTION
 *	alert_raise() logs the alert (log_warn, always), mails it to
 *	alert_recipients with sendmail_path, and POSTs it as JSON
 *	{"domain","kind","key","subject","text","time"} to
 *	alert_webhook_url (http:// or https://; https checks the server's
 *	certificate against the system CAs and its name).
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
 *	"domain TAB kind" (forget) lines: each change is appended at once,
 *	so that a process that is killed and restarted neither repeats an
 *	alert nor forgets a cleared one; the file is synced at most
 *	ALERT_SAVE_INTERVAL seconds after a change and on
 *	alert_store_flush() or alert_store_close(), and rewritten
 *	atomically (PATH.tmp, rename) with only the live entries when it
 *	is opened and when it grows past twice their number.  One process
 *	may write a file ($data_directory/alerts.state is dnsmon's,
 *	rptparse-alerts.state rptparse's; dnsmon locks its own);
 *	alert_store_set() lets the caller keep it elsewhere (policy.db,
 *	through policyd).  Without a store every alert_raise() sends.
 *
 *	Delivery never blocks the caller for long: alert_raise() forks a
 *	child that forks again and exits, so the caller reaps it at once
 *	and never waits for delivery; the grandchild runs sendmail (fed
 *	on stdin, killed after ALERT_TIME_LIMIT) and the webhook POST
 *	(every connect, write and read bounded by poll), and is killed by
 *	alarm() after ALERT_TIME_LIMIT seconds whatever happens.  Failures
 *	of delivery are logged by the grandchild.
 *
 * LIMITS
 *	ALERT_TIME_LIMIT seconds per delivery; ALERT_TEXT_MAX bytes of text;
 *	keys and kinds without TAB or newline (they are replaced by " ").
 *
 * DIAGNOSTICS
 *	alert_raise() returns 1 when the alert was sent, 0 when it was a
 *	repeat, -1 when the delivery process could not be started (logged).
 */
#ifndef STS_ALERT_H
#define STS_ALERT_H

#include "buf.h"

#define ALERT_TIME_LIMIT	30		/* seconds per delivery */
#define ALERT_TEXT_MAX		(16 * 1024)	/* bytes of an alert text */
#define ALERT_HTTP_REPLY_MAX	4096		/* bytes of a webhook reply read */
#define ALERT_SAVE_INTERVAL	5		/* seconds between state saves */

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

/* The webhook client, for tests and for callers that post elsewhere. */
int	alert_http_post(const char *url, const char *body, int timeout_ms,
	    struct buf *err);

#endif
