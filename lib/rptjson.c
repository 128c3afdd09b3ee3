/*
 * rptjson - a stored TLS report as JSON and CSV; see rptjson.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "csv.h"
#include "rptdb.h"
#include "rptjson.h"
#include "rptsum.h"
#include "timefmt.h"

#define RPTJSON_INT	24	/* a 64-bit count in decimal, and the NUL */

static json_t *
rptjson_text(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
rptjson_list(const char *s)
{
	json_t *v = s ? json_loads(s, 0, NULL) : NULL;

	return v ? v : json_array();
}

static json_t *
rptjson_time(time_t t)
{
	char buf[TIMEFMT_RFC3339_SIZE];

	return json_string(timefmt_rfc3339(t, buf));
}

static void
rptjson_failure(const struct rptdb_failure *d, void *arg)
{
	json_t *f = json_object();
	struct {
		const char *key;
		json_t	*v;
	} kv[] = {
		{ "result-type", rptjson_text(d->result_type) },
		{ "sending-mta-ip", rptjson_text(d->sending_mta_ip) },
		{ "receiving-mx-hostname",
		    rptjson_text(d->receiving_mx_hostname) },
		{ "receiving-mx-helo", rptjson_text(d->receiving_mx_helo) },
		{ "receiving-ip", rptjson_text(d->receiving_ip) },
		{ "failed-session-count",
		    json_integer((json_int_t)d->failed_session_count) },
		{ "additional-information",
		    rptjson_text(d->additional_information) },
		{ "failure-reason-code",
		    rptjson_text(d->failure_reason_code) },
	};
	size_t i;

	/* Absent fields are left out, as the sender left them out. */
	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		if (json_is_null(kv[i].v))
			json_decref(kv[i].v);
		else
			json_object_set_new(f, kv[i].key, kv[i].v);
	}
	json_array_append_new(arg, f);
}

struct rptjson_policies {
	struct rptdb *db;
	const char *domain;		/* NULL: every policy */
	json_t	*a;
};

static int
rptjson_policy_is(const struct rptdb_policy *p, const char *domain)
{
	return domain == NULL ||
	    (p->hosted_domain && strcmp(p->hosted_domain, domain) == 0) ||
	    (p->domain && strcmp(p->domain, domain) == 0);
}

static void
rptjson_policy(const struct rptdb_policy *p, void *arg)
{
	struct rptjson_policies *c = arg;
	json_t *failures;

	if (!rptjson_policy_is(p, c->domain))
		return;
	failures = json_array();
	rptdb_policy_failures(c->db, p->id, rptjson_failure, failures);
	json_array_append_new(c->a, json_pack("{s:{s:o, s:o, s:o, s:o},"
	    " s:o, s:b, s:{s:I, s:I}, s:o}",
	    "policy",
	    "policy-type", rptjson_text(p->type),
	    "policy-domain", rptjson_text(p->domain),
	    "policy-string", rptjson_list(p->strings),
	    "mx-host", rptjson_list(p->mx_hosts),
	    "hosted-domain", rptjson_text(p->hosted_domain),
	    "counted", p->counted,
	    "summary",
	    "total-successful-session-count", (json_int_t)p->success_count,
	    "total-failure-session-count", (json_int_t)p->failure_count,
	    "failure-details", failures));
}

static void
rptjson_deviation(const char *text, void *arg)
{
	json_array_append_new(arg, rptjson_text(text));
}

json_t *
rptjson_report(struct rptdb *db, const struct rptdb_report *r,
    struct rptdb_totals *tot, const char *domain)
{
	struct rptjson_policies c = { db, domain, json_array() };
	json_t *deviations = json_array();
	const char *why = rptsum_dkim_reason(r->via, r->dkim_result,
	    r->dkim_reason);
	long long ok, bad;

	rptsum_totals_get(tot, r->id, &ok, &bad);
	rptdb_report_deviations(db, r->id, rptjson_deviation, deviations);
	rptdb_report_policies(db, r->id, rptjson_policy, &c);
	return json_pack("{s:I, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, s:o,"
	    " s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:b, s:{s:I, s:I}, s:o, s:o}",
	    "id", (json_int_t)r->id,
	    "organization-name", rptjson_text(r->organization),
	    "contact-info", rptjson_text(r->contact),
	    "report-id", rptjson_text(r->report_id),
	    "date-range",
	    "start-datetime", rptjson_time(r->start),
	    "end-datetime", rptjson_time(r->end),
	    "received", rptjson_time(r->received),
	    "via", rptjson_text(r->via),
	    "submitter", rptjson_text(r->submitter),
	    "sha256", rptjson_text(r->sha256),
	    "spool-id", rptjson_text(r->spool_id),
	    "dkim",
	    "result", rptjson_text(r->dkim_result),
	    "domain", rptjson_text(r->dkim_domain),
	    "selector", rptjson_text(r->dkim_selector),
	    "reason", rptjson_text(why),
	    "counts", r->counts,
	    "sessions", "successful", (json_int_t)ok, "failed", (json_int_t)bad,
	    "deviations", deviations,
	    "policies", c.a);
}

