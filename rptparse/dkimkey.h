/*
 * dkimkey - the DKIM public keys that libopendkim decodes, decoded once.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	dkimkey_clear();
 *	dkimkey_stats(&hits, &decoded);
 *
 * DESCRIPTION
 *	Defines d2i_PUBKEY_bio() and EVP_PKEY_new_raw_public_key() (for
 *	Ed25519) in the program, so that the keys libopendkim decodes for
 *	each signature are decoded once per distinct key and shared, with
 *	a reference each (see dkimkey.c for why and how).
 *	dkimkey_clear() drops the keys kept; dkimkey_stats() counts the
 *	keys handed out again and those decoded.
 *
 * LIMITS
 *	DKIMKEY_MAX keys (dkimkey.c); all are dropped when it is reached.
 */
#ifndef RPTPARSE_DKIMKEY_H
#define RPTPARSE_DKIMKEY_H

void	dkimkey_clear(void);
void	dkimkey_stats(unsigned long *hits, unsigned long *decoded);

#endif
