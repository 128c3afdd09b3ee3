/*
 * tlsrpt - the TLS-RPT report model (RFC 8460 section 4) and its parser.
 * SPDX-License-Identifier: ISC
 *
 * See tlsrpt.h for the interface.  Touches nothing but memory.  The
 * JSON is parsed whole by jansson, after a scan of the raw bytes has
 * bounded its nesting; the tree is then walked once into the model.
 * Known sender quirks are turned into deviations (text lines) instead
 * of refusals; each kind of deviation is recorded once, with the
 * policies it was seen in, and at most TLSRPT_DEVIATIONS_MAX kinds.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
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
#include "db.h"
#include "esc.h"
#include "mymalloc.h"
#include "tlsrpt.h"

#define TLSRPT_DEVIATIONS_MAX	100	/* kinds of deviation per report */
#define TLSRPT_DEV_TEXT_MAX	512	/* bytes of one deviation's text */
#define TLSRPT_DEV_RUNS_MAX	8	/* runs of policy indexes written */
#define TLSRPT_ARENA_CHUNK	(256 * 1024)	/* jansson's memory, at least */
#define TLSRPT_PATH_MAX		160	/* "policies[N].failure-details[N]" */
#define TLSRPT_PPATH_MAX	64	/* "policies[N]" */
#define TLSRPT_YEAR_MIN		1970
#define TLSRPT_YEAR_MAX		9999
#define TLSRPT_SHOW_MAX		64	/* bytes of a value shown in a text */
#define TLSRPT_SHOW_SIZE	(TLSRPT_SHOW_MAX * 4 + 8)	/* escaped */
#define TLSRPT_DOMAIN_MAX	253	/* RFC 1035 2.3.4, without the dot */
#define TLSRPT_LABEL_MAX	63

/*
 * RFC 8460 section 4.3: the result types a failure detail may have, what
 * each means for the receiving domain and what its operator does about
 * it.  Alerts and reports print these lines as they are.
 */
static const struct tlsrpt_result_info tlsrpt_results[] = {
	{ "starttls-not-supported",
	    "the MX host did not offer STARTTLS, so the sender could not "
	    "encrypt the session",
	    "enable STARTTLS with a certificate on every MX host (Postfix: "
	    "smtpd_tls_security_level = may, smtpd_tls_chain_files)" },
	{ "certificate-host-mismatch",
	    "the MX host's certificate does not name the MX host",
	    "install a certificate whose subjectAltName lists every MX host "
	    "name that the policy allows" },
	{ "certificate-expired",
	    "the MX host's certificate has expired",
	    "renew the MX certificate, reload the mail server, and automate "
	    "the renewal" },
	{ "certificate-not-trusted",
	    "the MX host's certificate does not chain to a CA the sender "
	    "trusts (self-signed, private CA or missing intermediate)",
	    "use a certificate of a public CA and serve the whole chain, "
	    "intermediates included" },
	{ "validation-failure",
	    "TLS failed for another reason (handshake, protocol version or "
	    "cipher)",
	    "check the MX host's TLS settings (TLS 1.2 or newer, common "
	    "ciphers, complete chain); failure-reason-code tells more" },
	{ "tlsa-invalid",
	    "the MX host's TLSA records are malformed or match none of its "
	    "certificates",
	    "publish TLSA records that match the current certificate, and "
	    "the next one before each key rollover" },
	{ "dnssec-invalid",
	    "DNSSEC validation of the MX host's records failed",
	    "repair the zone's DNSSEC chain (DS at the parent, DNSKEY, "
	    "signatures not expired)" },
	{ "dane-required",
	    "the sender requires DANE for this domain but found no usable "
	    "TLSA records",
	    "publish DNSSEC-signed TLSA records for every MX host" },
	{ "sts-policy-fetch-error",
	    "the sender could not fetch the MTA-STS policy from "
	    "https://mta-sts.DOMAIN/.well-known/mta-sts.txt",
	    "make mta-sts.DOMAIN a CNAME of the policy host and check that "
	    "the policy URL answers 200 (stsctl check DOMAIN)" },
	{ "sts-policy-invalid",
	    "the MTA-STS policy fetched was not valid, or the MX hosts did "
	    "not match it",
	    "compare the served policy with stsctl domain show DOMAIN and "
	    "the MX records with its mx patterns" },
	{ "sts-webpki-invalid",
	    "the certificate of mta-sts.DOMAIN, the policy host, failed "
	    "validation (expired, untrusted or wrong name)",
	    "point mta-sts.DOMAIN at the policy host (CNAME) so that it "
	    "serves a valid certificate for that name (stsctl check "
	    "DOMAIN)" },
	{ NULL, NULL, NULL },
};

