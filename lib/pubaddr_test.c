/*
 * pubaddr_test - the rule of a public address, as a table: every range
 * a webhook must not reach, the addresses next to them that it may,
 * and the networks an operator allows despite the rule.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "buf.h"
#include "pubaddr.h"
#include "unit.h"

static const struct {
	const char *addr;
	const char *why;		/* NULL: public */
} pubaddr_cases[] = {
	{ "127.0.0.1", "loopback" },
	{ "127.255.255.254", "loopback" },
	{ "::1", "loopback" },
	{ "10.0.0.1", "private" },
	{ "10.255.255.255", "private" },
	{ "172.16.0.1", "private" },
	{ "172.31.255.255", "private" },
	{ "172.32.0.1", NULL },
	{ "172.15.255.255", NULL },
	{ "192.168.1.1", "private" },
	{ "169.254.169.254", "link-local" },
	{ "fe80::1", "link-local" },
	{ "febf::1", "link-local" },
	{ "fc00::1", "unique local (private)" },
	{ "fd12:3456::1", "unique local (private)" },
	{ "::ffff:10.0.0.1", "private" },
	{ "::ffff:127.0.0.1", "loopback" },
	{ "::ffff:8.8.8.8", NULL },
	{ "100.64.0.1", "shared address space (CGNAT)" },
	{ "100.127.255.255", "shared address space (CGNAT)" },
	{ "100.128.0.1", NULL },
	{ "100.63.255.255", NULL },
	{ "0.0.0.0", "unspecified (this network)" },
	{ "::", "unspecified" },
	{ "224.0.0.1", "multicast" },
	{ "239.255.255.250", "multicast" },
	{ "ff02::1", "multicast" },
	{ "255.255.255.255", "reserved" },
	{ "192.0.2.10", "documentation" },
	{ "198.51.100.1", "documentation" },
	{ "203.0.113.200", "documentation" },
	{ "2001:db8::1", "documentation" },
	{ "::10.0.0.1", "IPv4-compatible (deprecated)" },
	{ "8.8.8.8", NULL },
	{ "1.1.1.1", NULL },
	{ "93.184.216.34", NULL },
	{ "2606:4700:4700::1111", NULL },
	{ "2a00:1450:4001::200e", NULL },
};

/* addr as a sockaddr in ss (its family from its text). */
static const struct sockaddr *
sa_of(const char *addr, struct sockaddr_storage *ss)
{
	int bits;

	if (pubaddr_net_parse(addr, ss, &bits) < 0) {
		printf("not ok - %s does not parse\n", addr);
		exit(1);
	}
	return (const struct sockaddr *)ss;
}

static void
test_table(void)
{
	struct sockaddr_storage ss;
	const char *why;
	size_t i;

	for (i = 0; i < UNIT_NCASES(pubaddr_cases); i++) {
		why = pubaddr_reserved(sa_of(pubaddr_cases[i].addr, &ss));
		if (pubaddr_cases[i].why == NULL)
			CHECK(why == NULL, "%s is public (got %s)",
			    pubaddr_cases[i].addr, why ? why : "public");
		else
			CHECK(why != NULL && strcmp(why, pubaddr_cases[i].why)
			    == 0, "%s is %s (got %s)", pubaddr_cases[i].addr,
			    pubaddr_cases[i].why, why ? why : "public");
	}
}

static void
test_allow(void)
{
	char *allow[] = { "127.0.0.0/8", "fd00::/8", "10.1.2.3", NULL };
	struct sockaddr_storage ss;
	struct buf err = BUF_INIT;

	CHECK(pubaddr_check(sa_of("127.0.0.1", &ss), allow, &err) == 0,
	    "127.0.0.1 allowed by 127.0.0.0/8");
	CHECK(pubaddr_check(sa_of("::ffff:127.0.0.1", &ss), allow, &err) == 0,
	    "::ffff:127.0.0.1 allowed by 127.0.0.0/8 too");
	CHECK(pubaddr_check(sa_of("fd00::5", &ss), allow, &err) == 0,
	    "fd00::5 allowed by fd00::/8");
	CHECK(pubaddr_check(sa_of("10.1.2.3", &ss), allow, &err) == 0,
	    "10.1.2.3 allowed as itself");
	CHECK(err.len == 0, "no error for allowed addresses");
	CHECK(pubaddr_check(sa_of("10.1.2.4", &ss), allow, &err) < 0 &&
	    strcmp(err.s, "10.1.2.4 is a private address, not a public one")
	    == 0, "10.1.2.4 refused, the range named (%s)", err.s);
	buf_reset(&err);
	CHECK(pubaddr_check(sa_of("::1", &ss), allow, &err) < 0 &&
	    strcmp(err.s, "::1 is a loopback address, not a public one") == 0,
	    "::1 refused: 127.0.0.0/8 is IPv4 only (%s)", err.s);
	buf_reset(&err);
	CHECK(pubaddr_check(sa_of("::1", &ss), NULL, &err) < 0,
	    "no list: refused");
	buf_reset(&err);
	CHECK(pubaddr_check(sa_of("8.8.8.8", &ss), NULL, &err) == 0,
	    "a public address passes without a list");
	buf_free(&err);
}

static void
test_parse(void)
{
	static const char *bad[] = { "", "10.0.0.0/33", "::/129", "10.0.0.0/",
	    "10.0.0.0/-1", "10.0.0.0/8x", "example.com", "10.0.0.0/ 8",
	    "1.2.3.4.5", "10.0.0.0/8\n", "::1/1/2",
	    "0000000000000000000000000000000000000000000000000000000000000::1" };
	struct sockaddr_storage ss;
	size_t i;
	int bits;

	for (i = 0; i < UNIT_NCASES(bad); i++)
		CHECK(pubaddr_net_parse(bad[i], &ss, &bits) < 0,
		    "bad network #%zu refused", i);
	CHECK(pubaddr_net_parse("192.0.2.0/24", &ss, &bits) == 0 &&
	    bits == 24 && ss.ss_family == AF_INET, "192.0.2.0/24");
	CHECK(pubaddr_net_parse("2001:db8::/0", &ss, &bits) == 0 &&
	    bits == 0 && ss.ss_family == AF_INET6, "2001:db8::/0");
}

int
main(void)
{
	test_table();
	test_allow();
	test_parse();
	return unit_status();
}
