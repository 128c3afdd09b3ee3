/*
 * metrics_table - the catalog of metrics and the tables of series that
 * every daemon and the metrics worker keep; see metrics.h.
 * SPDX-License-Identifier: ISC
 *
 * A table is an open-addressing hash table (linear probing, power-of-two
 * size, grown at 70% load) of series keyed by metric name and label
 * text, so that a count per domain stays one hash lookup with 100,000
 * domains (metrics_series.h).  Removal from a table shifts the series
 * that follow back into the emptied slot (no tombstones), so that
 * lookups stay short.  The metrics worker reads the files of the
 * daemons into tables, sums them, and exposes them.
 *
 * MAY TOUCH
 *	the files given to metrics_table_load() (read) and
 *	metrics_table_write() (a temporary file, then rename).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "metrics.h"
#include "metrics_series.h"
#include "mymalloc.h"

#define METRICS_MIN_SLOTS	64
#define METRICS_FILE_MAX	(256 * 1024 * 1024)	/* bytes of one file */

const struct metrics_def metrics_catalog[] = {
	{ METRIC_POLICY_FETCHES, METRICS_COUNTER,
	    "Requests for /.well-known/mta-sts.txt answered by httpd, by "
	    "policy domain (empty unless the status is 200) and HTTP status." },
	{ METRIC_TLS_HANDSHAKES, METRICS_COUNTER,
	    "TLS handshakes completed by httpd or rptrecv, by daemon." },
	{ METRIC_TLS_FAILURES, METRICS_COUNTER,
	    "TLS handshakes of httpd or rptrecv that failed, by daemon." },
	{ METRIC_SMTP_SESSIONS, METRICS_COUNTER,
	    "SMTP connections accepted by rptrecv." },
	{ METRIC_SMTP_MESSAGES, METRICS_COUNTER,
	    "Messages (mailed reports) accepted by rptrecv and spooled." },
	{ METRIC_SMTP_REJECTIONS, METRICS_COUNTER,
	    "Recipients (stage rcpt) and messages (stage data) refused by "
	    "rptrecv." },
	{ METRIC_REPORTS_STORED, METRICS_COUNTER,
	    "TLS reports stored in reports.db by rptparse." },
	{ METRIC_REPORTS_CORRUPT, METRICS_COUNTER,
	    "Spooled messages that rptparse could not store and moved to "
	    "corrupt/." },
	{ METRIC_SILENT, METRICS_GAUGE,
	    "Regular reporters of the hosted domains that have sent no "
	    "report for alert_silent_time, in all, at rptparse's last hourly "
	    "run." },
	{ METRIC_DNS_CHECKS, METRICS_GAUGE,
	    "Check results of dnsmon's last complete round (one per domain, "
	    "or per domain and MX host for tlsa and probe), by check and "
	    "status." },
	{ METRIC_DNS_PROBLEM, METRICS_GAUGE,
	    "1 for each check of a domain whose last result is fail or "
	    "dns-error; the series is removed when the check is ok again." },
	{ METRIC_DNS_ROUNDS, METRICS_COUNTER,
	    "Complete check rounds of dnsmon over every domain." },
	{ METRIC_DNS_DOMAINS, METRICS_COUNTER,
	    "Domains whose DNS checks dnsmon completed (one per domain and "
	    "round)." },
	{ METRIC_HTTPS_REPORTS, METRICS_COUNTER,
	    "TLS reports POSTed over HTTPS that httpd accepted and spooled." },
	{ METRIC_HTTPS_REFUSALS, METRICS_COUNTER,
	    "TLS report POSTs that httpd refused, by HTTP status." },
	{ METRIC_ACME_ORDERS, METRICS_COUNTER,
	    "Certificate orders of acmed, by result (issued, failed)." },
	{ METRIC_ALERTS_SENT, METRICS_COUNTER,
	    "Alerts of dnsmon and rptparse handed to delivery." },
	{ METRIC_ALERTS_DROPPED, METRICS_COUNTER,
	    "Alerts not sent, by the limit they were over (hourly-limit, "
	    "domain-daily-limit)." },
	{ METRIC_HTTPD_POLICYD, METRICS_GAUGE,
	    "1 while an httpd process follows policyd's updates, 0 while it"
	    " serves the policies it last knew, by process id." },
	{ METRIC_HTTPD_AGE, METRICS_GAUGE,
	    "Seconds since an httpd process last followed policyd's updates"
	    " (0 while it does), by process id." },
	{ METRIC_DROPPED, METRICS_COUNTER,
	    "New series not kept because a table held its limit of series." },
	{ METRIC_SPOOL_DEPTH, METRICS_GAUGE,
	    "Messages in each spool directory." },
	{ METRIC_CERT_EXPIRY, METRICS_GAUGE,
	    "Expiry time (notAfter, Unix seconds) of the certificate of each "
	    "policy host." },
	{ METRIC_CERT_PROBLEM, METRICS_GAUGE,
	    "1 for each certificate that has expired (status expired) or "
	    "expires within cert_warning_time (status warning); absent while "
	    "it is fine." },
	{ METRIC_FAILED_SESSIONS, METRICS_COUNTER,
	    "Failed sessions in the stored reports that count, by hosted "
	    "domain (else policy domain) and result type (not-detailed: "
	    "in no failure detail)." },
	{ METRIC_SESSIONS, METRICS_COUNTER,
	    "Sessions in the stored reports that count, by hosted domain "
	    "(else policy domain) and result (successful, failed)." },
	{ METRIC_PROCESSES, METRICS_GAUGE,
	    "Daemon processes whose metrics file was read at this scrape." },
	{ METRIC_FETCH_DROPPED, METRICS_COUNTER,
	    "Records of policy fetches and failed TLS handshakes not stored "
	    "in fetches.db, by daemon: httpd (its batch was full, or "
	    "rptparse did not take it) or rptparse (the store failed)." },
	{ NULL, 0, NULL },
};

