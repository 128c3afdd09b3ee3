/*
 * htable_test - lib/htable: string and binary keys, case, growth to
 * many entries, iteration with deletes, values held in their entries.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "mymalloc.h"
#include "unit.h"

#define TEST_MANY	100000	/* entries of the growth test */

static int test_freed;

static void
test_free_value(void *v)
{
	free(v);
	test_freed++;
}

static void
test_strings(void)
{
	struct htable *t = htable_new(0, 0);
	struct htable *nc = htable_new(0, HTABLE_NOCASE);
	struct htable_entry *e;
	int one = 1, two = 2;

	e = htable_enter_str(t, "mx1.example.com", &one);
	CHECK(e != NULL && STR_EQ(e->key, "mx1.example.com") &&
	    e->value == &one, "enter: the entry holds its key and value");
	htable_enter_str(t, "mx2.example.com", &two);
	CHECK(htable_find_str(t, "mx1.example.com") == &one &&
	    htable_find_str(t, "mx2.example.com") == &two, "find: each key"
	    " gives its value");
	CHECK(htable_find_str(t, "MX1.example.com") == NULL &&
	    htable_find_str(t, "mx1.example.co") == NULL &&
	    htable_find_str(t, "") == NULL, "find: another case, a prefix,"
	    " the empty key are other keys");
	htable_enter_str(nc, "Mx1.Example.COM", &one);
	e = htable_lookup_str(nc, "mx1.example.com");
	CHECK(e != NULL && e->value == &one && STR_EQ(e->key,
	    "Mx1.Example.COM"), "nocase: one key whatever the case; the"
	    " entry keeps the first spelling");
	CHECK(htable_delete_str(t, "mx1.example.com") == &one &&
	    htable_find_str(t, "mx1.example.com") == NULL &&
	    htable_count(t) == 1, "delete: gives the value, the key is gone");
	CHECK(htable_delete_str(t, "nothing") == NULL, "delete: of a key"
	    " that is not there is NULL");
	htable_free(t, NULL);
	htable_free(nc, NULL);
}

static void
test_binary(void)
{
	struct htable *t = htable_new(4, 0);
	unsigned char a[16] = { 0 }, b[16] = { 0 };
	int va = 1, vb = 2;

	b[15] = 1;			/* keys with NULs, one byte apart */
	htable_enter(t, a, sizeof(a), &va);
	htable_enter(t, b, sizeof(b), &vb);
	CHECK(htable_find(t, a, sizeof(a)) == &va && htable_find(t, b,
	    sizeof(b)) == &vb && htable_find(t, a, 4) == NULL,
	    "binary: keys are all their bytes, NULs included");
	htable_free(t, NULL);
}

static void
test_many(void)
{
	struct htable *t = htable_new(0, 0);
	struct htable_iter it;
	struct htable_entry *e;
	char key[32];
	int i, found = 0, seen = 0, kept = 0;

	for (i = 0; i < TEST_MANY; i++) {
		snprintf(key, sizeof(key), "domain%d.example", i);
		htable_enter_str(t, key, xasprintf("%d", i));
	}
	for (i = 0; i < TEST_MANY; i++) {
		snprintf(key, sizeof(key), "domain%d.example", i);
		e = htable_lookup_str(t, key);
		found += e != NULL && atoi(e->value) == i;
	}
	CHECK(found == TEST_MANY && htable_count(t) == TEST_MANY,
	    "grow: %d of %d entries found after growing", found, TEST_MANY);
	/* Delete the odd ones while walking. */
	htable_iter_start(t, &it);
	while ((e = htable_iter_next(&it)) != NULL) {
		seen++;
		if (atoi(e->value) % 2 == 1) {
			free(e->value);
			htable_delete_entry(t, e);
		}
	}
	htable_iter_start(t, &it);
	while ((e = htable_iter_next(&it)) != NULL)
		kept += atoi(e->value) % 2 == 0;
	CHECK(seen == TEST_MANY && kept == TEST_MANY / 2 &&
	    htable_count(t) == TEST_MANY / 2, "iterate: each entry once (%d),"
	    " deletes on the way keep the others (%d)", seen, kept);
	test_freed = 0;
	htable_free(t, test_free_value);
	CHECK(test_freed == TEST_MANY / 2, "free: each value freed once");
}

/* Blocks: the value in the entry, aligned, kept through growth. */
static void
test_blocks(void)
{
	struct htable *t = htable_new(0, 0);
	struct htable_entry *e;
	char key[32];
	void *v;
	int i, aligned = 0, found = 0;

	for (i = 0; i < TEST_MANY; i++) {
		snprintf(key, sizeof(key), "%*d", 1 + i % 17, i);
		e = htable_enter_block(t, key, strlen(key), sizeof(int) +
		    (size_t)(i % 5));
		aligned += (uintptr_t)e->value % alignof(max_align_t) == 0;
		*(int *)e->value = i;
	}
	for (i = 0; i < TEST_MANY; i++) {
		snprintf(key, sizeof(key), "%*d", 1 + i % 17, i);
		found += *(int *)htable_find_str(t, key) == i;
	}
	CHECK(aligned == TEST_MANY && found == TEST_MANY &&
	    htable_count(t) == TEST_MANY, "block: %d of %d values aligned,"
	    " %d found with their contents after growing", aligned,
	    TEST_MANY, found);
	snprintf(key, sizeof(key), "%*d", 1 + 7 % 17, 7);
	e = htable_enter_block(t, key, strlen(key), 64);
	memset(e->value, 'x', 64);
	v = e->value;
	CHECK(htable_count(t) == TEST_MANY && htable_find_str(t, key) == v &&
	    ((char *)v)[63] == 'x', "block: a block of a key that is there"
	    " replaces its entry");
	CHECK(htable_delete_str(t, key) == v && htable_count(t) ==
	    TEST_MANY - 1 && htable_find_str(t, key) == NULL, "block: delete"
	    " frees the entry with its value");
	htable_free(t, NULL);
}

int
main(void)
{
	test_strings();
	test_binary();
	test_many();
	test_blocks();
	return unit_status();
}
