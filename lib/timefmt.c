/*
 * timefmt - times as operators read them; see timefmt.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <time.h>

#include "mymalloc.h"
#include "timefmt.h"

char *
timefmt_utc(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[64];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return xasprintf("%lld", t);
	return xstrdup(s);
}
