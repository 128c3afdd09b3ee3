/*
 * store - the certificates of the hosted hosts, and acmed's state file.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	store_install(certs_dir, host, key_pem, chain_pem, &err)
 *	store_info(certs_dir, host, &info)	0, or -1: no usable pair
 *	state = store_state_load(path)	json object, {} when absent
 *	store_state_save(path, state, &err)
 *
 * DESCRIPTION
 *	A host's certificate lives in certs_dir/HOST/fullchain.pem (leaf
 *	first, then the chain) and certs_dir/HOST/privkey.pem (mode 0600),
 *	the names certbot uses.  store_install() writes both under
 *	temporary names (each fsync'd), renames privkey.pem first and
 *	fullchain.pem second, then fsyncs the directory.  A reader that
 *	finds a key that does not match the chain (between the two renames)
 *	must keep what it has and look again: httpd checks the pair with
 *	X509_check_private_key().
 *
 *	store_info() reads the pair, checks that the key matches, and
 *	gives the leaf's validity, issuer and whether it names host.
 *
 *	The state file ($data_directory/acme/state.json) holds one object
 *	per host: {"state": "valid|pending|failed|operator", "not_before",
 *	"not_after", "issuer", "failures", "next_try", "last_error",
 *	"last_success", "updated"}.  acmed writes it atomically; stsctl
 *	cert list reads it.
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

int	store_install(const char *certs_dir, const char *host,
	    const char *key_pem, const char *chain_pem, struct buf *err);
int	store_info(const char *certs_dir, const char *host,
	    struct store_info *, struct buf *err);
int	store_chain_check(const char *chain_pem, const char *key_pem,
	    const char *host, struct store_info *, struct buf *err);
json_t	*store_state_load(const char *path);
int	store_state_save(const char *path, json_t *state, struct buf *err);

#endif