/*
 * The series whose labels are known in advance: present, at 0, from the
 * start (metrics_table_zeros).  Each entry is a metric, a label name
 * with its values (NULL: no label) and optionally a second label with
 * its values (every pair is a series).
 */
#define METRICS_FIXED_VALUES	12

static const struct metrics_fixed {
	const char *name;
	const char *label;
	const char *const values[METRICS_FIXED_VALUES];
	const char *label2;
	const char *const values2[METRICS_FIXED_VALUES];
} metrics_fixed[] = {
	{ METRIC_DNS_CHECKS, "check", { "verification", "mx", "mx-policy",
	    "mta-sts-host", "sts-txt", "tlsrpt-txt", "tlsa", "probe", NULL },
	    "status", { "ok", "fail", "dns-error", "info", NULL } },
	{ METRIC_TLS_HANDSHAKES, "daemon", { "httpd", "rptrecv", NULL },
	    NULL, { NULL } },
	{ METRIC_TLS_FAILURES, "daemon", { "httpd", "rptrecv", NULL },
	    NULL, { NULL } },
	{ METRIC_SMTP_SESSIONS, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_SMTP_MESSAGES, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_SMTP_REJECTIONS, "stage", { "rcpt", "data", NULL },
	    NULL, { NULL } },
	{ METRIC_REPORTS_STORED, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_REPORTS_CORRUPT, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_SILENT, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_DNS_ROUNDS, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_DNS_DOMAINS, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_HTTPS_REPORTS, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_HTTPS_REFUSALS, "status", { "400", "404", "405", "408",
	    "411", "413", "415", "429", "500", "501", NULL }, NULL, { NULL } },
	{ METRIC_ACME_ORDERS, "result", { "issued", "failed", NULL },
	    NULL, { NULL } },
	{ METRIC_ALERTS_SENT, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_ALERTS_DROPPED, "reason", { "hourly-limit",
	    "domain-daily-limit", NULL }, NULL, { NULL } },
	{ METRIC_DROPPED, NULL, { NULL }, NULL, { NULL } },
	{ METRIC_FETCH_DROPPED, "daemon", { "httpd", "rptparse", NULL },
	    NULL, { NULL } },
	{ NULL, NULL, { NULL }, NULL, { NULL } },
};


size_t
metrics_catalog_size(void)
{
	/* Not counting the entry that ends the table. */
	return sizeof(metrics_catalog) / sizeof(metrics_catalog[0]) - 1;
}