static const char *const tlsrpt_policy_types[] = {
	"sts", "tlsa", "no-policy-found", NULL,
};

/* The schema of reports.db: see tlsrpt.h. */
static const struct db_migration tlsrpt_db_schema[] = {
	{ 1,
	"CREATE TABLE reports ("
	" id INTEGER PRIMARY KEY,"
	" organization TEXT NOT NULL,"
	" contact TEXT,"
	" report_id TEXT NOT NULL,"
	" start_time INTEGER NOT NULL,"
	" end_time INTEGER NOT NULL,"
	" received INTEGER NOT NULL,"
	" via TEXT NOT NULL CHECK (via IN ('mailto', 'https')),"
	" submitter TEXT,"
	" sha256 TEXT NOT NULL,"
	" spool_id TEXT,"
	" UNIQUE (organization, report_id, start_time, end_time));"
	"CREATE INDEX reports_start ON reports (start_time);"
	"CREATE TABLE policies ("
	" id INTEGER PRIMARY KEY,"
	" report INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" type TEXT NOT NULL,"
	" domain TEXT,"
	" hosted_domain TEXT,"
	" strings TEXT NOT NULL,"
	" mx_hosts TEXT NOT NULL,"
	" success_count INTEGER NOT NULL,"
	" failure_count INTEGER NOT NULL);"
	"CREATE INDEX policies_report ON policies (report);"
	"CREATE INDEX policies_hosted ON policies (hosted_domain);"
	"CREATE INDEX policies_domain ON policies (domain);"
	"CREATE TABLE failures ("
	" id INTEGER PRIMARY KEY,"
	" policy INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,"
	" result_type TEXT NOT NULL,"
	" sending_mta_ip TEXT,"
	" receiving_mx_hostname TEXT,"
	" receiving_mx_helo TEXT,"
	" receiving_ip TEXT,"
	" failed_session_count INTEGER NOT NULL,"
	" additional_information TEXT,"
	" failure_reason_code TEXT);"
	"CREATE INDEX failures_policy ON failures (policy);"
	"CREATE TABLE deviations ("
	" report INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" text TEXT NOT NULL);"
	"CREATE INDEX deviations_report ON deviations (report);" },
	/* Readers match domains without regard to case (stsctl report,
	 * the HTML pages): indexes they can use for that. */
	{ 2,
	"CREATE INDEX policies_hosted_nocase ON policies"
	" (hosted_domain COLLATE NOCASE);"
	"CREATE INDEX policies_domain_nocase ON policies"
	" (domain COLLATE NOCASE);" },
	/* Every reader and rptparse match domains without regard to case:
	 * the exact-case indexes only cost inserts. */
	{ 3,
	"DROP INDEX IF EXISTS policies_hosted;"
	"DROP INDEX IF EXISTS policies_domain;" },
	/* Trust and counting (RFC 8460 section 3: mailed reports need an
	 * aligned DKIM signature): each report's DKIM outcome; which
	 * policy of a report counts a domain's sessions; domain names in
	 * one form, lower case without a final dot.  Reports stored before
	 * this were never verified. */
	{ 4,
	"ALTER TABLE reports ADD COLUMN dkim_result TEXT NOT NULL"
	" DEFAULT 'none';"
	"ALTER TABLE reports ADD COLUMN dkim_domain TEXT;"
	"ALTER TABLE reports ADD COLUMN dkim_selector TEXT;"
	"ALTER TABLE reports ADD COLUMN dkim_reason TEXT;"
	"UPDATE reports SET dkim_reason = 'stored before DKIM verification'"
	" WHERE via = 'mailto';"
	"UPDATE policies SET domain = lower(rtrim(domain, '.')),"
	" hosted_domain = lower(rtrim(hosted_domain, '.'));"
	"ALTER TABLE policies ADD COLUMN counted INTEGER NOT NULL"
	" DEFAULT 1;"
	"UPDATE policies SET counted = (id = (SELECT p2.id FROM policies p2"
	" WHERE p2.report = policies.report AND p2.domain = policies.domain"
	" ORDER BY p2.type = 'sts' DESC,"
	" p2.success_count + p2.failure_count DESC, p2.idx LIMIT 1))"
	" WHERE domain IS NOT NULL;" },
	{ 0, NULL }
};

