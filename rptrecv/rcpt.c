/*
 * rcpt - match a recipient against report_recipients; see rcpt.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "rcpt.h"

#define RCPT_EXT_WILDCARD	"+*"	/* the extension wildcard of a pattern */

int
rcpt_pattern_valid(const char *pattern)
{
	const char *at = strrchr(pattern, '@');

	return at != NULL && at != pattern && at[1] != '\0' &&
	    strncmp(pattern, RCPT_EXT_WILDCARD, at - pattern) != 0;
}

static int
rcpt_match_one(const char *pattern, const char *address)
{
	const char *pat_at = strrchr(pattern, '@');
	const char *addr_at = strrchr(address, '@');
	size_t plocal, alocal, wlen = strlen(RCPT_EXT_WILDCARD);

	if (!rcpt_pattern_valid(pattern) || addr_at == NULL)
		return 0;
	if (strcasecmp(pat_at + 1, addr_at + 1) != 0)
		return 0;
	plocal = (size_t)(pat_at - pattern);
	alocal = (size_t)(addr_at - address);
	if (plocal > wlen &&
	    strncmp(pat_at - wlen, RCPT_EXT_WILDCARD, wlen) == 0) {
		plocal -= wlen;		/* the base, without "+*" */
		if (alocal < plocal ||
		    strncasecmp(pattern, address, plocal) != 0)
			return 0;
		return alocal == plocal || address[plocal] == '+';
	}
	return alocal == plocal && strncasecmp(pattern, address, plocal) == 0;
}

int
rcpt_match(char *const *patterns, const char *address)
{
	for (; patterns != NULL && *patterns != NULL; patterns++)
		if (rcpt_match_one(*patterns, address))
			return 1;
	return 0;
}
