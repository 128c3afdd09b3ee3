/*
 * listcache - the list page's evidence from reports.db, kept a minute;
 * see listcache.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "htable.h"
#include "listcache.h"
#include "mymalloc.h"

#define LISTCACHE_START		64	/* buckets of a new table */
#define LISTCACHE_MODE_MAX	16	/* "testing", "enforce", "none" */

struct listcache_entry {
	char	 mode[LISTCACHE_MODE_MAX];
	json_t	*evidence;
	int64_t	 until;			/* ms */
};

static struct htable *listcache_table;

static void
listcache_entry_free(void *v)
{
	struct listcache_entry *e = v;

	json_decref(e->evidence);
	free(e);
}

json_t *
listcache_get(const char *domain, const char *mode, int64_t now)
{
	struct listcache_entry *e;

	if (listcache_table == NULL || (e = htable_find(listcache_table,
	    domain, strlen(domain))) == NULL)
		return NULL;
	if (e->until <= now || strcmp(e->mode, mode) != 0)
		return NULL;
	return e->evidence;
}

/* Drops the expired entries; whether there is room now. */
static int
listcache_room(int64_t now)
{
	struct htable_iter it;
	struct htable_entry *h;

	if (htable_count(listcache_table) < LISTCACHE_MAX)
		return 1;
	htable_iter_start(listcache_table, &it);
	while ((h = htable_iter_next(&it)) != NULL)
		if (((struct listcache_entry *)h->value)->until <= now) {
			listcache_entry_free(h->value);
			htable_delete_entry(listcache_table, h);
		}
	return htable_count(listcache_table) < LISTCACHE_MAX;
}

void
listcache_put(const char *domain, const char *mode, json_t *evidence,
    int64_t now)
{
	struct listcache_entry *e;

	if (listcache_table == NULL)
		listcache_table = htable_new(LISTCACHE_START, 0);
	if ((e = htable_find(listcache_table, domain, strlen(domain))) ==
	    NULL) {
		if (!listcache_room(now)) {
			json_decref(evidence);
			return;
		}
		e = xcalloc(1, sizeof(*e));
		htable_enter(listcache_table, domain, strlen(domain), e);
	}
	json_decref(e->evidence);
	e->evidence = evidence;
	snprintf(e->mode, sizeof(e->mode), "%s", mode);
	e->until = now + LISTCACHE_MS;
}

void
listcache_free(void)
{
	if (listcache_table != NULL)
		htable_free(listcache_table, listcache_entry_free);
	listcache_table = NULL;
}
