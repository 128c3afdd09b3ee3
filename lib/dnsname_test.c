/*
 * dnsname_test - lib/dnsname: the grammar, host names, hosted domains
 * and the lengths of the names published for them, with exact causes.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dnsname.h"
#include "unit.h"

/* A name of n octets: labels of 63 "a" joined by dots, ending in ".com". */
static char *
long_name(size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = (i + 1) % 64 == 0 ? '.' : 'a';
	s[n] = '\0';
	memcpy(s + n - 4, ".com", 4);
	if (s[n - 5] == '.')
		s[n - 5] = 'a';
	return s;
}

static void
test_host(void)
{
	static const struct {
		const char *name;
		int flags;
		const char *error;
	} cases[] = {
		{ "mx1.example.com", 0, NULL },
		{ "MX1.Example.Com", 0, NULL },
		{ "*.example.com", DNSNAME_WILDCARD, NULL },
		{ "123.example.com", 0, NULL },
		{ "a.b2", 0, NULL },
		{ "xn--bcher-kva.example", 0, NULL },
		{ "127.0.0.1", 0, "an IP address, not a host name" },
		{ "192.0.2.7", DNSNAME_WILDCARD, "an IP address, not a host name" },
		{ "2001:db8::1", 0, "an IP address, not a host name" },
		{ "[192.0.2.7]", 0, "an IP address, not a host name" },
		{ "[IPv6:2001:db8::1]", 0, "an IP address, not a host name" },
		{ "[example.com]", 0, "bad character \"[\"" },
		{ "127.1", 0, "top-level label \"1\" is all digits: not a host name" },
		{ "a.123", 0, "top-level label \"123\" is all digits: not a host name" },
		{ "*.10.0.0.1", DNSNAME_WILDCARD,
		    "top-level label \"1\" is all digits: not a host name" },
		{ "localhost", 0, "a single label: not a fully qualified host name" },
		{ "*.com", DNSNAME_WILDCARD,
		    "a single label after \"*.\": not a fully qualified host name" },
		{ "*.example.com", 0, "wildcard must be the whole leftmost label" },
		{ "*.*.example.com", DNSNAME_WILDCARD,
		    "wildcard only allowed as the leftmost label" },
		{ "-a.example", 0, "label \"-a\" starts with a hyphen" },
		{ "a-.example", 0, "label \"a-\" ends with a hyphen" },
		{ "mx..example", 0, "empty label" },
		{ "mx.example.", 0, "trailing dot not allowed" },
		{ "", 0, "empty name" },
		{ "*", DNSNAME_WILDCARD, "wildcard without a domain" },
		{ "a_b.example", 0, "bad character \"_\"" },
		{ "a b.example", 0, "bad character 0x20" },
		{ "a\nb.example", 0, "bad character 0x0a" },
		{ NULL, 0, NULL }
	};
	struct buf err = BUF_INIT;
	int i, rc;

	for (i = 0; cases[i].name; i++) {
		buf_reset(&err);
		rc = dnsname_host(cases[i].name, cases[i].flags, &err);
		if (cases[i].error == NULL)
			CHECK(rc == 0 && err.len == 0, "host \"%s\" valid",
			    cases[i].name);
		else {
			CHECK(rc == -1 && STR_EQ(err.s, cases[i].error),
			    "host case %d refused: %s", i, cases[i].error);
			if (rc == 0 || strcmp(err.s, cases[i].error) != 0)
				printf("#   got \"%s\"\n", err.s ? err.s : "");
		}
	}
	buf_reset(&err);
	CHECK(dnsname_syntax("127.0.0.1", 0, &err) == 0 &&
	    dnsname_syntax("localhost", 0, &err) == 0,
	    "the grammar alone accepts an all-digit name and a single label");
	buf_free(&err);
}

