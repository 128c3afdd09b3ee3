/*
 * pubaddr - whether an address is a public one, that a webhook may be
 * sent to (no request forged to the host's own or inner networks).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	why = pubaddr_reserved(sa)		NULL: public; else the range
 *	pubaddr_check(sa, allow, &err)		0 public or allowed, -1 not
 *	pubaddr_net_parse(text, &ss, &bits)	"192.0.2.0/24", "fd00::/8"
 *	pubaddr_in_nets(sa, nets)		1 when sa is in one of nets
 *
 * DESCRIPTION
 *	pubaddr_reserved() names the range of PUBADDR_RANGES that holds
 *	sa ("loopback", "private", "link-local", "shared address space
 *	(CGNAT)", "multicast", "unspecified", "documentation", ...), or
 *	returns NULL for a public address.  The ranges are those of the
 *	IANA special-purpose registries (RFC 6890) that are not
 *	globally reachable, plus multicast (RFC 5771, RFC 4291) and the
 *	reserved 240.0.0.0/4.  An IPv4-mapped IPv6 address
 *	(::ffff:10.0.0.1) is judged as its IPv4 address (lib/clientnet).
 *	An address that is neither IPv4 nor IPv6 is not public.
 *
 *	pubaddr_check() refuses a reserved address unless it is in one
 *	of the networks allow (NULL-terminated "ADDRESS/BITS" texts, as
 *	alert_webhook_private_networks holds them; a bare address is a
 *	/32 or /128), with "ADDRESS is a RANGE address" in err.
 *
 * LIMITS
 *	PUBADDR_TEXT_MAX octets of a network's text.
 *
 * DIAGNOSTICS
 *	pubaddr_net_parse() returns -1 for a text that is not an address
 *	with an optional /BITS in range; pubaddr_in_nets() skips such a
 *	text (stsd check refuses it in main.cf).
 */
#ifndef STS_PUBADDR_H
#define STS_PUBADDR_H

#include <sys/socket.h>

#include "buf.h"

#define PUBADDR_TEXT_MAX	64	/* "ffff:...:ffff/128" and its NUL */

const char *pubaddr_reserved(const struct sockaddr *);
int	pubaddr_check(const struct sockaddr *, char **allow, struct buf *err);
int	pubaddr_net_parse(const char *text, struct sockaddr_storage *,
	    int *bits);
int	pubaddr_in_nets(const struct sockaddr *, char **nets);

#endif