const struct db_migration *
tlsrpt_db_migrations(void)
{
	return tlsrpt_db_schema;
}

void
tlsrpt_limits_default(struct tlsrpt_limits *lim)
{
	lim->size = TLSRPT_SIZE_MAX;
	lim->depth = TLSRPT_DEPTH_MAX;
	lim->policies = TLSRPT_POLICIES_MAX;
	lim->details = TLSRPT_DETAILS_MAX;
}

int64_t
tlsrpt_count_add(int64_t a, int64_t b)
{
	int64_t sum;

	if (__builtin_add_overflow(a, b, &sum))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return sum;
}

const struct tlsrpt_result_info *
tlsrpt_result_infos(void)
{
	return tlsrpt_results;
}

const struct tlsrpt_result_info *
tlsrpt_result_info(const char *s)
{
	size_t i;

	for (i = 0; tlsrpt_results[i].type != NULL; i++)
		if (strcmp(s, tlsrpt_results[i].type) == 0)
			return &tlsrpt_results[i];
	return NULL;
}

int
tlsrpt_result_type_known(const char *s)
{
	return tlsrpt_result_info(s) != NULL;
}

/*
 * Nesting of arrays and objects, on the raw bytes: jansson would
 * recurse once per level before it could be stopped.  Returns -1 when
 * some point of the text is deeper than limit.
 */
int
tlsrpt_depth_check(const char *data, size_t len, int limit)
{
	const char *p, *q, *b, *end = data + len;
	int depth = 0;

	for (p = data; p < end; p++) {
		switch (*p) {
		case '"':
			/*
			 * On to the quote that ends the string: the first
			 * one after an even run of backslashes (each pair is
			 * an escaped backslash).  memchr() runs over the text
			 * of the strings, which is most of a report.
			 */
			for (;;) {
				if ((q = memchr(p + 1, '"', (size_t)(end - p -
				    1))) == NULL)
					return 0;	/* jansson refuses it */
				for (b = q; b - 1 > p && b[-1] == '\\'; b--)
					;
				p = q;
				if ((q - b) % 2 == 0)
					break;
			}
			break;
		case '[':
		case '{':
			if (++depth > limit)
				return -1;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return 0;
}

/*
 * Date-times.
 */
static int
tlsrpt_digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
tlsrpt_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
tlsrpt_days(int y, int m, int d)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
	    273, 304, 334 };
	long long days = 0;
	int yy;

	for (yy = TLSRPT_YEAR_MIN; yy < y; yy++)
		days += tlsrpt_leap(yy) ? 366 : 365;
	days += before[m - 1] + (m > 2 && tlsrpt_leap(y)) + d - 1;
	return days;
}

static int
tlsrpt_mdays(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return mdays[m - 1] + (m == 2 && tlsrpt_leap(y));
}

/*
 * RFC 3339 date-time.  Accepted with a deviation: no timezone (read as
 * UTC), a date alone (midnight UTC), a space for the "T", an offset
 * without its colon.
 */
