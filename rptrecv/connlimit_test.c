/*
 * connlimit_test - unit test of connlimit: client networks and counts.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "connlimit.h"
#include "unit.h"

static void
t_net(const char *addr, const char *want)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	char net[CONNLIMIT_NET_MAX];

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		connlimit_net((struct sockaddr *)&sin, net, sizeof(net));
	} else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		connlimit_net((struct sockaddr *)&sin6, net, sizeof(net));
	} else {
		CHECK(0, "%s parses", addr);
		return;
	}
	CHECK(strcmp(net, want) == 0, "%s is in %s (got %s)", addr, want, net);
}

/* Client addresses and the network each is counted in. */
static const struct {
	const char *addr;
	const char *net;
} nets[] = {
	{"192.0.2.77", "192.0.2.0/24"},
	{"192.0.2.255", "192.0.2.0/24"},
	{"127.0.1.9", "127.0.1.0/24"},
	{"255.255.255.255", "255.255.255.0/24"},
	{"::ffff:198.51.100.200", "198.51.100.0/24"},
	{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
	{"2001:db8:1:2::", "2001:db8:1:2::/64"},
	{"2001:db8:1:3:ffff:ffff:ffff:ffff", "2001:db8:1:3::/64"},
	{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "ffff:ffff:ffff:ffff::/64"},
	{"::1", "::/64"},
};

#define ADMIT_TOTAL	10	/* the limits of the admissions below */
#define ADMIT_NET	2

/*
 * Connections in order, each with the count open in all when it comes,
 * under a total limit of 10 and 2 per network: admitted or the limit hit.
 */
static const struct {
	const char *net;
	long long total;
	enum connlimit_verdict want;
	const char *what;
} admits[] = {
	/* Per network: the third of a limit of 2 is refused. */
	{"192.0.2.0/24", 0, CONNLIMIT_OK, "first connection of a network"},
	{"192.0.2.0/24", 1, CONNLIMIT_OK, "second connection of a network"},
	{"192.0.2.0/24", 2, CONNLIMIT_NET,
	    "third connection of a network over the limit of 2"},
	{"198.51.100.0/24", 2, CONNLIMIT_OK, "another network still gets in"},
	/* The total comes first, whatever the network. */
	{"203.0.113.0/24", 10, CONNLIMIT_TOTAL,
	    "the total limit refuses a new network"},
	{"192.0.2.0/24", 10, CONNLIMIT_TOTAL,
	    "the total limit is named before the network limit"},
};

int
main(void)
{
	struct sockaddr_storage ss;
	char net[CONNLIMIT_NET_MAX];
	int i;

	for (i = 0; i < (int)UNIT_NCASES(nets); i++)
		t_net(nets[i].addr, nets[i].net);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	connlimit_net((struct sockaddr *)&ss, net, sizeof(net));
	CHECK(strcmp(net, "local") == 0, "a unix socket client is local");

	for (i = 0; i < (int)UNIT_NCASES(admits); i++)
		CHECK(connlimit_admit(admits[i].net, admits[i].total,
		    ADMIT_TOTAL, ADMIT_NET) == admits[i].want, "%s",
		    admits[i].what);
	CHECK(connlimit_count("192.0.2.0/24") == 2, "the refused ones are not "
	    "counted");
	CHECK(connlimit_count("203.0.113.0/24") == 0, "a refused network has "
	    "no entry");
	connlimit_done("192.0.2.0/24");
	CHECK(connlimit_admit("192.0.2.0/24", 2, ADMIT_TOTAL, ADMIT_NET) ==
	    CONNLIMIT_OK,
	    "a closed connection makes room");
	connlimit_done("192.0.2.0/24");
	connlimit_done("192.0.2.0/24");
	connlimit_done("198.51.100.0/24");
	CHECK(connlimit_count("192.0.2.0/24") == 0 &&
	    connlimit_count("198.51.100.0/24") == 0, "all given back");

	/* Many networks: each has its own count. */
	for (i = 0; i < 3000; i++) {
		snprintf(net, sizeof(net), "10.%d.%d.0/24", i / 256, i % 256);
		if (connlimit_admit(net, i, 5000, 1) != CONNLIMIT_OK)
			break;
	}
	CHECK(i == 3000, "3000 networks with one connection each");
	for (i = 0; i < 3000; i++) {
		snprintf(net, sizeof(net), "10.%d.%d.0/24", i / 256, i % 256);
		connlimit_done(net);
	}
	CHECK(connlimit_count("10.0.0.0/24") == 0, "and all freed");
	return unit_status();
}
