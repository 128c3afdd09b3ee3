/*
 * fileio - whole files written so that a reader sees the old contents or
 * the new, never a part.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	fileio_write_atomic(path, data, len, mode, FILEIO_SYNC, &err)
 *	fileio_write_tmp(tmp, data, len, mode, FILEIO_SYNC, &err)
 *	fileio_rename(tmp, path, &err)
 *	fileio_fsync_dir(dir)
 *
 * DESCRIPTION
 *	fileio_write_atomic() writes PATH.tmp (created anew with MODE),
 *	and renames it to PATH.  With FILEIO_SYNC the file is fsynced
 *	before the rename and its directory after, so that the new
 *	contents survive a crash once the call returns; without it (files
 *	that are rewritten every second, such as metrics) a crash may leave
 *	the old contents.  fileio_write_tmp() is the first half, for
 *	callers that rename several files in an order of their own, each
 *	with fileio_rename(), the second half.  All three return 0, or -1
 *	with the cause in err (the temporary file is removed).  fileio_fsync_dir() returns what fsync(2) does.
 */
#ifndef STS_FILEIO_H
#define STS_FILEIO_H

#include <sys/types.h>

#include "buf.h"

#define FILEIO_SYNC	1

int	fileio_write_tmp(const char *tmp, const void *data, size_t len,
	    mode_t mode, int flags, struct buf *err);
int	fileio_rename(const char *tmp, const char *path, struct buf *err);
int	fileio_write_atomic(const char *path, const void *data, size_t len,
	    mode_t mode, int flags, struct buf *err);
int	fileio_fsync_dir(const char *dir);

#endif
