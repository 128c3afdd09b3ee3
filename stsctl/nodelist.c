/*
 * nodelist - "stsctl node list": the nodes that share the database, their
 * last heartbeat and the leases they hold.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl node list [--json]
 *
 * DESCRIPTION
 *	Asks policyd (node-list) and prints a line per node that ever
 *	ran policyd on the database, by name: its node_name (the one of
 *	this host marked with "*"), its last heartbeat (UTC) and how many
 *	seconds ago that was by the database's clock, its version, when
 *	its policyd started, and the leases it holds (lease.h of policyd:
 *	dnsmon, acmed, alerts), or "-".  A node whose heartbeat is older
 *	than cluster_lease_time holds no lease any more.  --json prints
 *	policyd's reply: {"now": T, "nodes": [{"name", "heartbeat",
 *	"age", "version", "started", "leases": [...], "self"}]}.
 *
 * DIAGNOSTICS
 *	A usage error exits 2, a refused request 1, with one line on
 *	stderr.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "esc.h"
#include "ipc.h"
#include "mymalloc.h"
#include "proto.h"
#include "stsctl.h"
#include "table.h"
#include "timefmt.h"

static const char node_usage[] = "usage: stsctl node list [--json]\n";

static void __attribute__((noreturn))
node_usage_die(void)
{
	fputs(node_usage, stderr);
	exit(2);
}

static char *
node_leases(json_t *n)
{
	json_t *leases = json_object_get(n, "leases"), *l;
	struct buf b = BUF_INIT;
	size_t i;

	json_array_foreach(leases, i, l)
		buf_printf(&b, "%s%s", i > 0 ? "," : "",
		    esc_printable(json_string_value(l)));
	if (b.len == 0)
		buf_puts(&b, "-");
	return buf_steal(&b);
}

static void
node_print(json_t *reply)
{
	json_t *nodes = json_object_get(reply, "nodes"), *n;
	struct table *t = table_new(6, "NAME", "HEARTBEAT", "AGE", "VERSION",
	    "STARTED", "LEASES");
	char *heartbeat, *started, *leases, *name, age[32];
	size_t i;

	json_array_foreach(nodes, i, n) {
		name = xasprintf("%s%s", esc_printable(ipc_str(n, "name")),
		    json_is_true(json_object_get(n, "self")) ? "*" : "");
		heartbeat = timefmt_utc(ipc_int(n, "heartbeat"));
		started = timefmt_utc(ipc_int(n, "started"));
		snprintf(age, sizeof(age), "%llds",
		    (long long)ipc_int(n, "age"));
		leases = node_leases(n);
		table_row(t, name, heartbeat, age,
		    esc_printable(ipc_str(n, "version")), started, leases);
		free(name);
		free(heartbeat);
		free(started);
		free(leases);
	}
	table_print_or(t, stdout, "no node has run policyd on this database");
	table_free(t);
}

int
node_main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	json_t *reply;
	int i;

	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			stsctl_json = 1;
		else
			node_usage_die();
	if (strcmp(sub, "list") != 0)
		node_usage_die();
	reply = stsctl_call(ipc_request(PROTO_OP_NODE_LIST));
	if (stsctl_json)
		stsctl_print_json(reply);
	else
		node_print(reply);
	json_decref(reply);
	return 0;
}
