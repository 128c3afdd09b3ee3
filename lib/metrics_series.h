/*
 * metrics_series - the series and tables inside lib/metrics, shared by
 * its two files: metrics_table.c (the catalog, tables of series, their
 * files and exposition) and metrics_self.c (the series of this process
 * and its file).  Not an interface: metrics.h is.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	s = metrics_table_ref(t, def, labels)	made at 0 when new; NULL: full
 *	s = metrics_slot(t, def, labels, metrics_hash(name, labels))
 *	metrics_series_update(s, value, add)	1: the value changed
 *	metrics_slot_clear(t, s)		removes s
 *
 * DESCRIPTION
 *	A table is an open-addressing hash table (linear probing,
 *	power-of-two size, grown at 70% load) of series keyed by metric
 *	and label text; removal shifts the series that follow back into
 *	the emptied slot (no tombstones).  It stays apart from lib/htable:
 *	a count per domain is one probe into one array, with 100,000
 *	domains and no allocation per lookup.
 *
 * LIMITS
 *	METRICS_SERIES_MAX series per table (metrics.h).
 */
#ifndef STS_METRICS_SERIES_H
#define STS_METRICS_SERIES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "metrics.h"

#define METRICS_OFF_NONE	SIZE_MAX	/* not in the image */

struct metrics_series {
	const struct metrics_def *def;	/* NULL: empty slot */
	char	*labels;		/* label text, without braces */
	uint64_t hash;
	long long value;
	size_t	 off;			/* own table: the value in the image */
	unsigned long epoch;		/* own table: when last set */
};

struct metrics_table {
	struct metrics_series *slots;
	size_t	 cap;			/* a power of two */
	size_t	 count;
};

size_t	metrics_catalog_size(void);
uint64_t metrics_hash(const char *name, const char *labels);
int	metrics_vlabels(struct buf *, va_list);
struct metrics_series *metrics_slot(const struct metrics_table *,
	    const struct metrics_def *, const char *labels, uint64_t hash);
struct metrics_series *metrics_table_ref(struct metrics_table *,
	    const struct metrics_def *, const char *labels);
int	metrics_series_update(struct metrics_series *, long long value,
	    int add);
void	metrics_slot_clear(struct metrics_table *, struct metrics_series *);
void	metrics_def_head(struct buf *, const struct metrics_def *);
int	metrics_write_file(const char *path, const char *text, size_t len,
	    struct buf *err);

#endif
