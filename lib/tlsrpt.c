/*
 * tlsrpt - the TLS-RPT report model (RFC 8460 section 4) and its parser.
 * SPDX-License-Identifier: ISC
 *
 * See tlsrpt.h for the interface.  Touches nothing but memory.  The
 * JSON is parsed whole by jansson, after a scan of the raw bytes has
 * bounded its nesting (tlsrpt_json.c); the tree is then walked once
 * into the model (tlsrpt_model.c), its names checked by tlsrpt_names.c.
 * Known sender quirks are turned into deviations (text lines) instead
 * of refusals; each kind of deviation is recorded once, with the
 * policies it was seen in, and at most TLSRPT_DEVIATIONS_MAX kinds.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "esc.h"
#include "mymalloc.h"
#include "timefmt.h"
#include "tlsrpt.h"
#include "tlsrpt_names.h"

#define TLSRPT_DEVIATIONS_MAX	100	/* kinds of deviation per report */
#define TLSRPT_DEV_TEXT_MAX	512	/* bytes of one deviation's text */
#define TLSRPT_DEV_RUNS_MAX	8	/* runs of policy indexes written */
#define TLSRPT_PATH_MAX		160	/* "policies[N].failure-details[N]" */
#define TLSRPT_PPATH_MAX	64	/* "policies[N]" */
#define TLSRPT_SHOW_MAX		64	/* bytes of a value shown in a text */
#define TLSRPT_SHOW_SIZE	(TLSRPT_SHOW_MAX * 4 + 8)	/* escaped */

static const char *const tlsrpt_policy_types[] = {
	"sts", "tlsa", "no-policy-found", NULL,
};

/*
 * The walk over the JSON tree.
 */
struct tlsrpt_dev;

struct tlsrpt_ctx {
	const struct tlsrpt_limits *lim;
	struct tlsrpt_report *r;
	struct buf *err;
	struct tlsrpt_dev *devs;	/* deviations seen so far */
	size_t	 ndevs;
	size_t	 devcap;
	size_t	 pidx;			/* the policy being walked */
};

/*
 * A deviation while the tree is walked: the text, without the policy
 * index when it starts with "policies[N]", and the policies it was seen
 * in.  A provider that bends the same rule in each of its 400 policies
 * gives one line, "policies[0-399].policy.mx-host is a string, not a
 * list", instead of 400.
 */
struct tlsrpt_dev {
	char	*text;			/* what follows "policies[N]", or all */
	int	 per_policy;
	size_t	*idx;			/* policy indexes, ascending */
	size_t	 nidx;
	size_t	 cap;
};

/* Is d the deviation sub + text (sub: NULL when not per policy)? */
static int
tlsrpt_dev_is(const struct tlsrpt_dev *d, const char *sub, const char *text)
{
	size_t n;

	if (sub == NULL)
		return !d->per_policy && strcmp(d->text, text) == 0;
	n = strlen(sub);
	return d->per_policy && strncmp(d->text, sub, n) == 0 &&
	    strcmp(d->text + n, text) == 0;
}

/*
 * Record a deviation: of policy idx, with the text sub + text after
 * "policies[N]" (sub NULL: of the report, text as it is).
 */
