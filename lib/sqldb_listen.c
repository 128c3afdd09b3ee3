/*
 * sqldb_listen - LISTEN/NOTIFY on lib/sqldb: notifications sent at
 * COMMIT, and a connection of its own that receives them; see sqldb.h.
 * SPDX-License-Identifier: ISC
 *
 * On SQLite all of it does nothing: one host, one writer, nothing to
 * hear about.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "sqldb.h"
#include "sqldb_engine.h"

struct sqldb_listener {
	struct sqldb *db;		/* its own connection; NULL: SQLite */
};

/* Channels are constants of the callers: a bad one is a bug. */
static void
sqldb_channel_check(const char *channel)
{
	size_t i, n = strlen(channel);

	for (i = 0; i < n; i++)
		if (!(channel[i] >= 'a' && channel[i] <= 'z') &&
		    !(channel[i] >= '0' && channel[i] <= '9') &&
		    channel[i] != '_')
			break;
	if (n == 0 || n > SQLDB_CHANNEL_MAX || i < n)
		log_panic("sqldb: bad channel name \"%s\"", channel);
}

int
sqldb_notify(struct sqldb *db, const char *channel, const char *payload,
    struct buf *err)
{
	struct sqldb_stmt *st;

	sqldb_channel_check(channel);
	if (db->engine == SQLDB_SQLITE)
		return 0;
	if (strlen(payload) > SQLDB_NOTIFY_MAX) {
		buf_printf(err, "%s: notify %s: a payload of %zu bytes, more"
		    " than %d", db->name, channel, strlen(payload),
		    SQLDB_NOTIFY_MAX);
		return -1;
	}
	st = sqldb_cached(db, "SELECT pg_notify(?1, ?2)");
	sqldb_bind_text(st, 1, channel);
	sqldb_bind_text(st, 2, payload);
	if (sqldb_step(st) != SQLDB_ROW)
		return sqldb_step_error(st, "notify", err);
	sqldb_finish(st);
	return 0;
}

int
sqldb_backend_pid(struct sqldb *db)
{
	return db->engine == SQLDB_SQLITE ? 0 : sqldb_pg_backend_pid(db);
}

struct sqldb_listener *
sqldb_listen(const struct sqldb_target *t, const char *channel,
    struct buf *err)
{
	struct sqldb_listener *l = xcalloc(1, sizeof(*l));
	struct sqldb *db;
	char *sql;
	int rc;

	sqldb_channel_check(channel);
	if (t->engine == SQLDB_SQLITE)
		return l;
	db = xcalloc(1, sizeof(*db));
	db->engine = t->engine;
	db->key = xstrdup(t->name);
	if (sqldb_pg_connect_only(db, t, err) < 0) {
		free(db->name);
		free(db->key);
		free(db);
		free(l);
		return NULL;
	}
	l->db = db;
	sql = xasprintf("LISTEN %s", channel);
	rc = sqldb_exec(db, sql, err);
	free(sql);
	if (rc < 0) {
		sqldb_listener_close(l);
		return NULL;
	}
	return l;
}

int
sqldb_listener_fd(const struct sqldb_listener *l)
{
	return l->db == NULL ? -1 : sqldb_pg_socket(l->db);
}

int
sqldb_listener_read(struct sqldb_listener *l, sqldb_notice_fn *fn,
    void *arg, struct buf *err)
{
	if (l->db == NULL)
		return 0;
	return sqldb_pg_notices(l->db, fn, arg, err);
}

void
sqldb_listener_close(struct sqldb_listener *l)
{
	if (l == NULL)
		return;
	sqldb_close(l->db);
	free(l);
}
