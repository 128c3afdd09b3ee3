/*
 * domain - "stsctl domain ...": hosted domains and their policies.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl domain add DOMAIN --mx PATTERN [--mx ...] [--mode M] [--max-age S]
 *	    [--force]
 *	stsctl domain set DOMAIN [--mx ...] [--mode M] [--max-age S] [--force]
 *	stsctl domain del DOMAIN [--now]
 *	stsctl domain list | show DOMAIN | records DOMAIN
 *	stsctl domain import FILE|- [--mode M] [--max-age S]
 *	stsctl domain migrate DOMAIN --add-mx NEW ... --remove-mx OLD ...
 *	stsctl domain migrate DOMAIN --abort	(migrate.h)
 *	(each with --json)
 *
 * DESCRIPTION
 *	Turns the command line into one policyd request (see stsd-policyd(8)),
 *	and its reply into readable text, or prints the reply as JSON.
 *	Checks of modes and ranges are policyd's, so that every client
 *	gets the same answers; names and mx patterns are also checked
 *	here, before anything is sent, by lib/dnsname as policyd checks
 *	them (same rule, same message), so that an import stops at the
 *	line of the first bad name before its batch is sent.  stsctl
 *	otherwise parses only the syntax of its own options.
 *
 *	show adds the readiness verdict (may the domain move to mode
 *	enforce? lib/rptsum's rule, readiness_days and
 *	readiness_major_share) from reports.db, read-only, as the
 *	"readiness" member of the JSON and a "readiness:" line with its
 *	evidence (one line per sender) before the policy in the text.
 *
 *	add and set with --mode enforce compute the same verdict (as for
 *	a domain in mode testing) and refuse, with the verdict and its
 *	evidence on stderr, unless it is "ready", the domain is already in
 *	mode enforce, or --force is given.  import is exempt: it moves
 *	many domains at once, from a list the operator has decided on.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "dashboard.h"
#include "dnsname.h"
#include "esc.h"
#include "ipc.h"
#include "migrate.h"
#include "mymalloc.h"
#include "plural.h"
#include "policyc.h"
#include "proto.h"
#include "rptdb.h"
#include "perm.h"
#include "stsctl.h"
#include "usage.h"
#include "table.h"
#include "timefmt.h"

#define DOMAIN_IMPORT_BATCH	1000	/* domains per domain-import request */
#define DOMAIN_IMPORT_BYTES	(256 * 1024)	/* file bytes per request */
#define DOMAIN_IMPORT_LINE_MAX	8192	/* bytes of a line of the file */
#define DOMAIN_IMPORT_ENTRY	64	/* JSON bytes of an entry besides
					 * its line's words, at most */

/* Which options a subcommand takes. */
#define OPT_MX		(1 << 0)
#define OPT_MODE	(1 << 1)
#define OPT_MAX_AGE	(1 << 2)
#define OPT_NOW		(1 << 3)
#define OPT_FORCE	(1 << 4)

struct domain_cmd {
	const char *name;
	int	 needs_domain;
	int	 options;
	const char *op;
	void	(*print)(json_t *reply, const char *domain);
};

static char *
domain_mx_text(json_t *d, const char *sep)
{
	struct buf b = BUF_INIT;
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(d, "mx"), i, e)
		buf_printf(&b, "%s%s", i ? sep : "", json_string_value(e));
	return buf_steal(&b);
}

/*
 * Readable output.
 */
