/*
 * deadline - waiting on a descriptor until a monotonic deadline.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	deadline_set(&end, ms)			now + ms (CLOCK_MONOTONIC)
 *	deadline_ms_left(&end)			milliseconds left, 0 when past
 *	deadline_wait(fd, POLLIN|POLLOUT, &end)	0: ready; -1: time-out
 *
 * DESCRIPTION
 *	A blocking exchange made of several steps (connect, handshake,
 *	each read and write) is bounded as a whole by one deadline,
 *	however slowly the peer sends its bytes: each wait polls for what
 *	is left of it.  deadline_wait() goes on after a signal (EINTR)
 *	and fails at once when the deadline has passed.
 *
 * LIMITS
 *	ms up to INT_MAX.
 *
 * DIAGNOSTICS
 *	None: -1 means the deadline passed or poll() failed.
 */
#ifndef STS_DEADLINE_H
#define STS_DEADLINE_H

#include <time.h>

void	deadline_set(struct timespec *, int ms);
int	deadline_ms_left(const struct timespec *);
int	deadline_wait(int fd, short events, const struct timespec *);

#endif