static void
tlsrpt_dev_add(struct tlsrpt_ctx *c, const char *sub, size_t idx,
    const char *text)
{
	struct tlsrpt_dev *d;
	int per_policy = sub != NULL;
	size_t i;

	for (i = 0; i < c->ndevs; i++) {
		d = &c->devs[i];
		if (!tlsrpt_dev_is(d, sub, text))
			continue;
		if (per_policy && d->idx[d->nidx - 1] != idx) {
			if (d->nidx == d->cap) {
				d->cap *= 2;
				d->idx = xreallocarray(d->idx, d->cap,
				    sizeof(*d->idx));
			}
			d->idx[d->nidx++] = idx;
		}
		return;
	}
	if (c->ndevs == TLSRPT_DEVIATIONS_MAX)
		return;
	if (c->ndevs == TLSRPT_DEVIATIONS_MAX - 1) {
		sub = NULL;
		per_policy = 0;
		text = "more deviations not recorded";
	}
	if (c->ndevs == c->devcap) {
		c->devcap = c->devcap ? c->devcap * 2 : 8;
		c->devs = xreallocarray(c->devs, c->devcap, sizeof(*c->devs));
	}
	d = &c->devs[c->ndevs++];
	memset(d, 0, sizeof(*d));
	d->text = per_policy ? xasprintf("%s%s", sub, text) : xstrdup(text);
	d->per_policy = per_policy;
	if (per_policy) {
		d->cap = 4;
		d->idx = xreallocarray(NULL, d->cap, sizeof(*d->idx));
		d->idx[d->nidx++] = idx;
	}
}

