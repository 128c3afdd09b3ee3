/*
 * metrics_test - unit test of lib/metrics: label escaping, tables,
 * removal, the file format, merging, the exposition, and the series of
 * the process (states, epochs, what a flush writes, a forked child).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "unit.h"

static void
test_labels(void)
{
	struct buf b = BUF_INIT;
	char big[METRICS_LABELS_MAX + 2];

	CHECK(metrics_labels(&b, "domain", "a\"b\\c\nd", "status", "200",
	    NULL) == 0, "labels fit");
	CHECK(STR_EQ(b.s, "domain=\"a\\\"b\\\\c\\nd\",status=\"200\""), "label values escaped");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_reset(&b);
	CHECK(metrics_labels(&b, "v", big, NULL) < 0, "too long labels refused");
	buf_free(&b);
}

static void
test_table(void)
{
	struct metrics_table *t = metrics_table_new(), *u;
	struct buf out = BUF_INIT, lab = BUF_INIT;
	const char *bad;
	char name[64];
	int i;

	CHECK(metrics_table_put(t, "no_such_metric", "", 1, 1) < 0,
	    "unknown name refused");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		buf_reset(&lab);
		metrics_labels(&lab, "domain", name, "status", "200", NULL);
		metrics_table_put(t, METRIC_POLICY_FETCHES, lab.s, 1, 1);
		metrics_table_put(t, METRIC_POLICY_FETCHES, lab.s, 2, 1);
	}
	CHECK(metrics_table_count(t) == 1000, "1000 series after growth");
	CHECK(metrics_table_get(t, METRIC_POLICY_FETCHES,
	    "domain=\"d7.example\",status=\"200\"") == 3, "counter adds");
	metrics_table_put(t, METRIC_SPOOL_DEPTH, "queue=\"incoming\"", 5, 0);
	metrics_table_put(t, METRIC_SPOOL_DEPTH, "queue=\"incoming\"", 4, 0);
	CHECK(metrics_table_get(t, METRIC_SPOOL_DEPTH, "queue=\"incoming\"") == 4,
	    "gauge set replaces");
	metrics_table_put(t, METRIC_SMTP_SESSIONS, "", 7, 1);

	CHECK(metrics_table_write(t, "metrics_test.tmpfile", &out) == 0,
	    "table written");
	u = metrics_table_new();
	CHECK(metrics_table_load(u, "metrics_test.tmpfile", 1, &out) == 0,
	    "table read back");
	CHECK(metrics_table_get(u, METRIC_POLICY_FETCHES,
	    "domain=\"d999.example\",status=\"200\"") == 3, "counter read back");
	CHECK(metrics_table_get(u, METRIC_SMTP_SESSIONS, "") == 7,
	    "series without labels read back");
	CHECK(metrics_table_get(u, METRIC_SPOOL_DEPTH, "queue=\"incoming\"") == 0,
	    "counters_only skips gauges");
	metrics_table_merge(u, t, 1);
	CHECK(metrics_table_get(u, METRIC_SMTP_SESSIONS, "") == 14,
	    "merge adds counters");
	unlink("metrics_test.tmpfile");
	metrics_table_free(u);

	u = metrics_table_new();
	bad = "garbage\nstsd_smtp_sessions_total x\n"
	    "stsd_smtp_sessions_total{ 3\nnot_ours 1\n"
	    "stsd_smtp_sessions_total{a=\"1\"}} 2\n"
	    "stsd_smtp_sessions_total{a=\"\\x\"} 2\n"
	    "stsd_smtp_sessions_total{1a=\"x\"} 2\n"
	    "stsd_smtp_messages_total 2\n";
	CHECK(metrics_table_parse(u, bad, strlen(bad), 0) == 7,
	    "malformed and unknown lines skipped");
	CHECK(metrics_table_get(u, METRIC_SMTP_MESSAGES, "") == 2,
	    "good line after bad ones kept");
	metrics_table_free(u);

	buf_reset(&out);
	metrics_table_expose(t, &out);
	CHECK(strstr(out.s, "# HELP stsd_smtp_sessions_total ") != NULL &&
	    strstr(out.s, "# TYPE stsd_smtp_sessions_total counter\n"
	    "stsd_smtp_sessions_total 7\n") != NULL, "exposition of a counter");
	CHECK(strstr(out.s, "# TYPE stsd_spool_messages gauge\n"
	    "stsd_spool_messages{queue=\"incoming\"} 4\n") != NULL,
	    "exposition of a gauge");
	{
		char *p = out.s;
		int n = 0;

		while ((p = strstr(p, "# TYPE stsd_policy_fetches_total")) != NULL) {
			n++;
			p++;
		}
		CHECK(n == 1, "one TYPE line per metric (%d)", n);
	}
	metrics_table_free(t);
	buf_free(&out);
	buf_free(&lab);
}

/* Removal keeps every other series reachable, whatever the probe runs. */
static void
test_del(void)
{
	struct metrics_table *t = metrics_table_new();
	struct buf lab = BUF_INIT;
	int i, lost = 0, kept = 0;

	for (i = 0; i < 5000; i++) {
		buf_reset(&lab);
		buf_printf(&lab, "domain=\"d%d\"", i);
		metrics_table_put(t, METRIC_DNS_PROBLEM, lab.s, i, 0);
	}
	for (i = 0; i < 5000; i += 3) {
		buf_reset(&lab);
		buf_printf(&lab, "domain=\"d%d\"", i);
		if (metrics_table_del(t, METRIC_DNS_PROBLEM, lab.s) != 1)
			lost++;
	}
	CHECK(lost == 0, "every third series removed (%d not found)", lost);
	CHECK(metrics_table_del(t, METRIC_DNS_PROBLEM, "domain=\"d0\"") == 0,
	    "a removed series is gone");
	for (i = 0; i < 5000; i++) {
		buf_reset(&lab);
		buf_printf(&lab, "domain=\"d%d\"", i);
		if (i % 3 != 0 && metrics_table_get(t, METRIC_DNS_PROBLEM,
		    lab.s) != i)
			lost++;
		else if (i % 3 != 0)
			kept++;
	}
	CHECK(lost == 0 && kept == 3333 && metrics_table_count(t) == 3333,
	    "the others keep their values (%d lost, %d kept)", lost, kept);
	metrics_table_free(t);
	buf_free(&lab);
}

