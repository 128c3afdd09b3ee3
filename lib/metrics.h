/*
 * metrics - counters and gauges of every daemon, for the metrics worker.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	In a daemon (one line per event):
 *	metrics_inc(METRIC_SMTP_SESSIONS, NULL);
 *	metrics_add(METRIC_POLICY_FETCHES, 1, "domain", d, "status", "200",
 *	    NULL);
 *	metrics_set(METRIC_..., value, labels..., NULL);	a gauge
 *	metrics_del(METRIC_..., labels..., NULL);	no such series any more
 *	metrics_state(METRIC_DNS_PROBLEM, "fail", states, labels..., NULL);
 *		a state: the series with status="fail" is 1, those of the
 *		other states are removed (at most one series); a current
 *		state that is not in states (or NULL) removes them all
 *	e = metrics_epoch();	...set the series of a round...
 *	metrics_expire(METRIC_..., e);	removes those not set since e
 *	metrics_flush();	write now (done by itself otherwise)
 *
 *	In the metrics worker (tables of series):
 *	t = metrics_table_new();
 *	metrics_table_put(t, name, labels, value, add);
 *	metrics_table_del(t, name, labels);
 *	metrics_table_load(t, path, counters_only, &err);
 *	metrics_table_merge(to, from, counters_only);
 *	metrics_table_write(t, path, &err);
 *	metrics_table_expose(t, &out);	Prometheus text format 0.0.4
 *	metrics_table_zeros(t);		every fixed series, 0 when absent
 *	metrics_table_domains(t, name, &domains);	the domain labels
 *	metrics_table_fold(t, name, "domain");	sums over that label
 *	metrics_table_free(t);
 *	metrics_labels(&buf, "name", "value", ..., NULL)	label text
 *	metrics_find(name)		its catalog entry, or NULL
 *
 * DESCRIPTION
 *	Every metric has one entry in the catalog (metrics_table.c): its
 *	name, its type (counter or gauge) and a line of help.  A series is
 *	a metric with a set of labels ("name", "value" pairs after the
 *	value, ending with NULL); label values are escaped as the
 *	exposition format wants, so any string (a domain from a request)
 *	is safe.
 *
 *	A daemon keeps its series in memory, in a hash table, and writes
 *	them all to $queue_directory/metrics/PROGRAM.PID (a temporary file,
 *	then rename, so a reader never sees half a file): at most once per
 *	METRICS_FLUSH_INTERVAL seconds after a change (a one-shot timer on
 *	the event base of lib/server), and at exit (atexit).  Setting a
 *	value to what it was is no change.  The text of the file is kept
 *	up to date as values change (in place, O(1) each), so a write
 *	formats nothing and is one write(2) of that text; only a removal
 *	(metrics_del, metrics_state, metrics_expire) makes the next write
 *	lay the file out again.  The path is relative to the working
 *	directory, which lib/server makes the queue directory, inside a
 *	chroot or not: chrooted workers (httpd, rptrecv) write there like
 *	the others and hold nothing else.  A process whose directory is
 *	missing or unwritable loses its numbers silently: metrics never
 *	stop a daemon.
 *
 *	A series that says something is wrong (a DNS problem of one
 *	domain) exists only while it is wrong: metrics_state() and
 *	metrics_del() remove it, and metrics_expire() removes the series
 *	of a metric that a round did not set again (a domain that is gone),
 *	so their number follows the number of problems, not of domains.
 *
 *	The metrics worker sums the files of running processes on each
 *	scrape and folds the counters of processes that are gone into a
 *	base (metrics/base), so counters never go backwards while the
 *	suite runs; gauges of a gone process are dropped.
 *
 *	Every series whose labels are fixed (a counter of rptrecv, the
 *	results of acmed, the stages, reasons and statuses of the
 *	catalog: metrics_fixed[] in metrics_table.c) exists from the start, at 0:
 *	metrics_table_zeros() adds those that are absent, so that rate()
 *	and absent() see them before the first event.  A series with a
 *	domain label (metrics_table_fold) can be summed over its domains
 *	when there are too many of them for a time series database.
 *
 *	File format: the Prometheus text format, as exposed: "# HELP" and
 *	"# TYPE" before the series of each metric, one series per line
 *	("name{label="v",...} value", or "name value"), the values of a
 *	daemon's own file zero-padded to METRICS_VALUE_WIDTH characters;
 *	comment lines, lines of names that are not in the catalog, and
 *	malformed lines are skipped when read.
 *
 * LIMITS
 *	METRICS_SERIES_MAX series per table (per process, and per scrape):
 *	further new series are not kept and count in
 *	stsd_metrics_dropped_series_total.  Label text: METRICS_LABELS_MAX
 *	bytes; a line of a file: METRICS_LINE_MAX bytes.
 */
#ifndef STS_METRICS_H
#define STS_METRICS_H

#include "buf.h"

