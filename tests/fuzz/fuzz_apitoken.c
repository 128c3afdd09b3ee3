/*
 * fuzz_apitoken - libFuzzer target for what a client presents as an
 * API token (lib/apitoken) and as an account name or e-mail address
 * (lib/acctname).
 * SPDX-License-Identifier: ISC
 *
 * The input is the bytes as given, NUL included.  Each check must
 * accept it or refuse it with one line that holds no control
 * character; an accepted token has exactly the form of one made by
 * apitoken_new() and a hash of 64 lower-case hex digits; an accepted
 * name or address is within its bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acctname.h"
#include "apitoken.h"
#include "buf.h"
#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_apitoken_said(int rc, const struct buf *err)
{
	if ((rc == 0) != (err->len == 0))
		abort();
	if (rc != 0)
		fuzz_said(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char hash[APITOKEN_HASH_LEN + 1];
	struct buf err = BUF_INIT;
	int rc;

	rc = apitoken_parse(s, size, hash, &err);
	fuzz_apitoken_said(rc, &err);
	if (rc == 0 && (size != APITOKEN_LEN ||
	    memcmp(s, APITOKEN_PREFIX, 5) != 0 ||
	    memchr(s, '\0', size) != NULL || strlen(hash) != 64 ||
	    strspn(hash, "0123456789abcdef") != 64))
		abort();
	buf_reset(&err);
	rc = acctname_check(s, size, &err);
	fuzz_apitoken_said(rc, &err);
	if (rc == 0 && (size == 0 || size > ACCTNAME_MAX ||
	    memchr(s, '\0', size) != NULL))
		abort();
	buf_reset(&err);
	rc = acctname_email_check(s, size, &err);
	fuzz_apitoken_said(rc, &err);
	if (rc == 0 && (size > ACCTNAME_EMAIL_MAX ||
	    memchr(s, '@', size) == NULL))
		abort();
	buf_free(&err);
	return 0;
}