/*
 * Callers pass the METRIC_* literals, so most look-ups repeat the same
 * few pointers: a small cache by address answers them with one strcmp()
 * instead of a walk over the catalog (a per-request cost in httpd).  The
 * strcmp() keeps it right for a caller's buffer that holds another name
 * at the same address; any other name is found by the walk as before.
 */
#define METRICS_FIND_CACHE	16		/* a power of two */

const struct metrics_def *
metrics_find(const char *name)
{
	static struct {
		const char *name;
		const struct metrics_def *def;
	} cache[METRICS_FIND_CACHE];
	size_t slot = ((uintptr_t)name >> 3) & (METRICS_FIND_CACHE - 1);
	const struct metrics_def *d;

	if (cache[slot].name == name && strcmp(cache[slot].def->name, name) == 0)
		return cache[slot].def;
	for (d = metrics_catalog; d->name; d++)
		if (strcmp(d->name, name) == 0) {
			cache[slot].name = name;
			cache[slot].def = d;
			return d;
		}
	return NULL;
}

uint64_t
metrics_hash(const char *name, const char *labels)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = (const unsigned char *)labels; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/*
 * Label text.
 */

static void
metrics_escape(struct buf *b, const char *s)
{
	size_t n;

	for (;;) {
		n = strcspn(s, "\\\"\n");	/* a run that needs nothing */
		buf_append(b, s, n);
		s += n;
		if (*s == '\0')
			break;
		buf_puts(b, *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : "\\n");
		s++;
	}
}

/* Appends "k=\"v\",..." from NULL-ended pairs; -1 when too long. */
int
metrics_vlabels(struct buf *b, va_list ap)
{
	const char *k, *v;

	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (b->len > 0 && b->s[b->len - 1] != ',')
			buf_putc(b, ',');
		buf_puts(b, k);
		buf_puts(b, "=\"");
		metrics_escape(b, v ? v : "");
		buf_putc(b, '"');
	}
	return b->len > METRICS_LABELS_MAX ? -1 : 0;
}

int
metrics_labels(struct buf *b, ...)
{
	va_list ap;
	int rc;

	va_start(ap, b);
	rc = metrics_vlabels(b, ap);
	va_end(ap);
	return rc;
}

/*
 * Tables.
 */

struct metrics_table *
metrics_table_new(void)
{
	struct metrics_table *t = xcalloc(1, sizeof(*t));

	t->cap = METRICS_MIN_SLOTS;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
	return t;
}

void
metrics_table_free(struct metrics_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->slots[i].labels);
	free(t->slots);
	free(t);
}

size_t
metrics_table_count(const struct metrics_table *t)
{
	return t->count;
}

struct metrics_series *
metrics_slot(const struct metrics_table *t, const struct metrics_def *def,
    const char *labels, uint64_t hash)
{
	size_t i = (size_t)hash & (t->cap - 1);
	struct metrics_series *s;

	for (;;) {
		s = &t->slots[i];
		if (s->def == NULL || (s->hash == hash && s->def == def &&
		    strcmp(s->labels, labels) == 0))
			return s;
		i = (i + 1) & (t->cap - 1);
	}
}

static void
metrics_grow(struct metrics_table *t)
{
	struct metrics_series *old = t->slots, *s;
	size_t oldcap = t->cap, i;

	t->cap *= 2;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
	for (i = 0; i < oldcap; i++) {
		if (old[i].def == NULL)
			continue;
		s = metrics_slot(t, old[i].def, old[i].labels, old[i].hash);
		*s = old[i];
	}
	free(old);
}

/*
 * The series of def and labels, made (value 0) when it is new: NULL when
 * the table is full (the dropped counter is the caller's business).
 */
struct metrics_series *
metrics_table_ref(struct metrics_table *t, const struct metrics_def *def,
    const char *labels)
{
	uint64_t hash = metrics_hash(def->name, labels);
	struct metrics_series *s = metrics_slot(t, def, labels, hash);

	if (s->def != NULL)
		return s;
	if (t->count >= METRICS_SERIES_MAX &&
	    strcmp(def->name, METRIC_DROPPED) != 0)
		return NULL;
	if ((t->count + 1) * 10 > t->cap * 7) {
		metrics_grow(t);
		s = metrics_slot(t, def, labels, hash);
	}
	s->def = def;
	s->labels = xstrdup(labels);
	s->hash = hash;
	s->value = 0;
	s->off = METRICS_OFF_NONE;
	s->epoch = 0;
	t->count++;
	return s;
}

