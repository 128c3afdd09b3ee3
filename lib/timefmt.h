/*
 * timefmt - times as operators read them, and RFC 3339 date-times.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	timefmt_utc(t)	ISO 8601 in UTC, "2026-11-23T20:14:36Z",
 *			malloc'd; the number itself when it cannot be
 *			shown as a date
 *	timefmt_rfc3339(t, buf)		"2026-11-22T00:00:00Z" in buf
 *	timefmt_rfc3339_parse("2026-11-22T00:00:00Z", &t, &dev)	0
 *
 * DESCRIPTION
 *	timefmt_rfc3339_parse() reads an RFC 3339 date-time (section 5.6)
 *	into Unix seconds.  Accepted with a deviation (one line of text in
 *	*dev, NULL when none): no timezone (read as UTC), a date alone
 *	(midnight UTC), a space for the "T", an offset without its colon.
 *	A leap second is the same instant as second 59; fractions of a
 *	second are dropped.  TLS reports (lib/tlsrpt) and the dates of
 *	"stsctl report --since" are read with it.
 *
 *	timefmt_rfc3339() writes t as RFC 3339 UTC, or "invalid" when the
 *	system cannot show it as a date.
 *
 * LIMITS
 *	Years TIMEFMT_YEAR_MIN (1970) to TIMEFMT_YEAR_MAX (9999).
 *
 * DIAGNOSTICS
 *	timefmt_rfc3339_parse() returns 0, or -1 for text that is not a
 *	date-time (or one out of range).
 */
#ifndef STS_TIMEFMT_H
#define STS_TIMEFMT_H

#include <time.h>

#define TIMEFMT_RFC3339_SIZE	sizeof("YYYY-MM-DDTHH:MM:SSZ")

char	*timefmt_utc(long long t);
char	*timefmt_rfc3339(time_t, char buf[TIMEFMT_RFC3339_SIZE]);
int	 timefmt_rfc3339_parse(const char *s, time_t *out,
	    const char **deviation);

#endif
