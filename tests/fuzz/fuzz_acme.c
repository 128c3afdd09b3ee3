/*
 * fuzz_acme - the ACME document parsers (acmed/acmemsg.c) on any bytes.
 * SPDX-License-Identifier: ISC
 *
 * Each input is given to every parser: directory, order, authorization
 * and problem document.  What is parsed is used (challenge lookup) and
 * released, so leaks and reads past the end show under the sanitizers.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "acmemsg.h"
#include "buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf err = BUF_INIT;
	struct acme_directory d;
	struct acme_order o;
	struct acme_authz a;
	struct acme_problem p;
	const char *text = (const char *)data;

	if (acmemsg_directory(text, len, &d, &err) == 0)
		acmemsg_directory_clear(&d);
	buf_reset(&err);
	if (acmemsg_order(text, len, &o, &err) == 0) {
		for (size_t i = 0; i < o.nauthz; i++)
			(void)strlen(o.authz[i]);
		acmemsg_order_clear(&o);
	}
	buf_reset(&err);
	if (acmemsg_authz(text, len, &a, &err) == 0) {
		(void)acmemsg_authz_find(&a, "http-01");
		(void)acmemsg_authz_find(&a, "tls-alpn-01");
		acmemsg_authz_clear(&a);
	}
	if (acmemsg_problem(text, len, &p) == 0)
		acmemsg_problem_clear(&p);
	buf_free(&err);
	return 0;
}
