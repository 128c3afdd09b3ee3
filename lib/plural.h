/*
 * plural - a count and its noun, in the number it takes.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	printf("%lld %s", n, plural(n, "domain", "domains"));
 *
 * DESCRIPTION
 *	plural(n, one, many) is one when n is 1 or -1, many otherwise,
 *	so that logs and command output say "1 domain", "0 domains",
 *	"2 policies" rather than "1 domains" or "domain(s)".
 */
#ifndef STS_PLURAL_H
#define STS_PLURAL_H

const char *plural(long long n, const char *one, const char *many);

#endif