static void
test_domain(void)
{
	struct buf err = BUF_INIT;
	char *max = long_name(DNSNAME_DOMAIN_MAX);
	char *over = long_name(DNSNAME_DOMAIN_MAX + 1);
	char *n250 = long_name(250);
	char label[DNSNAME_LABEL_MAX + 8];

	CHECK(strlen(max) == 242 && dnsname_domain(max, NULL, &err) == 0,
	    "a 242-octet domain is valid: _smtp._tls.DOMAIN is 253");
	CHECK(dnsname_domain(over, NULL, &err) == -1 && STR_EQ(err.s,
	    "243 octets: _smtp._tls.DOMAIN would be 254 octets, more than 253"),
	    "a 243-octet domain is refused: %s", err.s);
	buf_reset(&err);
	CHECK(dnsname_domain(n250, NULL, &err) == -1 && STR_EQ(err.s,
	    "250 octets: mta-sts.DOMAIN would be 258 octets, _smtp._tls.DOMAIN"
	    " would be 261 octets, more than 253"),
	    "a 250-octet domain: both published names are named");
	buf_reset(&err);
	CHECK(dnsname_domain(max, "sts.example.net", &err) == -1 && STR_EQ(err.s,
	    "242 octets: DOMAIN._report.sts.example.net would be 266 octets,"
	    " more than 253"), "with a service zone, its names count too");
	buf_reset(&err);
	CHECK(dnsname_domain("example.com", "sts.example.net", &err) == 0 &&
	    dnsname_domain("example.com", "", &err) == 0,
	    "a short domain is valid with and without a zone");
	CHECK(dnsname_domain("192.0.2.7", NULL, &err) == -1 && STR_EQ(err.s,
	    "an IP address, not a domain name"), "an IPv4 domain is refused");
	buf_reset(&err);
	CHECK(dnsname_domain("*.example.com", NULL, &err) == -1 && STR_EQ(err.s,
	    "wildcard must be the whole leftmost label"),
	    "a domain has no wildcard");
	buf_reset(&err);
	memset(label, 'a', DNSNAME_LABEL_MAX + 1);
	strcpy(label + DNSNAME_LABEL_MAX + 1, ".com");
	CHECK(dnsname_domain(label, NULL, &err) == -1 && strstr(err.s,
	    "is longer than 63 characters") != NULL, "a 64-octet label is refused");
	buf_reset(&err);
	label[DNSNAME_LABEL_MAX] = '.';
	label[DNSNAME_LABEL_MAX + 1] = 'x';
	CHECK(dnsname_domain(label, NULL, &err) == 0, "a 63-octet label is valid");
	free(max);
	free(over);
	free(n250);
	buf_free(&err);
}

static void
test_args(void)
{
	struct buf err = BUF_INIT;
	char *out = NULL, big[2000];

	CHECK(dnsname_domain_arg("Example.COM.", NULL, &out, &err) == 0 &&
	    STR_EQ(out, "example.com"),
	    "a domain is lower-cased, its trailing dot dropped");
	free(out);
	CHECK(dnsname_domain_arg("a.123", NULL, &out, &err) == -1 &&
	    STR_EQ(err.s, "domain \"a.123\": top-level label \"123\" is all"
	    " digits: not a domain name"), "the error quotes the domain");
	buf_reset(&err);
	CHECK(dnsname_domain_arg("a\nb\033[2J.example", NULL, &out, &err) == -1
	    && STR_EQ(err.s, "domain \"a\\nb\\x1b[2J.example\": bad character"
	    " 0x0a"), "control characters are escaped in the error");
	buf_reset(&err);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(dnsname_domain_arg(big, NULL, &out, &err) == -1 &&
	    strstr(err.s, "...\": longer than 253 characters") != NULL &&
	    err.len < 300, "a huge name is cut in the error");
	buf_reset(&err);
	CHECK(dnsname_name_arg("A.123.", &out, &err) == 0 && STR_EQ(out, "a.123"),
	    "a stored name is looked up by the grammar alone");
	free(out);
	CHECK(dnsname_name_arg("a..b", &out, &err) == -1 &&
	    STR_EQ(err.s, "domain \"a..b\": empty label"),
	    "... which still refuses what cannot be a name");
	buf_reset(&err);
	CHECK(dnsname_mx_arg("*.MX.Example.NET", &out, &err) == 0 &&
	    STR_EQ(out, "*.mx.example.net"), "an mx pattern is lower-cased");
	free(out);
	CHECK(dnsname_mx_arg("127.0.0.1", &out, &err) == -1 &&
	    STR_EQ(err.s, "mx pattern \"127.0.0.1\": an IP address, not a host"
	    " name"), "an IP address is not an mx pattern");
	buf_free(&err);
}

int
main(void)
{
	test_host();
	test_domain();
	test_args();
	return unit_status();
}
