/*
 * fuzz_dnsanswer - DNS answers as dnsmon reads them: the packet (ldns),
 * then resolve_txt_text() and resolve_rdf_name() on its records and the
 * TXT parsers of lib/ststxt on the joined text.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "buf.h"
#include "ststxt.h"
#include "resolve.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_txt(const ldns_rr *rr)
{
	struct buf err = BUF_INIT;
	struct ststxt_sts *s = NULL;
	struct ststxt_tlsrpt *t = NULL;
	char *text = resolve_txt_text(rr);
	size_t len = strlen(text);

	if (ststxt_is_sts(text, len) &&
	    ststxt_sts_parse(text, len, &s, &err) == 0)
		ststxt_sts_free(s);
	if (ststxt_is_tlsrpt(text, len) &&
	    ststxt_tlsrpt_parse(text, len, &t, &err) == 0)
		ststxt_tlsrpt_free(t);
	buf_free(&err);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *p;
	ldns_rr_list *ans;
	ldns_rr *rr;
	size_t i, j;

	if (ldns_wire2pkt(&p, data, size) != LDNS_STATUS_OK)
		return 0;
	ans = ldns_pkt_answer(p);
	for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		rr = ldns_rr_list_rr(ans, i);
		free(resolve_rdf_name(ldns_rr_owner(rr)));
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT)
			fuzz_txt(rr);
		else
			for (j = 0; j < ldns_rr_rd_count(rr); j++)
				free(resolve_rdf_name(ldns_rr_rdf(rr, j)));
	}
	ldns_pkt_free(p);
	return 0;
}