/* Where the service-zone records of d stand (domain-show only). */
static char *
domain_dns_text(json_t *dns)
{
	json_t *e = json_object_get(dns, "error");
	char *when, *s;

	if (json_is_null(dns))
		return xstrdup("service-zone records published by hand (no"
		    " dns_update_server; see \"stsctl domain records\")");
	if (!json_is_true(json_object_get(dns, "pending"))) {
		if (!json_is_string(json_object_get(dns, "published_id")))
			return xstrdup("nothing published (policy not served)");
		when = timefmt_utc(ipc_int(dns, "published_at"));
		s = xasprintf("published id %s at %s", ipc_str(dns, "published_id"),
		    when);
		free(when);
		return s;
	}
	when = timefmt_utc(ipc_int(dns, "next_try"));
	if (json_is_string(json_object_get(dns, "want_id")))
		s = xasprintf("pending: id %s (published: %s)%s%s%s%s%s",
		    ipc_str(dns, "want_id"), json_is_string(json_object_get(dns,
		    "published_id")) ? ipc_str(dns, "published_id") : "none",
		    json_is_string(e) ? "; attempt " : "",
		    json_is_string(e) ? "failed: " : "",
		    json_is_string(e) ? ipc_str(dns, "error") : "",
		    json_is_string(e) ? "; next try " : "",
		    json_is_string(e) ? when : "");
	else
		s = xasprintf("pending: deletion of the records%s%s%s%s",
		    json_is_string(e) ? "; attempt failed: " : "",
		    json_is_string(e) ? ipc_str(dns, "error") : "",
		    json_is_string(e) ? "; next try " : "",
		    json_is_string(e) ? when : "");
	free(when);
	return s;
}

/* dnsmon's last checks: status, check, host, message and fix. */
static void
domain_print_checks(json_t *checks)
{
	json_t *c;
	size_t i;

	if (json_array_size(checks) == 0)
		return;
	printf("checks:\n");
	json_array_foreach(checks, i, c) {
		printf("    %-9s %s%s%s: %s\n", ipc_str(c, "status"),
		    ipc_str(c, "check"), *ipc_str(c, "host") ? " " : "",
		    ipc_str(c, "host"), ipc_str(c, "message"));
		if (*ipc_str(c, "fix"))
			printf("              fix: %s\n", ipc_str(c, "fix"));
	}
}

static void
domain_print_readiness(FILE *fp, json_t *v)
{
	json_t *s;
	size_t i;

	/* The text and the names come from reports: escaped (lib/esc). */
	fprintf(fp, "readiness: %s\n", esc_printable(ipc_str(v, "text")));
	json_array_foreach(json_object_get(v, "senders"), i, s)
		fprintf(fp, "    %s: %lld %s, %lld failed, %.1f%%%s%s%s\n",
		    esc_printable(ipc_str(s, "organization-name")),
		    ipc_int(s, "sessions"), plural(ipc_int(s, "sessions"),
		    "session", "sessions"),
		    ipc_int(s, "failed"), json_real_value(json_object_get(s,
		    "share")), json_is_true(json_object_get(s, "major")) ?
		    " (major)" : "", json_is_string(json_object_get(s,
		    "last-failure")) ? ", last failure " : "",
		    ipc_str(s, "last-failure"));
	if (json_is_string(json_object_get(v, "last-failure")))
		fprintf(fp, "    last failure: report ending %s\n",
		    ipc_str(v, "last-failure"));
}

/*
 * When dnsmon checks the domain next: the time it gave with its last
 * result.  Before any result there is none: domain add asked dnsmon
 * for a check at once, which a running dnsmon makes within seconds.
 */
static char *
domain_next_check(json_t *d)
{
	char *when, *s;

	if (!json_is_integer(json_object_get(d, "next_check")))
		return xstrdup("not known (no result from dnsmon yet)");
	when = timefmt_utc(ipc_int(d, "next_check"));
	s = xasprintf("%s (by dnsmon)", when);
	free(when);
	return s;
}

