/*
 * tlsrpt_json - the JSON of a TLS report before its walk: the nesting
 * check on the raw bytes, and jansson's parse into an arena released
 * whole; see tlsrpt.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tlsrpt.h"

#define TLSRPT_ARENA_CHUNK	(256 * 1024)	/* jansson's memory, at least */

/*
 * Nesting of arrays and objects, on the raw bytes: jansson would
 * recurse once per level before it could be stopped.  Returns -1 when
 * some point of the text is deeper than limit.
 */
int
tlsrpt_depth_check(const char *data, size_t len, int limit)
{
	const char *p, *q, *b, *end = data + len;
	int depth = 0;

	for (p = data; p < end; p++) {
		switch (*p) {
		case '"':
			/*
			 * On to the quote that ends the string: the first
			 * one after an even run of backslashes (each pair is
			 * an escaped backslash).  memchr() runs over the text
			 * of the strings, which is most of a report.
			 */
			for (;;) {
				if ((q = memchr(p + 1, '"', (size_t)(end - p -
				    1))) == NULL)
					return 0;	/* jansson refuses it */
				for (b = q; b - 1 > p && b[-1] == '\\'; b--)
					;
				p = q;
				if ((q - b) % 2 == 0)
					break;
			}
			break;
		case '[':
		case '{':
			if (++depth > limit)
				return -1;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return 0;
}

/*
 * jansson's memory for one report: an arena that json_loadb() takes
 * its nodes from and that is released whole once the tree has been
 * walked, instead of a malloc() and a free() for each node.  jansson's
 * allocator is global, so the arena is set for the parse and the walk
 * only, and the tree never outlives them; the daemons that parse
 * reports are single-threaded.  One chunk of TLSRPT_ARENA_CHUNK bytes
 * is kept between reports; larger reports take more and give them
 * back.
 */
struct tlsrpt_chunk {
	struct tlsrpt_chunk *next;	/* the chunk filled before this one */
	size_t	 size;
	size_t	 used;
	max_align_t data[];
};

static struct tlsrpt_chunk *tlsrpt_arena;
static json_malloc_t tlsrpt_saved_malloc;
static json_free_t tlsrpt_saved_free;

#define TLSRPT_ALIGN	(sizeof(max_align_t))

static void *
tlsrpt_arena_malloc(size_t n)
{
	struct tlsrpt_chunk *ch = tlsrpt_arena;
	size_t size;
	void *p;

	n = (n + TLSRPT_ALIGN - 1) & ~(TLSRPT_ALIGN - 1);
	if (ch == NULL || ch->size - ch->used < n) {
		size = n > TLSRPT_ARENA_CHUNK ? n : TLSRPT_ARENA_CHUNK;
		if (size > SIZE_MAX - sizeof(*ch) ||
		    (ch = malloc(sizeof(*ch) + size)) == NULL)
			return NULL;	/* jansson reports it */
		ch->next = tlsrpt_arena;
		ch->size = size;
		ch->used = 0;
		tlsrpt_arena = ch;
	}
	p = (char *)ch->data + ch->used;
	ch->used += n;
	return p;
}

static void
tlsrpt_arena_free(void *p)
{
	(void)p;		/* released with the whole arena */
}

json_t *
tlsrpt_json_load(const char *data, size_t len, json_error_t *jerr)
{
	json_t *top;

	json_get_alloc_funcs(&tlsrpt_saved_malloc, &tlsrpt_saved_free);
	json_set_alloc_funcs(tlsrpt_arena_malloc, tlsrpt_arena_free);
	if ((top = json_loadb(data, len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, jerr)) == NULL)
		tlsrpt_json_free(NULL);
	return top;
}

void
tlsrpt_json_free(json_t *top)
{
	struct tlsrpt_chunk *ch, *next;

	(void)top;		/* its nodes are all in the arena */
	for (ch = tlsrpt_arena; ch != NULL && ch->next != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	/* What is left is the first chunk: kept when of the usual size. */
	if (ch != NULL && ch->size > TLSRPT_ARENA_CHUNK) {
		free(ch);
		ch = NULL;
	}
	if ((tlsrpt_arena = ch) != NULL)
		ch->used = 0;
	if (tlsrpt_saved_malloc != NULL)
		json_set_alloc_funcs(tlsrpt_saved_malloc, tlsrpt_saved_free);
}
