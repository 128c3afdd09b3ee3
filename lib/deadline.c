/*
 * deadline - waiting on a descriptor until a monotonic deadline; see
 * deadline.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "deadline.h"

#define DEADLINE_NS	1000000000L	/* nanoseconds per second */

void
deadline_set(struct timespec *end, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += ms / 1000;
	end->tv_nsec += (ms % 1000) * 1000000L;
	if (end->tv_nsec >= DEADLINE_NS) {
		end->tv_sec++;
		end->tv_nsec -= DEADLINE_NS;
	}
}

int
deadline_ms_left(const struct timespec *end)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (end->tv_sec - now.tv_sec) * 1000LL +
	    (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

int
deadline_wait(int fd, short events, const struct timespec *end)
{
	struct pollfd p = { fd, events, 0 };
	int ms, n;

	do {
		if ((ms = deadline_ms_left(end)) <= 0)
			return -1;
		n = poll(&p, 1, ms);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

double
deadline_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}
