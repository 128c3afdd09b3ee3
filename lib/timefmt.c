/*
 * timefmt - times as operators read them; see timefmt.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mymalloc.h"
#include "timefmt.h"

#define TIMEFMT_YEAR_MIN	1970
#define TIMEFMT_YEAR_MAX	9999

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

static int
timefmt_digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
timefmt_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
timefmt_days(int y, int m, int d)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
	    273, 304, 334 };
	long long days = 0;
	int yy;

	for (yy = TIMEFMT_YEAR_MIN; yy < y; yy++)
		days += timefmt_leap(yy) ? 366 : 365;
	days += before[m - 1] + (m > 2 && timefmt_leap(y)) + d - 1;
	return days;
}

static int
timefmt_mdays(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return mdays[m - 1] + (m == 2 && timefmt_leap(y));
}

/*
 * RFC 3339 date-time.  Accepted with a deviation: no timezone (read as
 * UTC), a date alone (midnight UTC), a space for the "T", an offset
 * without its colon.
 */
int
timefmt_rfc3339_parse(const char *s, time_t *out, const char **deviation)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	size_t len = strlen(s);
	const char *p;

	*deviation = NULL;
	if (len < 10 || timefmt_digits(s, 4, &y) < 0 || s[4] != '-' ||
	    timefmt_digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
	    timefmt_digits(s + 8, 2, &d) < 0)
		return -1;
	if (y < TIMEFMT_YEAR_MIN || y > TIMEFMT_YEAR_MAX || mo < 1 || mo > 12 ||
	    d < 1 || d > timefmt_mdays(y, mo))
		return -1;
	p = s + 10;
	if (*p == '\0') {
		*deviation = "date without time, read as midnight UTC";
		goto done;
	}
	if (*p == ' ')
		*deviation = "date and time separated by a space";
	else if (*p != 'T' && *p != 't')
		return -1;
	p++;
	if (strlen(p) < 8 || timefmt_digits(p, 2, &h) < 0 || p[2] != ':' ||
	    timefmt_digits(p + 3, 2, &mi) < 0 || p[5] != ':' ||
	    timefmt_digits(p + 6, 2, &sec) < 0)
		return -1;
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (sec == 60)		/* a leap second: the same instant as :59 */
		sec = 59;
	p += 8;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == '\0') {
		*deviation = "without timezone, read as UTC";
	} else if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		/* UTC */
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (timefmt_digits(p, 2, &oh) < 0)
			return -1;
		p += 2;
		if (*p == ':')
			p++;
		else
			*deviation = "timezone offset without a colon";
		if (timefmt_digits(p, 2, &om) < 0 || p[2] != '\0' || oh > 23 ||
		    om > 59)
			return -1;
	} else {
		return -1;
	}
done:
	*out = (time_t)(timefmt_days(y, mo, d) * 86400LL + h * 3600 + mi * 60 +
	    sec - sign * (oh * 3600 + om * 60));
	return 0;
}

char *
timefmt_rfc3339(time_t t, char buf[TIMEFMT_RFC3339_SIZE])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, TIMEFMT_RFC3339_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, TIMEFMT_RFC3339_SIZE, "invalid");
	return buf;
}
