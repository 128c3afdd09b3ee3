/*
 * plural - a count and its noun, in the number it takes; see plural.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include "plural.h"

const char *
plural(long long n, const char *one, const char *many)
{
	return n == 1 || n == -1 ? one : many;
}
