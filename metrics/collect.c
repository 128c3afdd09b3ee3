/*
 * collect - what one scrape of the metrics worker shows; see collect.h.
 * SPDX-License-Identifier: ISC
 *
 * MAY TOUCH
 *	$queue_directory/metrics/ (reads every file, removes the files of
 *	gone processes, writes base); reads the spool directories,
 *	$queue_directory/certs/ and $data_directory/reports.db.
 *
 * LIMITS
 *	metrics_domain_series_limit domains per metric with a domain label;
 *	above, that metric is summed over its domains, and the certificate
 *	expiry is one series, the earliest.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>


#include "certstore.h"
#include "collect.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "params.h"
#include "rptdb.h"
#include "rptsum.h"


static const char *const collect_spool_dirs[] = {
	"incoming", "active", "deferred", "corrupt", NULL,
};

static struct metrics_table *collect_base;

void
collect_init(void)
{
	struct buf err = BUF_INIT;
	char *path = xasprintf("%s/%s", METRICS_DIR, METRICS_BASE_FILE);

	collect_base = metrics_table_new();
	if (metrics_table_load(collect_base, path, 1, &err) < 0 &&
	    errno != ENOENT)
		log_warn("%s", err.s);
	free(path);
	buf_free(&err);
}

void
collect_free(void)
{
	metrics_table_free(collect_base);
	collect_base = NULL;
}

/* The pid of a file named PROGRAM.PID, or 0. */
static pid_t
collect_file_pid(const char *name)
{
	const char *dot = strrchr(name, '.');
	char *end;
	long pid;

	if (dot == NULL || dot == name)
		return 0;
	pid = strtol(dot + 1, &end, 10);
	return *end == '\0' && pid > 0 ? (pid_t)pid : 0;
}

/* Adds the files of live processes to t; folds the others into base. */
static int
collect_files(struct metrics_table *t)
{
	struct buf err = BUF_INIT;
	struct dirent *de;
	DIR *dir;
	char *path;
	pid_t pid;
	int live = 0, folded = 0;

	if ((dir = opendir(METRICS_DIR)) == NULL) {
		log_warn("%s: %s", METRICS_DIR, strerror(errno));
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		if ((pid = collect_file_pid(de->d_name)) == 0)
			continue;	/* ., .., base, *.tmp */
		path = xasprintf("%s/%s", METRICS_DIR, de->d_name);
		buf_reset(&err);
		if (kill(pid, 0) == 0 || errno != ESRCH) {
			if (metrics_table_load(t, path, 0, &err) == 0)
				live++;
		} else if (metrics_table_load(collect_base, path, 1, &err) == 0) {
			unlink(path);
			folded++;
		}
		if (err.len > 0 && errno != ENOENT)
			log_warn("%s", err.s);
		free(path);
	}
	closedir(dir);
	if (folded > 0) {
		path = xasprintf("%s/%s", METRICS_DIR, METRICS_BASE_FILE);
		buf_reset(&err);
		if (metrics_table_write(collect_base, path, &err) < 0)
			log_warn("%s", err.s);
		free(path);
	}
	buf_free(&err);
	return live;
}

static int
collect_queue_file(const char *name)
{
	size_t len = strlen(name);

	if (name[0] == '.')
		return 0;
	if (len > 4 && strcmp(name + len - 4, ".tmp") == 0)
		return 0;
	if (len > 7 && strcmp(name + len - 7, ".reason") == 0)
		return 0;
	return 1;
}

static void
collect_spool(struct metrics_table *t)
{
	struct buf labels = BUF_INIT;
	struct dirent *de;
	DIR *dir;
	long long n;
	int i;

	for (i = 0; collect_spool_dirs[i]; i++) {
		if ((dir = opendir(collect_spool_dirs[i])) == NULL)
			continue;
		n = 0;
		while ((de = readdir(dir)) != NULL)
			n += collect_queue_file(de->d_name);
		closedir(dir);
		buf_reset(&labels);
		metrics_labels(&labels, "queue", collect_spool_dirs[i], NULL);
		metrics_table_put(t, METRIC_SPOOL_DEPTH, labels.s, n, 0);
	}
	buf_free(&labels);
}

/*
 * The expiry of each policy host's certificate (with more hosts than
 * metrics_domain_series_limit, one series without the host label: the
 * earliest expiry, which is what an alert wants), and a problem series
 * while one has expired or expires within cert_warning_time.
 */
/* What collect_cert() adds to, host by host. */
struct collect_certs {
	struct metrics_table *t;
	struct metrics_table *hosts;	/* the series by host */
	struct buf labels;
	long long now, warning;
	long long first;		/* the earliest expiry */
	size_t	 n;
};