/*
 * CSV.
 */
const char *const rptjson_csv_columns[] = { "report",
    "organization-name", "report-id", "start-datetime", "end-datetime",
    "via", "policy-type", "policy-domain", "hosted-domain",
    "total-successful-session-count", "total-failure-session-count",
    "result-type", "sending-mta-ip", "receiving-mx-hostname",
    "receiving-mx-helo", "receiving-ip", "failed-session-count",
    "additional-information", "failure-reason-code", "dkim-result",
    "dkim-domain", "dkim-selector", "dkim-reason", "counts", "counted",
    NULL };

void
rptjson_csv_head(struct buf *out)
{
	int i;

	for (i = 0; rptjson_csv_columns[i] != NULL; i++)
		buf_printf(out, "%s%s", i ? "," : "", rptjson_csv_columns[i]);
	buf_puts(out, "\r\n");
}

static const char *
rptjson_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* An integer member as text in buf, or NULL when it is absent. */
static const char *
rptjson_int(json_t *o, const char *key, char buf[RPTJSON_INT])
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, RPTJSON_INT, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* One line: the report r, its policy p, a failure detail f or NULL. */
static void
rptjson_csv_line(struct buf *out, json_t *r, json_t *p, json_t *f)
{
	json_t *pol = json_object_get(p, "policy"), *dr, *dk, *sum;
	char id[RPTJSON_INT], ok[RPTJSON_INT], bad[RPTJSON_INT];
	char n[RPTJSON_INT];
	const char *cells[25];
	size_t i;

	dr = json_object_get(r, "date-range");
	dk = json_object_get(r, "dkim");
	sum = json_object_get(p, "summary");
	i = 0;
	cells[i++] = rptjson_int(r, "id", id);
	cells[i++] = rptjson_str(r, "organization-name");
	cells[i++] = rptjson_str(r, "report-id");
	cells[i++] = rptjson_str(dr, "start-datetime");
	cells[i++] = rptjson_str(dr, "end-datetime");
	cells[i++] = rptjson_str(r, "via");
	cells[i++] = rptjson_str(pol, "policy-type");
	cells[i++] = rptjson_str(pol, "policy-domain");
	cells[i++] = rptjson_str(p, "hosted-domain");
	cells[i++] = rptjson_int(sum, "total-successful-session-count", ok);
	cells[i++] = rptjson_int(sum, "total-failure-session-count", bad);
	cells[i++] = rptjson_str(f, "result-type");
	cells[i++] = rptjson_str(f, "sending-mta-ip");
	cells[i++] = rptjson_str(f, "receiving-mx-hostname");
	cells[i++] = rptjson_str(f, "receiving-mx-helo");
	cells[i++] = rptjson_str(f, "receiving-ip");
	cells[i++] = rptjson_int(f, "failed-session-count", n);
	cells[i++] = rptjson_str(f, "additional-information");
	cells[i++] = rptjson_str(f, "failure-reason-code");
	cells[i++] = rptjson_str(dk, "result");
	cells[i++] = rptjson_str(dk, "domain");
	cells[i++] = rptjson_str(dk, "selector");
	cells[i++] = rptjson_str(dk, "reason");
	cells[i++] = json_is_true(json_object_get(r, "counts")) ? "yes" : "no";
	cells[i++] = json_is_true(json_object_get(p, "counted")) ? "yes" : "no";
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		if (i > 0)
			buf_putc(out, ',');
		csv_cell(out, cells[i], CSV_BYTES);
	}
	buf_puts(out, "\r\n");
}

void
rptjson_csv_rows(struct buf *out, json_t *r)
{
	json_t *p, *f, *fd;
	size_t i, j;

	json_array_foreach(json_object_get(r, "policies"), i, p) {
		fd = json_object_get(p, "failure-details");
		if (json_array_size(fd) == 0)
			rptjson_csv_line(out, r, p, NULL);
		json_array_foreach(fd, j, f)
			rptjson_csv_line(out, r, p, f);
	}
}
