/*
 * table - aligned text columns; see table.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "table.h"

#define TABLE_ROWS_INITIAL	16

struct table {
	size_t	 ncols;
	size_t	 nrows;		/* including the header, if any */
	size_t	 cap;		/* rows allocated */
	int	 header;
	char	**cells;	/* nrows * ncols */
	size_t	*width;
};

static void
table_add(struct table *t, va_list ap)
{
	size_t i, len;
	const char *s;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : TABLE_ROWS_INITIAL;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof(char *));
	}
	for (i = 0; i < t->ncols; i++) {
		s = va_arg(ap, const char *);
		if (s == NULL)
			s = "";
		t->cells[t->nrows * t->ncols + i] = xstrdup(s);
		if ((len = strlen(s)) > t->width[i])
			t->width[i] = len;
	}
	t->nrows++;
}

struct table *
table_new(size_t ncols, ...)
{
	struct table *t = xcalloc(1, sizeof(*t));
	va_list ap;

	t->ncols = ncols;
	t->width = xcalloc(ncols, sizeof(size_t));
	va_start(ap, ncols);
	if (va_arg(ap, const char *) != NULL) {
		va_end(ap);
		va_start(ap, ncols);
		table_add(t, ap);
		t->header = 1;
	}
	va_end(ap);
	return t;
}

void
table_row(struct table *t, ...)
{
	va_list ap;

	va_start(ap, t);
	table_add(t, ap);
	va_end(ap);
}

size_t
table_rows(const struct table *t)
{
	return t->nrows - (size_t)t->header;
}

void
table_print(const struct table *t, FILE *fp)
{
	size_t r, c;
	const char *s;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			s = t->cells[r * t->ncols + c];
			if (c + 1 == t->ncols)
				fprintf(fp, "%s\n", s);
			else
				fprintf(fp, "%-*s  ", (int)t->width[c], s);
		}
	}
}

void
table_print_or(const struct table *t, FILE *fp, const char *fmt, ...)
{
	va_list ap;

	if (table_rows(t) > 0) {
		table_print(t, fp);
		return;
	}
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
}

void
table_free(struct table *t)
{
	size_t r;

	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t->width);
	free(t);
}
