/*
 * fuzz_webform - libFuzzer target for webd's parsers of what a browser
 * sends (webd/webform.c): form fields, cookies, bearer tokens, the
 * words of a field, the paths of a domain, and of the line httpd sends
 * before each request.
 * SPDX-License-Identifier: ISC
 *
 * The input is parsed as a form body, as a Cookie field and as an
 * Authorization field, with a small and a large output.  Aborts when
 * a result breaks webform.h: a length that is not the string's, a
 * value longer than its output, a control character in a value, a
 * value found with the small output but not with the large one, words
 * that do not end where they are, a path split that is not the path.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "../../webd/webform.h"

#define FUZZ_SMALL	8
#define FUZZ_LARGE	4096

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every word: no space, no NUL, within the text, in order, bounded. */
static void
fuzz_webform_words(const char *s, size_t size, char *out, size_t osize)
{
	size_t pos = 0, last = 0, steps = 0;
	int n;

	while ((n = webform_word(s, size, &pos, out, osize)) !=
	    WEBFORM_ABSENT) {
		if (pos <= last || pos > size || ++steps > size)
			abort();
		if (n >= 0 && (strlen(out) != (size_t)n ||
		    strchr(out, ' ') != NULL || memcmp(s + pos - n, out, n)))
			abort();
		if (n < 0 && n != WEBFORM_TOO_LONG)
			abort();
		last = pos;
	}
}

static void
fuzz_webform_subpath(const char *s, size_t size, char *out, size_t osize)
{
	static const char prefix[] = "/domains/";
	size_t rest;

	if (webform_subpath(s, size, prefix, out, osize, &rest) < 0)
		return;
	if (rest > size || rest != sizeof(prefix) - 1 + strlen(out) ||
	    strlen(out) == 0 || strchr(out, '/') != NULL ||
	    memcmp(s + sizeof(prefix) - 1, out, strlen(out)) != 0 ||
	    (rest < size && s[rest] != '/'))
		abort();
}

static void
fuzz_webform_value(int n, const char *out, size_t size, int printable)
{
	size_t i;

	if (n < 0) {
		if (n != WEBFORM_ABSENT && n != WEBFORM_TOO_LONG &&
		    n != WEBFORM_BAD)
			abort();
		return;
	}
	if ((size_t)n >= size || strlen(out) != (size_t)n)
		abort();
	for (i = 0; i < (size_t)n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f ||
		    (printable && (unsigned char)out[i] > 0x7e))
			abort();
}

/* The small output agrees with the large one. */
static void
fuzz_webform_agree(int small, int large)
{
	if (small >= 0 && small != large)
		abort();
	if (small == WEBFORM_ABSENT && large != WEBFORM_ABSENT)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "name", "csrf", "stsd_session",
	    "" };
	char small[FUZZ_SMALL], *large = malloc(FUZZ_LARGE);
	const char *s = (const char *)data;
	size_t i;
	int a, b;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		a = webform_field(s, size, names[i], small, sizeof(small));
		b = webform_field(s, size, names[i], large, FUZZ_LARGE);
		fuzz_webform_value(a, small, sizeof(small), 0);
		fuzz_webform_value(b, large, FUZZ_LARGE, 0);
		fuzz_webform_agree(a, b);
		a = webform_cookie(s, size, names[i], small, sizeof(small));
		b = webform_cookie(s, size, names[i], large, FUZZ_LARGE);
		fuzz_webform_value(a, small, sizeof(small), 1);
		fuzz_webform_value(b, large, FUZZ_LARGE, 1);
		fuzz_webform_agree(a, b);
	}
	a = webform_bearer(s, size, small, sizeof(small));
	b = webform_bearer(s, size, large, FUZZ_LARGE);
	fuzz_webform_value(a, small, sizeof(small), 1);
	fuzz_webform_value(b, large, FUZZ_LARGE, 1);
	fuzz_webform_agree(a, b);
	fuzz_webform_words(s, size, small, sizeof(small));
	fuzz_webform_words(s, size, large, FUZZ_LARGE);
	fuzz_webform_subpath(s, size, small, sizeof(small));
	fuzz_webform_subpath(s, size, large, FUZZ_LARGE);
	a = webform_preamble(s, size, large, FUZZ_LARGE);
	if (a > 0 && ((size_t)a > size || s[a - 1] != '\n' ||
	    strlen(large) + sizeof(PROTO_PORTAL_PREAMBLE) + 1 != (size_t)a))
		abort();
	if (a > 0)
		fuzz_webform_value((int)strlen(large), large, FUZZ_LARGE, 1);
	free(large);
	return 0;
}
