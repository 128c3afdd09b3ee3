/*
 * dkimcheck - the DKIM outcome of a mailed report (RFC 8460 section 3).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct dkimcheck_conf conf = { timeout_ms, temp_ttl };
 *	dc = dkimcheck_new(&conf, &err);
 *	dkimcheck_verify(dc, data, len, from_address, &out);
 *	out.result (DKIMCHECK_PASS, _FAIL, _NONE, _TEMPERROR),
 *	out.domain, out.selector ("" when none), out.reason ("" on pass)
 *	dkimcheck_result_name(out.result)	"pass", "fail", ...
 *	dkimcheck_aligned("bigorg.example", "mail.bigorg.example")	1
 *	dkimcheck_set_lookup(dc, fn, ctx)	keys from fn, not from DNS
 *	dkimcheck_budget(dc, ms)	lookups may wait ms from now on
 *	dkimcheck_free(dc);
 *
 * DESCRIPTION
 *	Verifies the DKIM signatures of one message (RFC 6376; rsa-sha256
 *	and, RFC 8463, ed25519-sha256; simple and relaxed canonicalization;
 *	x= honoured: a signature past its expiry is "expired") with
 *	OpenDKIM's libopendkim, fed the message as it is spooled.  The
 *	Received: header field that rptrecv puts on top is outside what any
 *	signer signed (h= selects header fields from the bottom up, RFC
 *	6376 section 5.4.2), so the message needs no change.
 *
 *	A signature counts when it verifies and is aligned: its d= is the
 *	domain of the From: address or a parent of it, with at least two
 *	labels (dkimcheck_aligned).  Signatures that are not aligned are
 *	not looked up at all, and one whose h= lists DKIM-Signature is
 *	not given to libopendkim (which writes out of bounds on it: the
 *	result is then fail, "a signature whose h= lists DKIM-Signature
 *	is not verified", unless another one passes).  The header fields
 *	are passed one by one and the body with CRLF line ends, not
 *	through dkim_chunk(), which aborts on some input.  The result:
 *
 *	pass: an aligned signature verifies; domain and selector are its
 *	    own, reason is empty.
 *	temperror: no aligned signature verifies and the key of one could
 *	    not be looked up for a passing reason (timeout, SERVFAIL,
 *	    REFUSED, no nameserver); the caller tries again later.
 *	fail: signed, but no signature both verifies and is aligned; the
 *	    reason is about the first aligned signature ("expired", "body
 *	    hash did not verify", "no key at S._domainkey.D", "key record
 *	    at NAME is longer than 4096 bytes", ...), or,
 *	    when none is aligned, "d=D is not aligned with From: F".
 *	none: no DKIM-Signature header field; reason "no signature".
 *
 *	Keys are looked up with ldns through the system's resolver
 *	(/etc/resolv.conf, read again when it changes), each lookup
 *	bounded by conf.timeout_ms over all nameservers.  Found keys and
 *	names without a key (NXDOMAIN, no TXT record) are cached for
 *	their DNS TTL, at most DKIMCHECK_TTL_MAX seconds; a temporary
 *	failure is cached for conf.temp_ttl seconds, so that a batch of
 *	messages signed with one unreachable key waits for one timeout,
 *	not one each.  The keys themselves are decoded once (dkimkey.h).
 *	dkimcheck_budget() bounds the time that lookups may wait in all
 *	(the caller sets it at the start of each run of its loop): once
 *	spent, a key not in the cache is a temporary failure without a
 *	query ("not asked: ..."), not cached, so that a flood of messages
 *	signed by domains whose nameservers answer slowly, or not at all,
 *	keeps rptparse busy for that long per run, not for a timeout per
 *	message.
 *
 * LIMITS
 *	DKIMCHECK_SIGS_MAX signatures looked at per message (the others
 *	are ignored); DKIMCHECK_CACHE_MAX cached names (the cache is
 *	emptied when full); DKIMCHECK_KEY_MAX bytes of a key record;
 *	DKIMCHECK_REASON_MAX bytes of a reason.
 *
 * DIAGNOSTICS
 *	dkimcheck_new() returns NULL with one line in err when libopendkim
 *	cannot be set up.  dkimcheck_verify() always gives an outcome: an
 *	error of libopendkim on a message is a "fail" with its text as the
 *	reason.  Reasons are printable ASCII, one line.
 */
#ifndef RPTPARSE_DKIMCHECK_H
#define RPTPARSE_DKIMCHECK_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define DKIMCHECK_SIGS_MAX	8	/* signatures per message */
#define DKIMCHECK_CACHE_MAX	10000	/* cached key names */
#define DKIMCHECK_TTL_MAX	3600	/* seconds a key or NXDOMAIN is kept */
#define DKIMCHECK_TTL_MIN	10	/* and at least */
#define DKIMCHECK_KEY_MAX	4096	/* bytes of a key record */
#define DKIMCHECK_NAME_MAX	253	/* bytes of a DNS name */
#define DKIMCHECK_REASON_MAX	256	/* bytes of a reason */

enum dkimcheck_result {
	DKIMCHECK_PASS,
	DKIMCHECK_FAIL,
	DKIMCHECK_NONE,
	DKIMCHECK_TEMPERROR,
};

/* What a key lookup found. */
enum dkimcheck_key {
	DKIMCHECK_KEY_FOUND,	/* txt holds the record */
	DKIMCHECK_KEY_NONE,	/* NXDOMAIN or no TXT: a permanent failure */
	DKIMCHECK_KEY_TEMP,	/* try again later; txt holds why */
};

struct dkimcheck_conf {
	int	 timeout_ms;		/* one key lookup, all nameservers */
	time_t	 temp_ttl;		/* seconds a temporary failure is kept */
};

struct dkimcheck_outcome {
	enum dkimcheck_result result;
	char	 domain[DKIMCHECK_NAME_MAX + 1];	/* d= lower case, or "" */
	char	 selector[DKIMCHECK_NAME_MAX + 1];	/* s=, or "" */
	char	 reason[DKIMCHECK_REASON_MAX];		/* "" on pass */
};

/* A key lookup: qname's record into txt, its TTL into ttl. */
typedef enum dkimcheck_key (*dkimcheck_lookup_fn)(void *ctx,
    const char *qname, struct buf *txt, time_t *ttl);

struct dkimcheck;

struct dkimcheck *dkimcheck_new(const struct dkimcheck_conf *, struct buf *err);
void	dkimcheck_free(struct dkimcheck *);
void	dkimcheck_set_lookup(struct dkimcheck *, dkimcheck_lookup_fn,
	    void *ctx);
void	dkimcheck_budget(struct dkimcheck *, long ms);
void	dkimcheck_verify(struct dkimcheck *, const char *data, size_t len,
	    const char *from, struct dkimcheck_outcome *);
const char *dkimcheck_result_name(enum dkimcheck_result);
int	dkimcheck_aligned(const char *from_domain, const char *d);

#endif