/* Sets or adds (saturating); 1 when the value changed. */
int
metrics_series_update(struct metrics_series *s, long long value, int add)
{
	long long old = s->value;

	if (!add)
		s->value = value;
	else if (__builtin_add_overflow(s->value, value, &s->value))
		s->value = value > 0 ? LLONG_MAX : LLONG_MIN;	/* saturate */
	return s->value != old;
}

/* 0: done; -1: unknown name or the table is full (counted as dropped). */
int
metrics_table_put(struct metrics_table *t, const char *name,
    const char *labels, long long value, int add)
{
	const struct metrics_def *def = metrics_find(name);
	struct metrics_series *s;

	if (def == NULL)
		return -1;
	if ((s = metrics_table_ref(t, def, labels)) == NULL) {
		metrics_table_put(t, METRIC_DROPPED, "", 1, 1);
		return -1;
	}
	metrics_series_update(s, value, add);
	return 0;
}

/*
 * Empties slot s: the series after it in its run move back when their
 * home slot allows, so that no lookup stops short at the hole.
 */
void
metrics_slot_clear(struct metrics_table *t, struct metrics_series *s)
{
	size_t mask = t->cap - 1, i = (size_t)(s - t->slots), j = i, home;

	free(s->labels);
	for (;;) {
		j = (j + 1) & mask;
		if (t->slots[j].def == NULL)
			break;
		home = (size_t)t->slots[j].hash & mask;
		/* Stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->count--;
}

/* 1: removed; 0: there was no such series. */
int
metrics_table_del(struct metrics_table *t, const char *name,
    const char *labels)
{
	const struct metrics_def *def = metrics_find(name);
	struct metrics_series *s;

	if (def == NULL)
		return 0;
	s = metrics_slot(t, def, labels, metrics_hash(def->name, labels));
	if (s->def == NULL)
		return 0;
	metrics_slot_clear(t, s);
	return 1;
}

long long
metrics_table_get(const struct metrics_table *t, const char *name,
    const char *labels)
{
	const struct metrics_def *def = metrics_find(name);
	const struct metrics_series *s;

	if (def == NULL)
		return 0;
	s = metrics_slot(t, def, labels, metrics_hash(def->name, labels));
	return s->def ? s->value : 0;
}

void
metrics_table_merge(struct metrics_table *to, const struct metrics_table *from,
    int counters_only)
{
	size_t i;
	const struct metrics_series *s;

	for (i = 0; i < from->cap; i++) {
		s = &from->slots[i];
		if (s->def == NULL ||
		    (counters_only && s->def->type != METRICS_COUNTER))
			continue;
		metrics_table_put(to, s->def->name, s->labels, s->value, 1);
	}
}

/*
 * Label text as metrics_labels() makes it: name="value" pairs separated
 * by commas, names of [a-zA-Z_][a-zA-Z0-9_]*, values with \\, \" and \n
 * escapes only.  A file is only read back, never trusted to be valid
 * exposition.
 */
static int
metrics_labels_valid(const char *p)
{
	while (*p != '\0') {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    *p == '_'))
			return 0;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		if (*p++ != '=' || *p++ != '"')
			return 0;
		for (; *p != '"'; p++) {
			if (*p == '\0' || *p == '\n')
				return 0;
			if (*p == '\\' && (p[1] == '\\' || p[1] == '"' ||
			    p[1] == 'n'))
				p++;
			else if (*p == '\\')
				return 0;
		}
		p++;
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p != '\0')
			return 0;
	}
	return 1;
}

