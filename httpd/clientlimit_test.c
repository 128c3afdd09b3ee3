/*
 * clientlimit_test - requests per client and window: the limit, the
 * window, IPv6 clients by /64, and a full table that does not grow.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "clientlimit.h"
#include "unit.h"

static struct sockaddr_storage
addr(const char *s)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1)
		in->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	return ss;
}

static int
hit(struct clientlimit *l, const char *s, time_t now, time_t *retry)
{
	struct sockaddr_storage ss = addr(s);

	return clientlimit_hit(l, (struct sockaddr *)&ss, now, retry);
}

int
main(void)
{
	struct clientlimit *l = clientlimit_new(3, 60, 4);
	time_t retry;
	int i, ok = 1;
	char a[32];

	for (i = 0; i < 3; i++)
		ok &= hit(l, "192.0.2.1", 1000 + i, &retry) == 0;
	CHECK(ok, "3 requests within the limit of 3");
	i = hit(l, "192.0.2.1", 1010, &retry);
	CHECK(i < 0 && retry == 50, "the 4th in the window is refused; "
	    "retry when it ends (%lld s)", (long long)retry);
	CHECK(hit(l, "192.0.2.2", 1010, &retry) == 0,
	    "another client has its own count");
	CHECK(hit(l, "::ffff:192.0.2.1", 1011, &retry) < 0,
	    "an IPv4-mapped IPv6 address is the IPv4 client");
	CHECK(hit(l, "192.0.2.1", 1060, &retry) == 0,
	    "a new window after it ends");
	for (i = 0; i < 3; i++)
		hit(l, i % 2 ? "2001:db8:1:2::1" : "2001:db8:1:2:ffff::7",
		    1100, &retry);
	CHECK(hit(l, "2001:db8:1:2:abcd::1", 1100, &retry) < 0 &&
	    hit(l, "2001:db8:1:3::1", 1100, &retry) == 0,
	    "IPv6 clients by /64");
	clientlimit_free(l);
	l = clientlimit_new(1, 60, 2);
	hit(l, "192.0.2.1", 1000, &retry);
	hit(l, "192.0.2.2", 1001, &retry);
	i = hit(l, "198.51.100.1", 1010, &retry);
	CHECK(i < 0 && retry == 60, "a full table refuses a new client "
	    "while no window ended");
	CHECK(clientlimit_count(l) == 2, "... and does not grow");
	CHECK(hit(l, "198.51.100.1", 1060, &retry) == 0 &&
	    clientlimit_count(l) == 2, "once a window ended, its client "
	    "makes room");
	clientlimit_free(l);
	l = clientlimit_new(0, 60, 2);
	for (i = 0, ok = 1; i < 100; i++) {
		snprintf(a, sizeof(a), "203.0.113.%d", i);
		ok &= hit(l, a, 1000, &retry) == 0;
	}
	CHECK(ok && clientlimit_count(l) == 0, "limit 0: no limit, no table");
	clientlimit_free(l);
	return unit_status();
}
