/*
 * audit - "stsctl audit": the audit log of policy.db, every change to
 * domains, accounts and API tokens with who made it, from where, when.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl audit [--domain D] [--account A] [--since TIME] [--json]
 *
 * DESCRIPTION
 *	Asks policyd for the entries (audit-list, a page at a time, at
 *	most AUDIT_PAGES_MAX pages) and prints them in the order they
 *	were made: a table of time, actor, origin, action, domain,
 *	account and details, or with --json {"entries": [...]}.  TIME is
 *	YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).  The details are JSON
 *	that policyd wrote; text in them is shown escaped (lib/esc).
 *
 * DIAGNOSTICS
 *	A usage error exits 2, a refused request 1, with one line on
 *	stderr.
 */
#include "config.h"

#include <getopt.h>
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

#define AUDIT_PAGES_MAX	10000	/* pages of one listing */

static const struct option audit_options[] = {
	{ "domain", required_argument, NULL, 'd' },
	{ "account", required_argument, NULL, 'a' },
	{ "since", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

/* A filter member given as an option; what is not UTF-8 is refused. */
static void
audit_member(json_t *req, const char *key, const char *value)
{
	json_t *v;

	if (value == NULL)
		return;
	if ((v = json_string(value)) == NULL) {
		json_decref(req);
		stsctl_die("audit: --%s \"%s\": not UTF-8 text", key,
		    esc_printable(value));
	}
	json_object_set_new(req, key, v);
}

/* The audit-list request of the options, made once they are parsed. */
static json_t *
audit_filter(int argc, char **argv)
{
	const char *domain = NULL, *account = NULL;
	time_t since = 0;
	json_t *req;
	int c, idx, has_since = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", audit_options, &idx)) != -1) {
		switch (c) {
		case 'd':
			domain = optarg;
			break;
		case 'a':
			account = optarg;
			break;
		case 's':
			since = stsctl_since(optarg, "audit", 1);
			has_since = 1;
			break;
		case 'j':
			stsctl_json = 1;
			break;
		case ':':
			stsctl_usage_die("audit: option %s needs a value",
			    argv[optind - 1]);
		default:
			stsctl_usage_die("audit: unknown option \"%s\"",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		stsctl_usage_die("audit: unexpected argument \"%s\"",
		    argv[optind]);
	req = ipc_request(PROTO_OP_AUDIT_LIST);
	audit_member(req, "domain", domain);
	audit_member(req, "account", account);
	if (has_since)
		json_object_set_new(req, "since",
		    json_integer((json_int_t)since));
	return req;
}

static void
audit_print(json_t *entries)
{
	struct table *t;
	char *when, *details;
	json_t *e;
	size_t i;

	if (json_array_size(entries) == 0) {
		printf("no audit entries\n");
		return;
	}
	t = table_new(7, "TIME", "ACTOR", "FROM", "ACTION", "DOMAIN",
	    "ACCOUNT", "DETAILS");
	json_array_foreach(entries, i, e) {
		when = timefmt_utc(ipc_int(e, "time"));
		details = json_dumps(json_object_get(e, "details"),
		    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		table_row(t, when, ipc_str(e, "actor"),
		    esc_printable(ipc_str(e, "from")), ipc_str(e, "action"),
		    json_is_string(json_object_get(e, "domain")) ?
		    ipc_str(e, "domain") : "-",
		    json_is_string(json_object_get(e, "account")) ?
		    ipc_str(e, "account") : "-",
		    esc_printable(details ? details : "{}"));
		free(when);
		free(details);
	}
	table_print(t, stdout);
	table_free(t);
}

int
audit_main(int argc, char **argv)
{
	json_t *filter = audit_filter(argc, argv), *req, *reply, *all;
	size_t pages = 0;

	all = json_array();
	for (;;) {
		req = json_deep_copy(filter);
		reply = stsctl_call(req);
		json_array_extend(all, json_object_get(reply, "entries"));
		if (!json_is_integer(json_object_get(reply, "next"))) {
			json_decref(reply);
			break;
		}
		json_object_set(filter, "after", json_object_get(reply, "next"));
		json_decref(reply);
		if (++pages == AUDIT_PAGES_MAX)
			stsctl_die("audit: more than %d pages; narrow it with"
			    " --since, --domain or --account", AUDIT_PAGES_MAX);
	}
	json_decref(filter);
	if (stsctl_json) {
		reply = json_pack("{s:o}", "entries", all);
		stsctl_print_json(reply);
		json_decref(reply);
	} else {
		audit_print(all);
		json_decref(all);
	}
	return 0;
}