/* A deviation of the report as a whole. */
static void __attribute__((format(printf, 2, 3)))
tlsrpt_deviation(struct tlsrpt_ctx *c, const char *fmt, ...)
{
	char text[TLSRPT_DEV_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	tlsrpt_dev_add(c, NULL, 0, text);
}

/*
 * A deviation of the policy being walked, in constant words: sub is
 * what follows "policies[N]" in its path ("" or ".policy").  Nothing
 * is formatted for the 400th policy that bends the same rule.
 */
static void
tlsrpt_pdeviation(struct tlsrpt_ctx *c, const char *sub, const char *text)
{
	tlsrpt_dev_add(c, sub, c->pidx, text);
}

/* The same, for words that name a value of the policy. */
static void __attribute__((format(printf, 3, 4)))
tlsrpt_pdeviationf(struct tlsrpt_ctx *c, const char *sub, const char *fmt,
    ...)
{
	char text[TLSRPT_DEV_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	tlsrpt_pdeviation(c, sub, text);
}

/* base + name, and "[index]" when index >= 0: "policies[3].summary". */
static void
tlsrpt_path(char *out, size_t size, const char *base, const char *name,
    long long index)
{
	char num[24], *p = num + sizeof(num);
	size_t nb = strlen(base), nn = strlen(name), nd;

	*--p = '\0';
	if (index >= 0) {
		*--p = ']';
		do {
			*--p = (char)('0' + index % 10);
			index /= 10;
		} while (index > 0);
		*--p = '[';
	}
	nd = (size_t)(num + sizeof(num) - 1 - p);
	if (nb + nn + nd + 1 > size) {
		snprintf(out, size, "%s%s%s", base, name, p);
		return;
	}
	memcpy(out, base, nb);
	memcpy(out + nb, name, nn);
	memcpy(out + nb + nn, p, nd + 1);
}

/*
 * The indexes of a deviation as runs: "3", "0,1", "0-399", "1,4-6"; at
 * most TLSRPT_DEV_RUNS_MAX of them, then "and N more".
 */
static void
tlsrpt_dev_runs(struct buf *b, const struct tlsrpt_dev *d)
{
	size_t i = 0, j, runs = 0;

	while (i < d->nidx) {
		for (j = i; j + 1 < d->nidx && d->idx[j + 1] == d->idx[j] + 1;
		    j++)
			;
		if (runs++ == TLSRPT_DEV_RUNS_MAX) {
			buf_printf(b, " and %zu more", d->nidx - i);
			return;
		}
		if (i > 0)
			buf_putc(b, ',');
		if (j == i)
			buf_printf(b, "%zu", d->idx[i]);
		else if (j == i + 1)
			buf_printf(b, "%zu,%zu", d->idx[i], d->idx[j]);
		else
			buf_printf(b, "%zu-%zu", d->idx[i], d->idx[j]);
		i = j + 1;
	}
}

/* The deviations seen into r->deviations, one line each. */
static void
tlsrpt_dev_lines(struct tlsrpt_ctx *c)
{
	struct tlsrpt_report *r = c->r;
	struct buf b = BUF_INIT;
	struct tlsrpt_dev *d;
	size_t i;

	if (c->ndevs == 0)
		return;
	r->deviations = tlsrpt_mem_alloc(r, c->ndevs, sizeof(*r->deviations));
	for (i = 0; i < c->ndevs; i++) {
		d = &c->devs[i];
		if (!d->per_policy) {
			r->deviations[i] = tlsrpt_mem_strndup(r, d->text,
			    strlen(d->text));
			continue;
		}
		buf_reset(&b);
		buf_puts(&b, "policies[");
		tlsrpt_dev_runs(&b, d);
		buf_printf(&b, "]%s", d->text);
		r->deviations[i] = tlsrpt_mem_strndup(r, b.s, b.len);
	}
	r->ndeviations = c->ndevs;
	buf_free(&b);
}

static void
tlsrpt_dev_free(struct tlsrpt_ctx *c)
{
	size_t i;

	for (i = 0; i < c->ndevs; i++) {
		free(c->devs[i].text);
		free(c->devs[i].idx);
	}
	free(c->devs);
}

static int __attribute__((format(printf, 2, 3)))
tlsrpt_error(struct tlsrpt_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	buf_puts(c->err, s ? s : "report refused (message lost: out of memory)");
	free(s);
	return -1;
}

static const char *
tlsrpt_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/*
 * s as the texts of errors and deviations show it: its first
 * TLSRPT_SHOW_MAX bytes, escaped as for a log line (lib/esc), so that
 * no value of a report brings a control character into them.
 */
static const char *
tlsrpt_show(char out[TLSRPT_SHOW_SIZE], const char *s)
{
	struct buf b = BUF_INIT;
	size_t len = strlen(s);

	esc_textn(&b, s, len < TLSRPT_SHOW_MAX ? len : TLSRPT_SHOW_MAX);
	snprintf(out, TLSRPT_SHOW_SIZE, "%s%s", b.s ? b.s : "",
	    len > TLSRPT_SHOW_MAX ? "..." : "");
	buf_free(&b);
	return out;
}

/*
 * The text of a JSON string, refused when it holds a NUL (\u0000): no
 * field of RFC 8460 has one, and C strings would cut it short.
 */
static int
tlsrpt_text(struct tlsrpt_ctx *c, const json_t *v, const char *path,
    const char *sep, const char *key, char **out)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (memchr(s, '\0', len) != NULL)
		return tlsrpt_error(c, "%s%s%s: contains a NUL character"
		    " (\\u0000)", path, sep, key);
	*out = tlsrpt_mem_strndup(c->r, s, len);
	return 0;
}

/*
 * An optional string member: absent or null leaves *out NULL.  A
 * required one must be a non-empty string.
 */
static int
tlsrpt_string(struct tlsrpt_ctx *c, const json_t *o, const char *path,
    const char *key, int required, char **out)
{
	const json_t *v = json_object_get(o, key);
	const char *sep = *path ? "." : "";

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return tlsrpt_error(c, "%s%s%s: %s", path, sep, key,
			    v ? "is null" : "missing");
		return 0;
	}
	if (!json_is_string(v))
		return tlsrpt_error(c, "%s%s%s: expected a string, got %s", path,
		    sep, key, tlsrpt_type_name(v));
	if (required && json_string_length(v) == 0)
		return tlsrpt_error(c, "%s%s%s: is empty", path, sep, key);
	return tlsrpt_text(c, v, path, sep, key, out);
}

static int
tlsrpt_count(struct tlsrpt_ctx *c, const json_t *o, const char *path,
    const char *key, int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	json_int_t n;

	if (v == NULL)
		return tlsrpt_error(c, "%s.%s: missing", path, key);
	if (!json_is_integer(v))
		return tlsrpt_error(c, "%s.%s: expected a non-negative integer,"
		    " got %s", path, key, tlsrpt_type_name(v));
	n = json_integer_value(v);
	if (n < 0)
		return tlsrpt_error(c, "%s.%s: negative count %" JSON_INTEGER_FORMAT,
		    path, key, n);
	if (n > TLSRPT_COUNT_MAX)
		return tlsrpt_error(c, "%s.%s: count %" JSON_INTEGER_FORMAT
		    " exceeds the limit of %" PRId64 " (2^53)", path, key, n,
		    TLSRPT_COUNT_MAX);
	*out = (int64_t)n;
	return 0;
}

