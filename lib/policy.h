/*
 * policy - the MTA-STS policy model (RFC 8461 section 3.2).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	policy_parse(text, len, &p, &err)	policy file -> struct policy
 *	policy_render(p, &out)			struct policy -> policy file
 *	policy_validate(p, &err)		checks before storing
 *	policy_free(p)
 *	policy_equal(a, b)			1 when the same policy
 *
 *	policy_mode_parse("enforce", &mode)	policy_mode_name(mode)
 *	policy_mx_valid("*.example.com", &err)	one mx pattern
 *	policy_mx_match("*.example.com", "mx1.example.com")
 *
 *	policy_id_new(id, previous)		a new policy id
 *	policy_id_at(id, previous, when)	the same, at a given time
 *	policy_id_valid(id)
 *
 * DESCRIPTION
 *	A policy is its mode, its mx patterns in order, its max_age and
 *	the extension fields ("key: value" lines with other keys) in
 *	order, kept as text.  Nothing here does I/O: callers pass the
 *	bytes in and get bytes or structures back.
 *
 *	policy_parse() follows the grammar of RFC 8461 section 3.2
 *	strictly: the first line is "version: STSv1"; lines end in CRLF
 *	or LF (mixed is fine, the last line needs no end); each line is
 *	KEY ":" [white space] VALUE [white space], keys are case-sensitive;
 *	mode is testing, enforce or none; mx lines (at least one unless
 *	mode is none) hold a domain name whose leftmost label may be "*";
 *	max_age is 1 to 10 digits, 0..POLICY_MAX_AGE_MAX.  version, mode
 *	and max_age appear exactly once; other keys are extensions, kept.
 *	Empty lines, NUL bytes, control characters, a lone CR and bytes
 *	above 0x7e are refused.  mx patterns are stored in lower case.
 *	Duplicate mx patterns are allowed (the RFC does not forbid them).
 *
 *	policy_render() writes "version: STSv1", mode, the mx lines,
 *	max_age, then the extensions, each line ending in CRLF; for any
 *	policy that policy_validate() accepts, policy_parse() of the
 *	result gives an equal policy.  A struct policy may be filled by
 *	hand (zeroed first: ext may stay NULL); such a policy is owned by
 *	its caller and must not be given to policy_free().
 *
 *	policy_validate() checks a policy built by a program before it is
 *	stored or served: everything policy_parse() checks, and also that
 *	mx patterns are in lower case and not given twice, and that the
 *	rendered policy fits in POLICY_SIZE_MAX bytes.
 *
 *	policy_mx_valid() checks one pattern against the grammar
 *	(dnsname_syntax() of lib/dnsname with DNSNAME_WILDCARD): a domain
 *	name of LDH labels (letters, digits, hyphen; 1 to 63 characters;
 *	no hyphen first or last), POLICY_NAME_MAX characters at most, no
 *	trailing dot, where the leftmost label may be "*" (the whole
 *	label).  Upper case is accepted (callers normalise).  One label
 *	and an all-digit name such as 127.0.0.1 are accepted: the grammar
 *	allows them; what stsd publishes passes dnsname_host() as well.
 *
 *	policy_mx_match() is the matching rule of RFC 8461 section 4.1:
 *	case-insensitive, a trailing dot of the host ignored, and
 *	"*.example.com" matches exactly one more leftmost label
 *	(a.example.com, not a.b.example.com nor example.com).
 *
 *	Policy ids are 1 to POLICY_ID_MAX letters and digits.  The ones
 *	made here are 20 digits: the UTC time YYYYMMDDHHMMSS followed by a
 *	6-digit counter, so that comparing two ids as strings (strcmp)
 *	orders them by time of creation.  policy_id_new() returns an id
 *	greater than previous (as strings): the current time with counter
 *	000000 when that is greater, else previous plus one (a second
 *	change in the same second, or a clock that went back).  When
 *	previous is not of that form (an id made elsewhere) the id is the
 *	current time if that is greater, else previous with "0" appended,
 *	else (previous has POLICY_ID_MAX characters) previous with its
 *	last characters increased in the order 0-9, A-Z, a-z; an id of
 *	POLICY_ID_MAX "z" cannot be exceeded, and then the result is only
 *	different from it.  previous may be NULL or "" (a new domain).
 *
 * DIAGNOSTICS
 *	Functions returning int return 0 on success and -1 on error,
 *	after appending one line to err saying what is wrong: for
 *	policy_parse() "line N: cause", e.g. 'line 3: mx pattern
 *	"*.*.example.com": wildcard only allowed as the leftmost label';
 *	for policy_mx_valid() only the cause ("wildcard only allowed as
 *	the leftmost label"), so that callers can name the pattern.
 *
 * LIMITS
 *	POLICY_SIZE_MAX bytes of policy text, POLICY_LINES_MAX lines.
 */
#ifndef STS_POLICY_H
#define STS_POLICY_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "ststxt.h"

#define POLICY_SIZE_MAX		(64 * 1024)	/* bytes of a policy file */
#define POLICY_LINES_MAX	1000		/* lines of a policy file */
#define POLICY_MAX_AGE_MAX	31557600LL	/* RFC 8461: about one year */
#define POLICY_MAX_AGE_DIGITS	10		/* RFC 8461: 1*10(DIGIT) */
#define POLICY_NAME_MAX		253		/* characters of a domain name */
#define POLICY_LABEL_MAX	63		/* characters of one label */
#define POLICY_EXT_NAME_MAX	32		/* characters of an extension key */
#define POLICY_ID_MAX		32		/* characters of a policy id */

enum policy_mode {
	POLICY_MODE_TESTING,
	POLICY_MODE_ENFORCE,
	POLICY_MODE_NONE,
};

struct policy {
	enum policy_mode mode;
	char	**mx;		/* nmx patterns, in order, lower case */
	size_t	 nmx;
	long long max_age;	/* seconds */
	struct ststxt_ext *ext;	/* next extension fields, in order */
	size_t	 next;
};

int	policy_parse(const char *text, size_t len, struct policy **out,
	    struct buf *err);
void	policy_render(const struct policy *, struct buf *out);
int	policy_validate(const struct policy *, struct buf *err);
void	policy_free(struct policy *);
int	policy_equal(const struct policy *, const struct policy *);

int	policy_mode_parse(const char *s, enum policy_mode *out);
const char *policy_mode_name(enum policy_mode);

int	policy_mx_valid(const char *pattern, struct buf *err);
int	policy_mx_match(const char *pattern, const char *mx_host);

void	policy_id_new(char out[POLICY_ID_MAX + 1], const char *previous);
void	policy_id_at(char out[POLICY_ID_MAX + 1], const char *previous,
	    time_t when);
int	policy_id_valid(const char *id);

#endif
