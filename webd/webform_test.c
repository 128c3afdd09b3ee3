/*
 * webform_test - form fields, cookies and bearer tokens as webd reads
 * them (webform.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "unit.h"
#include "webform.h"

static int
field(const char *body, const char *name, char *out, size_t size)
{
	return webform_field(body, strlen(body), name, out, size);
}

int
main(void)
{
	char out[32];
	const char *c = "a=1; stsd_session=ab12 ; other=x";

	CHECK(field("name=alice%40example.org&password=a+b%21", "name", out,
	    sizeof(out)) == 17 && strcmp(out, "alice@example.org") == 0,
	    "a field, percent-decoded");
	CHECK(field("name=x&password=a+b%21", "password", out,
	    sizeof(out)) == 4 && strcmp(out, "a b!") == 0,
	    "+ is a space");
	CHECK(field("names=x&name=y", "name", out, sizeof(out)) == 1 &&
	    strcmp(out, "y") == 0, "the name whole, not a prefix");
	CHECK(field("a=1", "name", out, sizeof(out)) == WEBFORM_ABSENT,
	    "an absent field");
	CHECK(field("name", "name", out, sizeof(out)) == 0 && out[0] == '\0',
	    "a field without =: empty");
	CHECK(field("name=a%0Ab", "name", out, sizeof(out)) == WEBFORM_BAD,
	    "a newline refused");
	CHECK(field("name=a%00b", "name", out, sizeof(out)) == WEBFORM_BAD,
	    "a NUL refused");
	CHECK(field("name=a%1", "name", out, sizeof(out)) == WEBFORM_BAD,
	    "a short escape refused");
	CHECK(field("name=%zz", "name", out, sizeof(out)) == WEBFORM_BAD,
	    "a bad escape refused");
	CHECK(field("name=0123456789012345678901234567890123456789", "name",
	    out, sizeof(out)) == WEBFORM_TOO_LONG, "too long for out");
	CHECK(webform_cookie(c, strlen(c), "stsd_session", out,
	    sizeof(out)) == 4 && strcmp(out, "ab12") == 0, "a cookie");
	CHECK(webform_cookie(c, strlen(c), "stsd", out, sizeof(out)) ==
	    WEBFORM_ABSENT, "a cookie's name whole");
	CHECK(webform_cookie("s=a\x01", 4, "s", out, sizeof(out)) ==
	    WEBFORM_BAD, "a control character in a cookie refused");
	CHECK(webform_bearer("bearer  stsd_x ", 15, out, sizeof(out)) == 6 &&
	    strcmp(out, "stsd_x") == 0, "a bearer token, scheme in any case");
	CHECK(webform_bearer("Basic abc", 9, out, sizeof(out)) ==
	    WEBFORM_ABSENT, "another scheme is no token");
	CHECK(webform_bearer("Bearer ", 7, out, sizeof(out)) == WEBFORM_ABSENT,
	    "an empty token is none");
	CHECK(webform_preamble("STSD-PORTAL/1 192.0.2.1:443\r\nGET", 32, out,
	    sizeof(out)) == 29 && strcmp(out, "192.0.2.1:443") == 0,
	    "httpd's preamble: the client's address");
	CHECK(webform_preamble("STSD-PORTAL/1 192.0", 19, out, sizeof(out)) ==
	    0, "a preamble not complete yet");
	CHECK(webform_preamble("GET / HTTP/1.1\r\n", 16, out, sizeof(out)) ==
	    WEBFORM_BAD, "a request without the preamble is refused");
	CHECK(webform_preamble("STSD-PORTAL/1 a b\r\n", 19, out,
	    sizeof(out)) == WEBFORM_BAD, "a space in the address is refused");
	CHECK(webform_preamble("STSD-PORTAL/1 ab\n", 17, out, sizeof(out)) ==
	    WEBFORM_BAD, "a bare LF is refused");
	{
		const char *w = "  mx1.example.com  *.mx.example.com ";
		size_t pos = 0, rest;

		CHECK(webform_word(w, strlen(w), &pos, out, sizeof(out)) == 15 &&
		    strcmp(out, "mx1.example.com") == 0 &&
		    webform_word(w, strlen(w), &pos, out, sizeof(out)) == 16 &&
		    strcmp(out, "*.mx.example.com") == 0 &&
		    webform_word(w, strlen(w), &pos, out, sizeof(out)) ==
		    WEBFORM_ABSENT, "words separated by spaces, then none");
		pos = 0;
		CHECK(webform_word(w, strlen(w), &pos, out, 8) ==
		    WEBFORM_TOO_LONG, "a word too long for out");
		CHECK(webform_subpath("/domains/a.example/manage", 25,
		    "/domains/", out, sizeof(out), &rest) == 0 &&
		    strcmp(out, "a.example") == 0 && rest == 18,
		    "a domain's path: its name and the rest");
		CHECK(webform_subpath("/domains/a.example", 18, "/domains/", out,
		    sizeof(out), &rest) == 0 && rest == 18,
		    "... without a rest");
		CHECK(webform_subpath("/domains//manage", 16, "/domains/", out,
		    sizeof(out), &rest) < 0 && webform_subpath("/other/a", 8,
		    "/domains/", out, sizeof(out), &rest) < 0,
		    "an empty name, another prefix: not one");
	}
	return unit_status();
}
