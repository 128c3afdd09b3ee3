/*
 * clientnet - the network of a client address, as the connection and
 * request limits of rptrecv and httpd count clients.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	clientnet_of(sa, bits4, bits6, &net)	0, or -1: not IPv4 or IPv6
 *	net.key					CLIENTNET_KEY_SIZE bytes
 *	clientnet_text(&net, text, len)		"192.0.2.0/24"
 *
 * DESCRIPTION
 *	clientnet_of() keeps the first bits4 bits of an IPv4 address and
 *	the first bits6 bits of an IPv6 address and clears the rest; an
 *	IPv4-mapped IPv6 address (::ffff:192.0.2.1) is its IPv4 address.
 *	A sender with many addresses of one network (one provider's
 *	outbound pool, or one host with a /64) is thus one client.
 *	net.key is the family (4 or 6) and the 16 bytes of the masked
 *	address (an IPv4 address in the first 4, the others zero): equal
 *	networks have equal keys, byte for byte, to hash and compare.
 *	clientnet_text() writes the network as address/bits.
 *
 * LIMITS
 *	CLIENTNET_TEXT_MAX octets of text, with its NUL.
 */
#ifndef STS_CLIENTNET_H
#define STS_CLIENTNET_H

#include <sys/socket.h>

#include <stddef.h>

#define CLIENTNET_KEY_SIZE	17	/* family, then 16 address bytes */
#define CLIENTNET_TEXT_MAX	64	/* "ffff:...:ffff/64" and its NUL */

struct clientnet {
	unsigned char key[CLIENTNET_KEY_SIZE];
	int	 bits;
};

int	clientnet_of(const struct sockaddr *, int bits4, int bits6,
	    struct clientnet *);
void	clientnet_text(const struct clientnet *, char *text, size_t len);

#endif