/* A list of strings; a single string is a list of one (a deviation). */
static int
tlsrpt_strings(struct tlsrpt_ctx *c, const json_t *v, const char *path,
    const char *key, char ***out, size_t *n)
{
	char sub[TLSRPT_PATH_MAX];
	size_t i;

	*out = NULL;
	*n = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = tlsrpt_mem_alloc(c->r, 2, sizeof(**out));
		if (tlsrpt_text(c, v, path, ".", key, &(*out)[0]) < 0)
			return -1;
		*n = 1;
		return 0;
	}
	if (!json_is_array(v))
		return tlsrpt_error(c, "%s.%s: expected a list of strings, got %s",
		    path, key, tlsrpt_type_name(v));
	*out = tlsrpt_mem_alloc(c->r, json_array_size(v) + 1, sizeof(**out));
	for (i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);

		/* The path of the element ("mx-host[2]") for errors only. */
		if (json_is_string(e) && memchr(json_string_value(e), '\0',
		    json_string_length(e)) == NULL) {
			(*out)[i] = tlsrpt_mem_strndup(c->r,
			    json_string_value(e), json_string_length(e));
			*n = i + 1;
			continue;
		}
		tlsrpt_path(sub, sizeof(sub), key, "", (long long)i);
		if (!json_is_string(e))
			return tlsrpt_error(c, "%s.%s: expected a string,"
			    " got %s", path, sub, tlsrpt_type_name(e));
		(void)tlsrpt_text(c, e, path, ".", sub, &(*out)[i]);	/* NUL */
		return -1;
	}
	return 0;
}

static int
tlsrpt_time(struct tlsrpt_ctx *c, const json_t *range, const char *key,
    time_t *out)
{
	const json_t *v = json_object_get(range, key);
	char shown[TLSRPT_SHOW_SIZE];
	const char *dev;

	if (v == NULL)
		return tlsrpt_error(c, "date-range.%s: missing", key);
	if (!json_is_string(v))
		return tlsrpt_error(c, "date-range.%s: expected a date-time string,"
		    " got %s", key, tlsrpt_type_name(v));
	if (memchr(json_string_value(v), '\0', json_string_length(v)) != NULL ||
	    timefmt_rfc3339_parse(json_string_value(v), out, &dev) < 0)
		return tlsrpt_error(c, "date-range.%s: bad date-time \"%s\"",
		    key, tlsrpt_show(shown, json_string_value(v)));
	if (dev != NULL)
		tlsrpt_deviation(c, "%s %s", key, dev);
	return 0;
}

/*
 * result-type: one of RFC 8460 section 4.3; in another case, it is read
 * as that type; anything else is kept as it came (every output escapes
 * it, and alerts take all such types as one kind), with a deviation
 * that shows it escaped.
 */
static void
tlsrpt_result_type(struct tlsrpt_ctx *c, struct tlsrpt_detail *d)
{
	const struct tlsrpt_result_info *results = tlsrpt_result_infos();
	char shown[TLSRPT_SHOW_SIZE];
	size_t i;

	if (tlsrpt_result_type_known(d->result_type))
		return;
	for (i = 0; results[i].type != NULL; i++) {
		if (strcasecmp(d->result_type, results[i].type) != 0)
			continue;
		tlsrpt_pdeviationf(c, "", ".failure-details: result-type"
		    " \"%s\" in another case", d->result_type);
		d->result_type = tlsrpt_mem_strndup(c->r, results[i].type,
		    strlen(results[i].type));
		return;
	}
	tlsrpt_pdeviationf(c, "", ".failure-details: result-type \"%s\" is"
	    " not in RFC 8460 section 4.3", tlsrpt_show(shown, d->result_type));
}