/* readiness: the verdict of show, or NULL. */
static void
domain_print_one(json_t *d, json_t *readiness)
{
	struct table *t = table_new(2, NULL);
	char *mx = domain_mx_text(d, " "), *created, *updated, *retire = NULL;
	char *checked = NULL, *next = NULL, *dns = NULL, *restores = NULL;
	char *proof = NULL;
	char age[32];
	const char *p, *nl;

	snprintf(age, sizeof(age), "%lld", ipc_int(d, "max_age"));
	created = timefmt_utc(ipc_int(d, "created"));
	updated = timefmt_utc(ipc_int(d, "updated"));
	table_row(t, "domain:", ipc_str(d, "domain"));
	table_row(t, "state:", ipc_str(d, "state"));
	table_row(t, "mode:", ipc_str(d, "mode"));
	table_row(t, "mx:", mx);
	table_row(t, "max_age:", age);
	table_row(t, "policy id:", ipc_str(d, "policy_id"));
	table_row(t, "policy host:", ipc_str(d, "policy_host"));
	table_row(t, "token:", ipc_str(d, "token"));
	/* An account's addition waits for its TXT proof too. */
	if (json_is_string(json_object_get(d, "proof"))) {
		proof = xasprintf("%s.%s. TXT \"%s\" (added by its account)",
		    PROTO_PROOF_LABEL, ipc_str(d, "domain"), ipc_str(d, "proof"));
		table_row(t, "proof:", proof);
	}
	table_row(t, "created:", created);
	table_row(t, "updated:", updated);
	if (json_is_integer(json_object_get(d, "retire_at"))) {
		retire = timefmt_utc(ipc_int(d, "retire_at"));
		table_row(t, "removed at:", retire);
	}
	if (json_is_object(json_object_get(d, "restores"))) {
		restores = xasprintf("mode %s, max_age %lld, these mx (\"stsctl"
		    " domain add %s\")", ipc_str(json_object_get(d, "restores"),
		    "mode"), ipc_int(json_object_get(d, "restores"), "max_age"),
		    ipc_str(d, "domain"));
		table_row(t, "add restores:", restores);
	}
	if (json_object_get(d, "dns") != NULL) {
		dns = domain_dns_text(json_object_get(d, "dns"));
		table_row(t, "dns:", dns);
	}
	/* HTTPS before DNS: what the domain's TXT record waits for. */
	if (json_is_string(json_object_get(d, "waiting")))
		table_row(t, "waiting for:", ipc_str(d, "waiting"));
	if (json_object_get(d, "checked") != NULL) {
		checked = json_is_integer(json_object_get(d, "checked")) ?
		    timefmt_utc(ipc_int(d, "checked")) :
		    xstrdup("never (by dnsmon)");
		table_row(t, "checked:", checked);
		next = domain_next_check(d);
		table_row(t, "next check:", next);
	}
	table_print(t, stdout);
	table_free(t);
	migrate_print(stdout, json_object_get(d, "migration"));
	domain_print_checks(json_object_get(d, "checks"));
	if (json_is_object(readiness))
		domain_print_readiness(stdout, readiness);
	printf("policy:\n");
	for (p = ipc_str(d, "policy"); *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		printf("    %.*s\n", (int)(nl - p - (nl > p && nl[-1] == '\r')), p);
	}
	free(mx);
	free(created);
	free(updated);
	free(retire);
	free(restores);
	free(proof);
	free(checked);
	free(next);
	free(dns);
}

static void
domain_print_records(json_t *reply)
{
	json_t *records = json_object_get(reply, "records");
	json_t *how = json_object_get(reply, "service_zone_publish");
	char *zone_title;
	static const struct {
		const char *key;
		const char *title;
	} parts[] = {
		{ "delegated", "; Delegated form (recommended): publish once;"
		    " policy changes need no DNS change." },
		{ "direct", "; Direct form: the _mta-sts TXT record must be"
		    " updated with the new id after every policy change." },
		{ "service_zone", NULL },
	};
	struct table *t;
	json_t *r;
	size_t i, j;
	char *value;

	if (strcmp(ipc_str(how, "method"), "dns-update") == 0)
		zone_title = xasprintf("; In the service zone, for the delegated"
		    " form: published by policyd by DNS UPDATE to %s (nothing"
		    " to do; see \"stsctl domain show\"):", ipc_str(how, "server"));
	else
		zone_title = xstrdup("; In the service zone, for the delegated"
		    " form: publish these by hand, and again after every policy"
		    " change (no dns_update_server is set):");
	for (i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		printf("%s%s\n", i ? "\n" : "", parts[i].title ?
		    parts[i].title : zone_title);
		t = table_new(3, NULL);
		json_array_foreach(json_object_get(records, parts[i].key), j, r) {
			if (strcmp(ipc_str(r, "type"), "TXT") == 0)
				value = xasprintf("\"%s\"", ipc_str(r, "value"));
			else
				value = xstrdup(ipc_str(r, "value"));
			table_row(t, ipc_str(r, "name"), ipc_str(r, "type"), value);
			free(value);
		}
		table_print(t, stdout);
		table_free(t);
	}
	if (json_is_string(json_object_get(reply, "waiting")))
		printf("\n; Not yet: the v=STSv1 TXT records (_mta-sts, and in"
		    " the service zone) wait for: %s (RFC 8461 section 8.1:"
		    " HTTPS before DNS; \"stsctl domain records\" shows them"
		    " then).\n", ipc_str(reply, "waiting"));
	free(zone_title);
}

