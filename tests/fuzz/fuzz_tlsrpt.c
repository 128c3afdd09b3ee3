/*
 * fuzz_tlsrpt - libFuzzer target for the TLS-RPT report parser
 * (lib/tlsrpt).
 * SPDX-License-Identifier: ISC
 *
 * The input is one report.  A refusal must come with an error text and
 * no report; an accepted report must hold what every reader relies on:
 * the required strings, a forward date range, counts from 0 to
 * TLSRPT_COUNT_MAX, known policy types, policy-domain and mx-host
 * entries in lower case without a final dot, addresses and host names
 * without control characters, a result-type, no more policies, details
 * or deviations than the limits, and errors and deviations without a
 * control character (they go to logs as they are).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tlsrpt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_tlsrpt_text(const char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void
fuzz_tlsrpt_domain(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || s[len - 1] == '.' ||
	    strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL)
		abort();
	fuzz_tlsrpt_text(s);
}

#define FUZZ_POLICIES	50	/* small limits reach the limit checks */
#define FUZZ_DETAILS	50
#define FUZZ_DEPTH	16

static void
fuzz_tlsrpt_check(const struct tlsrpt_report *r)
{
	const struct tlsrpt_policy *p;
	size_t i, j;

	if (r->organization == NULL || *r->organization == '\0' ||
	    r->report_id == NULL || *r->report_id == '\0' || r->end < r->start)
		abort();
	if (r->npolicies > FUZZ_POLICIES || r->ndeviations > 100)
		abort();
	for (i = 0; i < r->npolicies; i++) {
		p = &r->policies[i];
		if (strcmp(p->type, "sts") != 0 && strcmp(p->type, "tlsa") != 0 &&
		    strcmp(p->type, "no-policy-found") != 0)
			abort();
		if (p->domain != NULL)
			fuzz_tlsrpt_domain(p->domain);
		for (j = 0; j < p->nmx_hosts; j++)
			fuzz_tlsrpt_domain(p->mx_hosts[j]);
		if (p->success_count < 0 || p->failure_count < 0 ||
		    p->success_count > TLSRPT_COUNT_MAX ||
		    p->failure_count > TLSRPT_COUNT_MAX ||
		    p->ndetails > FUZZ_DETAILS)
			abort();
		for (j = 0; j < p->nstrings; j++)
			if (p->strings[j] == NULL)
				abort();
		for (j = 0; j < p->ndetails; j++) {
			if (p->details[j].result_type == NULL ||
			    p->details[j].failed_session_count < 0 ||
			    p->details[j].failed_session_count >
			    TLSRPT_COUNT_MAX)
				abort();
			fuzz_tlsrpt_text(p->details[j].receiving_mx_hostname);
			fuzz_tlsrpt_text(p->details[j].receiving_mx_helo);
			fuzz_tlsrpt_text(p->details[j].sending_mta_ip);
			fuzz_tlsrpt_text(p->details[j].receiving_ip);
		}
	}
	for (i = 0; i < r->ndeviations; i++)
		fuzz_tlsrpt_text(r->deviations[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	struct buf err = BUF_INIT;

	tlsrpt_limits_default(&lim);
	lim.policies = FUZZ_POLICIES;
	lim.details = FUZZ_DETAILS;
	lim.depth = FUZZ_DEPTH;
	if (tlsrpt_parse((const char *)data, size, &lim, &r, &err) < 0) {
		if (r != NULL || err.len == 0)
			abort();
		fuzz_tlsrpt_text(err.s);
	} else {
		fuzz_tlsrpt_check(r);
		tlsrpt_free(r);
	}
	buf_free(&err);
	return 0;
}
