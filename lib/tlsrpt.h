/*
 * tlsrpt - the TLS-RPT report model (RFC 8460 section 4) and its parser.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct tlsrpt_limits lim;
 *	struct tlsrpt_report *r;
 *
 *	tlsrpt_limits_default(&lim);
 *	if (tlsrpt_parse(json, len, &lim, &r, &err) < 0)
 *		... err says why, e.g. "policies[2].summary:
 *		    total-failure-session-count: negative count -5"
 *	... r->policies[i].details[j].result_type, r->deviations[k] ...
 *	tlsrpt_free(r);
 *
 *	tlsrpt_result_type_known("certificate-expired")	1
 *	tlsrpt_result_info("certificate-expired")->fix	"renew the MX ..."
 *	tlsrpt_result_infos()	every result type, ends with type NULL
 *	tlsrpt_count_add(INT64_MAX, 1)	INT64_MAX (saturates)
 *
 *	top = tlsrpt_json_load(json, len, &jerr);	jansson's tree ...
 *	tlsrpt_json_free(top);				... released whole
 *
 * DESCRIPTION
 *	tlsrpt_parse() reads one report, JSON in UTF-8, into a struct
 *	tlsrpt_report that owns all its strings (they and its lists are
 *	taken from a few blocks of memory that tlsrpt_free() releases
 *	together, not one malloc() each).  It checks what a report
 *	must have (organization-name, date-range, report-id, policies, and
 *	per policy its policy-type, summary counts and per failure detail
 *	its result-type and failed-session-count), their JSON types, that
 *	counts are integers from 0 to TLSRPT_COUNT_MAX, that no string
 *	holds a NUL (\u0000), and that the date range does not run
 *	backwards.  A report that breaks one of these rules is refused as
 *	a whole, with the field named.
 *
 *	Fields with a type of their own are handed over checked and in one
 *	form; a value that is not of its type is left out (NULL, or out of
 *	the list), the rest of the report kept:
 *	policy-domain, mx-host, receiving-mx-hostname: lower case, without
 *	    a final dot; names of letters, digits, "-" and "_" (A-labels:
 *	    the names the sender looked up in DNS), labels of 1 to 63
 *	    bytes, 253 bytes in all; mx-host may start with "*.".  A policy
 *	    whose policy-domain is left out counts for no domain, as a
 *	    no-policy-found one without it.
 *	sending-mta-ip, receiving-ip: an IPv4 or IPv6 address as written;
 *	    left out when not one.
 *	receiving-mx-helo: a host name or an address literal ("[192.0.2.1]",
 *	    "[IPv6:2001:db8::1]") as written; left out when not one.
 *	result-type: one of RFC 8460 section 4.3 (tlsrpt_result_type_known);
 *	    in another case it is read as that one; anything else is kept
 *	    as it came, like free text.
 *	Each value left out, read otherwise or unknown is a deviation that
 *	shows it.
 *	Free text (organization-name, contact-info, report-id,
 *	policy-string, additional-information, failure-reason-code) is kept
 *	as it came, control characters included: whoever writes it out
 *	escapes it for where it goes (lib/esc, lib/html).  Values quoted in
 *	errors and deviations are escaped with esc_text() and cut to 64
 *	bytes, so those lines hold no control character.
 *
 *	Real senders bend the RFC in a few known ways, and a report that
 *	does so is still stored: each such bend is accepted, and recorded
 *	as one line of text in r->deviations, e.g. "start-datetime without
 *	timezone, read as UTC", "policies[0].policy.mx-host is a string,
 *	not a list" (RFC 8460 section 4.4 makes it a list; the example of
 *	its Appendix B has a string), "contact-info is null",
 *	"policies[1]: failure-details missing, read as none",
 *	"policies[0].policy: no policy-domain (no-policy-found)",
 *	"policies[0].failure-details: result-type \"tls-timeout\" is not
 *	in RFC 8460 section 4.3", "policies[2].summary.total-failure-
 *	session-count is not the sum of the failure-details" (checked when
 *	failure-details is there).  Bends that the parser does not know
 *	are refusals.  A bend repeated in several policies is one line
 *	that lists them: "policies[0-399].policy.mx-host is a string, not
 *	a list", "policies[0,1]: failure-details missing, read as none",
 *	"policies[1,4-6]...", at most 8 runs and then "and N more".
 *
 *	tlsrpt_count_add() adds two counts, saturating at INT64_MAX (and
 *	INT64_MIN): for every sum of counts of reports.
 *
 *	tlsrpt_json_load() is the JSON parse of tlsrpt_parse() alone
 *	(jansson, duplicate keys refused): its tree takes its memory from
 *	an arena that tlsrpt_json_free() releases whole, so that the tree
 *	must not be kept, changed or shared; one tree at a time, and not
 *	from two threads.
 *
 *	tlsrpt_result_info() gives, for each result type of RFC 8460
 *	section 4.3, one line saying what it means for the receiving
 *	domain and one line saying what its operator does about it
 *	(lower case, no final period; "DOMAIN" stands for the domain),
 *	for alerts and reports; NULL for a type not in the RFC.
 *
 *	Reports by HTTPS (RFC 8460 section 3) reach the spool as a
 *	message of this form, so that rptparse tells them from mail by
 *	the first line:
 *
 *	  X-Stsd-Via: https\r\n
 *	  Content-Type: application/tlsrpt+gzip\r\n	(as POSTed)
 *	  \r\n
 *	  body as POSTed
 *
 *	(TLSRPT_VIA_HTTPS is the first line without its line end; bare
 *	"\n" line ends are accepted as well.)
 *
 * LIMITS
 *	Input: limits.size bytes; nesting of arrays and objects:
 *	limits.depth levels, checked on the raw bytes before jansson sees
 *	them (jansson recurses without bound); policies: limits.policies;
 *	failure details per policy: limits.details; every count (session
 *	counts of a summary, failed-session-count):
 *	TLSRPT_COUNT_MAX, 2^53 (9007199254740992), the largest integer
 *	that every reader keeps exactly (a double, JSON in JavaScript), so
 *	that a sum of 1,000 of them still fits in 63 bits; a larger one
 *	refuses the report.  Deviations: TLSRPT_DEVIATIONS_MAX kinds per
 *	report.  Free-text strings are kept as they are (the input size
 *	bounds them).
 *
 * DIAGNOSTICS
 *	tlsrpt_parse() returns 0, or -1 with one line in err naming the
 *	field by its JSON path and the cause.
 */
