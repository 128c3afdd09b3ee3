/*
 * migrate - "stsctl domain migrate": a safe change of a domain's MX
 * hosts, carried out by policyd (stsd-policyd(8)), and the plan as
 * "domain show" prints it.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl domain migrate DOMAIN --add-mx NEW [--add-mx ...]
 *	    --remove-mx OLD [--remove-mx ...] [--json]
 *	stsctl domain migrate DOMAIN --abort [--json]
 *
 * DESCRIPTION
 *	Sends one domain-migrate request and prints the plan policyd
 *	made: its step, what it waits for and until when.  The patterns
 *	are checked here as "domain add --mx" checks them (lib/dnsname,
 *	the same messages as policyd's); whether they are in the policy,
 *	and whether the domain may be migrated, is policyd's to say.
 *	migrate_print() prints a plan ("migration" of domain-show) as the
 *	lines of "domain show".
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
#include "dnsname.h"
#include "ipc.h"
#include "migrate.h"
#include "mymalloc.h"
#include "proto.h"
#include "stsctl.h"
#include "table.h"
#include "timefmt.h"

static const struct option migrate_options[] = {
	{ "add-mx", required_argument, NULL, 'a' },
	{ "remove-mx", required_argument, NULL, 'r' },
	{ "abort", no_argument, NULL, 'A' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

static char *
migrate_list_text(json_t *a)
{
	struct buf b = BUF_INIT;
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		buf_printf(&b, "%s%s", i ? " " : "", json_string_value(e));
	return buf_steal(&b);
}

static char *
migrate_time_text(json_t *plan, const char *key)
{
	if (!json_is_integer(json_object_get(plan, key)))
		return NULL;
	return timefmt_utc(ipc_int(plan, key));
}

void
migrate_print(FILE *fp, json_t *plan)
{
	struct table *t;
	char *start, *add, *rm, *since, *until, *ended, *step;

	if (!json_is_object(plan))
		return;
	t = table_new(2, NULL);
	start = migrate_list_text(json_object_get(plan, "start_mx"));
	add = migrate_list_text(json_object_get(plan, "add_mx"));
	rm = migrate_list_text(json_object_get(plan, "remove_mx"));
	since = migrate_time_text(plan, "step_since");
	until = migrate_time_text(plan, "deadline");
	ended = migrate_time_text(plan, "ended");
	step = xasprintf("%s (since %s)", ipc_str(plan, "step"),
	    since ? since : "?");
	table_row(t, "migration:", step);
	table_row(t, "  from mx:", start);
	table_row(t, "  add:", add);
	table_row(t, "  remove:", rm);
	if (json_is_string(json_object_get(plan, "waits_for")))
		table_row(t, "  waits for:", ipc_str(plan, "waits_for"));
	if (until != NULL && json_is_true(json_object_get(plan, "running")))
		table_row(t, "  until:", until);
	if (ended != NULL)
		table_row(t, "  ended:", ended);
	table_print(t, fp);
	table_free(t);
	free(start);
	free(add);
	free(rm);
	free(since);
	free(until);
	free(ended);
	free(step);
}

static void
migrate_usage(void)
{
	fprintf(stderr, "usage: stsctl [-c config_dir] domain migrate DOMAIN"
	    " --add-mx PATTERN [--add-mx PATTERN ...] --remove-mx PATTERN"
	    " [--remove-mx PATTERN ...] [--json]\n"
	    "       stsctl [-c config_dir] domain migrate DOMAIN --abort"
	    " [--json]\n");
	exit(2);
}

/* A pattern as "domain add --mx" checks it; lower case. */
static json_t *
migrate_pattern(const char *in)
{
	struct buf why = BUF_INIT;
	char *norm;
	json_t *s;

	if (dnsname_mx_arg(in, &norm, &why) < 0)
		stsctl_die("%s", why.s);
	s = json_string(norm);
	free(norm);
	buf_free(&why);
	return s;
}

int
migrate_main(int argc, char **argv)
{
	json_t *add = json_array(), *rm = json_array(), *req, *reply, *dom;
	const char *domain = NULL;
	int c, idx, abort_ = 0;
	char *mx;

	/* argv[0] is "migrate" (domain_main's argv + 1). */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", migrate_options, &idx)) !=
	    -1) {
		switch (c) {
		case 'a':
			json_array_append_new(add, migrate_pattern(optarg));
			break;
		case 'r':
			json_array_append_new(rm, migrate_pattern(optarg));
			break;
		case 'A':
			abort_ = 1;
			break;
		case 'j':
			stsctl_json = 1;
			break;
		case ':':
			stsctl_usage_die("domain migrate: option %s needs a"
			    " value", argv[optind - 1]);
		default:
			stsctl_usage_die("domain migrate: unknown option"
			    " \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		domain = argv[optind++];
	if (domain == NULL)
		migrate_usage();
	if (optind < argc)
		stsctl_usage_die("domain migrate: unexpected argument \"%s\"",
		    argv[optind]);
	if (abort_ && (json_array_size(add) || json_array_size(rm)))
		stsctl_usage_die("domain migrate: --abort takes no --add-mx or"
		    " --remove-mx");
	if (!abort_ && (json_array_size(add) == 0 ||
	    json_array_size(rm) == 0))
		stsctl_usage_die("domain migrate: at least one --add-mx and one"
		    " --remove-mx are needed (or --abort)");
	req = json_pack("{s:s, s:s}", "op", PROTO_OP_DOMAIN_MIGRATE,
	    "domain", domain);
	if (abort_) {
		json_object_set_new(req, "abort", json_true());
		json_decref(add);
		json_decref(rm);
	} else {
		json_object_set_new(req, "add_mx", add);
		json_object_set_new(req, "remove_mx", rm);
	}
	reply = stsctl_call(req);
	if (stsctl_json) {
		stsctl_print_json(reply);
		json_decref(reply);
		return 0;
	}
	dom = json_object_get(reply, "domain");
	mx = migrate_list_text(json_object_get(dom, "mx"));
	printf("%s: policy id %s, mx %s\n", ipc_str(dom, "domain"),
	    ipc_str(dom, "policy_id"), mx);
	free(mx);
	migrate_print(stdout, json_object_get(reply, "migration"));
	json_decref(reply);
	return 0;
}