/* The own file, read back into a fresh table. */
static struct metrics_table *
test_own_file(const char *path)
{
	struct metrics_table *t = metrics_table_new();
	struct buf err = BUF_INIT;

	if (metrics_table_load(t, path, 0, &err) != 0)
		CHECK(0, "own file read: %s", err.s);
	buf_free(&err);
	return t;
}

/* Does the file at path hold text?  (Lines after the first.) */
static int
test_file_has(const char *path, const char *text)
{
	char data[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return 0;
	data[0] = '\n';
	n = fread(data + 1, 1, sizeof(data) - 2, fp);
	data[n + 1] = '\0';
	fclose(fp);
	return strstr(data, text) != NULL;
}

/*
 * Whether the text of path is exposition format as promtool reads it:
 * each metric one group, its HELP and TYPE lines first, once.
 */
static int
test_file_grouped(const char *path)
{
	char line[METRICS_LINE_MAX], name[METRICS_LINE_MAX], seen[8192] = "";
	char cur[METRICS_LINE_MAX] = "", key[METRICS_LINE_MAX + 2];
	FILE *fp = fopen(path, "r");
	int ok = fp != NULL, heads = 0;

	while (ok && fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%s", name);
			snprintf(key, sizeof(key), " %s ", name);
			ok = strstr(seen, key) == NULL &&
			    strlen(seen) + strlen(key) < sizeof(seen);
			if (ok)
				strcat(seen, key);
			snprintf(cur, sizeof(cur), "%s", name);
			heads = 1;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			ok = heads == 1 && strncmp(line + 7, cur,
			    strlen(cur)) == 0;
			heads = 2;
			continue;
		}
		name[strcspn(strcpy(name, line), "{ ")] = '\0';
		ok = heads == 2 && strcmp(name, cur) == 0;
	}
	if (fp != NULL)
		fclose(fp);
	return ok;
}