static void
domain_print_add(json_t *reply, const char *domain)
{
	json_t *d = json_object_get(reply, "domain"), *rec;
	struct buf why = BUF_INIT;

	printf("%s: %s (state %s, policy id %s)\n", ipc_str(d, "domain"),
	    json_is_true(json_object_get(reply, "restored")) ?
	    "restored from retirement" : "added", ipc_str(d, "state"),
	    ipc_str(d, "policy_id"));
	domain_print_one(d, NULL);
	/* The records to publish come with the add, as the user needs them. */
	rec = json_pack("{s:s, s:s}", "op", PROTO_OP_DOMAIN_RECORDS,
	    "domain",
	    ipc_str(d, "domain"));
	printf("\n");
	if ((rec = stsctl_request(rec, &why)) == NULL) {
		/* The domain is stored: say why there are no records yet. */
		printf("DNS records: not available: %s\n", why.s);
		buf_free(&why);
		return;
	}
	domain_print_records(rec);
	json_decref(rec);
}

static void
domain_print_set(json_t *reply, const char *domain)
{
	json_t *d = json_object_get(reply, "domain");

	domain_print_one(d, NULL);
}

static void
domain_print_del(json_t *reply, const char *domain)
{
	json_t *d = json_object_get(reply, "domain");
	char *when;

	if (json_is_true(json_object_get(reply, "removed"))) {
		printf("%s: removed\n", ipc_str(d, "domain"));
		return;
	}
	when = timefmt_utc(ipc_int(d, "retire_at"));
	printf("%s: retiring: a mode none policy (id %s) is served until %s,"
	    " then the domain is removed\n", ipc_str(d, "domain"),
	    ipc_str(d, "policy_id"), when);
	printf("%s: remove the DNS records of the domain after that time\n",
	    ipc_str(d, "domain"));
	free(when);
}

static void
domain_print_list(json_t *reply, const char *domain)
{
	struct table *t = table_new(6, "DOMAIN", "STATE", "MODE", "MAX_AGE",
	    "POLICY_ID", "MX");
	json_t *d;
	size_t i;
	char age[32], *mx;

	json_array_foreach(json_object_get(reply, "domains"), i, d) {
		snprintf(age, sizeof(age), "%lld", ipc_int(d, "max_age"));
		mx = domain_mx_text(d, ",");
		table_row(t, ipc_str(d, "domain"), ipc_str(d, "state"), ipc_str(d, "mode"),
		    age, ipc_str(d, "policy_id"), mx);
		free(mx);
	}
	table_print_or(t, stdout, "no domains");
	table_free(t);
}

static void
domain_print_show(json_t *reply, const char *domain)
{
	domain_print_one(json_object_get(reply, "domain"),
	    json_object_get(reply, "readiness"));
}

static void
domain_print_recs(json_t *reply, const char *domain)
{
	domain_print_records(reply);
}

