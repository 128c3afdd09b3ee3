/*
 * collect - what one scrape of the metrics worker shows.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	collect_init()		loads the base (counters of gone processes)
 *	collect_scrape(&out)	appends the whole exposition (format 0.0.4)
 *	collect_free()
 *
 * DESCRIPTION
 *	collect_scrape() sums the files of $queue_directory/metrics/ (see
 *	lib/metrics.h): the file of a process that still runs is added as
 *	it is; the counters of one whose process is gone are added to the
 *	base, which is written to metrics/base, and its file is removed,
 *	so counters never go backwards and the directory does not grow.
 *	Then it adds what it computes itself: the messages in each spool
 *	directory, the days left of each certificate of the store
 *	(lib/certstore.h), and the sessions stored in reports.db (opened
 *	read-only), by domain and result type while the hosted domains
 *	there are within metrics_domain_series_limit, else summed over
 *	them from its table totals (lib/rptdb.h, REPORTS.DB).
 *
 *	The working directory is the queue directory (lib/server).
 *
 * LIMITS
 *	METRICS_SERIES_MAX series per scrape (lib/metrics).
 */
#ifndef STS_METRICS_COLLECT_H
#define STS_METRICS_COLLECT_H

#include "buf.h"

void	collect_init(void);
void	collect_scrape(struct buf *out);
void	collect_free(void);

#endif
