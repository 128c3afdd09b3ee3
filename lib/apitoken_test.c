/*
 * apitoken_test - API token secrets (lib/apitoken) and account names
 * and e-mail addresses (lib/acctname): what is accepted, what is
 * refused and with which message.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "acctname.h"
#include "apitoken.h"
#include "buf.h"
#include "unit.h"

#define TEST_TOKENS	1000	/* secrets made, all different */

static int
token_ok(const char *s)
{
	char hash[APITOKEN_HASH_LEN + 1];
	struct buf err = BUF_INIT;
	int rc = apitoken_parse(s, strlen(s), hash, &err);

	buf_free(&err);
	return rc == 0;
}

static int
token_says(const char *s, size_t len, const char *want)
{
	char hash[APITOKEN_HASH_LEN + 1];
	struct buf err = BUF_INIT;
	int rc = apitoken_parse(s, len, hash, &err);
	int ok = rc < 0 && err.len > 0 && strcmp(err.s, want) == 0;

	if (!ok)
		printf("# got: %s\n", err.len ? err.s : "(accepted)");
	buf_free(&err);
	return ok;
}

/* Texts of the right length (but the first) that are no token. */
static const struct {
	const char *s;
	size_t	 len;
	const char *want;
	const char *what;
} token_refused[] = {
	{ "", 0, "not an API token (0 characters, not 48)", "empty: refused" },
	{ "xxxx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 48,
	  "not an API token (no stsd_ prefix)", "another prefix: refused" },
	{ "stsd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 48,
	  "not an API token (character 48 is not base64url)",
	  "padding: refused" },
	{ "stsd_AAAAAAAAAAAAAAAAAAAAA\nAAAAAAAAAAAAAAAAAAAAA", 48,
	  "not an API token (character 27 is not base64url)",
	  "a newline: refused, not quoted" },
	{ "stsd_AAAAAAAAAAAAAAAAAAAAA\0AAAAAAAAAAAAAAAAAAAAA", 48,
	  "not an API token (character 27 is not base64url)",
	  "a NUL inside: refused" },
	{ "stsd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", 48,
	  "not an API token (not a canonical encoding)",
	  "bits beyond 256: refused" },
};

static void
test_tokens(void)
{
	char hash[APITOKEN_HASH_LEN + 1], first[APITOKEN_HASH_LEN + 1], *t, *u;
	struct buf err = BUF_INIT;
	char **seen = calloc(TEST_TOKENS, sizeof(*seen));
	int distinct = 1, valid = 1, i, j;

	t = apitoken_new();
	CHECK(strlen(t) == APITOKEN_LEN && strncmp(t, "stsd_", 5) == 0,
	    "a new token is stsd_ and 43 characters: %s", t);
	CHECK(apitoken_parse(t, strlen(t), first, &err) == 0 &&
	    strlen(first) == 64 && strspn(first, "0123456789abcdef") == 64,
	    "a new token parses; its hash is 64 hex digits");
	CHECK(apitoken_parse(t, strlen(t), hash, &err) == 0 &&
	    strcmp(hash, first) == 0, "the same token, the same hash");
	u = strdup(t);
	u[10] = u[10] == 'A' ? 'B' : 'A';
	CHECK(apitoken_parse(u, strlen(u), hash, &err) == 0 &&
	    strcmp(hash, first) != 0, "another token, another hash");
	free(u);
	for (i = 0; i < TEST_TOKENS; i++) {
		seen[i] = apitoken_new();
		valid &= token_ok(seen[i]);
		for (j = 0; j < i && distinct; j++)
			distinct = strcmp(seen[i], seen[j]) != 0;
	}
	CHECK(valid && distinct, "%d new tokens all parse and differ",
	    TEST_TOKENS);
	for (i = 0; i < TEST_TOKENS; i++)
		free(seen[i]);
	free(seen);

	/* sha256("stsd_" + 43 "A") */
	CHECK(apitoken_parse("stsd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    48, hash, &err) == 0 && strcmp(hash,
	    "4189799059902358c038d0384bee1cfe4c7d27b953c7668fe66fb2e8aee566c6") == 0,
	    "an all-zero token parses; its hash is the SHA-256 of the text");
	CHECK(token_says(t, strlen(t) - 1,
	    "not an API token (47 characters, not 48)"), "one short: refused");
	for (i = 0; i < (int)UNIT_NCASES(token_refused); i++)
		CHECK(token_says(token_refused[i].s, token_refused[i].len,
		    token_refused[i].want), "%s", token_refused[i].what);
	buf_free(&err);
	free(t);
}