/* One line "name{labels} value" (labels optional); -1 when malformed. */
static int
metrics_parse_line(struct metrics_table *t, const char *line, size_t len,
    int counters_only)
{
	char name[METRICS_LINE_MAX], labels[METRICS_LINE_MAX];
	const char *sp, *brace;
	const struct metrics_def *def;
	char num[32], *end;
	size_t nlen, llen = 0;
	long long value;

	if (len > 0 && line[0] == '#')
		return 0;		/* HELP, TYPE */
	if (len == 0 || len >= METRICS_LINE_MAX)
		return -1;
	for (sp = line + len - 1; sp > line && *sp != ' '; sp--)
		;
	if (sp == line || (size_t)(line + len - sp - 1) >= sizeof(num) ||
	    line + len - sp - 1 == 0)
		return -1;
	memcpy(num, sp + 1, (size_t)(line + len - sp - 1));
	num[line + len - sp - 1] = '\0';
	errno = 0;
	value = strtoll(num, &end, 10);
	if (*end != '\0' || errno != 0)
		return -1;
	brace = memchr(line, '{', (size_t)(sp - line));
	nlen = (size_t)((brace ? brace : sp) - line);
	if (brace) {
		if (sp[-1] != '}' || sp - 1 < brace + 1)
			return -1;
		llen = (size_t)(sp - 1 - (brace + 1));
		memcpy(labels, brace + 1, llen);
	}
	labels[llen] = '\0';
	memcpy(name, line, nlen);
	name[nlen] = '\0';
	if (memchr(labels, '\0', llen) != NULL || memchr(name, '\0', nlen) != NULL)
		return -1;
	if ((def = metrics_find(name)) == NULL || !metrics_labels_valid(labels))
		return -1;
	if (counters_only && def->type != METRICS_COUNTER)
		return 0;
	return metrics_table_put(t, name, labels, value, 1);
}

/* Adds the series of a file's text; returns the number of lines skipped. */
int
metrics_table_parse(struct metrics_table *t, const char *data, size_t len,
    int counters_only)
{
	const char *p = data, *nl;
	int skipped = 0;

	while (p < data + len) {
		nl = memchr(p, '\n', (size_t)(data + len - p));
		if (nl == NULL)
			nl = data + len;
		if (metrics_parse_line(t, p, (size_t)(nl - p), counters_only) < 0)
			skipped++;
		p = nl + 1;
	}
	return skipped;
}

int
metrics_table_load(struct metrics_table *t, const char *path,
    int counters_only, struct buf *err)
{
	struct buf data = BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (data.len + (size_t)n > METRICS_FILE_MAX) {
			buf_printf(err, "%s: longer than %d bytes", path,
			    METRICS_FILE_MAX);
			n = -1;
			errno = EFBIG;
			break;
		}
		buf_append(&data, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		if (err->len == 0)
			buf_printf(err, "%s: read: %s", path, strerror(errno));
		buf_free(&data);
		return -1;
	}
	metrics_table_parse(t, data.s ? data.s : "", data.len, counters_only);
	buf_free(&data);
	return 0;
}

static void
metrics_series_line(struct buf *b, const struct metrics_series *s)
{
	if (s->labels[0] != '\0')
		buf_printf(b, "%s{%s} %lld\n", s->def->name, s->labels,
		    s->value);
	else
		buf_printf(b, "%s %lld\n", s->def->name, s->value);
}

/* The text of a file, under a temporary name, then renamed: 0 or -1. */
int
metrics_write_file(const char *path, const char *text, size_t len,
    struct buf *err)
{
	return fileio_write_atomic(path, text, len, 0600, 0, err);
}

int
metrics_table_write(const struct metrics_table *t, const char *path,
    struct buf *err)
{
	struct buf text = BUF_INIT;
	int rc;

	metrics_table_expose(t, &text);
	rc = metrics_write_file(path, text.s ? text.s : "", text.len, err);
	buf_free(&text);
	return rc;
}

static int
metrics_cmp(const void *a, const void *b)
{
	const struct metrics_series *x = *(const struct metrics_series *const *)a;
	const struct metrics_series *y = *(const struct metrics_series *const *)b;
	int c = strcmp(x->def->name, y->def->name);

	return c ? c : strcmp(x->labels, y->labels);
}

void
metrics_def_head(struct buf *out, const struct metrics_def *def)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", def->name, def->help,
	    def->name, def->type == METRICS_COUNTER ? "counter" : "gauge");
}

void
metrics_table_expose(const struct metrics_table *t, struct buf *out)
{
	const struct metrics_series **v;
	const struct metrics_def *last = NULL;
	size_t i, n = 0;

	v = xcalloc(t->count ? t->count : 1, sizeof(*v));
	for (i = 0; i < t->cap; i++)
		if (t->slots[i].def != NULL)
			v[n++] = &t->slots[i];
	qsort(v, n, sizeof(*v), metrics_cmp);
	for (i = 0; i < n; i++) {
		if (v[i]->def != last) {
			last = v[i]->def;
			metrics_def_head(out, last);
		}
		metrics_series_line(out, v[i]);
	}
	free(v);
}