/*
 * domain import FILE: one "DOMAIN PATTERN..." per line ("#" comments,
 * blank lines), sent to policyd in domain-import batches of at most
 * DOMAIN_IMPORT_BATCH domains or DOMAIN_IMPORT_BYTES bytes (less when
 * ipc_message_size_limit is small), each one
 * transaction: all of a batch or none.  --mode and --max-age (in req)
 * apply to every domain.  A refused batch stops the import with the
 * file name and line of the domain refused.
 */
struct domain_batch {
	json_t	*list;			/* the domain-add objects */
	size_t	*lines;			/* their line numbers */
	size_t	 bytes;			/* of their lines, about */
	size_t	 done;			/* domains imported before */
	size_t	 restored;		/* of them, restored from retirement */
	const char *path;
};

static void
domain_import_send(struct domain_batch *b, const char *path)
{
	struct buf why = BUF_INIT;
	json_t *req, *reply;
	size_t n = json_array_size(b->list), entry;
	int skip;

	if (n == 0)
		return;
	req = json_pack("{s:s, s:O}", "op", PROTO_OP_DOMAIN_IMPORT,
	    "domains", b->list);
	if ((reply = stsctl_request(req, &why)) == NULL) {
		if (sscanf(why.s, "entry %zu: %n", &entry, &skip) == 1 &&
		    entry >= 1 && entry <= n)
			stsctl_die("%s:%zu: %s (%zu %s imported before"
			    " this batch of %zu, none of it)", path,
			    b->lines[entry - 1], why.s + skip, b->done,
			    plural((long long)b->done, "domain", "domains"),
			    n);
		stsctl_die("%s: %s (%zu %s imported before this batch"
		    " of %zu, none of it)", path, why.s, b->done,
		    plural((long long)b->done, "domain", "domains"), n);
	}
	b->done += (size_t)json_integer_value(json_object_get(reply,
	    "imported"));
	b->restored += (size_t)json_integer_value(json_object_get(reply,
	    "restored"));
	json_decref(reply);
	json_array_clear(b->list);
	b->bytes = 0;
}

/* A word of line lineno that policyd would refuse: the import stops. */
static void
domain_import_refuse(struct domain_batch *b, size_t lineno, const char *why)
{
	stsctl_die("%s:%zu: %s (%zu %s imported before this batch of"
	    " %zu, none of it)", b->path, lineno, why, b->done,
	    plural((long long)b->done, "domain", "domains"),
	    json_array_size(b->list) + 1);
}

/* One line of the file into the batch; 0 when it holds no domain. */
static int
domain_import_line(struct domain_batch *b, char *line, size_t lineno,
    json_t *defaults)
{
	char *p = strchr(line, '#'), *word, *save = NULL, *norm = NULL;
	json_t *d = NULL, *mx = NULL;
	struct buf why = BUF_INIT;

	if (p != NULL)
		*p = '\0';
	for (word = strtok_r(line, " \t\r\n", &save); word != NULL;
	    word = strtok_r(NULL, " \t\r\n", &save)) {
		if ((d == NULL ? dnsname_domain_arg(word, NULL, &norm, &why) :
		    dnsname_mx_arg(word, &norm, &why)) < 0) {
			json_decref(d);
			domain_import_refuse(b, lineno, why.s);
		}
		free(norm);
		if (d == NULL) {
			d = json_deep_copy(defaults);
			json_object_set_new(d, "domain", json_string(word));
			mx = json_array();
			json_object_set_new(d, "mx", mx);
		} else {
			json_array_append_new(mx, json_string(word));
		}
	}
	buf_free(&why);
	if (d == NULL)
		return 0;
	b->lines[json_array_size(b->list)] = lineno;
	json_array_append_new(b->list, d);
	return 1;
}