int
tlsrpt_time_parse(const char *s, time_t *out, const char **deviation)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	size_t len = strlen(s);
	const char *p;

	*deviation = NULL;
	if (len < 10 || tlsrpt_digits(s, 4, &y) < 0 || s[4] != '-' ||
	    tlsrpt_digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
	    tlsrpt_digits(s + 8, 2, &d) < 0)
		return -1;
	if (y < TLSRPT_YEAR_MIN || y > TLSRPT_YEAR_MAX || mo < 1 || mo > 12 ||
	    d < 1 || d > tlsrpt_mdays(y, mo))
		return -1;
	p = s + 10;
	if (*p == '\0') {
		*deviation = "date without time, read as midnight UTC";
		goto done;
	}
	if (*p == ' ')
		*deviation = "date and time separated by a space";
	else if (*p != 'T' && *p != 't')
		return -1;
	p++;
	if (strlen(p) < 8 || tlsrpt_digits(p, 2, &h) < 0 || p[2] != ':' ||
	    tlsrpt_digits(p + 3, 2, &mi) < 0 || p[5] != ':' ||
	    tlsrpt_digits(p + 6, 2, &sec) < 0)
		return -1;
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (sec == 60)		/* a leap second: the same instant as :59 */
		sec = 59;
	p += 8;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == '\0') {
		*deviation = "without timezone, read as UTC";
	} else if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		/* UTC */
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (tlsrpt_digits(p, 2, &oh) < 0)
			return -1;
		p += 2;
		if (*p == ':')
			p++;
		else
			*deviation = "timezone offset without a colon";
		if (tlsrpt_digits(p, 2, &om) < 0 || p[2] != '\0' || oh > 23 ||
		    om > 59)
			return -1;
	} else {
		return -1;
	}
done:
	*out = (time_t)(tlsrpt_days(y, mo, d) * 86400LL + h * 3600 + mi * 60 +
	    sec - sign * (oh * 3600 + om * 60));
	return 0;
}

