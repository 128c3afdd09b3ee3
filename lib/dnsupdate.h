/*
 * dnsupdate - publish TXT records by DNS UPDATE (RFC 2136) with TSIG.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	dnsupdate_key_read(path, &key, &err)	"name algorithm base64secret"
 *	dnsupdate_key_free(&key)
 *	dnsupdate_txt(server, &key, zone, owner, ttl, txt, ntxt,
 *	    timeout_ms, &err)
 *	dnsupdate_publish_txt(owner, txt, ntxt, timeout_ms, &err)
 *
 * DESCRIPTION
 *	dnsupdate_txt() sends one UPDATE for zone to server ("host",
 *	"host:port", "[v6]:port"; default port 53) over TCP, signed with
 *	TSIG (RFC 8945, hmac-sha256 only), that deletes every TXT record
 *	of owner and adds ntxt new ones (ntxt 0: only the delete), in one
 *	transaction on the server: readers see the old set or the new one.
 *	A record longer than 255 bytes is sent as several
 *	character-strings.  The reply's TSIG is checked.  It is
 *	synchronous and waits at most about timeout_ms.
 *
 *	dnsupdate_publish_txt() does the same with dns_update_server,
 *	dns_update_key_file and sts_zone of main.cf; owner is a name
 *	inside sts_zone, timeout_ms the caller's bound (policyd passes
 *	dnsmon_query_timeout).
 *
 *	A daemon with an event loop (policyd) must not call these from
 *	its loop: it forks a child per batch of updates (the child calls
 *	dnsupdate_publish_txt() for each record and _exit()s with 0 or 1,
 *	writing failures to the log), and reaps it from a SIGCHLD or timer
 *	event; each update is bounded by the timeout_ms it passes.
 *
 *	dnsupdate_key_read() refuses a key file that group or others may
 *	read (the secret would leak), a line that is not three words, an
 *	algorithm other than hmac-sha256 and a secret that is not base64.
 *
 * LIMITS
 *	DNSUPDATE_TXT_MAX bytes per record; DNSUPDATE_KEY_FILE_MAX bytes of
 *	key file.
 *
 * DIAGNOSTICS
 *	-1 with one line in err: "/etc/stsd/tsig.key: readable by group or
 *	others (chmod 600 it)", "update of _mta-sts.x.sts.example.net TXT
 *	at 127.0.0.1: server said REFUSED", "... timed out".
 */
#ifndef STS_DNSUPDATE_H
#define STS_DNSUPDATE_H

#include <stddef.h>

#include "buf.h"

#define DNSUPDATE_TXT_MAX	(16 * 1024)	/* bytes of one TXT record */
#define DNSUPDATE_KEY_FILE_MAX	4096		/* bytes of a key file */
#define DNSUPDATE_ALGORITHM	"hmac-sha256"

struct dnsupdate_key {
	char	*name;		/* key name, as a domain name */
	char	*algorithm;	/* "hmac-sha256" */
	char	*secret;	/* base64 */
};

int	dnsupdate_key_read(const char *path, struct dnsupdate_key *,
	    struct buf *err);
void	dnsupdate_key_free(struct dnsupdate_key *);
int	dnsupdate_txt(const char *server, const struct dnsupdate_key *,
	    const char *zone, const char *owner, unsigned ttl,
	    const char *const *txt, size_t ntxt, int timeout_ms,
	    struct buf *err);
int	dnsupdate_publish_txt(const char *owner, const char *const *txt,
	    size_t ntxt, int timeout_ms, struct buf *err);

#endif