static void
test_zeros_fold(void)
{
	struct metrics_table *t = metrics_table_new();
	struct buf out = BUF_INIT;

	metrics_table_put(t, METRIC_SMTP_SESSIONS, "", 7, 1);
	metrics_table_zeros(t);
	CHECK(metrics_table_get(t, METRIC_SMTP_SESSIONS, "") == 7,
	    "zeros: a series that is there keeps its value");
	CHECK(metrics_table_get(t, METRIC_SMTP_REJECTIONS, "stage=\"data\"")
	    == 0 && metrics_table_get(t, METRIC_ACME_ORDERS,
	    "result=\"failed\"") == 0, "zeros: fixed series at 0");
	metrics_table_expose(t, &out);
	CHECK(strstr(out.s, "\nstsd_reports_corrupt_total 0\n") != NULL &&
	    strstr(out.s, "\nstsd_https_report_refusals_total{status=\"413\"}"
	    " 0\n") != NULL, "zeros: exposed");
	buf_free(&out);
	metrics_table_free(t);

	t = metrics_table_new();
	metrics_table_put(t, METRIC_POLICY_FETCHES,
	    "domain=\"a.example\",status=\"200\"", 3, 1);
	metrics_table_put(t, METRIC_POLICY_FETCHES,
	    "domain=\"b,\\\"x=\",status=\"200\"", 4, 1);
	metrics_table_put(t, METRIC_POLICY_FETCHES,
	    "domain=\"\",status=\"404\"", 5, 1);
	metrics_table_put(t, METRIC_FAILED_SESSIONS,
	    "result_type=\"x\",domain=\"a.example\"", 6, 1);
	metrics_table_put(t, METRIC_SMTP_SESSIONS, "", 1, 1);
	CHECK(metrics_table_domains(t, METRIC_POLICY_FETCHES, 100) == 3,
	    "domains: distinct values, an escaped quote and comma in one");
	CHECK(metrics_table_domains(t, METRIC_POLICY_FETCHES, 1) == 2,
	    "domains: counting stops above max");
	metrics_table_fold(t, METRIC_POLICY_FETCHES, "domain");
	metrics_table_fold(t, METRIC_FAILED_SESSIONS, "domain");
	CHECK(metrics_table_get(t, METRIC_POLICY_FETCHES,
	    "status=\"200\"") == 7 && metrics_table_get(t,
	    METRIC_POLICY_FETCHES, "status=\"404\"") == 5 &&
	    metrics_table_get(t, METRIC_FAILED_SESSIONS,
	    "result_type=\"x\"") == 6 && metrics_table_count(t) == 4,
	    "fold: summed over the domain label, first or last (%zu)",
	    metrics_table_count(t));
	metrics_table_free(t);
}