char *
tlsrpt_time_format(time_t t, char buf[TLSRPT_TIME_SIZE])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, TLSRPT_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, TLSRPT_TIME_SIZE, "invalid");
	return buf;
}

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
	r->deviations = xcalloc(c->ndevs, sizeof(*r->deviations));
	for (i = 0; i < c->ndevs; i++) {
		d = &c->devs[i];
		if (!d->per_policy) {
			r->deviations[i] = d->text;
			d->text = NULL;
			continue;
		}
		buf_reset(&b);
		buf_puts(&b, "policies[");
		tlsrpt_dev_runs(&b, d);
		buf_printf(&b, "]%s", d->text);
		r->deviations[i] = xstrdup(b.s);
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
	*out = xstrndup(s, len);
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

/*
 * Values with a type of their own.
 */
static int
tlsrpt_ldh(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/*
 * A domain name as reports carry them (policy-domain, MX host names):
 * the names the sender looked up in DNS, so A-labels, of letters,
 * digits, "-" and "_", 1 to TLSRPT_LABEL_MAX bytes each, at most
 * TLSRPT_DOMAIN_MAX bytes without a final dot; with wildcard, "*." may
 * lead (an mx pattern, RFC 8461 section 3.2).  1 when s is one.
 */
static int
tlsrpt_domain_ok(const char *s, int wildcard)
{
	size_t len = strlen(s), label = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (wildcard && len > 2 && s[0] == '*' && s[1] == '.')
		s += 2, len -= 2;
	if (len == 0 || len > TLSRPT_DOMAIN_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (!tlsrpt_ldh((unsigned char)s[i]) ||
		    ++label > TLSRPT_LABEL_MAX) {
			return 0;
		}
	}
	return label > 0;
}

/* A domain name in one form: lower case, without the final dot. */
static void
tlsrpt_domain_norm(char *s)
{
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		s[len - 1] = '\0';
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* An IPv4 address (dotted quad) or an IPv6 address (RFC 4291 2.2). */
static int
tlsrpt_ip_ok(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/*
 * What an MX host says in its greeting or EHLO reply: a host name or an
 * address literal, "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321
 * section 4.1.3).
 */
static int
tlsrpt_helo_ok(const char *s)
{
	char lit[INET6_ADDRSTRLEN + sizeof("IPv6:")];
	unsigned char a[16];
	size_t len = strlen(s);

	if (len < 3 || s[0] != '[' || s[len - 1] != ']')
		return tlsrpt_domain_ok(s, 0);
	if (len - 2 >= sizeof(lit))
		return 0;
	memcpy(lit, s + 1, len - 2);
	lit[len - 2] = '\0';
	if (strncasecmp(lit, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, lit + 5, a) == 1;
	return inet_pton(AF_INET, lit, a) == 1;
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
		*out = xcalloc(2, sizeof(**out));
		if (tlsrpt_text(c, v, path, ".", key, &(*out)[0]) < 0)
			return -1;
		*n = 1;
		return 0;
	}
	if (!json_is_array(v))
		return tlsrpt_error(c, "%s.%s: expected a list of strings, got %s",
		    path, key, tlsrpt_type_name(v));
	*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
	for (i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);

		tlsrpt_path(sub, sizeof(sub), key, "", (long long)i);
		if (!json_is_string(e))
			return tlsrpt_error(c, "%s.%s: expected a string,"
			    " got %s", path, sub, tlsrpt_type_name(e));
		if (tlsrpt_text(c, e, path, ".", sub, &(*out)[i]) < 0)
			return -1;
		*n = i + 1;
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
	    tlsrpt_time_parse(json_string_value(v), out, &dev) < 0)
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
	char shown[TLSRPT_SHOW_SIZE];
	size_t i;

	if (tlsrpt_result_type_known(d->result_type))
		return;
	for (i = 0; tlsrpt_results[i].type != NULL; i++) {
		if (strcasecmp(d->result_type, tlsrpt_results[i].type) != 0)
			continue;
		tlsrpt_pdeviationf(c, "", ".failure-details: result-type"
		    " \"%s\" in another case", d->result_type);
		free(d->result_type);
		d->result_type = xstrdup(tlsrpt_results[i].type);
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
	free(*field);
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
			free(p->type);
			p->type = xstrdup(tlsrpt_policy_types[i]);
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
	size_t n, i;

	if (json_is_array(v)) {
		if (json_array_size(v) > 1)
			return tlsrpt_error(c, "%s.policy-domain: a list of %zu"
			    " domains", path, json_array_size(v));
		if (tlsrpt_strings(c, v, path, "policy-domain", &list, &n) < 0) {
			for (i = 0; list != NULL && list[i] != NULL; i++)
				free(list[i]);
			free(list);
			return -1;
		}
		tlsrpt_pdeviation(c, ".policy", ".policy-domain is a list");
		p->domain = n ? list[0] : NULL;
		free(list);
	} else if (tlsrpt_string(c, pol, path, "policy-domain", 0,
	    &p->domain) < 0) {
		return -1;
	}
	if (p->domain != NULL && *p->domain == '\0') {
		free(p->domain);
		p->domain = NULL;
	}
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
		free(p->domain);
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
		free(p->mx_hosts[i]);
	}
	p->nmx_hosts = n;
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

	v = json_object_get(pol, "policy-string");
	if (tlsrpt_strings(c, v, path, "policy-string", &p->strings,
	    &p->nstrings) < 0)
		return -1;
	if (json_is_string(v))
		tlsrpt_pdeviation(c, ".policy",
		    ".policy-string is a string, not a list");
	else if (json_is_array(v) && json_array_size(v) == 0 &&
	    strcmp(p->type, "no-policy-found") != 0)
		tlsrpt_pdeviation(c, ".policy",
		    ".policy-string is an empty list");
	else if ((v == NULL || json_is_null(v)) &&
	    strcmp(p->type, "no-policy-found") != 0)
		tlsrpt_pdeviation(c, ".policy", ".policy-string missing");

	v = json_object_get(pol, "mx-host");
	if (tlsrpt_strings(c, v, path, "mx-host", &p->mx_hosts,
	    &p->nmx_hosts) < 0)
		return -1;
	if (json_is_string(v))
		tlsrpt_pdeviation(c, ".policy",
		    ".mx-host is a string, not a list");
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
	p->details = xcalloc(n ? n : 1, sizeof(*p->details));
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
	r->policies = xcalloc(n ? n : 1, sizeof(*r->policies));
	for (i = 0; i < n; i++) {
		r->npolicies = i + 1;
		if (tlsrpt_policy(c, json_array_get(pols, i), i,
		    &r->policies[i]) < 0)
			return -1;
	}
	return 0;
}

/*
 * jansson's memory for one report: an arena that json_loadb() takes
 * its nodes from and that is released whole once the tree has been
 * walked, instead of a malloc() and a free() for each node.  jansson's
 * allocator is global, so the arena is set for the parse and the walk
 * only, and the tree never outlives them; the daemons that parse
 * reports are single-threaded.  One chunk of TLSRPT_ARENA_CHUNK bytes
 * is kept between reports; larger reports take more and give them
 * back.
 */
struct tlsrpt_chunk {
	struct tlsrpt_chunk *next;	/* the chunk filled before this one */
	size_t	 size;
	size_t	 used;
	max_align_t data[];
};

static struct tlsrpt_chunk *tlsrpt_arena;
static json_malloc_t tlsrpt_saved_malloc;
static json_free_t tlsrpt_saved_free;

#define TLSRPT_ALIGN	(sizeof(max_align_t))

static void *
tlsrpt_arena_malloc(size_t n)
{
	struct tlsrpt_chunk *ch = tlsrpt_arena;
	size_t size;
	void *p;

	n = (n + TLSRPT_ALIGN - 1) & ~(TLSRPT_ALIGN - 1);
	if (ch == NULL || ch->size - ch->used < n) {
		size = n > TLSRPT_ARENA_CHUNK ? n : TLSRPT_ARENA_CHUNK;
		if (size > SIZE_MAX - sizeof(*ch) ||
		    (ch = malloc(sizeof(*ch) + size)) == NULL)
			return NULL;	/* jansson reports it */
		ch->next = tlsrpt_arena;
		ch->size = size;
		ch->used = 0;
		tlsrpt_arena = ch;
	}
	p = (char *)ch->data + ch->used;
	ch->used += n;
	return p;
}

static void
tlsrpt_arena_free(void *p)
{
	(void)p;		/* released with the whole arena */
}

json_t *
tlsrpt_json_load(const char *data, size_t len, json_error_t *jerr)
{
	json_t *top;

	json_get_alloc_funcs(&tlsrpt_saved_malloc, &tlsrpt_saved_free);
	json_set_alloc_funcs(tlsrpt_arena_malloc, tlsrpt_arena_free);
	if ((top = json_loadb(data, len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, jerr)) == NULL)
		tlsrpt_json_free(NULL);
	return top;
}

void
tlsrpt_json_free(json_t *top)
{
	struct tlsrpt_chunk *ch, *next;

	(void)top;		/* its nodes are all in the arena */
	for (ch = tlsrpt_arena; ch != NULL && ch->next != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	/* What is left is the first chunk: kept when of the usual size. */
	if (ch != NULL && ch->size > TLSRPT_ARENA_CHUNK) {
		free(ch);
		ch = NULL;
	}
	if ((tlsrpt_arena = ch) != NULL)
		ch->used = 0;
	if (tlsrpt_saved_malloc != NULL)
		json_set_alloc_funcs(tlsrpt_saved_malloc, tlsrpt_saved_free);
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

static void
tlsrpt_free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
tlsrpt_free_policy(struct tlsrpt_policy *p)
{
	struct tlsrpt_detail *d;
	size_t i;

	free(p->type);
	free(p->domain);
	tlsrpt_free_strings(p->strings, p->nstrings);
	tlsrpt_free_strings(p->mx_hosts, p->nmx_hosts);
	for (i = 0; i < p->ndetails; i++) {
		d = &p->details[i];
		free(d->result_type);
		free(d->sending_mta_ip);
		free(d->receiving_mx_hostname);
		free(d->receiving_mx_helo);
		free(d->receiving_ip);
		free(d->additional_information);
		free(d->failure_reason_code);
	}
	free(p->details);
}

void
tlsrpt_free(struct tlsrpt_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->organization);
	free(r->contact);
	free(r->report_id);
	for (i = 0; i < r->npolicies; i++)
		tlsrpt_free_policy(&r->policies[i]);
	free(r->policies);
	tlsrpt_free_strings(r->deviations, r->ndeviations);
	free(r);
}