/*
 * An optional field of a failure detail that is not of its type: left
 * out (NULL), with a deviation that shows it.
 */
static void
tlsrpt_detail_drop(struct tlsrpt_ctx *c, const char *key, const char *what,
    char **field)
{
	char shown[TLSRPT_SHOW_SIZE];

	tlsrpt_pdeviationf(c, "", ".failure-details: %s \"%s\" is not %s,"
	    " left out", key, tlsrpt_show(shown, *field), what);
	*field = NULL;
}

/* The fields of a failure detail with a type of their own. */
static void
tlsrpt_detail_check(struct tlsrpt_ctx *c, struct tlsrpt_detail *d)
{
	if (d->sending_mta_ip == NULL)
		tlsrpt_pdeviation(c, "", ".failure-details: sending-mta-ip"
		    " missing");
	else if (!tlsrpt_ip_ok(d->sending_mta_ip))
		tlsrpt_detail_drop(c, "sending-mta-ip", "an IP address",
		    &d->sending_mta_ip);
	if (d->receiving_ip != NULL && !tlsrpt_ip_ok(d->receiving_ip))
		tlsrpt_detail_drop(c, "receiving-ip", "an IP address",
		    &d->receiving_ip);
	if (d->receiving_mx_hostname != NULL) {
		if (tlsrpt_domain_ok(d->receiving_mx_hostname, 0))
			tlsrpt_domain_norm(d->receiving_mx_hostname);
		else
			tlsrpt_detail_drop(c, "receiving-mx-hostname",
			    "a host name", &d->receiving_mx_hostname);
	}
	if (d->receiving_mx_helo != NULL && !tlsrpt_helo_ok(d->receiving_mx_helo))
		tlsrpt_detail_drop(c, "receiving-mx-helo",
		    "a host name or address literal", &d->receiving_mx_helo);
}

static int
tlsrpt_detail(struct tlsrpt_ctx *c, const json_t *o, const char *ppath,
    size_t index, struct tlsrpt_detail *d)
{
	char path[TLSRPT_PATH_MAX];

	tlsrpt_path(path, sizeof(path), ppath, ".failure-details",
	    (long long)index);
	if (!json_is_object(o))
		return tlsrpt_error(c, "%s: expected an object, got %s", path,
		    tlsrpt_type_name(o));
	if (tlsrpt_string(c, o, path, "result-type", 1, &d->result_type) < 0 ||
	    tlsrpt_string(c, o, path, "sending-mta-ip", 0,
	    &d->sending_mta_ip) < 0 ||
	    tlsrpt_string(c, o, path, "receiving-mx-hostname", 0,
	    &d->receiving_mx_hostname) < 0 ||
	    tlsrpt_string(c, o, path, "receiving-mx-helo", 0,
	    &d->receiving_mx_helo) < 0 ||
	    tlsrpt_string(c, o, path, "receiving-ip", 0, &d->receiving_ip) < 0 ||
	    tlsrpt_count(c, o, path, "failed-session-count",
	    &d->failed_session_count) < 0 ||
	    tlsrpt_string(c, o, path, "additional-information", 0,
	    &d->additional_information) < 0 ||
	    tlsrpt_string(c, o, path, "failure-reason-code", 0,
	    &d->failure_reason_code) < 0)
		return -1;
	tlsrpt_result_type(c, d);
	tlsrpt_detail_check(c, d);
	return 0;
}

static int
tlsrpt_policy_type(struct tlsrpt_ctx *c, const json_t *pol, const char *path,
    struct tlsrpt_policy *p)
{
	char shown[TLSRPT_SHOW_SIZE];
	size_t i;