void
metrics_table_zeros(struct metrics_table *t)
{
	const struct metrics_fixed *f;
	struct buf labels = BUF_INIT;
	size_t i, j;

	for (f = metrics_fixed; f->name != NULL; f++) {
		if (f->label == NULL) {
			metrics_table_put(t, f->name, "", 0, 1);
			continue;
		}
		for (i = 0; f->values[i] != NULL; i++) {
			for (j = 0; j == 0 || (f->label2 != NULL &&
			    f->values2[j] != NULL); j++) {
				buf_reset(&labels);
				metrics_labels(&labels, f->label, f->values[i],
				    f->label2, f->label2 ? f->values2[j] : NULL,
				    NULL);
				metrics_table_put(t, f->name, labels.s, 0, 1);
			}
		}
	}
	buf_free(&labels);
}

/*
 * Where the label named label starts in the label text p ("name=" at
 * the start or after a comma), and its end (after the closing quote and
 * a comma that follows it); NULL when there is none.  The text is
 * valid (metrics_labels_valid): values hold no unescaped quote.
 */
static const char *
metrics_label_span(const char *p, const char *label, const char **end)
{
	size_t n = strlen(label);
	const char *q;

	while (*p != '\0') {
		q = strchr(p, '=');
		if (q == NULL)
			return NULL;
		for (*end = q + 2; **end != '"' && **end != '\0'; (*end)++)
			if (**end == '\\' && (*end)[1] != '\0')
				(*end)++;
		if (**end == '"')
			(*end)++;
		if (**end == ',')
			(*end)++;
		if ((size_t)(q - p) == n && strncmp(p, label, n) == 0)
			return p;
		p = *end;
	}
	return NULL;
}

static int
metrics_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
metrics_table_domains(const struct metrics_table *t, const char *name,
    size_t max)
{
	const struct metrics_def *def = metrics_find(name);
	const char *start, *end;
	char **v;
	size_t i, n = 0, distinct = 0;

	v = xcalloc(t->count ? t->count : 1, sizeof(*v));
	for (i = 0; i < t->cap; i++) {
		if (t->slots[i].def != def || (start = metrics_label_span(
		    t->slots[i].labels, "domain", &end)) == NULL)
			continue;
		v[n++] = xstrndup(start, (size_t)(end - start));
	}
	qsort(v, n, sizeof(*v), metrics_strcmp);
	for (i = 0; i < n && distinct <= max; i++)
		if (i == 0 || strcmp(v[i - 1], v[i]) != 0)
			distinct++;
	xfreev(v, n);
	return distinct;
}

void
metrics_table_fold(struct metrics_table *t, const char *name,
    const char *label)
{
	const struct metrics_def *def = metrics_find(name);
	struct metrics_table *sum = metrics_table_new();
	struct buf rest = BUF_INIT;
	const char *start, *end;
	size_t i = 0, j;

	/* A clear may move a later series into slot i: look at it again. */
	while (i < t->cap) {
		struct metrics_series *s = &t->slots[i];

		if (s->def != def || (start = metrics_label_span(s->labels,
		    label, &end)) == NULL) {
			i++;
			continue;
		}
		buf_reset(&rest);
		buf_puts(&rest, s->labels);
		/* Every occurrence: a file may name a label twice. */
		while ((start = metrics_label_span(rest.s, label, &end)) !=
		    NULL) {
			memmove((char *)start, end, strlen(end) + 1);
			rest.len = strlen(rest.s);
		}
		if (rest.len > 0 && rest.s[rest.len - 1] == ',')
			rest.s[--rest.len] = '\0';
		metrics_table_put(sum, name, rest.s, s->value, 1);
		metrics_slot_clear(t, s);
	}
	for (j = 0; j < sum->cap; j++)
		if (sum->slots[j].def != NULL)
			metrics_table_put(t, name, sum->slots[j].labels,
			    sum->slots[j].value, 1);
	metrics_table_free(sum);
	buf_free(&rest);
}

