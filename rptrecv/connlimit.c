/*
 * connlimit - rptrecv's connection counts per client network; see
 * connlimit.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connlimit.h"
#include "hash.h"
#include "log.h"
#include "mymalloc.h"

struct connlimit_entry {
	char	 net[CONNLIMIT_NET_MAX];
	int	 count;
	struct connlimit_entry *next;
};

static struct connlimit_entry *connlimit_table[CONNLIMIT_BUCKETS];

/* Keeps the first bits of addr (len octets), clears the rest. */
static void
connlimit_mask(unsigned char *addr, size_t len, int bits)
{
	size_t i;

	for (i = 0; i < len; i++, bits -= 8) {
		if (bits >= 8)
			continue;
		addr[i] &= bits > 0 ? (unsigned char)(0xff << (8 - bits)) : 0;
	}
}

void
connlimit_net(const struct sockaddr *sa, char *net, size_t len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(a, &sin6->sin6_addr, 16);
		connlimit_mask(a, 16, CONNLIMIT_PREFIX6);
		inet_ntop(AF_INET6, a, text, sizeof(text));
		snprintf(net, len, "%s/%d", text, CONNLIMIT_PREFIX6);
	} else if (sa->sa_family == AF_INET6 || sa->sa_family == AF_INET) {
		if (sa->sa_family == AF_INET6)
			memcpy(a, &sin6->sin6_addr.s6_addr[12], 4);
		else
			memcpy(a, &sin->sin_addr, 4);
		connlimit_mask(a, 4, CONNLIMIT_PREFIX4);
		inet_ntop(AF_INET, a, text, sizeof(text));
		snprintf(net, len, "%s/%d", text, CONNLIMIT_PREFIX4);
	} else {
		snprintf(net, len, "local");
	}
}

static struct connlimit_entry **
connlimit_slot(const char *net)
{
	struct connlimit_entry **ep;

	for (ep = &connlimit_table[hash_str(net) % CONNLIMIT_BUCKETS];
	    *ep != NULL; ep = &(*ep)->next)
		if (strcmp((*ep)->net, net) == 0)
			break;
	return ep;
}

enum connlimit_verdict
connlimit_admit(const char *net, long long total, long long total_limit,
    long long net_limit)
{
	struct connlimit_entry **ep = connlimit_slot(net), *e = *ep;

	if (total >= total_limit)
		return CONNLIMIT_TOTAL;
	if (e != NULL && e->count >= net_limit)
		return CONNLIMIT_NET;
	if (e == NULL) {
		e = *ep = xcalloc(1, sizeof(*e));
		snprintf(e->net, sizeof(e->net), "%s", net);
	}
	e->count++;
	return CONNLIMIT_OK;
}

void
connlimit_done(const char *net)
{
	struct connlimit_entry **ep = connlimit_slot(net), *e = *ep;

	if (e == NULL)
		log_panic("connlimit_done: no count for %s", net);
	if (--e->count == 0) {
		*ep = e->next;
		free(e);
	}
}

int
connlimit_count(const char *net)
{
	struct connlimit_entry *e = *connlimit_slot(net);

	return e != NULL ? e->count : 0;
}