	if (tlsrpt_string(c, pol, path, "policy-type", 1, &p->type) < 0)
		return -1;
	for (i = 0; tlsrpt_policy_types[i] != NULL; i++) {
		if (strcmp(p->type, tlsrpt_policy_types[i]) == 0)
			return 0;
		if (strcasecmp(p->type, tlsrpt_policy_types[i]) == 0) {
			tlsrpt_pdeviationf(c, ".policy",
			    ".policy-type \"%s\" in another case", p->type);
			p->type = tlsrpt_mem_strndup(c->r,
			    tlsrpt_policy_types[i],
			    strlen(tlsrpt_policy_types[i]));
			return 0;
		}
	}
	return tlsrpt_error(c, "%s.policy-type: unknown type \"%s\""
	    " (expected sts, tlsa or no-policy-found)", path,
	    tlsrpt_show(shown, p->type));
}

/* policy-domain: a string; a list of one or none is a deviation. */
static int
tlsrpt_policy_domain(struct tlsrpt_ctx *c, const json_t *pol,
    const char *path, struct tlsrpt_policy *p)
{
	const json_t *v = json_object_get(pol, "policy-domain");
	char shown[TLSRPT_SHOW_SIZE];
	char **list;
	size_t n;

	if (json_is_array(v)) {
		if (json_array_size(v) > 1)
			return tlsrpt_error(c, "%s.policy-domain: a list of %zu"
			    " domains", path, json_array_size(v));
		if (tlsrpt_strings(c, v, path, "policy-domain", &list, &n) < 0)
			return -1;
		tlsrpt_pdeviation(c, ".policy", ".policy-domain is a list");
		p->domain = n ? list[0] : NULL;
	} else if (tlsrpt_string(c, pol, path, "policy-domain", 0,
	    &p->domain) < 0) {
		return -1;
	}
	if (p->domain != NULL && *p->domain == '\0')
		p->domain = NULL;
	if (p->domain == NULL) {
		if (strcmp(p->type, "no-policy-found") != 0)
			return tlsrpt_error(c, "%s.policy-domain: missing", path);
		tlsrpt_pdeviation(c, ".policy",
		    ": no policy-domain (no-policy-found)");
		return 0;
	}
	if (!tlsrpt_domain_ok(p->domain, 0)) {
		/* The policy stays, for no domain: its sessions happened. */
		tlsrpt_pdeviationf(c, ".policy", ".policy-domain \"%s\" is not"
		    " a domain name, left out", tlsrpt_show(shown, p->domain));
		p->domain = NULL;
		return 0;
	}
	tlsrpt_domain_norm(p->domain);
	return 0;
}

/*
 * mx-host (RFC 8460 section 4.4): host names or patterns of the policy
 * ("*.mail.example"), in one form; what is neither is left out.
 */
static void
tlsrpt_mx_hosts(struct tlsrpt_ctx *c, struct tlsrpt_policy *p)
{
	char shown[TLSRPT_SHOW_SIZE];
	size_t i, n = 0;

	for (i = 0; i < p->nmx_hosts; i++) {
		if (tlsrpt_domain_ok(p->mx_hosts[i], 1)) {
			tlsrpt_domain_norm(p->mx_hosts[i]);
			p->mx_hosts[n++] = p->mx_hosts[i];
			continue;
		}
		tlsrpt_pdeviationf(c, ".policy", ".mx-host \"%s\" is not a host"
		    " name or pattern, left out", tlsrpt_show(shown,
		    p->mx_hosts[i]));
	}
	p->nmx_hosts = n;
}

/*
 * A list of strings of a policy (policy-string, mx-host): a lone string
 * is taken as a list of one, with a deviation.  *vp: the member.
 */
static int
tlsrpt_policy_list(struct tlsrpt_ctx *c, const json_t *pol,
    const char *path, const char *key, char ***out, size_t *n,
    const json_t **vp)
{
	const json_t *v = json_object_get(pol, key);

	if (tlsrpt_strings(c, v, path, key, out, n) < 0)
		return -1;
	if (json_is_string(v))
		tlsrpt_pdeviationf(c, ".policy", ".%s is a string, not a list",
		    key);
	*vp = v;
	return 0;
}