#ifndef STS_TLSRPT_H
#define STS_TLSRPT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"

#define TLSRPT_SIZE_MAX		(20 * 1024 * 1024)	/* bytes of JSON */
#define TLSRPT_DEPTH_MAX	64
#define TLSRPT_POLICIES_MAX	1000
#define TLSRPT_DETAILS_MAX	1000
#define TLSRPT_COUNT_MAX	(INT64_C(1) << 53)	/* any count of a report */

#define TLSRPT_VIA_HTTPS	"X-Stsd-Via: https"

struct tlsrpt_limits {
	size_t	 size;		/* bytes of JSON */
	int	 depth;		/* array/object nesting */
	size_t	 policies;	/* per report */
	size_t	 details;	/* failure details per policy */
};

struct tlsrpt_result_info {
	const char *type;		/* "certificate-expired" */
	const char *meaning;		/* what happened, one line */
	const char *fix;		/* what to do, one line */
};

struct tlsrpt_detail {
	char	*result_type;
	char	*sending_mta_ip;		/* NULL: absent */
	char	*receiving_mx_hostname;		/* NULL: absent */
	char	*receiving_mx_helo;		/* NULL: absent */
	char	*receiving_ip;			/* NULL: absent */
	int64_t	 failed_session_count;
	char	*additional_information;	/* NULL: absent */
	char	*failure_reason_code;		/* NULL: absent */
};

struct tlsrpt_policy {
	char	*type;			/* "sts", "tlsa", "no-policy-found" */
	char	*domain;		/* NULL: absent (no-policy-found) */
	char	**strings;		/* policy-string lines */
	size_t	 nstrings;
	char	**mx_hosts;		/* mx-host, one or several */
	size_t	 nmx_hosts;
	int64_t	 success_count;
	int64_t	 failure_count;
	struct tlsrpt_detail *details;
	size_t	 ndetails;
};

struct tlsrpt_report {
	char	*organization;
	char	*contact;		/* NULL: null or absent */
	char	*report_id;
	time_t	 start;
	time_t	 end;
	struct tlsrpt_policy *policies;
	size_t	 npolicies;
	char	**deviations;		/* one line each */
	size_t	 ndeviations;
	struct tlsrpt_mem *mem;		/* what the fields point into */
};

void	tlsrpt_limits_default(struct tlsrpt_limits *);
int	tlsrpt_parse(const char *data, size_t len,
	    const struct tlsrpt_limits *, struct tlsrpt_report **,
	    struct buf *err);
void	tlsrpt_free(struct tlsrpt_report *);
/* The parser's allocator: memory of r, released by tlsrpt_free(). */
void	*tlsrpt_mem_alloc(struct tlsrpt_report *r, size_t n, size_t size);
char	*tlsrpt_mem_strndup(struct tlsrpt_report *r, const char *s,
	    size_t len);
json_t	*tlsrpt_json_load(const char *data, size_t len, json_error_t *);
void	tlsrpt_json_free(json_t *);

int	tlsrpt_depth_check(const char *data, size_t len, int limit);
int64_t	tlsrpt_count_add(int64_t, int64_t);
int	tlsrpt_result_type_known(const char *);
const struct tlsrpt_result_info *tlsrpt_result_info(const char *type);
const struct tlsrpt_result_info *tlsrpt_result_infos(void);

#endif
