/*
 * domain - "stsctl domain ...": hosted domains and their policies.
 *
 * SYNOPSIS
 *	stsctl domain add DOMAIN --mx PATTERN [--mx ...] [--mode M] [--max-age S]
 *	stsctl domain set DOMAIN [--mx ...] [--mode M] [--max-age S]
 *	stsctl domain del DOMAIN [--now]
 *	stsctl domain list | show DOMAIN | records DOMAIN
 *	(each with --json)
 *
 * DESCRIPTION
 *	Turns the command line into one policyd request (see policyd(8)),
 *	and its reply into readable text, or prints the reply as JSON.
 *	Checks of names, patterns, modes and ranges are policyd's, so that
 *	every client gets the same answers; stsctl only parses the syntax
 *	of its own options.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cfg.h"
#include "mymalloc.h"
#include "stsctl.h"
#include "table.h"
#include "timefmt.h"

/* Which options a subcommand takes. */
#define OPT_MX		(1 << 0)
#define OPT_MODE	(1 << 1)
#define OPT_MAX_AGE	(1 << 2)
#define OPT_NOW		(1 << 3)

struct domain_cmd {
	const char *name;
	int	 needs_domain;
	int	 options;
	const char *op;
	void	(*print)(json_t *reply, const char *domain);
};

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long
jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

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
		when = timefmt_utc(jint(dns, "published_at"));
		s = xasprintf("published id %s at %s", jstr(dns, "published_id"),
		    when);
		free(when);
		return s;
	}
	when = timefmt_utc(jint(dns, "next_try"));
	if (json_is_string(json_object_get(dns, "want_id")))
		s = xasprintf("pending: id %s (published: %s)%s%s%s%s%s",
		    jstr(dns, "want_id"), json_is_string(json_object_get(dns,
		    "published_id")) ? jstr(dns, "published_id") : "none",
		    json_is_string(e) ? "; attempt " : "",
		    json_is_string(e) ? "failed: " : "",
		    json_is_string(e) ? jstr(dns, "error") : "",
		    json_is_string(e) ? "; next try " : "",
		    json_is_string(e) ? when : "");
	else
		s = xasprintf("pending: deletion of the records%s%s%s%s",
		    json_is_string(e) ? "; attempt failed: " : "",
		    json_is_string(e) ? jstr(dns, "error") : "",
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
		printf("    %-9s %s%s%s: %s\n", jstr(c, "status"),
		    jstr(c, "check"), *jstr(c, "host") ? " " : "",
		    jstr(c, "host"), jstr(c, "message"));
		if (*jstr(c, "fix"))
			printf("              fix: %s\n", jstr(c, "fix"));
	}
}

static void
domain_print_one(json_t *d)
{
	struct table *t = table_new(2, NULL);
	char *mx = domain_mx_text(d, " "), *created, *updated, *retire = NULL;
	char *checked = NULL, *dns = NULL;
	char age[32];
	const char *p, *nl;

	snprintf(age, sizeof(age), "%lld", jint(d, "max_age"));
	created = timefmt_utc(jint(d, "created"));
	updated = timefmt_utc(jint(d, "updated"));
	table_row(t, "domain:", jstr(d, "domain"));
	table_row(t, "state:", jstr(d, "state"));
	table_row(t, "mode:", jstr(d, "mode"));
	table_row(t, "mx:", mx);
	table_row(t, "max_age:", age);
	table_row(t, "policy id:", jstr(d, "policy_id"));
	table_row(t, "policy host:", jstr(d, "policy_host"));
	table_row(t, "token:", jstr(d, "token"));
	table_row(t, "created:", created);
	table_row(t, "updated:", updated);
	if (json_is_integer(json_object_get(d, "retire_at"))) {
		retire = timefmt_utc(jint(d, "retire_at"));
		table_row(t, "removed at:", retire);
	}
	if (json_object_get(d, "dns") != NULL) {
		dns = domain_dns_text(json_object_get(d, "dns"));
		table_row(t, "dns:", dns);
	}
	if (json_object_get(d, "checked") != NULL) {
		checked = json_is_integer(json_object_get(d, "checked")) ?
		    timefmt_utc(jint(d, "checked")) :
		    xstrdup("never (by dnsmon)");
		table_row(t, "checked:", checked);
	}
	table_print(t, stdout);
	table_free(t);
	domain_print_checks(json_object_get(d, "checks"));
	printf("policy:\n");
	for (p = jstr(d, "policy"); *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		printf("    %.*s\n", (int)(nl - p - (nl > p && nl[-1] == '\r')), p);
	}
	free(mx);
	free(created);
	free(updated);
	free(retire);
	free(checked);
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

	if (strcmp(jstr(how, "method"), "dns-update") == 0)
		zone_title = xasprintf("; In the service zone, for the delegated"
		    " form: published by policyd by DNS UPDATE to %s (nothing"
		    " to do; see \"stsctl domain show\"):", jstr(how, "server"));
	else
		zone_title = xstrdup("; In the service zone, for the delegated"
		    " form: publish these by hand, and again after every policy"
		    " change (no dns_update_server is set):");
	for (i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		printf("%s%s\n", i ? "\n" : "", parts[i].title ?
		    parts[i].title : zone_title);
		t = table_new(3, NULL);
		json_array_foreach(json_object_get(records, parts[i].key), j, r) {
			if (strcmp(jstr(r, "type"), "TXT") == 0)
				value = xasprintf("\"%s\"", jstr(r, "value"));
			else
				value = xstrdup(jstr(r, "value"));
			table_row(t, jstr(r, "name"), jstr(r, "type"), value);
			free(value);
		}
		table_print(t, stdout);
		table_free(t);
	}
	free(zone_title);
}

