/*
 * monitor - dnsmon's last check of each domain, in policy.db; see
 * monitor.h.
 * SPDX-License-Identifier: ISC
 *
 * Each check is stored whole, as the JSON object dnsmon sent (after
 * monitor_checks_valid()), with its name, host and status in columns
 * so that the time since a status began can be carried over.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "monitor.h"
#include "mymalloc.h"

static const char *monitor_statuses[] = {
	"ok", "fail", "dns-error", "info", NULL
};

struct monitor_old {
	char	*name;
	char	*host;
	char	*status;
	long long since;
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

static const char *
monitor_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static size_t
monitor_old_read(sqlite3 *db, const char *domain, struct monitor_old **vp)
{
	struct monitor_old *v = NULL;
	sqlite3_stmt *st;
	size_t n = 0;

	st = db_prepare(db, "SELECT name, host, status, since FROM"
	    " domain_checks WHERE domain = ? ORDER BY pos");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	while (n < MONITOR_CHECKS_MAX && sqlite3_step(st) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].name = xstrdup(monitor_col(st, 0));
		v[n].host = xstrdup(monitor_col(st, 1));
		v[n].status = xstrdup(monitor_col(st, 2));
		v[n].since = sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	*vp = v;
	return n;
}

static void
monitor_old_free(struct monitor_old *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].host);
		free(v[i].status);
	}
	free(v);
}

/* Since when check c has had its status: carried over when unchanged. */
static long long
monitor_since(const struct monitor_old *v, size_t n, const json_t *c,
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
monitor_store(sqlite3 *db, const char *domain, long long when,
    long long next, const json_t *checks, struct buf *err)
{
	struct monitor_old *old;
	sqlite3_stmt *st;
	const json_t *c;
	const char *host;
	size_t nold, i;
	char *text;

	st = db_prepare(db, "SELECT checked FROM domain_monitor WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 0) > when) {
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);

	st = db_prepare(db, "INSERT INTO domain_monitor (domain, checked, next)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (domain) DO UPDATE SET"
	    " checked = ?2, next = ?3");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	if (next > 0)
		sqlite3_bind_int64(st, 3, next);
	else
		sqlite3_bind_null(st, 3);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_step_error(db, st, "store check time", err);
	sqlite3_finalize(st);

	nold = monitor_old_read(db, domain, &old);
	st = db_prepare(db, "DELETE FROM domain_checks WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		monitor_old_free(old, nold);
		return db_step_error(db, st, "delete checks", err);
	}
	sqlite3_finalize(st);

	st = db_prepare(db, "INSERT INTO domain_checks (domain, pos, name,"
	    " host, status, since, data) VALUES (?, ?, ?, ?, ?, ?, ?)");
	json_array_foreach(checks, i, c) {
		host = monitor_str(c, "host");
		text = json_dumps(c, JSON_COMPACT);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, monitor_str(c, "check"), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, host ? host : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, monitor_str(c, "status"), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, monitor_since(old, nold, c, when));
		sqlite3_bind_text(st, 7, text ? text : "{}", -1,
		    SQLITE_TRANSIENT);
		free(text);
		if (sqlite3_step(st) != SQLITE_DONE) {
			monitor_old_free(old, nold);
			return db_step_error(db, st, "store check", err);
		}
	}
	sqlite3_finalize(st);
	monitor_old_free(old, nold);
	return 1;
}

int
monitor_get(sqlite3 *db, const char *domain, long long *checked,
    long long *next, json_t **checks)
{
	sqlite3_stmt *st;
	json_t *a, *c;
	int found = 0;

	*checked = 0;
	*next = 0;
	st = db_prepare(db, "SELECT checked, next FROM domain_monitor"
	    " WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*checked = sqlite3_column_int64(st, 0);
		*next = sqlite3_column_int64(st, 1);	/* NULL: 0 */
		found = 1;
	}
	sqlite3_finalize(st);

	a = json_array();
	st = db_prepare(db, "SELECT data, since FROM domain_checks"
	    " WHERE domain = ? ORDER BY pos");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		c = json_loads(monitor_col(st, 0), 0, NULL);
		if (!json_is_object(c)) {
			json_decref(c);
			continue;
		}
		json_object_set_new(c, "since",
		    json_integer(sqlite3_column_int64(st, 1)));
		json_array_append_new(a, c);
	}
	sqlite3_finalize(st);
	*checks = a;
	return found;
}