static void
test_self(void)
{
	static const char *const states[] = { "fail", "dns-error", NULL };
	struct metrics_table *t;
	char *path;
	unsigned long e;
	int i;

	CHECK(mkdir(METRICS_DIR, 0700) == 0 || access(METRICS_DIR, W_OK) == 0,
	    "metrics directory");
	metrics_inc(METRIC_SMTP_SESSIONS, NULL);
	metrics_add(METRIC_POLICY_FETCHES, 2, "domain", "x.example", "status",
	    "404", NULL);
	metrics_set(METRIC_SPOOL_DEPTH, -5, "queue", "q", NULL);
	metrics_state(METRIC_DNS_PROBLEM, "fail", states, "domain", "x.example",
	    "check", "mx", NULL);
	metrics_state(METRIC_DNS_PROBLEM, "ok", states, "domain", "y.example",
	    "check", "mx", NULL);
	CHECK(metrics_flush() == 0, "flush");
	path = xasprintf("%s/%s.%ld", METRICS_DIR, log_program(),
	    (long)getpid());
	t = test_own_file(path);
	CHECK(metrics_table_get(t, METRIC_POLICY_FETCHES,
	    "domain=\"x.example\",status=\"404\"") == 2, "own counter in file");
	CHECK(metrics_table_get(t, METRIC_SPOOL_DEPTH, "queue=\"q\"") == -5,
	    "a negative gauge in file");
	CHECK(metrics_table_get(t, METRIC_DNS_PROBLEM,
	    "domain=\"x.example\",check=\"mx\",status=\"fail\"") == 1 &&
	    metrics_table_count(t) == 4,
	    "state: one series for the current state, none for ok (%zu)",
	    metrics_table_count(t));
	metrics_table_free(t);

	/* Values move in place; an unchanged value writes nothing. */
	for (i = 0; i < 12345; i++)
		metrics_inc(METRIC_SMTP_SESSIONS, NULL);
	metrics_add(METRIC_POLICY_FETCHES, 1, "domain", "new.example",
	    "status", "200", NULL);
	CHECK(metrics_flush() == 0, "flush after changes");
	t = test_own_file(path);
	CHECK(metrics_table_get(t, METRIC_SMTP_SESSIONS, "") == 12346 &&
	    metrics_table_get(t, METRIC_POLICY_FETCHES,
	    "domain=\"new.example\",status=\"200\"") == 1 &&
	    metrics_table_count(t) == 5, "changed and new series in file");
	metrics_table_free(t);
	CHECK(test_file_has(path, "\nstsd_smtp_sessions_total "
	    "00000000000000012346\n"), "values at a fixed width");
	CHECK(test_file_grouped(path), "file: one group per metric, HELP"
	    " and TYPE first");
	/* A new series of a metric whose group is not last. */
	metrics_inc(METRIC_SMTP_SESSIONS, NULL);
	metrics_add(METRIC_POLICY_FETCHES, 1, "domain", "third.example",
	    "status", "200", NULL);
	metrics_add(METRIC_POLICY_FETCHES, 1, "domain", "fourth.example",
	    "status", "200", NULL);
	metrics_set(METRIC_SPOOL_DEPTH, 9, "queue", "r", NULL);
	metrics_add(METRIC_POLICY_FETCHES, 1, "domain", "fifth.example",
	    "status", "200", NULL);
	CHECK(metrics_flush() == 0, "flush after new series");
	CHECK(test_file_grouped(path), "new series of earlier metrics stay"
	    " in their groups");
	t = test_own_file(path);
	CHECK(metrics_table_get(t, METRIC_POLICY_FETCHES,
	    "domain=\"fifth.example\",status=\"200\"") == 1 &&
	    metrics_table_get(t, METRIC_SMTP_SESSIONS, "") == 12347 &&
	    metrics_table_count(t) == 9, "their values in the file (%zu)",
	    metrics_table_count(t));
	metrics_table_free(t);
	metrics_del(METRIC_POLICY_FETCHES, "domain", "third.example",
	    "status", "200", NULL);
	metrics_del(METRIC_POLICY_FETCHES, "domain", "fourth.example",
	    "status", "200", NULL);
	metrics_del(METRIC_POLICY_FETCHES, "domain", "fifth.example",
	    "status", "200", NULL);
	metrics_del(METRIC_SPOOL_DEPTH, "queue", "r", NULL);
	for (i = 0; i < 1; i++)
		metrics_add(METRIC_SMTP_SESSIONS, -1, NULL);
	metrics_flush();
	unlink(path);
	metrics_set(METRIC_SPOOL_DEPTH, -5, "queue", "q", NULL);
	metrics_state(METRIC_DNS_PROBLEM, "fail", states, "domain", "x.example",
	    "check", "mx", NULL);
	metrics_flush();
	CHECK(access(path, F_OK) != 0, "values set to what they were: no write");

	/* The state moves: the old one is removed. */
	metrics_state(METRIC_DNS_PROBLEM, "dns-error", states, "domain",
	    "x.example", "check", "mx", NULL);
	CHECK(metrics_flush() == 0, "flush again");
	t = test_own_file(path);
	CHECK(metrics_table_get(t, METRIC_DNS_PROBLEM,
	    "domain=\"x.example\",check=\"mx\",status=\"dns-error\"") == 1 &&
	    metrics_table_count(t) == 5, "state moved: one series");
	metrics_table_free(t);
	metrics_state(METRIC_DNS_PROBLEM, NULL, states, "domain",
	    "x.example", "check", "mx", NULL);
	metrics_del(METRIC_POLICY_FETCHES, "domain", "new.example", "status",
	    "200", NULL);
	metrics_flush();
	t = test_own_file(path);
	CHECK(metrics_table_count(t) == 3, "ok and metrics_del remove (%zu)",
	    metrics_table_count(t));
	metrics_table_free(t);

	/* An epoch: what a round did not set again goes. */
	metrics_set(METRIC_DNS_PROBLEM, 1, "domain", "a", NULL);
	metrics_set(METRIC_DNS_PROBLEM, 1, "domain", "b", NULL);
	e = metrics_epoch();
	metrics_set(METRIC_DNS_PROBLEM, 1, "domain", "b", NULL);
	metrics_set(METRIC_DNS_PROBLEM, 1, "domain", "c", NULL);
	CHECK(metrics_expire(METRIC_DNS_PROBLEM, e) == 1, "one expired");
	metrics_flush();
	t = test_own_file(path);
	CHECK(metrics_table_get(t, METRIC_DNS_PROBLEM, "domain=\"b\"") == 1 &&
	    metrics_table_get(t, METRIC_DNS_PROBLEM, "domain=\"c\"") == 1 &&
	    metrics_table_count(t) == 5 &&
	    metrics_table_get(t, METRIC_SMTP_SESSIONS, "") == 12346,
	    "series set since the epoch stay, others too");
	metrics_table_free(t);
	unlink(path);
	rmdir(METRICS_DIR);
	free(path);
}

