/*
 * spoolimpl - what the parts of lib/spool share, and nothing else may
 * use: the spool handle, file names, errors, moves and syncs.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	#include "spoolimpl.h"	(lib/spool.c, lib/spoolin.c,
 *				lib/spoolout.c only)
 *
 * DESCRIPTION
 *	lib/spool.c opens the spool and keeps what every side needs: ids,
 *	errors, listing and the administration; lib/spoolin.c is the
 *	producers' side (spool_create ... spool_commit_batch);
 *	lib/spoolout.c the consumer's (spool_lock, spool_claim ...
 *	spool_done_batch).  The interface of all three is spool.h.
 *
 *	spool_fail() appends "BASE/DIR/NAME: what" to err (NAME may be
 *	NULL); spool_check_id() is spool_id_valid() with the error a
 *	user sees; spool_name() writes ID + suffix into a buffer of
 *	SPOOL_NAME_SIZE; spool_move() renames without replacing (the
 *	caller syncs the directories); spool_batch_fail() adds one
 *	message's error line of a batch and marks it failed;
 *	spool_clean_tmp() removes the temporary files of writers that
 *	stopped (spool_open with SPOOL_WRITER).
 */
#ifndef STS_SPOOLIMPL_H
#define STS_SPOOLIMPL_H

#include <stddef.h>

#include "buf.h"
#include "spool.h"

#define SPOOL_BAD_ID_SHOWN	64	/* bytes of a bad id quoted in errors */
#define SPOOL_NAME_SIZE	(SPOOL_ID_SIZE + 16)	/* ID plus a suffix */

/* Offsets of the dots in an id: YYYYMMDDHHMMSS.uuuuuu.PPPPPPPPPP.SSSSSS */
#define SPOOL_ID_DOT1	14
#define SPOOL_ID_DOT2	21
#define SPOOL_ID_DOT3	32

struct spool {
	char	*base;			/* for messages; "" stands for "/" */
	int	 dirfd[SPOOL_NDIRS];
	int	 locked;		/* spool_lock() succeeded */
	int	 no_noatime;		/* O_NOATIME gave EPERM: not again */
};

void	spool_fail(struct buf *, const struct spool *, enum spool_dir,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 5, 6)));
int	spool_check_id(const char *id, struct buf *err);
char	*spool_name(char *name, const char *id, const char *suffix);
int	spool_sync_dir(struct spool *, enum spool_dir, struct buf *err);
int	spool_move(struct spool *, enum spool_dir from, const char *from_name,
	    enum spool_dir to, const char *to_name, struct buf *err);
int	spool_write_all(int fd, const void *data, size_t len);
void	spool_batch_fail(struct buf *err, struct buf *why, int *status);
void	spool_clean_tmp(struct spool *);

#endif