static void
collect_cert(const char *host, const struct certstore_leaf *leaf, void *arg)
{
	struct collect_certs *c = arg;
	enum certstore_health h;

	buf_reset(&c->labels);
	metrics_labels(&c->labels, "host", host, NULL);
	metrics_table_put(c->hosts, METRIC_CERT_EXPIRY, c->labels.s,
	    (long long)leaf->not_after, 0);
	if (c->n++ == 0 || (long long)leaf->not_after < c->first)
		c->first = (long long)leaf->not_after;
	if ((h = certstore_health(leaf->not_after, c->now, c->warning)) ==
	    CERTSTORE_OK)
		return;
	buf_reset(&c->labels);
	metrics_labels(&c->labels, "host", host, "status",
	    certstore_health_name(h), NULL);
	metrics_table_put(c->t, METRIC_CERT_PROBLEM, c->labels.s, 1, 0);
}

static void
collect_certs(struct metrics_table *t)
{
	char *top = certstore_dir();
	struct metrics_table *hosts = metrics_table_new();
	long long limit = var_metrics_domain_series_limit, first = 0;
	long long now = (long long)time(NULL);
	long long warning = var_cert_warning_time;
	struct collect_certs c = { t, hosts, BUF_INIT, now, warning, 0, 0 };

	if (certstore_leaves(top, collect_cert, &c) == 0) {
		first = c.first;
		if (c.n > 0 && (limit <= 0 || c.n > (size_t)limit))
			metrics_table_put(t, METRIC_CERT_EXPIRY, "", first, 0);
		else
			metrics_table_merge(t, hosts, 0);
	}
	metrics_table_free(hosts);
	free(top);
	buf_free(&c.labels);
}

/*
 * The sessions of one domain by lib/rptsum's rule: counted policies of
 * reports that count, a policy's failed sessions the larger of its
 * summary and its details, saturating sums.
 */
struct collect_domain {
	long long ok;
	long long bad;
	struct collect_type {
		char	*type;
		long long n;
	} *types;
	size_t	 ntypes;
	long long pol_bad;		/* the policy being read */
	long long pol_det;
};

static void
collect_type_add(struct collect_domain *c, const char *type, long long n)
{
	size_t i;

	for (i = 0; i < c->ntypes; i++)
		if (strcmp(c->types[i].type, type) == 0)
			break;
	if (i == c->ntypes) {
		c->types = xreallocarray(c->types, c->ntypes + 1,
		    sizeof(*c->types));
		c->types[i].type = xstrdup(type);
		c->types[i].n = 0;
		c->ntypes++;
	}
	c->types[i].n = rptsum_add(c->types[i].n, n);
}

/* The end of a policy: its failed sessions, and those in no detail. */
static void
collect_policy_end(struct collect_domain *c)
{
	c->bad = rptsum_add(c->bad, rptsum_policy_failed(c->pol_bad,
	    c->pol_det));
	if (c->pol_bad > c->pol_det)
		collect_type_add(c, RPTDB_NOT_DETAILED,
		    c->pol_bad - c->pol_det);
	c->pol_bad = c->pol_det = 0;
}

static void
collect_domain_put(struct metrics_table *t, const char *domain,
    struct collect_domain *c)
{
	struct buf labels = BUF_INIT;
	size_t i;

	metrics_labels(&labels, "domain", domain, "result", "successful",
	    NULL);
	metrics_table_put(t, METRIC_SESSIONS, labels.s, c->ok, 0);
	buf_reset(&labels);
	metrics_labels(&labels, "domain", domain, "result", "failed", NULL);
	metrics_table_put(t, METRIC_SESSIONS, labels.s, c->bad, 0);
	for (i = 0; i < c->ntypes; i++) {
		buf_reset(&labels);
		metrics_labels(&labels, "domain", domain, "result_type",
		    c->types[i].type, NULL);
		metrics_table_put(t, METRIC_FAILED_SESSIONS, labels.s,
		    c->types[i].n, 0);
		free(c->types[i].type);
	}
	free(c->types);
	memset(c, 0, sizeof(*c));
	buf_free(&labels);
}

/* The rows of rptdb_counted_sessions(), in order of domain and policy. */
struct collect_rows {
	struct metrics_table *t;
	struct collect_domain c;
	char	*domain;
	int64_t	 policy;
};

