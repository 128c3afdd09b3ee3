/*
 * store - acmed's checks of a certificate and its key.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	store_info(certs_dir, host, &info)	0, or -1: no usable pair
 *	store_chain_check(chain_pem, key_pem, host, &info, &err)
 *
 * DESCRIPTION
 *	The layout of the store (certificate and key of each host, their
 *	modes, how they are installed) and acmed's state file are
 *	lib/certstore's: certstore_install(), certstore_state_load(),
 *	certstore_state_save().
 *
 *	store_info() reads a host's pair, checks that the key matches, and
 *	gives the leaf's validity, issuer and whether it names host.
 *	store_chain_check() does the same with the pair in memory (a new
 *	one, before it is installed).
 *
 * LIMITS
 *	STORE_FILE_MAX bytes per file read.
 */
#ifndef ACMED_STORE_H
#define ACMED_STORE_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

#include "buf.h"

#define STORE_FILE_MAX	(1024 * 1024)

struct store_info {
	long long not_before;
	long long not_after;
	char	 issuer[256];
	int	 names_host;		/* the leaf's SAN names host */
};

int	store_info(const char *certs_dir, const char *host,
	    struct store_info *, struct buf *err);
int	store_chain_check(const char *chain_pem, const char *key_pem,
	    const char *host, struct store_info *, struct buf *err);

#endif
