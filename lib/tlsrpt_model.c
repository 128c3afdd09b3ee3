/*
 * tlsrpt_model - the TLS report model apart from its parser: the result
 * types of RFC 8460 section 4.3 with what each means, the default
 * limits, saturating sums of counts, and freeing a parsed report; see
 * tlsrpt.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static void
tlsrpt_free_policy(struct tlsrpt_policy *p)
{
	struct tlsrpt_detail *d;
	size_t i;

	free(p->type);
	free(p->domain);
	xfreev(p->strings, p->nstrings);
	xfreev(p->mx_hosts, p->nmx_hosts);
	for (i = 0; i < p->ndetails; i++) {
		d = &p->details[i];
		free(d->result_type);
		free(d->sending_mta_ip);
		free(d->receiving_mx_hostname);
		free(d->receiving_mx_helo);
		free(d->receiving_ip);
		free(d->additional_information);
		free(d->failure_reason_code);
	}
	free(p->details);
}

void
tlsrpt_free(struct tlsrpt_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->organization);
	free(r->contact);
	free(r->report_id);
	for (i = 0; i < r->npolicies; i++)
		tlsrpt_free_policy(&r->policies[i]);
	free(r->policies);
	xfreev(r->deviations, r->ndeviations);
	free(r);
}