static int
domain_import(const char *path, json_t *defaults)
{
	char line[DOMAIN_IMPORT_LINE_MAX + 2];
	struct domain_batch b;
	size_t lineno = 0, len, max;
	FILE *fp;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (fp == NULL)
		stsctl_die("domain import: %s: %s", path, strerror(errno));
	json_object_del(defaults, "op");
	/* Half the message limit: room for the encoding of each entry. */
	if ((max = ipc_size_limit() / 2) > DOMAIN_IMPORT_BYTES)
		max = DOMAIN_IMPORT_BYTES;
	memset(&b, 0, sizeof(b));
	b.path = path;
	b.list = json_array();
	b.lines = xreallocarray(NULL, DOMAIN_IMPORT_BATCH, sizeof(*b.lines));
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n')
			stsctl_die("%s:%zu: line longer than %d bytes", path,
			    lineno, DOMAIN_IMPORT_LINE_MAX);
		if (domain_import_line(&b, line, lineno, defaults))
			b.bytes += len + DOMAIN_IMPORT_ENTRY;
		if (json_array_size(b.list) == DOMAIN_IMPORT_BATCH ||
		    b.bytes >= max)
			domain_import_send(&b, path);
	}
	if (ferror(fp))
		stsctl_die("domain import: %s: %s", path, strerror(errno));
	if (fp != stdin)
		fclose(fp);
	domain_import_send(&b, path);
	if (stsctl_json)
		printf("{\n  \"imported\": %zu,\n  \"restored\": %zu\n}\n",
		    b.done, b.restored);
	else if (b.restored > 0)
		printf("%s: %zu %s imported (%zu of them restored from"
		    " retirement)\n", path, b.done, plural((long long)b.done,
		    "domain", "domains"), b.restored);
	else
		printf("%s: %zu %s imported\n", path, b.done,
		    plural((long long)b.done, "domain", "domains"));
	json_decref(b.list);
	json_decref(defaults);
	free(b.lines);
	return 0;
}

