/*
 * mxprobes - the MX probes of one dnsmon round: each MX host once.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	pt = probes_new(base, max_procs)
 *	probes_want(pt, host, done, arg)	1: known now; 0: done(arg) later
 *	probes_add(pt, checks, host)		its check (check_probe_add)
 *	probes_count(pt)			hosts probed or being probed
 *	probes_free(pt)				kills the probes still running
 *
 * DESCRIPTION
 *	Many domains share their MX hosts: a round probes each host name
 *	once, however many domains list it, and every domain gets the same
 *	result.  A probe runs in a child process (at most max_procs at
 *	once; the others wait in order) that does check_probe_host() and
 *	writes its struct probe on a pipe: a probe blocks on the network
 *	for up to DNSMON_PROBE_STEPS times dnsmon_probe_timeout, which the
 *	event loop must not.  A child still running after that time (plus
 *	one second) is killed by alarm() and its host reported as a
 *	connection-failure.  done(arg) is called from the event loop.
 *
 * LIMITS
 *	Any number of hosts (lib/htable, PROBES_BUCKETS buckets to start
 *	with); memory: the host name and the few fields of a result per
 *	host.
 */
#ifndef STS_MXPROBES_H
#define STS_MXPROBES_H

#include <jansson.h>

#define PROBES_BUCKETS		4096	/* buckets to start with */
#define DNSMON_PROBE_STEPS	6	/* connect, greeting, EHLO, STARTTLS,
					 * TLS, QUIT */

struct event_base;
struct probes;

struct probes *probes_new(struct event_base *, int max_procs);
int	probes_want(struct probes *, const char *host, void (*done)(void *),
	    void *arg);
void	probes_add(struct probes *, json_t *checks, const char *host);
size_t	probes_count(const struct probes *);
void	probes_free(struct probes *);

#endif
