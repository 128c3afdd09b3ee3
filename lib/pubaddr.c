/*
 * pubaddr - the rule of a public address (webhooks of alert
 * subscriptions); see pubaddr.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: nothing but memory.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clientnet.h"
#include "pubaddr.h"

static const struct {
	const char *net;
	const char *why;
} pubaddr_ranges[] = {
	{ "0.0.0.0/8", "unspecified (this network)" },
	{ "10.0.0.0/8", "private" },
	{ "100.64.0.0/10", "shared address space (CGNAT)" },
	{ "127.0.0.0/8", "loopback" },
	{ "169.254.0.0/16", "link-local" },
	{ "172.16.0.0/12", "private" },
	{ "192.0.0.0/24", "IETF protocol assignment" },
	{ "192.0.2.0/24", "documentation" },
	{ "192.88.99.0/24", "6to4 relay anycast" },
	{ "192.168.0.0/16", "private" },
	{ "198.18.0.0/15", "benchmarking" },
	{ "198.51.100.0/24", "documentation" },
	{ "203.0.113.0/24", "documentation" },
	{ "224.0.0.0/4", "multicast" },
	{ "240.0.0.0/4", "reserved" },
	{ "::/128", "unspecified" },
	{ "::1/128", "loopback" },
	{ "::/96", "IPv4-compatible (deprecated)" },
	{ "64:ff9b:1::/48", "local-use IPv4/IPv6 translation" },
	{ "100::/64", "discard-only" },
	{ "2001:db8::/32", "documentation" },
	{ "3fff::/20", "documentation" },
	{ "fc00::/7", "unique local (private)" },
	{ "fe80::/10", "link-local" },
	{ "fec0::/10", "site-local (deprecated)" },
	{ "ff00::/8", "multicast" },
};

int
pubaddr_net_parse(const char *text, struct sockaddr_storage *ss, int *bits)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char addr[PUBADDR_TEXT_MAX], *slash, *end;
	long b;
	int max;

	if (strlen(text) >= sizeof(addr))
		return -1;
	strcpy(addr, text);
	memset(ss, 0, sizeof(*ss));
	if ((slash = strchr(addr, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		max = 128;
	} else
		return -1;
	if (slash == NULL) {
		*bits = max;
		return 0;
	}
	if (*slash < '0' || *slash > '9')
		return -1;
	b = strtol(slash, &end, 10);
	if (*end != '\0' || b > max)
		return -1;
	*bits = (int)b;
	return 0;
}

/* Whether sa is in net/bits, each of them as clientnet keys. */
static int
pubaddr_in(const struct sockaddr *sa, const struct sockaddr_storage *net,
    int bits)
{
	struct clientnet a, n;

	/* A mapped address is judged as IPv4: its IPv4 bits. */
	if (clientnet_of((const struct sockaddr *)net, bits, bits, &n) < 0 ||
	    clientnet_of(sa, bits, bits, &a) < 0)
		return 0;
	if (net->ss_family == AF_INET && a.key[0] != 4)
		return 0;
	return memcmp(a.key, n.key, sizeof(a.key)) == 0;
}

const char *
pubaddr_reserved(const struct sockaddr *sa)
{
	struct sockaddr_storage net;
	size_t i;
	int bits;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return "not IPv4 or IPv6";
	for (i = 0; i < sizeof(pubaddr_ranges) / sizeof(pubaddr_ranges[0]);
	    i++) {
		if (pubaddr_net_parse(pubaddr_ranges[i].net, &net, &bits) < 0)
			continue;
		if (pubaddr_in(sa, &net, bits))
			return pubaddr_ranges[i].why;
	}
	return NULL;
}

int
pubaddr_in_nets(const struct sockaddr *sa, char **nets)
{
	struct sockaddr_storage net;
	int bits;

	for (; nets != NULL && *nets != NULL; nets++)
		if (pubaddr_net_parse(*nets, &net, &bits) == 0 &&
		    pubaddr_in(sa, &net, bits))
			return 1;
	return 0;
}

int
pubaddr_check(const struct sockaddr *sa, char **allow, struct buf *err)
{
	char text[INET6_ADDRSTRLEN] = "?";
	const char *why;

	if ((why = pubaddr_reserved(sa)) == NULL || pubaddr_in_nets(sa, allow))
		return 0;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    text, sizeof(text));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->
		    sin6_addr, text, sizeof(text));
	buf_printf(err, "%s is a %s address, not a public one", text, why);
	return -1;
}
