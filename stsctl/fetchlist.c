/*
 * fetchlist - "stsctl fetch list"; see fetchlist.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "esc.h"
#include "fetchlist.h"
#include "fetchdb.h"
#include "http.h"
#include "mymalloc.h"
#include "params.h"
#include "perm.h"
#include "plural.h"
#include "stsctl.h"
#include "table.h"
#include "timefmt.h"
#include "usage.h"

struct fetch_opts {
	char	 domain[HTTP_HOST_MAX + 1];
	time_t	 since;
	long long limit;
	int	 json;
};

struct fetch_ctx {
	struct table *t;
	json_t	*a;
	long long n, limit;
	struct buf cell[3];		/* the escaped strings of a row */
};

static void __attribute__((noreturn))
fetch_usage(void)
{
	fprintf(stderr, "usage: stsctl fetch list DOMAIN [--since DATE]"
	    " [--limit N] [--json]\n");
	exit(USAGE_EXIT_ERROR);
}

static void
fetch_args(int argc, char **argv, struct fetch_opts *o)
{
	const char *domain = NULL;
	char *end;
	int i;

	memset(o, 0, sizeof(*o));
	o->limit = FETCH_LIST_DEFAULT;
	o->json = stsctl_json;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o->json = 1;
		} else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			o->since = stsctl_since(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			o->limit = strtoll(argv[++i], &end, 10);
			if (*argv[i] == '\0' || *end != '\0' || o->limit < 1 ||
			    o->limit > FETCH_LIST_MAX)
				stsctl_die("--limit %s: expected a number from 1"
				    " to %d", argv[i], FETCH_LIST_MAX);
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			stsctl_die("fetch list: unknown option %s (or its value"
			    " is missing)", argv[i]);
		} else if (domain == NULL) {
			domain = argv[i];
		} else {
			stsctl_usage_die("fetch list: unexpected argument %s",
			    argv[i]);
		}
	}
	if (domain == NULL)
		fetch_usage();
	if (http_host_normalize(domain, strlen(domain), o->domain) < 0)
		stsctl_die("fetch list: %s: not a domain name",
		    esc_printable(domain));
}

static const char *
fetch_esc(struct buf *b, const char *s)
{
	buf_reset(b);
	if (s[0] == '\0')
		return "-";
	esc_text(b, s);
	return b->s;
}

/* A string from the network: as it is, or escaped when not UTF-8. */
static json_t *
fetch_json(const char *s)
{
	struct buf b = BUF_INIT;
	json_t *v;

	if ((v = json_string(s)) != NULL)
		return v;
	esc_text(&b, s);
	v = json_string(b.s ? b.s : "");
	buf_free(&b);
	return v;
}

static void
fetch_row(const struct fetchdb_row *row, void *arg)
{
	struct fetch_ctx *c = arg;
	const struct fetchrec *r = &row->rec;
	char t[TIMEFMT_RFC3339_SIZE], what[FETCHLOG_FAILURE_MAX + 16];
	char ms[24];

	if (c->n++ >= c->limit)
		return;			/* one more was asked: "more" */
	timefmt_rfc3339((time_t)r->time, t);
	if (r->status != 0)
		snprintf(what, sizeof(what), "%d", r->status);
	else
		snprintf(what, sizeof(what), "%s", r->failure);
	snprintf(ms, sizeof(ms), "%u", r->duration_ms);
	table_row(c->t, t, r->addr, fetch_esc(&c->cell[0], r->sni), what,
	    r->tls[0] ? r->tls : "-", ms, fetch_esc(&c->cell[1], r->host),
	    fetch_esc(&c->cell[2], r->path));
	json_array_append_new(c->a, json_pack("{s:s, s:s, s:o, s:o, s:o,"
	    " s:i, s:s, s:s, s:i, s:b}", "time", t, "client", r->addr,
	    "sni", fetch_json(r->sni), "host", fetch_json(r->host),
	    "path", fetch_json(r->path), "status", r->status,
	    "failure", r->failure, "tls-version", r->tls,
	    "duration-ms", (int)r->duration_ms, "hosted", r->hosted));
}

static int
fetch_list(struct fetchdb *db, const struct fetch_opts *o)
{
	struct buf err = BUF_INIT;
	struct fetch_ctx c;
	long long more;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.t = table_new(8, "TIME", "CLIENT", "SNI", "RESULT", "TLS", "MS",
	    "HOST", "PATH");
	c.a = json_array();
	c.limit = o->limit;
	if (fetchdb_list(db, o->domain, o->since, o->limit + 1, fetch_row, &c,
	    &err) < 0)
		stsctl_die("%s", err.s);
	more = c.n > o->limit ? 1 : 0;
	if (o->json) {
		json_t *v = json_pack("{s:s, s:o, s:b}", "domain", o->domain,
		    "fetches", c.a, "truncated", (int)more);

		if (v == NULL || json_dumpf(v, stdout, JSON_INDENT(2) |
		    JSON_SORT_KEYS) < 0)
			stsctl_die("cannot write JSON output");
		printf("\n");
		json_decref(v);
	} else {
		json_decref(c.a);
		table_print_or(c.t, stdout, "no fetches recorded for %s",
		    o->domain);
		if (more)
			printf("(older fetches not shown: --limit %lld)\n",
			    o->limit);
	}
	table_free(c.t);
	for (i = 0; i < 3; i++)
		buf_free(&c.cell[i]);
	buf_free(&err);
	return 0;
}

int
fetch_main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct fetch_opts o;
	struct fetchdb *db;
	char *path;
	int rc;

	if (argc < 2)
		fetch_usage();
	if (strcmp(argv[1], "list") != 0)
		stsctl_usage_die("fetch %s: unknown subcommand (list)", argv[1]);
	fetch_args(argc, argv, &o);
	path = xasprintf("%s/%s", var_data_directory, FETCHDB_FILE);
	if (access(path, F_OK) != 0)
		stsctl_die("%s: no fetch recorded yet (httpd_fetch_log = %s)",
		    path, var_httpd_fetch_log ? "yes" : "no");
	perm_check(path, R_OK);
	if ((db = fetchdb_open(path, &err)) == NULL)
		stsctl_die("%s", err.s);
	free(path);
	rc = fetch_list(db, &o);
	fetchdb_close(db);
	return rc;
}
