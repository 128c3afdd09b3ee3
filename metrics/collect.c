/*
 * collect - what one scrape of the metrics worker shows; see collect.h.
 *
 * MAY TOUCH
 *	$queue_directory/metrics/ (reads every file, removes the files of
 *	gone processes, writes base); reads the spool directories,
 *	$queue_directory/certs/ and $data_directory/reports.db.
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
#include "cfg.h"
#include "collect.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "tlsrpt.h"

#define COLLECT_REPORTS_DB	"reports.db"

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
 * Each certificate of the store: its days left, and a problem series
 * while it has expired or expires within cert_warning_time.
 */
static void
collect_certs(struct metrics_table *t)
{
	char *top = certstore_dir();
	struct buf labels = BUF_INIT, err = BUF_INIT;
	struct certstore_leaf leaf;
	long long now = (long long)time(NULL);
	long long warning = cfg_time("cert_warning_time");
	enum certstore_health h;
	struct dirent *de;
	DIR *dir;

	if ((dir = opendir(top)) == NULL) {
		free(top);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || !certstore_host_ok(de->d_name))
			continue;
		buf_reset(&err);
		if (certstore_leaf_read(top, de->d_name, &leaf, &err) < 0)
			continue;
		buf_reset(&labels);
		metrics_labels(&labels, "host", de->d_name, NULL);
		metrics_table_put(t, METRIC_CERT_DAYS, labels.s,
		    (leaf.not_after - now) / 86400, 0);
		if ((h = certstore_health(leaf.not_after, now, warning)) ==
		    CERTSTORE_OK)
			continue;
		buf_reset(&labels);
		metrics_labels(&labels, "host", de->d_name, "status",
		    certstore_health_name(h), NULL);
		metrics_table_put(t, METRIC_CERT_PROBLEM, labels.s, 1, 0);
	}
	closedir(dir);
	free(top);
	buf_free(&labels);
	buf_free(&err);
}

static void
collect_failures(struct metrics_table *t)
{
	static const char sql[] =
	    "SELECT COALESCE(p.hosted_domain, p.domain, ''), f.result_type,"
	    " SUM(f.failed_session_count)"
	    " FROM failures f JOIN policies p ON f.policy = p.id"
	    " GROUP BY 1, 2";
	char *path = xasprintf("%s/%s", cfg_str("data_directory"),
	    COLLECT_REPORTS_DB);
	struct buf err = BUF_INIT, labels = BUF_INIT;
	sqlite3_stmt *st;
	sqlite3 *db;

	if (access(path, F_OK) != 0) {
		free(path);
		return;
	}
	if ((db = db_open(path, DB_READ, tlsrpt_db_migrations(), &err)) == NULL) {
		log_warn("%s", err.s);
		goto out;
	}
	st = db_prepare(db, sql);
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_reset(&labels);
		metrics_labels(&labels,
		    "domain", (const char *)sqlite3_column_text(st, 0),
		    "result_type", (const char *)sqlite3_column_text(st, 1),
		    NULL);
		metrics_table_put(t, METRIC_FAILED_SESSIONS, labels.s,
		    sqlite3_column_int64(st, 2), 0);
	}
	sqlite3_finalize(st);
	db_close(db);
out:
	free(path);
	buf_free(&err);
	buf_free(&labels);
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
	collect_failures(t);
	metrics_table_expose(t, out);
	metrics_table_free(t);
}
