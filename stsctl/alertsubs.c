/*
 * alertsubs - "stsctl alert": the alert subscriptions of a hosted domain,
 * the mail addresses and https webhooks its alerts also go to.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl alert add DOMAIN --mail ADDRESS | --webhook URL [--json]
 *	stsctl alert list DOMAIN [--json]
 *	stsctl alert del DOMAIN ID [--json]
 *
 * DESCRIPTION
 *	Asks policyd (alert-add, alert-list, alert-del), which checks the
 *	target (one address local@domain; an https:// URL whose host
 *	resolves to public addresses only, or to
 *	alert_webhook_private_networks), bounds a domain's subscriptions
 *	by alert_subscriptions_max and writes each change to the audit
 *	log.  list prints ID, KIND, TARGET, CREATED and BY (the operator
 *	or the account that subscribed it).
 *
 * DIAGNOSTICS
 *	A usage error exits 2, a refused request 1, with one line on
 *	stderr (policyd's reason).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "esc.h"
#include "ipc.h"
#include "proto.h"
#include "stsctl.h"
#include "table.h"
#include "timefmt.h"

static const char alert_usage[] =
	"usage: stsctl alert add DOMAIN --mail ADDRESS | --webhook URL"
	" [--json]\n"
	"       stsctl alert list DOMAIN [--json]\n"
	"       stsctl alert del DOMAIN ID [--json]\n";

static void __attribute__((noreturn))
alert_usage_die(void)
{
	fputs(alert_usage, stderr);
	exit(2);
}

/* A string member of req; what is not UTF-8 is refused. */
static void
alert_member(json_t *req, const char *key, const char *value)
{
	json_t *v;

	if ((v = json_string(value)) == NULL)
		stsctl_usage_die("alert: %s \"%s\": not UTF-8 text", key,
		    esc_printable(value));
	json_object_set_new(req, key, v);
}

static void
alert_print_one(const char *what, json_t *s)
{
	printf("%s: alert subscription %lld %s: %s %s\n",
	    ipc_str(s, "domain"), (long long)ipc_int(s, "id"), what,
	    ipc_str(s, "kind"), esc_printable(ipc_str(s, "target")));
}

static void
alert_print_list(json_t *reply)
{
	json_t *subs = json_object_get(reply, "subscriptions"), *s;
	struct table *t = table_new(5, "ID", "KIND", "TARGET", "CREATED",
	    "BY");
	char id[32], *when;
	size_t i;

	json_array_foreach(subs, i, s) {
		snprintf(id, sizeof(id), "%lld", (long long)ipc_int(s, "id"));
		when = timefmt_utc(ipc_int(s, "created"));
		table_row(t, id, ipc_str(s, "kind"),
		    esc_printable(ipc_str(s, "target")), when,
		    ipc_str(s, "account"));
		free(when);
	}
	table_print_or(t, stdout, "%s: no alert subscriptions",
	    ipc_str(reply, "domain"));
	table_free(t);
}

/* alert add DOMAIN --mail ADDRESS | --webhook URL */
static json_t *
alert_add(int argc, char **argv)
{
	json_t *req;

	if (argc != 3 || (strcmp(argv[1], "--mail") != 0 &&
	    strcmp(argv[1], "--webhook") != 0))
		alert_usage_die();
	req = ipc_request(PROTO_OP_ALERT_ADD);
	alert_member(req, "domain", argv[0]);
	alert_member(req, "kind", argv[1] + 2);
	alert_member(req, "target", argv[2]);
	return req;
}

/* alert del DOMAIN ID */
static json_t *
alert_del(int argc, char **argv)
{
	char *end;
	long long id;
	json_t *req;

	if (argc != 2)
		alert_usage_die();
	id = strtoll(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || id <= 0)
		stsctl_usage_die("alert del: \"%s\": not a subscription id",
		    esc_printable(argv[1]));
	req = ipc_request(PROTO_OP_ALERT_DEL);
	alert_member(req, "domain", argv[0]);
	json_object_set_new(req, "id", json_integer((json_int_t)id));
	return req;
}

int
alert_main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	json_t *req, *reply;
	int i, n = 0;

	/* --json anywhere; the rest in order. */
	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			stsctl_json = 1;
		else
			argv[2 + n++] = argv[i];
	if (strcmp(sub, "add") == 0)
		req = alert_add(n, argv + 2);
	else if (strcmp(sub, "del") == 0)
		req = alert_del(n, argv + 2);
	else if (strcmp(sub, "list") == 0 && n == 1) {
		req = ipc_request(PROTO_OP_ALERT_LIST);
		alert_member(req, "domain", argv[2]);
	} else
		alert_usage_die();
	reply = stsctl_call(req);
	if (stsctl_json)
		stsctl_print_json(reply);
	else if (strcmp(sub, "list") == 0)
		alert_print_list(reply);
	else
		alert_print_one(strcmp(sub, "add") == 0 ? "added" : "removed",
		    json_object_get(reply, "subscription"));
	json_decref(reply);
	return 0;
}
