/*
 * clientnet - the network of a client address; see clientnet.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "clientnet.h"

/* Keeps the first bits of addr (len octets), clears the rest. */
static void
clientnet_mask(unsigned char *addr, size_t len, int bits)
{
	size_t i;

	for (i = 0; i < len; i++, bits -= 8) {
		if (bits >= 8)
			continue;
		addr[i] &= bits > 0 ? (unsigned char)(0xff << (8 - bits)) : 0;
	}
}

int
clientnet_of(const struct sockaddr *sa, int bits4, int bits6,
    struct clientnet *net)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	memset(net, 0, sizeof(*net));
	if (sa->sa_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		net->key[0] = 6;
		memcpy(net->key + 1, &sin6->sin6_addr, 16);
		clientnet_mask(net->key + 1, 16, bits6);
		net->bits = bits6;
	} else if (sa->sa_family == AF_INET6 || sa->sa_family == AF_INET) {
		net->key[0] = 4;
		if (sa->sa_family == AF_INET6)
			memcpy(net->key + 1, &sin6->sin6_addr.s6_addr[12], 4);
		else
			memcpy(net->key + 1, &sin->sin_addr, 4);
		clientnet_mask(net->key + 1, 4, bits4);
		net->bits = bits4;
	} else
		return -1;
	return 0;
}

void
clientnet_text(const struct clientnet *net, char *text, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(net->key[0] == 6 ? AF_INET6 : AF_INET, net->key + 1, a,
	    sizeof(a));
	snprintf(text, len, "%s/%d", a, net->bits);
}
