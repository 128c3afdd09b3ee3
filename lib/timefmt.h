/*
 * timefmt - times as operators read them.
 *
 *	timefmt_utc(t)	"2026-11-23 20:14:36 UTC", malloc'd; the number
 *			itself when it cannot be shown as a date
 */
#ifndef STS_TIMEFMT_H
#define STS_TIMEFMT_H

char	*timefmt_utc(long long t);

#endif