static void
collect_session_row(const struct rptdb_session_row *row, void *arg)
{
	struct collect_rows *r = arg;

	if (r->policy != 0 && row->policy != r->policy)
		collect_policy_end(&r->c);
	if (r->domain != NULL && strcmp(r->domain, row->domain) != 0) {
		collect_domain_put(r->t, r->domain, &r->c);
		free(r->domain);
		r->domain = NULL;
	}
	if (r->domain == NULL)
		r->domain = xstrdup(row->domain);
	if (row->policy != r->policy) {
		r->policy = row->policy;
		r->c.ok = rptsum_add(r->c.ok, row->success_count);
		r->c.pol_bad = row->failure_count;
	}
	if (row->result_type != NULL) {
		collect_type_add(&r->c, row->result_type, row->detail);
		r->c.pol_det = rptsum_add(r->c.pol_det, row->detail);
	}
}

/* A row of reports.db's totals, as the folded per-domain series. */
static void
collect_total_row(int kind, const char *result, int64_t sessions, void *arg)
{
	struct metrics_table *t = arg;
	struct buf labels = BUF_INIT;

	if (kind == RPTDB_TOTAL_SESSIONS) {
		metrics_labels(&labels, "result", result, NULL);
		metrics_table_put(t, METRIC_SESSIONS, labels.s, sessions, 0);
	} else {
		metrics_labels(&labels, "result_type", result, NULL);
		metrics_table_put(t, METRIC_FAILED_SESSIONS, labels.s,
		    sessions, 0);
	}
	buf_free(&labels);
}

/*
 * Per-domain series only while the hosted domains of reports.db are
 * within metrics_domain_series_limit (rptdb_hosted_over reads the
 * index up to one past the limit); else the sums of the table totals,
 * which is what folding every domain's series gave, without reading
 * every policy (bench/reports).
 */
static void
collect_sessions_of(struct rptdb *db, struct collect_rows *r)
{
	long long limit = var_metrics_domain_series_limit;

	if (limit <= 0 || rptdb_hosted_over(db, limit)) {
		(void)rptdb_totals_read(db, collect_total_row, r->t);
		return;
	}
	rptdb_counted_sessions(db, collect_session_row, r);
	if (r->domain != NULL) {
		collect_policy_end(&r->c);
		collect_domain_put(r->t, r->domain, &r->c);
	}
}

/*
 * The session counters of reports.db, each scrape on a connection of
 * its own.  A read that a lost connection (PostgreSQL restarting) cut
 * short leaves them out of the scrape: a counter that is absent once is
 * a gap to Prometheus, one lower than before a reset.
 */
static void
collect_sessions(struct metrics_table *t)
{
	char *path = xasprintf("%s/%s", var_data_directory,
	    RPTDB_FILE);
	struct collect_rows r;
	struct buf err = BUF_INIT;
	struct rptdb *db;

	memset(&r, 0, sizeof(r));
	r.t = metrics_table_new();
	if ((db = rptdb_open_existing(path, &err)) == NULL) {
		if (err.len > 0)	/* else no reports.db yet */
			log_warn("%s; the session counters are left out of "
			    "this scrape", err.s);
		goto out;
	}
	collect_sessions_of(db, &r);
	if (rptdb_lost(db))
		log_warn("reports database: the connection was lost during "
		    "the scrape; the session counters are left out of it");
	else
		metrics_table_merge(t, r.t, 0);
	rptdb_close(db);
out:
	metrics_table_free(r.t);
	free(r.domain);
	free(path);
	buf_free(&err);
}

/*
 * A metric with series of more domains than metrics_domain_series_limit
 * is shown summed over them: a time series per domain and status is
 * more than a Prometheus server wants at 10,000 domains and more.
 */
static void
collect_fold_domains(struct metrics_table *t)
{
	static const char *const per_domain[] = { METRIC_POLICY_FETCHES,
	    METRIC_SESSIONS, METRIC_FAILED_SESSIONS, NULL };
	long long limit = var_metrics_domain_series_limit;
	size_t i;

	for (i = 0; per_domain[i] != NULL; i++)
		if (limit <= 0 || metrics_table_domains(t, per_domain[i],
		    (size_t)limit) > (size_t)limit)
			metrics_table_fold(t, per_domain[i], "domain");
}

void
collect_scrape(struct buf *out)
{
	struct metrics_table *t = metrics_table_new();
	int live;

	live = collect_files(t);
	metrics_table_merge(t, collect_base, 1);
	metrics_table_put(t, METRIC_PROCESSES, "", live, 0);
	collect_spool(t);
	collect_certs(t);
	collect_sessions(t);
	metrics_table_zeros(t);
	collect_fold_domains(t);
	metrics_table_expose(t, out);
	metrics_table_free(t);
}
