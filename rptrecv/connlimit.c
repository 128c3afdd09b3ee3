/*
 * connlimit - rptrecv's connection counts per client network; see
 * connlimit.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientnet.h"
#include "connlimit.h"
#include "htable.h"
#include "log.h"
#include "mymalloc.h"

/* net -> its count (a malloc'd int), for the networks with connections. */
static struct htable *connlimit_table;

void
connlimit_net(const struct sockaddr *sa, char *net, size_t len)
{
	struct clientnet n;

	if (clientnet_of(sa, CONNLIMIT_PREFIX4, CONNLIMIT_PREFIX6, &n) < 0)
		snprintf(net, len, "local");
	else
		clientnet_text(&n, net, len);
}

static int *
connlimit_find(const char *net)
{
	if (connlimit_table == NULL)
		connlimit_table = htable_new(CONNLIMIT_BUCKETS, 0);
	return htable_find_str(connlimit_table, net);
}

enum connlimit_verdict
connlimit_admit(const char *net, long long total, long long total_limit,
    long long net_limit)
{
	int *count = connlimit_find(net);

	if (total >= total_limit)
		return CONNLIMIT_TOTAL;
	if (count != NULL && *count >= net_limit)
		return CONNLIMIT_NET;
	if (count == NULL) {
		count = xcalloc(1, sizeof(*count));
		htable_enter_str(connlimit_table, net, count);
	}
	(*count)++;
	return CONNLIMIT_OK;
}

void
connlimit_done(const char *net)
{
	int *count = connlimit_find(net);

	if (count == NULL)
		log_panic("connlimit_done: no count for %s", net);
	if (--*count == 0)
		free(htable_delete_str(connlimit_table, net));
}

int
connlimit_count(const char *net)
{
	int *count = connlimit_find(net);

	return count != NULL ? *count : 0;
}
