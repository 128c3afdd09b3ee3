/*
 * timefmt - times as operators read them.
 * SPDX-License-Identifier: ISC
 *
 *	timefmt_utc(t)	ISO 8601 in UTC, "2026-11-23T20:14:36Z",
 *			malloc'd; the number itself when it cannot be
 *			shown as a date
 */
#ifndef STS_TIMEFMT_H
#define STS_TIMEFMT_H

char	*timefmt_utc(long long t);

#endif