/* Names found by value, also from a buffer that is then reused. */
static void
test_find(void)
{
	char name[64];

	CHECK(metrics_find(METRIC_SMTP_SESSIONS) ==
	    metrics_find(METRIC_SMTP_SESSIONS) &&
	    metrics_find(METRIC_SMTP_SESSIONS) != NULL, "a literal, twice");
	snprintf(name, sizeof(name), "%s", METRIC_SMTP_SESSIONS);
	CHECK(metrics_find(name) == metrics_find(METRIC_SMTP_SESSIONS),
	    "the same name in a buffer");
	snprintf(name, sizeof(name), "%s", METRIC_TLS_HANDSHAKES);
	CHECK(metrics_find(name) == metrics_find(METRIC_TLS_HANDSHAKES) &&
	    metrics_find(name) != metrics_find(METRIC_SMTP_SESSIONS),
	    "another name in the same buffer");
	snprintf(name, sizeof(name), "stsd_no_such_metric");
	CHECK(metrics_find(name) == NULL, "an unknown name in it");
}

/*
 * A forked child counts nothing and writes no file: its parent's
 * counts stay its own.
 */
static void
test_fork(void)
{
	struct metrics_table *t;
	char *path, *child_path;
	long long before;
	int status, i;
	pid_t pid;

	CHECK(mkdir(METRICS_DIR, 0700) == 0 || access(METRICS_DIR, W_OK) == 0,
	    "metrics directory");
	metrics_add(METRIC_SMTP_SESSIONS, 7, NULL);
	CHECK(metrics_flush() == 0, "flush before the fork");
	path = xasprintf("%s/%s.%ld", METRICS_DIR, log_program(),
	    (long)getpid());
	t = test_own_file(path);
	before = metrics_table_get(t, METRIC_SMTP_SESSIONS, "");
	metrics_table_free(t);
	CHECK(before >= 7, "counted before the fork (%lld)", before);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		for (i = 0; i < 5; i++)
			metrics_inc(METRIC_SMTP_SESSIONS, NULL);
		metrics_flush();
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0, "child ran");
	child_path = xasprintf("%s/%s.%ld", METRICS_DIR, log_program(),
	    (long)pid);
	CHECK(access(child_path, F_OK) != 0, "the child wrote no file");
	metrics_inc(METRIC_SMTP_SESSIONS, NULL);
	CHECK(metrics_flush() == 0, "flush after the fork");
	t = test_own_file(path);
	CHECK(metrics_table_get(t, METRIC_SMTP_SESSIONS, "") == before + 1,
	    "the parent counts on, without the child's (%lld)",
	    metrics_table_get(t, METRIC_SMTP_SESSIONS, ""));
	metrics_table_free(t);
	unlink(path);
	rmdir(METRICS_DIR);
	free(path);
	free(child_path);
}

int
main(void)
{
	char dir[] = "/tmp/metrics_test.XXXXXX";

	log_init("metrics_test", LOG_TO_STDERR);
	if (mkdtemp(dir) == NULL || chdir(dir) != 0)
		return 1;
	test_labels();
	test_find();
	test_table();
	test_del();
	test_zeros_fold();
	test_self();
	test_fork();
	if (chdir("/") == 0)
		rmdir(dir);
	return unit_status();
}
