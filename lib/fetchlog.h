/*
 * fetchlog - the records of policy fetches and failed TLS handshakes
 * that httpd hands to rptparse, and their datagram format.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct fetchrec r;
 *	fetchlog_encode(&dgram, &r)	append one record (httpd)
 *	n = fetchlog_parse(data, len, handler, arg, &refused, &err)
 *	fetchlog_addr(sa, salen, out)	a client address as text
 *	fetchlog_domain(sni, out)	the policy domain an SNI names
 *
 * DESCRIPTION
 *	A record is what httpd saw of one exchange with a client: a
 *	policy fetch (a request answered on HTTPS: status is the HTTP
 *	status, failure is empty) or a TLS handshake that failed (status
 *	0, failure one of FETCHLOG_FAIL_*, or "tls-alert:NAME" with the
 *	name of the TLS alert that ended it).  hosted says whether the
 *	SNI names a policy host that httpd serves.
 *
 *	A datagram is the line FETCHLOG_MAGIC, then one line per record:
 *	"TIME DURATION ADDR STATUS HOSTED FAILURE TLS SNI HOST PATH" (Unix
 *	seconds, milliseconds, the numeric address, the HTTP status or 0,
 *	0 or 1, then the strings), separated by one space.  Each string
 *	is written with esc_line() (lib/esc.h: no space, no control
 *	character), "-" when empty ("\x2d" for a lone "-").
 *
 *	fetchlog_parse() calls handler for each record that is valid:
 *	the time positive and before FETCHLOG_TIME_MAX, the duration at
 *	most FETCHLOG_DURATION_MAX, the address an IPv4 or IPv6 address
 *	(written back in its canonical form), the status 0 or 100-599
 *	(0 only with a failure), hosted 0 or 1, the failure and the TLS
 *	version made of the letters, digits and "-:._" only, each string
 *	within its limit after unescaping.  Every string is otherwise
 *	left as it came (SNI, Host and path may hold any byte but NUL):
 *	who shows one escapes it for where it goes (lib/esc.h, lib/html.h).
 *
 * LIMITS
 *	FETCHLOG_DGRAM_MAX bytes per datagram, FETCHLOG_DGRAM_RECORDS
 *	records; FETCHLOG_NAME_MAX bytes of SNI and of Host,
 *	FETCHLOG_PATH_MAX of path (httpd cuts longer ones),
 *	FETCHLOG_FAILURE_MAX of failure, FETCHLOG_TLS_MAX of TLS version.
 *
 * DIAGNOSTICS
 *	fetchlog_parse() returns the number of valid records, or -1 when
 *	the datagram does not start with FETCHLOG_MAGIC, with a reason in
 *	err; refused gets the number of invalid lines (and of lines past
 *	FETCHLOG_DGRAM_RECORDS), the first of which is said in err
 *	("record 3: bad address") while the valid ones are returned.
 */
#ifndef STS_FETCHLOG_H
#define STS_FETCHLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "buf.h"

#define FETCHLOG_MAGIC		"stsd-fetchlog 1"
#define FETCHLOG_DGRAM_MAX	(32 * 1024)	/* bytes per datagram */
#define FETCHLOG_DGRAM_RECORDS	128		/* records per datagram */
#define FETCHLOG_NAME_MAX	255		/* bytes of SNI, of Host */
#define FETCHLOG_PATH_MAX	256		/* bytes of path kept */
#define FETCHLOG_FAILURE_MAX	48
#define FETCHLOG_TLS_MAX	16
#define FETCHLOG_ADDR_MAX	46		/* INET6_ADDRSTRLEN */
#define FETCHLOG_TIME_MAX	((int64_t)1 << 40)	/* Unix seconds */
#define FETCHLOG_DURATION_MAX	(24 * 3600 * 1000)	/* milliseconds */
/* One encoded record at most: each string byte may take 4 ("\xHH"). */
#define FETCHLOG_LINE_MAX	(4 * (2 * FETCHLOG_NAME_MAX + \
				FETCHLOG_PATH_MAX) + 256)

#define FETCHLOG_FAIL_UNKNOWN_SNI	"unknown-sni"
#define FETCHLOG_FAIL_NO_SNI		"no-sni"
#define FETCHLOG_FAIL_NO_CERT		"no-certificate"
#define FETCHLOG_FAIL_TLS_ALERT		"tls-alert:"	/* + alert name */
#define FETCHLOG_FAIL_TLS_ERROR		"tls-error"
#define FETCHLOG_FAIL_TIMEOUT		"timeout"
#define FETCHLOG_FAIL_CLOSED		"closed"

struct fetchrec {
	int64_t	 time;			/* Unix seconds */
	unsigned duration_ms;
	char	 addr[FETCHLOG_ADDR_MAX + 1];
	int	 status;		/* HTTP status; 0: handshake failed */
	int	 hosted;		/* SNI names a policy host served */
	char	 failure[FETCHLOG_FAILURE_MAX + 1];	/* "": none */
	char	 tls[FETCHLOG_TLS_MAX + 1];	/* "TLSv1.3", "": unknown */
	char	 sni[FETCHLOG_NAME_MAX + 1];
	char	 host[FETCHLOG_NAME_MAX + 1];
	char	 path[FETCHLOG_PATH_MAX + 1];
};

typedef void (*fetchlog_handler)(const struct fetchrec *, void *);

void	fetchlog_encode(struct buf *, const struct fetchrec *);
int	fetchlog_parse(const char *data, size_t len, fetchlog_handler,
	    void *arg, int *refused, struct buf *err);
int	fetchlog_addr(const struct sockaddr *, socklen_t, char *out);
int	fetchlog_canon_addr(const char *in, char *out);
void	fetchlog_copy(char *dst, size_t size, const char *src, size_t len);
void	fetchlog_domain(const char *sni, char *out, size_t size);

#endif
