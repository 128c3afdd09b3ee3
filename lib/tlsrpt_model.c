/*
 * tlsrpt_model - the TLS report model apart from its parser: the result
 * types of RFC 8460 section 4.3 with what each means, the default
 * limits, saturating sums of counts, and freeing a parsed report; see
 * tlsrpt.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mymalloc.h"
#include "tlsrpt.h"

/*
 * RFC 8460 section 4.3: the result types a failure detail may have, what
 * each means for the receiving domain and what its operator does about
 * it.  Alerts and reports print these lines as they are.
 */
static const struct tlsrpt_result_info tlsrpt_results[] = {
	{ "starttls-not-supported",
	    "the MX host did not offer STARTTLS, so the sender could not "
	    "encrypt the session",
	    "enable STARTTLS with a certificate on every MX host (Postfix: "
	    "smtpd_tls_security_level = may, smtpd_tls_chain_files)" },
	{ "certificate-host-mismatch",
	    "the MX host's certificate does not name the MX host",
	    "install a certificate whose subjectAltName lists every MX host "
	    "name that the policy allows" },
	{ "certificate-expired",
	    "the MX host's certificate has expired",
	    "renew the MX certificate, reload the mail server, and automate "
	    "the renewal" },
	{ "certificate-not-trusted",
	    "the MX host's certificate does not chain to a CA the sender "
	    "trusts (self-signed, private CA or missing intermediate)",
	    "use a certificate of a public CA and serve the whole chain, "
	    "intermediates included" },
	{ "validation-failure",
	    "TLS failed for another reason (handshake, protocol version or "
	    "cipher)",
	    "check the MX host's TLS settings (TLS 1.2 or newer, common "
	    "ciphers, complete chain); failure-reason-code tells more" },
	{ "tlsa-invalid",
	    "the MX host's TLSA records are malformed or match none of its "
	    "certificates",
	    "publish TLSA records that match the current certificate, and "
	    "the next one before each key rollover" },
	{ "dnssec-invalid",
	    "DNSSEC validation of the MX host's records failed",
	    "repair the zone's DNSSEC chain (DS at the parent, DNSKEY, "
	    "signatures not expired)" },
	{ "dane-required",
	    "the sender requires DANE for this domain but found no usable "
	    "TLSA records",
	    "publish DNSSEC-signed TLSA records for every MX host" },
	{ "sts-policy-fetch-error",
	    "the sender could not fetch the MTA-STS policy from "
	    "https://mta-sts.DOMAIN/.well-known/mta-sts.txt",
	    "make mta-sts.DOMAIN a CNAME of the policy host and check that "
	    "the policy URL answers 200 (stsctl check DOMAIN)" },
	{ "sts-policy-invalid",
	    "the MTA-STS policy fetched was not valid, or the MX hosts did "
	    "not match it",
	    "compare the served policy with stsctl domain show DOMAIN and "
	    "the MX records with its mx patterns" },
	{ "sts-webpki-invalid",
	    "the certificate of mta-sts.DOMAIN, the policy host, failed "
	    "validation (expired, untrusted or wrong name)",
	    "point mta-sts.DOMAIN at the policy host (CNAME) so that it "
	    "serves a valid certificate for that name (stsctl check "
	    "DOMAIN)" },
	{ NULL, NULL, NULL },
};

void
tlsrpt_limits_default(struct tlsrpt_limits *lim)
{
	lim->size = TLSRPT_SIZE_MAX;
	lim->depth = TLSRPT_DEPTH_MAX;
	lim->policies = TLSRPT_POLICIES_MAX;
	lim->details = TLSRPT_DETAILS_MAX;
}

int64_t
tlsrpt_count_add(int64_t a, int64_t b)
{
	int64_t sum;

	if (__builtin_add_overflow(a, b, &sum))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return sum;
}

const struct tlsrpt_result_info *
tlsrpt_result_infos(void)
{
	return tlsrpt_results;
}

const struct tlsrpt_result_info *
tlsrpt_result_info(const char *s)
{
	size_t i;

	for (i = 0; tlsrpt_results[i].type != NULL; i++)
		if (strcmp(s, tlsrpt_results[i].type) == 0)
			return &tlsrpt_results[i];
	return NULL;
}

int
tlsrpt_result_type_known(const char *s)
{
	return tlsrpt_result_info(s) != NULL;
}

/*
 * A report's memory: its strings, lists, policies and failure details
 * come from blocks that are released together, instead of one malloc()
 * and one free() per string (a report of 400 policies has about 4,000
 * of them).  Blocks start at TLSRPT_MEM_FIRST bytes, a small report's
 * size, and double up to TLSRPT_MEM_MAX; a larger request gets a block
 * of its own.
 */
#define TLSRPT_MEM_FIRST	2048
#define TLSRPT_MEM_MAX		(64 * 1024)
#define TLSRPT_MEM_ALIGN	(sizeof(max_align_t))

struct tlsrpt_mem {
	struct tlsrpt_mem *next;	/* the block filled before this one */
	size_t	 size;
	size_t	 used;
	max_align_t data[];
};

/*
 * n elements of size bytes in r's memory, zeroed, aligned for any type
 * (calloc()); out of memory is fatal, as with xcalloc().
 */
void *
tlsrpt_mem_alloc(struct tlsrpt_report *r, size_t n, size_t size)
{
	struct tlsrpt_mem *m = r->mem;
	size_t len, block;
	void *p;

	if (size != 0 && n > (SIZE_MAX / 2 - sizeof(*m)) / size)
		log_fatal("out of memory allocating %zu x %zu bytes", n, size);
	len = (n * size + TLSRPT_MEM_ALIGN - 1) & ~(TLSRPT_MEM_ALIGN - 1);
	if (m == NULL || m->size - m->used < len) {
		block = m == NULL ? TLSRPT_MEM_FIRST : m->size < TLSRPT_MEM_MAX ?
		    m->size * 2 : TLSRPT_MEM_MAX;
		if (block < len)
			block = len;
		m = xmalloc(sizeof(*m) + block);
		m->next = r->mem;
		m->size = block;
		m->used = 0;
		r->mem = m;
	}
	p = (char *)m->data + m->used;
	m->used += len;
	memset(p, 0, len);
	return p;
}

/* A copy of s[0..len) in r's memory, NUL-terminated. */
char *
tlsrpt_mem_strndup(struct tlsrpt_report *r, const char *s, size_t len)
{
	char *p = tlsrpt_mem_alloc(r, len + 1, 1);

	memcpy(p, s, len);
	return p;
}

void
tlsrpt_free(struct tlsrpt_report *r)
{
	struct tlsrpt_mem *m, *next;

	if (r == NULL)
		return;
	for (m = r->mem; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	free(r);
}
