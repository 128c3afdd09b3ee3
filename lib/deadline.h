/*
 * deadline - waiting on a descriptor until a monotonic deadline.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	deadline_set(&end, ms)			now + ms (CLOCK_MONOTONIC)
 *	deadline_ms_left(&end)			milliseconds left, 0 when past
 *	deadline_wait(fd, POLLIN|POLLOUT, &end)	0: ready; -1: time-out
 *	deadline_since(&t0)			seconds since t0 (CLOCK_MONOTONIC)
 *
 * DESCRIPTION
 *	A blocking exchange made of several steps (connect, handshake,
 *	each read and write) is bounded as a whole by one deadline,
 *	however slowly the peer sends its bytes: each wait polls for what
 *	is left of it.  deadline_wait() goes on after a signal (EINTR)
 *	and fails at once when the deadline has passed.
 *
 *	deadline_since() measures the other way: the seconds, with their
 *	fraction, from a CLOCK_MONOTONIC time t0 to now, for log lines.
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
double	deadline_since(const struct timespec *t0);

#endif
