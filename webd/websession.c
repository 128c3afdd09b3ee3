/*
 * websession - webd's sign-in sessions; see websession.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "htable.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "websession.h"

#define SESSION_TABLE_START	64	/* buckets at first */

static struct htable *session_table;

/* SESSION_BYTES random bytes in hexadecimal, or log_fatal. */
static void
session_random(char out[SESSION_HEX + 1])
{
	unsigned char raw[SESSION_BYTES];
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		log_fatal("session: RAND_bytes failed: no random ids");
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof(raw));
}

static void
session_free(void *v)
{
	OPENSSL_cleanse(v, sizeof(struct session));
	free(v);
}

/*
 * Room for one more: drops the expired sessions, then, when still
 * full, the oldest visitor's.  -1 when only signed-in ones are left.
 */
static int
session_make_room(time_t now)
{
	struct htable_iter it;
	struct htable_entry *e, *oldest = NULL;
	struct session *s;

	if (htable_count(session_table) < (size_t)var_portal_sessions_max)
		return 0;
	htable_iter_start(session_table, &it);
	while ((e = htable_iter_next(&it)) != NULL) {
		s = e->value;
		if (s->expires <= now) {
			session_free(s);
			htable_delete_entry(session_table, e);
		} else if (s->account[0] == '\0' && (oldest == NULL ||
		    s->created < ((struct session *)oldest->value)->created))
			oldest = e;
	}
	if (htable_count(session_table) < (size_t)var_portal_sessions_max)
		return 0;
	if (oldest == NULL)
		return -1;
	session_free(oldest->value);
	htable_delete_entry(session_table, oldest);
	return 0;
}

struct session *
session_new(const char *account, time_t now)
{
	struct session *s;

	if (session_table == NULL)
		session_table = htable_new(SESSION_TABLE_START, 0);
	if (session_make_room(now) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	do
		session_random(s->id);
	while (htable_find_str(session_table, s->id) != NULL);
	session_random(s->csrf);
	if (account != NULL)
		snprintf(s->account, sizeof(s->account), "%s", account);
	s->created = now;
	s->expires = now + (account != NULL ? var_portal_session_time :
	    var_portal_anonymous_time);
	htable_enter_str(session_table, s->id, s);
	return s;
}

struct session *
session_find(const char *id, time_t now)
{
	struct session *s;

	if (session_table == NULL || strlen(id) != SESSION_HEX ||
	    (s = htable_find_str(session_table, id)) == NULL)
		return NULL;
	if (s->expires <= now) {
		session_end(s);
		return NULL;
	}
	return s;
}

void
session_end(struct session *s)
{
	htable_delete_str(session_table, s->id);
	session_free(s);
}

int
session_csrf_ok(const struct session *s, const char *token)
{
	return token != NULL && strlen(token) == SESSION_HEX &&
	    CRYPTO_memcmp(s->csrf, token, SESSION_HEX) == 0;
}

size_t
session_count(void)
{
	return session_table ? htable_count(session_table) : 0;
}

void
session_free_all(void)
{
	if (session_table != NULL)
		htable_free(session_table, session_free);
	session_table = NULL;
}