static int
tlsrpt_policy_fields(struct tlsrpt_ctx *c, const json_t *pol,
    const char *path, struct tlsrpt_policy *p)
{
	const json_t *v;

	if (!json_is_object(pol))
		return tlsrpt_error(c, "%s: %s", path, pol ? "expected an object"
		    : "missing");
	if (tlsrpt_policy_type(c, pol, path, p) < 0 ||
	    tlsrpt_policy_domain(c, pol, path, p) < 0)
		return -1;

	if (tlsrpt_policy_list(c, pol, path, "policy-string", &p->strings,
	    &p->nstrings, &v) < 0)
		return -1;
	if (json_is_array(v) && json_array_size(v) == 0 &&
	    strcmp(p->type, "no-policy-found") != 0)
		tlsrpt_pdeviation(c, ".policy",
		    ".policy-string is an empty list");
	else if ((v == NULL || json_is_null(v)) &&
	    strcmp(p->type, "no-policy-found") != 0)
		tlsrpt_pdeviation(c, ".policy", ".policy-string missing");

	if (tlsrpt_policy_list(c, pol, path, "mx-host", &p->mx_hosts,
	    &p->nmx_hosts, &v) < 0)
		return -1;
	tlsrpt_mx_hosts(c, p);
	return 0;
}

/*
 * total-failure-session-count should be the sum of the failure details'
 * failed-session-count (RFC 8460 section 4.4); a sender whose numbers
 * disagree is kept, with a deviation.  The sum saturates: with the
 * counts bounded by TLSRPT_COUNT_MAX and the details by the limit it
 * cannot reach INT64_MAX, but neither bound is this function's.
 */
static void
tlsrpt_failure_sum(struct tlsrpt_ctx *c, const struct tlsrpt_policy *p)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < p->ndetails; i++)
		sum = tlsrpt_count_add(sum, p->details[i].failed_session_count);
	if (sum != p->failure_count)
		tlsrpt_pdeviation(c, ".summary", ".total-failure-session-count"
		    " is not the sum of the failure-details");
}

static int
tlsrpt_policy(struct tlsrpt_ctx *c, const json_t *o, size_t index,
    struct tlsrpt_policy *p)
{
	char path[TLSRPT_PPATH_MAX], ppath[TLSRPT_PATH_MAX];
	const json_t *sum, *fd;
	size_t i, n;

	c->pidx = index;
	tlsrpt_path(path, sizeof(path), "", "policies", (long long)index);
	if (!json_is_object(o))
		return tlsrpt_error(c, "%s: expected an object, got %s", path,
		    tlsrpt_type_name(o));
	tlsrpt_path(ppath, sizeof(ppath), path, ".policy", -1);
	if (tlsrpt_policy_fields(c, json_object_get(o, "policy"), ppath, p) < 0)
		return -1;

	tlsrpt_path(ppath, sizeof(ppath), path, ".summary", -1);
	sum = json_object_get(o, "summary");
	if (!json_is_object(sum))
		return tlsrpt_error(c, "%s: %s", ppath, sum ? "expected an object"
		    : "missing");
	if (tlsrpt_count(c, sum, ppath, "total-successful-session-count",
	    &p->success_count) < 0 ||
	    tlsrpt_count(c, sum, ppath, "total-failure-session-count",
	    &p->failure_count) < 0)
		return -1;

	fd = json_object_get(o, "failure-details");
	if (fd == NULL || json_is_null(fd)) {
		tlsrpt_pdeviation(c, "", ": failure-details missing, read as"
		    " none");
		return 0;
	}
	if (!json_is_array(fd))
		return tlsrpt_error(c, "%s.failure-details: expected a list, got %s",
		    path, tlsrpt_type_name(fd));
	n = json_array_size(fd);
	if (n > c->lim->details)
		return tlsrpt_error(c, "%s.failure-details: %zu entries exceed"
		    " the limit of %zu", path, n, c->lim->details);
	p->details = tlsrpt_mem_alloc(c->r, n ? n : 1, sizeof(*p->details));
	for (i = 0; i < n; i++) {
		p->ndetails = i + 1;
		if (tlsrpt_detail(c, json_array_get(fd, i), path, i,
		    &p->details[i]) < 0)
			return -1;
	}
	tlsrpt_failure_sum(c, p);
	return 0;
}

