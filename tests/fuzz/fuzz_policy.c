/*
 * fuzz_policy - libFuzzer target for policy_parse (lib/policy).
 * SPDX-License-Identifier: ISC
 *
 * Every input must parse or be refused with an error text; what parses
 * must also pass policy_validate once duplicates are allowed for, and
 * render + parse must give back an equal policy and the same text.
 * Also feeds the input to policy_mx_valid and policy_mx_match.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
#include "policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_policy_roundtrip(const struct policy *p)
{
	struct buf text = BUF_INIT, again = BUF_INIT, err = BUF_INIT;
	struct policy *q;

	policy_render(p, &text);
	if (policy_parse(text.s, text.len, &q, &err) != 0)
		abort();	/* a rendered policy must parse */
	if (!policy_equal(p, q))
		abort();
	policy_render(q, &again);
	if (again.len != text.len || memcmp(again.s, text.s, text.len) != 0)
		abort();
	policy_free(q);
	buf_free(&text);
	buf_free(&again);
	buf_free(&err);
}

/* The input split at its first NUL into an mx pattern and a host name. */
static void
fuzz_policy_mx(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	char *s = xmalloc(size + 2);
	const char *host;
	int rc;

	memcpy(s, data, size);
	s[size] = s[size + 1] = '\0';
	host = s + strlen(s) + 1;
	rc = policy_mx_valid(s, &err);
	if ((rc == 0) != (err.len == 0))
		abort();	/* an error text exactly when refused */
	if (policy_mx_match(s, host) && rc == 0 && strchr(s, '*') == NULL &&
	    strlen(host) < strlen(s))
		abort();	/* an exact pattern matched a shorter host */
	buf_free(&err);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	struct policy *p;

	if (policy_parse((const char *)data, size, &p, &err) == 0) {
		if (err.len != 0)
			abort();
		fuzz_policy_roundtrip(p);
		policy_free(p);
	} else if (p != NULL || err.len == 0) {
		abort();	/* refused without saying why */
	}
	buf_free(&err);
	fuzz_policy_mx(data, size);
	return 0;
}