static void
domain_print_add(json_t *reply, const char *domain)
{
	json_t *d = json_object_get(reply, "domain"), *rec;
	struct buf why = BUF_INIT;

	printf("%s: added (state %s, policy id %s)\n", jstr(d, "domain"),
	    jstr(d, "state"), jstr(d, "policy_id"));
	domain_print_one(d);
	/* The records to publish come with the add, as the user needs them. */
	rec = json_pack("{s:s, s:s}", "op", "domain-records", "domain",
	    jstr(d, "domain"));
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

	domain_print_one(d);
}

static void
domain_print_del(json_t *reply, const char *domain)
{
	json_t *d = json_object_get(reply, "domain");
	char *when;

	if (json_is_true(json_object_get(reply, "removed"))) {
		printf("%s: removed\n", jstr(d, "domain"));
		return;
	}
	when = timefmt_utc(jint(d, "retire_at"));
	printf("%s: retiring: a mode none policy (id %s) is served until %s,"
	    " then the domain is removed\n", jstr(d, "domain"),
	    jstr(d, "policy_id"), when);
	printf("%s: remove the DNS records of the domain after that time\n",
	    jstr(d, "domain"));
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
		snprintf(age, sizeof(age), "%lld", jint(d, "max_age"));
		mx = domain_mx_text(d, ",");
		table_row(t, jstr(d, "domain"), jstr(d, "state"), jstr(d, "mode"),
		    age, jstr(d, "policy_id"), mx);
		free(mx);
	}
	if (table_rows(t) == 0)
		printf("no domains\n");
	else
		table_print(t, stdout);
	table_free(t);
}

static void
domain_print_show(json_t *reply, const char *domain)
{
	domain_print_one(json_object_get(reply, "domain"));
}

static void
domain_print_recs(json_t *reply, const char *domain)
{
	domain_print_records(reply);
}

static const struct domain_cmd domain_cmds[] = {
	{ "add", 1, OPT_MX | OPT_MODE | OPT_MAX_AGE, "domain-add", domain_print_add },
	{ "set", 1, OPT_MX | OPT_MODE | OPT_MAX_AGE, "domain-set", domain_print_set },
	{ "del", 1, OPT_NOW, "domain-del", domain_print_del },
	{ "list", 0, 0, "domain-list", domain_print_list },
	{ "show", 1, 0, "domain-show", domain_print_show },
	{ "records", 1, 0, "domain-records", domain_print_recs },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct option domain_options[] = {
	{ "mx", required_argument, NULL, 'x' },
	{ "mode", required_argument, NULL, 'm' },
	{ "max-age", required_argument, NULL, 'a' },
	{ "now", no_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

static void
domain_usage(void)
{
	fprintf(stderr, "usage: stsctl [-c config_dir] domain add DOMAIN --mx PATTERN"
	    " [--mx PATTERN ...] [--mode testing|enforce|none] [--max-age SECONDS]\n"
	    "       stsctl [-c config_dir] domain set DOMAIN [--mx PATTERN ...]"
	    " [--mode MODE] [--max-age SECONDS]\n"
	    "       stsctl [-c config_dir] domain del DOMAIN [--now]\n"
	    "       stsctl [-c config_dir] domain list|show DOMAIN|records DOMAIN\n"
	    "       (each takes --json)\n");
	exit(1);
}

/* domain-list comes in pages: gathers them into the first reply. */
static json_t *
domain_list_all(json_t *req)
{
	json_t *reply = stsctl_call(req), *page, *next;

	while (json_is_string(next = json_object_get(reply, "next"))) {
		page = json_pack("{s:s, s:O}", "op", "domain-list", "after", next);
		page = stsctl_call(page);
		json_array_extend(json_object_get(reply, "domains"),
		    json_object_get(page, "domains"));
		json_object_set(reply, "next", json_object_get(page, "next"));
		if (json_object_get(page, "next") == NULL)
			json_object_del(reply, "next");
		json_decref(page);
	}
	return reply;
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
	default: return 0;
	}
}

int
domain_main(int argc, char **argv)
{
	const struct domain_cmd *cmd;
	json_t *req, *mx = NULL, *reply;
	const char *domain = NULL;
	int c, bit, idx;

	if (argc < 2)
		domain_usage();
	for (cmd = domain_cmds; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, argv[1]) == 0)
			break;
	if (cmd->name == NULL)
		stsctl_die("domain %s: unknown command (add, set, del, list,"
		    " show, records)", argv[1]);
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
		stsctl_die("domain %s: missing domain name", cmd->name);
	if (domain != NULL)
		json_object_set_new(req, "domain", json_string(domain));
	if (mx != NULL)
		json_object_set_new(req, "mx", mx);

	reply = strcmp(cmd->name, "list") == 0 ? domain_list_all(req) :
	    stsctl_call(req);
	if (json_is_string(json_object_get(reply, "warning")))
		fprintf(stderr, "stsctl: warning: %s\n",
		    jstr(reply, "warning"));
	if (stsctl_json)
		stsctl_print_json(reply);
	else
		cmd->print(reply, domain);
	json_decref(reply);
	return 0;
}