static int
tlsrpt_top(struct tlsrpt_ctx *c, const json_t *top)
{
	struct tlsrpt_report *r = c->r;
	const json_t *range, *pols, *contact;
	size_t i, n;

	if (!json_is_object(top))
		return tlsrpt_error(c, "report: expected a JSON object, got %s",
		    tlsrpt_type_name(top));
	if (tlsrpt_string(c, top, "", "organization-name", 1,
	    &r->organization) < 0)
		return -1;
	contact = json_object_get(top, "contact-info");
	if (contact == NULL)
		tlsrpt_deviation(c, "contact-info missing");
	else if (json_is_null(contact))
		tlsrpt_deviation(c, "contact-info is null");
	else if (tlsrpt_string(c, top, "", "contact-info", 0, &r->contact) < 0)
		return -1;
	if (tlsrpt_string(c, top, "", "report-id", 1, &r->report_id) < 0)
		return -1;

	range = json_object_get(top, "date-range");
	if (!json_is_object(range))
		return tlsrpt_error(c, "date-range: %s", range ?
		    "expected an object" : "missing");
	if (tlsrpt_time(c, range, "start-datetime", &r->start) < 0 ||
	    tlsrpt_time(c, range, "end-datetime", &r->end) < 0)
		return -1;
	if (r->end < r->start)
		return tlsrpt_error(c, "date-range: end-datetime is before"
		    " start-datetime");

	pols = json_object_get(top, "policies");
	if (!json_is_array(pols))
		return tlsrpt_error(c, "policies: %s", pols ?
		    "expected a list" : "missing");
	n = json_array_size(pols);
	if (n > c->lim->policies)
		return tlsrpt_error(c, "policies: %zu policies exceed the limit"
		    " of %zu", n, c->lim->policies);
	if (n == 0)
		tlsrpt_deviation(c, "policies is an empty list");
	r->policies = tlsrpt_mem_alloc(r, n ? n : 1, sizeof(*r->policies));
	for (i = 0; i < n; i++) {
		r->npolicies = i + 1;
		if (tlsrpt_policy(c, json_array_get(pols, i), i,
		    &r->policies[i]) < 0)
			return -1;
	}
	return 0;
}


int
tlsrpt_parse(const char *data, size_t len, const struct tlsrpt_limits *lim,
    struct tlsrpt_report **out, struct buf *err)
{
	struct tlsrpt_ctx c;
	json_error_t jerr;
	json_t *top;
	int bom = 0, rc;

	*out = NULL;
	if (len > lim->size) {
		buf_printf(err, "report of %zu bytes exceeds the limit of %zu"
		    " bytes", len, lim->size);
		return -1;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
		bom = 1;
	}
	if (tlsrpt_depth_check(data, len, lim->depth) < 0) {
		buf_printf(err, "JSON nested deeper than %d levels", lim->depth);
		return -1;
	}
	if ((top = tlsrpt_json_load(data, len, &jerr)) == NULL) {
		/* jansson quotes the input near the error: escaped. */
		buf_puts(err, "not valid JSON: ");
		esc_text(err, jerr.text);
		buf_printf(err, " (line %d, column %d)", jerr.line, jerr.column);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.lim = lim;
	c.r = xcalloc(1, sizeof(*c.r));
	c.err = err;
	if (bom)
		tlsrpt_deviation(&c, "JSON starts with a byte order mark");
	rc = tlsrpt_top(&c, top);
	tlsrpt_json_free(top);
	if (rc < 0) {
		tlsrpt_dev_free(&c);
		tlsrpt_free(c.r);
		return -1;
	}
	tlsrpt_dev_lines(&c);
	tlsrpt_dev_free(&c);
	*out = c.r;
	return 0;
}
