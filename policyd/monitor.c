/*
 * monitor - dnsmon's last check of each domain, in policy.db; see
 * monitor.h.
 * SPDX-License-Identifier: ISC
 *
 * Each check is stored whole (lib/policydb), as the JSON object dnsmon
 * sent (after monitor_checks_valid()), with its name, host and status
 * apart so that the time since a status began can be carried over.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "monitor.h"
#include "mymalloc.h"
#include "policydb.h"

static const char *monitor_statuses[] = {
	"ok", "fail", "dns-error", "info", NULL
};

static const char *
monitor_str(const json_t *c, const char *key)
{
	return json_string_value(json_object_get(c, key));
}

int
monitor_checks_valid(const json_t *checks, struct buf *err)
{
	const json_t *c;
	const char *status, **s;
	size_t i, len;
	char *text;

	if (!json_is_array(checks)) {
		buf_puts(err, "checks: not a list");
		return -1;
	}
	if (json_array_size(checks) > MONITOR_CHECKS_MAX) {
		buf_printf(err, "%zu checks: at most %d allowed",
		    json_array_size(checks), MONITOR_CHECKS_MAX);
		return -1;
	}
	json_array_foreach(checks, i, c) {
		if (!json_is_object(c) || monitor_str(c, "check") == NULL ||
		    *monitor_str(c, "check") == '\0' ||
		    monitor_str(c, "message") == NULL) {
			buf_printf(err, "check %zu: not an object with check,"
			    " status and message", i + 1);
			return -1;
		}
		status = monitor_str(c, "status");
		for (s = monitor_statuses; *s; s++)
			if (status && strcmp(status, *s) == 0)
				break;
		if (*s == NULL) {
			buf_printf(err, "check %zu (%s): status \"%s\": must be"
			    " ok, fail, dns-error or info", i + 1,
			    monitor_str(c, "check"), status ? status : "");
			return -1;
		}
		text = json_dumps(c, JSON_COMPACT);
		len = text ? strlen(text) : 0;
		free(text);
		if (len > MONITOR_TEXT_MAX) {
			buf_printf(err, "check %zu (%s): longer than %d bytes",
			    i + 1, monitor_str(c, "check"), MONITOR_TEXT_MAX);
			return -1;
		}
	}
	return 0;
}

/* Since when check c has had its status: carried over when unchanged. */
static long long
monitor_since(const struct policydb_check *v, size_t n, const json_t *c,
    long long when)
{
	const char *host = monitor_str(c, "host");
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, monitor_str(c, "check")) == 0 &&
		    strcmp(v[i].host, host ? host : "") == 0)
			return strcmp(v[i].status, monitor_str(c, "status")) == 0
			    && v[i].since <= when ? v[i].since : when;
	return when;
}

int
monitor_store(struct policydb *db, const char *domain, long long when,
    long long next, const json_t *checks, struct buf *err)
{
	struct policydb_check *old, *v;
	long long checked, unused;
	const json_t *c;
	const char *host;
	size_t nold, n, i;
	int rc;

	if (policydb_monitor_get(db, domain, &checked, &unused) &&
	    checked > when)
		return 0;
	nold = policydb_checks_get(db, domain, MONITOR_CHECKS_MAX, &old);
	n = json_array_size(checks);
	v = xcalloc(n ? n : 1, sizeof(*v));
	json_array_foreach(checks, i, c) {
		host = monitor_str(c, "host");
		v[i].name = xstrdup(monitor_str(c, "check"));
		v[i].host = xstrdup(host ? host : "");
		v[i].status = xstrdup(monitor_str(c, "status"));
		v[i].since = monitor_since(old, nold, c, when);
		if ((v[i].data = json_dumps(c, JSON_COMPACT)) == NULL)
			v[i].data = xstrdup("{}");
	}
	rc = policydb_monitor_put(db, domain, when, next, v, n, err);
	policydb_checks_free(v, n);
	policydb_checks_free(old, nold);
	return rc < 0 ? -1 : 1;
}

int
monitor_get(struct policydb *db, const char *domain, long long *checked,
    long long *next, json_t **checks)
{
	struct policydb_check *v;
	size_t n, i;
	json_t *a, *c;
	int found;

	found = policydb_monitor_get(db, domain, checked, next);
	n = policydb_checks_get(db, domain, SIZE_MAX, &v);
	a = json_array();
	for (i = 0; i < n; i++) {
		c = json_loads(v[i].data, 0, NULL);
		if (!json_is_object(c)) {
			json_decref(c);
			continue;
		}
		json_object_set_new(c, "since", json_integer(v[i].since));
		json_array_append_new(a, c);
	}
	policydb_checks_free(v, n);
	*checks = a;
	return found;
}
