/*
 * check - "stsctl check DOMAIN [--json]".
 *
 * Asks policyd for the domain (domain-show), runs every check of
 * dnsmon in this process with the same code (dnsmon/check.c: DNS
 * records, MX set against the policy, TLSA, a STARTTLS probe of each
 * MX) and prints one line per problem, "what is wrong; how to fix it",
 * e.g. "certificate-host-mismatch: mx2.example.com presents a
 * certificate for mail.other.net; reissue with mx2.example.com in
 * subjectAltName".  Informational lines (DANE) start with "info:".
 * With --json it prints the whole result object of check_run().
 *
 * Exit status: 0 when nothing fails, 1 when a check fails or DNS
 * gives an error.  Changes nothing.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "cfg.h"
#include "check.h"
#include "ipc.h"
#include "stsctl.h"
#include "../dnsmon/check.h"
#include "../dnsmon/resolve.h"

static int
check_print(json_t *result)
{
	json_t *checks = json_object_get(result, "checks"), *c;
	const char *name, *status, *msg, *fix;
	size_t i;
	int bad = 0, shown = 0;

	json_array_foreach(checks, i, c) {
		name = json_string_value(json_object_get(c, "check"));
		status = json_string_value(json_object_get(c, "status"));
		msg = json_string_value(json_object_get(c, "message"));
		fix = json_string_value(json_object_get(c, "fix"));
		if (name == NULL || status == NULL || msg == NULL ||
		    strcmp(status, "ok") == 0)
			continue;
		shown++;
		if (strcmp(status, "info") == 0) {
			printf("info: %s\n", msg);
			continue;
		}
		bad++;
		/* A probe's message already starts with its result type. */
		if (strcmp(name, "probe") == 0)
			printf("%s", msg);
		else
			printf("%s: %s%s", name, strcmp(status, "dns-error") ==
			    0 ? "DNS error: " : "", msg);
		printf("%s%s\n", fix ? "; " : "", fix ? fix : "");
	}
	if (bad == 0)
		printf("%s: every check passed\n",
		    json_string_value(json_object_get(result, "domain")));
	(void)shown;
	return bad != 0;
}

int
check_main(int argc, char **argv)
{
	struct check_domain d;
	struct resolve *res;
	struct buf err = BUF_INIT;
	const char *domain = NULL;
	json_t *reply, *result;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			stsctl_json = 1;
		else if (argv[i][0] == '-' || domain != NULL)
			stsctl_die("usage: stsctl check DOMAIN [--json]");
		else
			domain = argv[i];
	}
	if (domain == NULL)
		stsctl_die("usage: stsctl check DOMAIN [--json]");
	reply = stsctl_call(json_pack("{s:s, s:s}", "op", "domain-show",
	    "domain", domain));
	if (check_domain_from_json(json_object_get(reply, "domain"), &d) < 0)
		stsctl_die("%s: policyd sent no domain", domain);
	json_decref(reply);
	res = resolve_new((int)cfg_time("dnsmon_query_timeout") * 1000,
	    (int)cfg_int("dnsmon_cname_depth"), &err);
	if (res == NULL)
		stsctl_die("%s", err.s);
	result = check_run(res, &d, 1);
	if (stsctl_json) {
		json_dumpf(result, stdout, JSON_INDENT(2));
		printf("\n");
		rc = 0;
		for (i = 0; i < (int)json_array_size(json_object_get(result,
		    "checks")); i++) {
			const char *st = json_string_value(json_object_get(
			    json_array_get(json_object_get(result, "checks"), i),
			    "status"));
			if (st && (strcmp(st, "fail") == 0 ||
			    strcmp(st, "dns-error") == 0))
				rc = 1;
		}
	} else
		rc = check_print(result);
	json_decref(result);
	resolve_free(res);
	check_domain_clear(&d);
	buf_free(&err);
	return rc;
}