#define METRICS_DIR		"metrics"	/* under queue_directory */
#define METRICS_BASE_FILE	"base"		/* counters of gone processes */
#define METRICS_FLUSH_INTERVAL	1		/* seconds between writes */
#define METRICS_SERIES_MAX	500000		/* series in one table */
#define METRICS_LABELS_MAX	1024		/* bytes of label text */
#define METRICS_LINE_MAX	(METRICS_LABELS_MAX + 256)
#define METRICS_VALUE_WIDTH	20		/* sign and digits of LLONG_MIN */

/* The catalog: every name a daemon may count. */
#define METRIC_POLICY_FETCHES	"stsd_policy_fetches_total"
#define METRIC_TLS_HANDSHAKES	"stsd_tls_handshakes_total"
#define METRIC_TLS_FAILURES	"stsd_tls_handshake_failures_total"
#define METRIC_SMTP_SESSIONS	"stsd_smtp_sessions_total"
#define METRIC_SMTP_MESSAGES	"stsd_smtp_messages_total"
#define METRIC_SMTP_REJECTIONS	"stsd_smtp_rejections_total"
#define METRIC_REPORTS_STORED	"stsd_reports_stored_total"
#define METRIC_REPORTS_CORRUPT	"stsd_reports_corrupt_total"
#define METRIC_SILENT		"stsd_rptparse_silent_reporters"
#define METRIC_DNS_CHECKS	"stsd_dns_checks"
#define METRIC_DNS_PROBLEM	"stsd_dns_check_problem"
#define METRIC_DNS_ROUNDS	"stsd_dns_check_rounds_total"
#define METRIC_DNS_DOMAINS	"stsd_dns_domain_checks_total"
#define METRIC_HTTPS_REPORTS	"stsd_https_reports_total"
#define METRIC_HTTPS_REFUSALS	"stsd_https_report_refusals_total"
#define METRIC_ACME_ORDERS	"stsd_acme_orders_total"
#define METRIC_ALERTS_SENT	"stsd_alerts_sent_total"
#define METRIC_ALERTS_DROPPED	"stsd_alerts_dropped_total"
#define METRIC_DROPPED		"stsd_metrics_dropped_series_total"
#define METRIC_HTTPD_POLICYD	"stsd_httpd_policyd_connected"
#define METRIC_HTTPD_AGE	"stsd_httpd_policies_age_seconds"
/* Computed by the metrics worker at each scrape. */
#define METRIC_SPOOL_DEPTH	"stsd_spool_messages"
#define METRIC_CERT_EXPIRY	"stsd_certificate_expiry_timestamp_seconds"
#define METRIC_CERT_PROBLEM	"stsd_certificate_problem"
#define METRIC_FAILED_SESSIONS	"stsd_failed_sessions_total"
#define METRIC_SESSIONS		"stsd_report_sessions_total"
#define METRIC_PROCESSES	"stsd_metrics_processes"
#define METRIC_FETCH_DROPPED	"stsd_fetch_records_dropped_total"

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
};

struct metrics_def {
	const char *name;
	enum metrics_type type;
	const char *help;
};

extern const struct metrics_def metrics_catalog[];	/* name NULL ends */

const struct metrics_def *metrics_find(const char *name);

/* A daemon's own series. */
void	metrics_add(const char *name, long long n, ...)
	    __attribute__((sentinel));
void	metrics_set(const char *name, long long value, ...)
	    __attribute__((sentinel));
void	metrics_del(const char *name, ...) __attribute__((sentinel));
void	metrics_state(const char *name, const char *current,
	    const char *const *states, ...) __attribute__((sentinel));
unsigned long metrics_epoch(void);
size_t	metrics_expire(const char *name, unsigned long epoch);
int	metrics_flush(void);
#define metrics_inc(name, ...)	metrics_add((name), 1, __VA_ARGS__)

/* Tables of series. */
struct metrics_table;

int	metrics_labels(struct buf *, ...) __attribute__((sentinel));
struct metrics_table *metrics_table_new(void);
void	metrics_table_free(struct metrics_table *);
size_t	metrics_table_count(const struct metrics_table *);
int	metrics_table_put(struct metrics_table *, const char *name,
	    const char *labels, long long value, int add);
int	metrics_table_del(struct metrics_table *, const char *name,
	    const char *labels);
long long metrics_table_get(const struct metrics_table *, const char *name,
	    const char *labels);
int	metrics_table_load(struct metrics_table *, const char *path,
	    int counters_only, struct buf *err);
int	metrics_table_parse(struct metrics_table *, const char *data,
	    size_t len, int counters_only);
void	metrics_table_merge(struct metrics_table *to,
	    const struct metrics_table *from, int counters_only);
int	metrics_table_write(const struct metrics_table *, const char *path,
	    struct buf *err);
void	metrics_table_expose(const struct metrics_table *, struct buf *out);
void	metrics_table_zeros(struct metrics_table *);
size_t	metrics_table_domains(const struct metrics_table *, const char *name,
	    size_t max);
void	metrics_table_fold(struct metrics_table *, const char *name,
	    const char *label);

#endif
