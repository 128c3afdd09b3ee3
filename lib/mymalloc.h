/*
 * mymalloc - allocation that never returns NULL.
 * SPDX-License-Identifier: ISC
 *
 * Running out of memory is fatal in this one place (Postfix mymalloc(3)),
 * so no caller checks for NULL.
 *
 * xgrowarray(p, n, &cap, initial, size) makes room for element n of an
 * array of cap elements of size bytes: when n is cap, cap doubles (or
 * becomes initial) and p is reallocated; it returns the array.
 *
 * xfreev(v, n) frees the n strings of v, then v (Postfix argv_free()).
 *
 * XFREE_EACH(v, n, clear) calls clear(&v[i]) for each of the n elements
 * of an array of structs, then frees v: the one loop of every "free a
 * list" function, with the element's own type checked at each use.
 */
#ifndef STS_MYMALLOC_H
#define STS_MYMALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
void	*xgrowarray(void *, size_t n, size_t *cap, size_t initial,
	    size_t size);
void	 xfreev(char **v, size_t n);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#define XFREE_EACH(v, n, clear) do {					\
	size_t	 xfree_each_i_;						\
									\
	for (xfree_each_i_ = 0; xfree_each_i_ < (size_t)(n);		\
	    xfree_each_i_++)						\
		clear(&(v)[xfree_each_i_]);				\
	free(v);							\
} while (0)

#endif