/* check's answer to s: accepted (want NULL) or refused saying want. */
static int
check_says(int (*check)(const char *, size_t, struct buf *), const char *s,
    size_t len, const char *want)
{
	struct buf err = BUF_INIT;
	int rc = check(s, len, &err);
	int ok = want == NULL ? rc == 0 && err.len == 0 :
	    rc < 0 && strcmp(err.s, want) == 0;

	if (!ok)
		printf("# got: %s\n", err.len ? err.s : "(accepted)");
	buf_free(&err);
	return ok;
}

static int
name_says(const char *s, size_t len, const char *want)
{
	return check_says(acctname_check, s, len, want);
}

static int
email_says(const char *s, const char *want)
{
	return check_says(acctname_email_check, s, strlen(s), want);
}

static void
test_names(void)
{
	char big[100001];
	const char *only = ": only a-z, 0-9, \".\", \"_\" and \"-\","
	    " beginning with a letter or digit";
	struct buf want = BUF_INIT;

	CHECK(name_says("acme", 4, NULL), "a plain name");
	CHECK(name_says("a1.b_c-d", 8, NULL), "digits, dot, underscore, hyphen");
	buf_printf(&want, "account name \"Acme\"%s", only);
	CHECK(name_says("Acme", 4, want.s), "upper case refused");
	buf_reset(&want);
	buf_printf(&want, "account name \"-x\"%s", only);
	CHECK(name_says("-x", 2, want.s), "a leading hyphen refused");
	buf_reset(&want);
	buf_printf(&want, "account name \"a\\nb\"%s", only);
	CHECK(name_says("a\nb", 3, want.s), "a newline refused, escaped");
	buf_reset(&want);
	buf_printf(&want, "account name \"a\\x00b\"%s", only);
	CHECK(name_says("a\0b", 3, want.s), "a NUL inside refused");
	CHECK(name_says("", 0, "account name \"\": 0 characters, not 1 to 64"),
	    "empty refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_reset(&want);
	buf_printf(&want, "account name \"%.80s...\": 100000 characters, not 1"
	    " to 64", big);
	CHECK(name_says(big, 100000, want.s), "100,000 characters refused,"
	    " quoted cut");
	CHECK(name_says(big, 64, NULL), "64 characters accepted");
	CHECK(name_says("operator", 8, "account name \"operator\" is reserved"
	    " for the operator"), "operator is reserved");

	CHECK(email_says("owner@example.com", NULL), "an address");
	CHECK(email_says("owner@example", "e-mail address \"owner@example\":"
	    " not LOCAL@DOMAIN.TLD"), "no dot after @ refused");
	CHECK(email_says("a@b@example.com", "e-mail address \"a@b@example.com\":"
	    " more than one \"@\""), "two @ refused");
	CHECK(email_says("a b@example.com", "e-mail address \"a b@example.com\":"
	    " only printable ASCII without spaces"), "a space refused");
	CHECK(email_says("a@example.com\r\nBcc: x@y.z", "e-mail address"
	    " \"a@example.com\\r\\nBcc: x@y.z\": only printable ASCII without"
	    " spaces"), "CRLF header injection refused, escaped");
	CHECK(email_says("@example.com", "e-mail address \"@example.com\":"
	    " not LOCAL@DOMAIN.TLD"), "empty local part refused");
	buf_reset(&want);
	big[300] = '\0';
	buf_printf(&want, "e-mail address \"%.80s...\": 300 characters, not"
	    " 6 to 254", big);
	CHECK(email_says(big, want.s), "300 characters refused");
	buf_free(&want);
}

int
main(void)
{
	test_tokens();
	test_names();
	return unit_status();
}