static const struct domain_cmd domain_cmds[] = {
	{ "add", 1, OPT_MX | OPT_MODE | OPT_MAX_AGE | OPT_FORCE,
	    PROTO_OP_DOMAIN_ADD, domain_print_add },
	{ "set", 1, OPT_MX | OPT_MODE | OPT_MAX_AGE | OPT_FORCE,
	    PROTO_OP_DOMAIN_SET, domain_print_set },
	{ "del", 1, OPT_NOW, PROTO_OP_DOMAIN_DEL, domain_print_del },
	{ "list", 0, 0, PROTO_OP_DOMAIN_LIST, domain_print_list },
	{ "show", 1, 0, PROTO_OP_DOMAIN_SHOW, domain_print_show },
	{ "records", 1, 0, PROTO_OP_DOMAIN_RECORDS, domain_print_recs },
	{ "import", 1, OPT_MODE | OPT_MAX_AGE, PROTO_OP_DOMAIN_IMPORT, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct option domain_options[] = {
	{ "mx", required_argument, NULL, 'x' },
	{ "mode", required_argument, NULL, 'm' },
	{ "max-age", required_argument, NULL, 'a' },
	{ "now", no_argument, NULL, 'n' },
	{ "force", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

static void
domain_usage(void)
{
	fprintf(stderr, "usage: stsctl [-c config_dir] domain add DOMAIN --mx PATTERN"
	    " [--mx PATTERN ...] [--mode testing|enforce|none] [--max-age SECONDS]"
	    " [--force]\n"
	    "       stsctl [-c config_dir] domain set DOMAIN [--mx PATTERN ...]"
	    " [--mode MODE] [--max-age SECONDS] [--force]\n"
	    "       stsctl [-c config_dir] domain del DOMAIN [--now]\n"
	    "       stsctl [-c config_dir] domain list|show DOMAIN|records DOMAIN\n"
	    "       stsctl [-c config_dir] domain import FILE|- [--mode MODE]"
	    " [--max-age SECONDS]\n"
	    "       stsctl [-c config_dir] domain migrate DOMAIN --add-mx"
	    " PATTERN ... --remove-mx PATTERN ... | --abort\n"
	    "       (each takes --json)\n");
	exit(USAGE_EXIT_ERROR);
}

/* lib/policyc's way to policyd: stsctl's, which dies when unreachable. */
static json_t *
domain_call(json_t *req, void *ctx, struct buf *err)
{
	(void)ctx;
	return stsctl_request(req, err);
}

/* domain-list comes in pages: lib/policyc gathers them. */
static json_t *
domain_list_all(json_t *req)
{
	struct buf err = BUF_INIT;
	json_t *reply;

	json_decref(req);
	if ((reply = policyc_domain_list(domain_call, NULL, &err)) == NULL)
		stsctl_die("%s", err.s);
	buf_free(&err);
	return reply;
}

/*
 * The readiness verdict of dom ({"domain", "mode"}) by lib/rptsum's
 * rule, from reports.db when there is one.
 */
static json_t *
domain_verdict(json_t *dom)
{
	struct buf err = BUF_INIT;
	long long days = var_readiness_days;
	long long share = var_readiness_major_share;
	struct rptdb *db;
	json_t *v;
	char *path;

	path = xasprintf("%s/%s", var_data_directory,
	    RPTDB_FILE);
	perm_check(path, R_OK);
	free(path);
	if ((db = dashboard_reports_open(&err)) == NULL && err.len > 0)
		stsctl_die("%s", err.s);
	v = dashboard_readiness(db, dom, (int)days, (int)share, time(NULL));
	rptdb_close(db);
	buf_free(&err);
	return v;
}

/* The verdict of show, added to the reply as "readiness". */
static void
domain_readiness(json_t *reply)
{
	json_object_set_new(reply, "readiness",
	    domain_verdict(json_object_get(reply, "domain")));
}

/*
 * add or set --mode enforce: refused, with the evidence, while the
 * verdict is "not yet" (a domain already in mode enforce stays there),
 * unless --force.  An enforce policy that senders cannot meet bounces
 * their mail (RFC 8461 section 5), which testing would only report.
 */
static void
domain_enforce_check(const struct domain_cmd *cmd, const char *domain,
    json_t *req)
{
	struct buf why = BUF_INIT;
	const char *mode = json_string_value(json_object_get(req, "mode"));
	json_t *dom, *cur = NULL, *v;

	if (mode == NULL || strcmp(mode, "enforce") != 0)
		return;
	if (strcmp(cmd->name, "set") == 0) {
		cur = stsctl_request(json_pack("{s:s, s:s}", "op",
		    PROTO_OP_DOMAIN_SHOW, "domain", domain), &why);
		if (cur == NULL)
			stsctl_die("%s", why.s);
		if (strcmp(ipc_str(json_object_get(cur, "domain"), "mode"),
		    "enforce") == 0) {
			json_decref(cur);
			return;
		}
		json_decref(cur);
	}
	dom = json_pack("{s:s, s:s}", "domain", domain, "mode", "testing");
	v = domain_verdict(dom);
	json_decref(dom);
	if (strcmp(ipc_str(v, "verdict"), "ready") != 0) {
		fprintf(stderr, "stsctl: domain %s %s --mode enforce: refused,"
		    " the reports do not show it is safe yet\n", cmd->name,
		    esc_printable(domain));
		domain_print_readiness(stderr, v);
		fprintf(stderr, "stsctl: senders that fail would bounce mail"
		    " to %s in mode enforce; use --mode testing, or --force"
		    " to enforce anyway\n", esc_printable(domain));
		exit(1);
	}
	json_decref(v);
	buf_free(&why);
}

/* --max-age: seconds, or a time with a unit (7d); the range is policyd's. */
static json_int_t
domain_max_age(const char *s)
{
	long long v;

	if (cfg_parse_int(s, &v) == 0 || cfg_parse_time(s, &v) == 0)
		return (json_int_t)v;
	stsctl_die("--max-age \"%s\": not a number of seconds (or a time"
	    " with unit s, m, h, d or w)", s);
}

static int
domain_option_bit(int c)
{
	switch (c) {
	case 'x': return OPT_MX;
	case 'm': return OPT_MODE;
	case 'a': return OPT_MAX_AGE;
	case 'n': return OPT_NOW;
	case 'f': return OPT_FORCE;
	default: return 0;
	}
}

/*
 * What add and set send, checked as policyd checks it (lib/dnsname):
 * the name of a new domain, every mx pattern.
 */
static void
domain_check(const struct domain_cmd *cmd, const char *domain, json_t *mx)
{
	struct buf why = BUF_INIT;
	json_t *e;
	size_t i;
	char *norm = NULL;

	if (strcmp(cmd->name, "add") == 0 &&
	    dnsname_domain_arg(domain, NULL, &norm, &why) < 0)
		stsctl_die("%s", why.s);
	free(norm);
	json_array_foreach(mx, i, e) {
		if (dnsname_mx_arg(json_string_value(e), &norm, &why) < 0)
			stsctl_die("%s", why.s);
		free(norm);
	}
	buf_free(&why);
}

int
domain_main(int argc, char **argv)
{
	const struct domain_cmd *cmd;
	json_t *req, *mx = NULL, *reply;
	const char *domain = NULL;
	int c, bit, idx, force = 0;

	if (argc < 2)
		domain_usage();
	if (strcmp(argv[1], "migrate") == 0)
		return migrate_main(argc - 1, argv + 1);
	for (cmd = domain_cmds; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, argv[1]) == 0)
			break;
	if (cmd->name == NULL)
		stsctl_usage_die("domain %s: unknown command (add, set, del, list,"
		    " show, records, import, migrate)", argv[1]);
	req = json_pack("{s:s}", "op", cmd->op);
	/* GNU getopt: options may follow the domain; "--" ends them. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, ":", domain_options,
	    &idx)) != -1) {
		if (c == '?')
			stsctl_die("domain %s: unknown option \"%s\"",
			    cmd->name, argv[optind]);
		if (c == ':')
			stsctl_die("domain %s: option %s needs a value",
			    cmd->name, argv[optind]);
		bit = domain_option_bit(c);
		if (bit && !(cmd->options & bit))
			stsctl_die("domain %s: option --%s does not apply",
			    cmd->name, domain_options[idx].name);
		switch (c) {
		case 'x':
			if (mx == NULL)
				mx = json_array();
			json_array_append_new(mx, json_string(optarg));
			break;
		case 'm':
			json_object_set_new(req, "mode", json_string(optarg));
			break;
		case 'a':
			json_object_set_new(req, "max_age",
			    json_integer(domain_max_age(optarg)));
			break;
		case 'n':
			json_object_set_new(req, "now", json_true());
			break;
		case 'f':
			force = 1;
			break;
		case 'j':
			stsctl_json = 1;
			break;
		}
	}
	/* The operands, moved after the options by getopt. */
	if (cmd->needs_domain && optind < argc - 1)
		domain = argv[1 + optind++];
	if (optind < argc - 1)
		stsctl_die("domain %s: unexpected argument \"%s\"", cmd->name,
		    argv[1 + optind]);
	if (cmd->needs_domain && domain == NULL)
		stsctl_die("domain %s: missing %s name", cmd->name,
		    strcmp(cmd->name, "import") == 0 ? "file" : "domain");
	if (strcmp(cmd->name, "import") == 0)
		return domain_import(domain, req);	/* domain: the file */
	domain_check(cmd, domain, mx);
	if (!force)
		domain_enforce_check(cmd, domain, req);
	if (domain != NULL)
		json_object_set_new(req, "domain", json_string(domain));
	if (mx != NULL)
		json_object_set_new(req, "mx", mx);

	reply = strcmp(cmd->name, "list") == 0 ? domain_list_all(req) :
	    stsctl_call(req);
	if (strcmp(cmd->name, "show") == 0)
		domain_readiness(reply);
	if (json_is_string(json_object_get(reply, "warning")))
		fprintf(stderr, "stsctl: warning: %s\n",
		    ipc_str(reply, "warning"));
	if (stsctl_json)
		stsctl_print_json(reply);
	else
		cmd->print(reply, domain);
	json_decref(reply);
	return 0;
}
