/*
 * verdict - what dnsmon makes of the checks of a domain: alerts and
 * metrics; see verdict.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "alert.h"
#include "buf.h"
#include "params.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "verdict.h"

#define VERDICT_STATE_FILE	"alerts.state"
#define VERDICT_LOCK_FILE	"alerts.state.lock"
#define VERDICT_TALLY_CHECKS	32	/* check names counted (metrics) */
#define VERDICT_TALLY_NAME	32	/* bytes of a check name, with NUL */

static const int verdict_expiry_steps[] = { 1, 7, 21 };	/* days, ascending */
static int verdict_lock = -1;

/*
 * Alerts.
 */
static void
verdict_alert_check(const char *domain, json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "check"));
	const char *status = json_string_value(json_object_get(c, "status"));
	const char *host = json_string_value(json_object_get(c, "host"));
	const char *msg = json_string_value(json_object_get(c, "message"));
	const char *fix = json_string_value(json_object_get(c, "fix"));
	const char *key = json_string_value(json_object_get(c, "key"));
	char *kind, *subject, *text;

	if (name == NULL || status == NULL || msg == NULL)
		return;
	kind = host ? xasprintf("%s:%s", name, host) : xstrdup(name);
	if (strcmp(status, "ok") == 0)
		alert_clear(domain, kind);
	else if (strcmp(status, "fail") == 0) {
		subject = xasprintf("stsd: %s: %s", domain, msg);
		text = fix ? xasprintf("%s\n\nFix: %s", msg, fix) :
		    xstrdup(msg);
		alert_raise(domain, kind, key ? key : msg, subject, text);
		free(subject);
		free(text);
	}
	free(kind);
}

/* Expiry warnings at 21, 7 and 1 days: one alert at each step. */
static void
verdict_alert_expiry(const char *domain, json_t *c)
{
	const char *host = json_string_value(json_object_get(c, "host"));
	json_t *dl = json_object_get(c, "days_left");
	size_t i, nsteps = sizeof(verdict_expiry_steps) /
	    sizeof(verdict_expiry_steps[0]);
	char *kind, *subject, *key;
	long long days;

	if (host == NULL || !json_is_integer(dl))
		return;
	days = json_integer_value(dl);
	kind = xasprintf("cert-expiry:%s", host);
	for (i = 0; i < nsteps; i++)
		if (days >= 0 && days <= verdict_expiry_steps[i])
			break;
	if (days < 0 || i == nsteps)
		alert_clear(domain, kind);
	else {
		key = xasprintf("%d", verdict_expiry_steps[i]);
		subject = xasprintf("stsd: %s: the certificate of %s expires"
		    " in %lld days", domain, host, days);
		alert_raise(domain, kind, key, subject, subject);
		free(key);
		free(subject);
	}
	free(kind);
}

/*
 * Metrics: the results of a round by check and status, set once at its
 * end (stsd_dns_checks), and a series for each result that is not ok
 * (stsd_dns_check_problem), removed when it is ok again or when the
 * round did not see it (a domain or MX host that is gone).
 */
static const char *const verdict_check_states[] = {
	"ok", "fail", "dns-error", "info", NULL,
};
static const char *const verdict_problem_states[] = {
	"fail", "dns-error", NULL,
};
static struct {
	char	 check[VERDICT_TALLY_NAME];
	long long n[sizeof(verdict_check_states) /
	    sizeof(verdict_check_states[0]) - 1];
} verdict_tally[VERDICT_TALLY_CHECKS];
static size_t verdict_tally_len;
static unsigned long verdict_epoch;

static void
verdict_count(const char *domain, json_t *c, int counted)
{
	const char *check = json_string_value(json_object_get(c, "check"));
	const char *status = json_string_value(json_object_get(c, "status"));
	size_t i, k;

	if (check == NULL || status == NULL)
		return;
	metrics_state(METRIC_DNS_PROBLEM, status, verdict_problem_states,
	    "domain", domain, "check", check, "host",
	    json_string_value(json_object_get(c, "host")), NULL);
	if (!counted)
		return;
	for (k = 0; verdict_check_states[k] != NULL; k++)
		if (strcmp(verdict_check_states[k], status) == 0)
			break;
	for (i = 0; i < verdict_tally_len; i++)
		if (strcmp(verdict_tally[i].check, check) == 0)
			break;
	if (verdict_check_states[k] == NULL || strlen(check) >=
	    VERDICT_TALLY_NAME || (i == verdict_tally_len &&
	    verdict_tally_len == VERDICT_TALLY_CHECKS))
		return;			/* not ours to count */
	if (i == verdict_tally_len) {
		memset(&verdict_tally[i], 0, sizeof(verdict_tally[i]));
		strcpy(verdict_tally[i].check, check);
		verdict_tally_len++;
	}
	verdict_tally[i].n[k]++;
}

void
verdict_round_done(void)
{
	size_t i, k;

	for (i = 0; i < verdict_tally_len; i++)
		for (k = 0; verdict_check_states[k] != NULL; k++)
			metrics_set(METRIC_DNS_CHECKS, verdict_tally[i].n[k],
			    "check", verdict_tally[i].check, "status",
			    verdict_check_states[k], NULL);
	metrics_expire(METRIC_DNS_CHECKS, verdict_epoch);
	metrics_expire(METRIC_DNS_PROBLEM, verdict_epoch);
	metrics_inc(METRIC_DNS_ROUNDS, NULL);
}

void
verdict_round_start(void)
{
	verdict_epoch = metrics_epoch();
	verdict_tally_len = 0;
}

void
verdict_result(const char *domain, json_t *checks, int pending, int counted)
{
	json_t *c;
	size_t i;

	metrics_inc(METRIC_DNS_DOMAINS, NULL);
	json_array_foreach(checks, i, c)
		verdict_count(domain, c, counted);
	/* A pending domain is still being set up: no alerts yet. */
	json_array_foreach(checks, i, c) {
		if (pending)
			break;
		verdict_alert_check(domain, c);
		if (json_object_get(c, "days_left") != NULL)
			verdict_alert_expiry(domain, c);
	}
}

/* One dnsmon at a time: the alert state has one writer. */
static void
verdict_take_lock(void)
{
	char *path = xasprintf("%s/%s", var_data_directory,
	    VERDICT_LOCK_FILE);

	verdict_lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (verdict_lock < 0)
		log_fatal("%s: %s", path, strerror(errno));
	if (flock(verdict_lock, LOCK_EX | LOCK_NB) < 0)
		log_fatal("%s: %s", path, errno == EWOULDBLOCK ?
		    "another dnsmon is running (its master.cf maxproc must"
		    " be 1)" : strerror(errno));
	free(path);
}

void
verdict_open(void)
{
	struct buf err = BUF_INIT;
	char *state;

	verdict_take_lock();
	state = xasprintf("%s/%s", var_data_directory,
	    VERDICT_STATE_FILE);
	if (alert_store_file(state, &err) < 0)
		log_fatal("%s", err.s);
	free(state);
}

void
verdict_close(void)
{
	alert_store_close();
	if (verdict_lock >= 0)
		close(verdict_lock);
}
