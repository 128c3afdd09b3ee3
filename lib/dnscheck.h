/*
 * dnscheck - every check of one hosted domain, shared by dnsmon and
 * "stsctl check".
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	check_domain_from_json(obj, &d)	a DOMAIN-OBJECT of policyd
 *	result = check_run(res, &d, probe)
 *	check_domain_clear(&d)
 *	check_probe_host(host, &p)		probe one MX (main.cf settings)
 *	check_probe_add(checks, host, &p)	its check, as check_run adds it
 *	hosts = check_probe_hosts(result, &d)	what a result's probes cover
 *
 * DESCRIPTION
 *	check_run() looks up the records of the domain and compares them
 *	with what policyd expects (main.cf: sts_zone, policy_host,
 *	report_recipients, report_https_rua, report_https_path) and
 *	returns a JSON object:
 *	  {"domain": D, "verified": true|false,
 *	   "mx": ["mx1.example.com", ...],
 *	   "checks": [{"check": NAME, "status": STATUS, "message": TEXT,
 *	               "fix": TEXT (only when there is one),
 *	               "key": TEXT (what exactly is wrong, for alerts),
 *	               "host": MX (probe, tlsa and cert-expiry checks),
 *	               "hosts": [MX, ...] (the mx check, with "hosts_cut":
 *	                        true when they did not all fit),
 *	               "days_left": N (probe)}, ...]}
 *	NAME is verification, mx, mx-policy, mta-sts-host, sts-txt,
 *	tlsrpt-txt, tlsa, probe; STATUS is ok, fail (something the
 *	operator must fix), dns-error (SERVFAIL, time-out, loop: not
 *	necessarily the customer's fault), or info.  A probe's message
 *	starts with its RFC 8460 result type ("certificate-host-mismatch:
 *	mx2.example.com presents a certificate for mail.other.net").
 *	verified says whether ownership is proven: mta-sts.D is a CNAME
 *	to policy_host, _mta-sts.D a CNAME into sts_zone, or TXT
 *	_stsd-verify.D holds the domain's token.  A domain object with a
 *	"proof" (one an account added: stsd-policyd(8)) needs both: one
 *	of the two CNAME records and a TXT record _stsd-verify.D holding
 *	exactly the proof; the token alone proves nothing then.
 *
 *	With probe 0 no MX is contacted (DNS only); the probe checks come
 *	last, one per MX host in the order of "mx", so that a caller that
 *	probes by itself (dnsmon: each MX host once per round) appends
 *	them with check_probe_add() and gets the same result.
 *	check_probe_hosts() (malloc'd, NULL-terminated) is the hosts a
 *	probing check covers: the MX hosts of the result, then the host
 *	names of the domain object's "probe" list that are not among them
 *	(policyd lists there the hosts a migration adds, before they are
 *	in DNS: stsd-policyd(8)).
 *
 * LIMITS
 *	CHECK_MX_MAX MX hosts per domain are checked and probed, and
 *	CHECK_PROBE_EXTRA_MAX hosts of "probe" (host names; others are
 *	left out); CHECK_MX_HOSTS_BYTES of names in the mx check.
 */
#ifndef STS_DNSCHECK_H
#define STS_DNSCHECK_H

#include <jansson.h>

#include "mxprobe.h"
#include "proto.h"
#include "resolve.h"

#define CHECK_MX_MAX		16
#define CHECK_PROBE_EXTRA_MAX	16	/* hosts of "probe" */
#define CHECK_MX_HOSTS_BYTES	2048	/* names listed in the mx check */
#define CHECK_VERIFY_LABEL	PROTO_PROOF_LABEL

struct check_domain {
	char	*name;
	char	*state;		/* pending, active, ... */
	char	**mx;		/* policy mx patterns, NULL-terminated */
	char	*policy_id;
	char	*token;
	char	*proof;		/* the TXT an account's domain needs, or NULL */
	char	*waiting;	/* what its TXT record waits for, or NULL */
	char	**probe;	/* more hosts to probe, NULL-terminated */
};

int	check_domain_from_json(const json_t *, struct check_domain *);
void	check_domain_clear(struct check_domain *);
json_t	*check_run(struct resolve *, const struct check_domain *, int probe);
void	check_probe_host(const char *host, struct probe *);
void	check_probe_add(json_t *checks, const char *host, const struct probe *);
char	**check_probe_hosts(const json_t *result, const struct check_domain *);

#endif
