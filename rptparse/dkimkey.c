/*
 * dkimkey - the DKIM public keys that libopendkim decodes, decoded once.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	(nothing to call: libopendkim's calls come here)
 *	dkimkey_clear()		drop what is kept (dkimcheck_free)
 *	dkimkey_stats(&hits, &decoded)
 *
 * DESCRIPTION
 *	libopendkim decodes the key record of every signature it verifies,
 *	even when the record is the same as for the message before:
 *	d2i_PUBKEY_bio() for an RSA key (then EVP_PKEY_get1_RSA()), and
 *	EVP_PKEY_new_raw_public_key() for an Ed25519 key.  With OpenSSL 3
 *	the decoding goes through its provider and decoder lookups and
 *	costs about seven times the RSA-2048 verification itself (237 us
 *	against 33 us per signature on the bench machine), which made DKIM
 *	halve rptparse's rate.
 *
 *	This module defines those two functions in rptparse itself.  The
 *	dynamic linker binds libopendkim's calls to them, since the
 *	executable comes first in the lookup order (and a symbol without a
 *	version there satisfies the versioned reference).  A key already
 *	decoded, found by its exact bytes, is handed out again with one
 *	more reference (libopendkim frees its reference when it is done);
 *	another is decoded by OpenSSL's own function (dlsym RTLD_NEXT)
 *	and kept.  A kept key is read only: OpenSSL keeps the RSA form
 *	that EVP_PKEY_get1_RSA() makes inside it, so that is made once
 *	too.  The bytes are the key itself, so a key that changes in DNS
 *	is another entry, and nothing is ever stale.
 *
 *	Only calls from libopendkim (the caller's address is in its
 *	mapping, dladdr) with a memory BIO, or an Ed25519 raw key, are
 *	looked at; any other call goes to OpenSSL unchanged.
 *
 * LIMITS
 *	DKIMKEY_MAX keys kept (all dropped when full); DKIMKEY_BYTES_MAX
 *	bytes of one key.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <opendkim/dkim.h>

#include "dkimkey.h"
#include "log.h"

#define DKIMKEY_MAX		1000
#define DKIMKEY_BYTES_MAX	4096

typedef EVP_PKEY *(*dkimkey_d2i_fn)(BIO *, EVP_PKEY **);
typedef EVP_PKEY *(*dkimkey_raw_fn)(int, ENGINE *, const unsigned char *,
    size_t);

static GHashTable *dkimkey_kept;	/* GBytes: EVP_PKEY */
static const void *dkimkey_lib;		/* where libopendkim is loaded */
static unsigned long dkimkey_hits, dkimkey_decoded;

/* 1 when the call came from libopendkim: other callers get OpenSSL's. */
static int
dkimkey_from_dkim(const void *caller)
{
	Dl_info info;

	if (dkimkey_lib == NULL) {
		if (dladdr((const void *)(uintptr_t)dkim_init, &info) == 0)
			return 0;
		dkimkey_lib = info.dli_fbase;
	}
	return dladdr(caller, &info) != 0 && info.dli_fbase == dkimkey_lib;
}

static void
dkimkey_free(void *p)
{
	EVP_PKEY_free(p);
}

/* The key kept for (tag, data), with one more reference, or NULL. */
static EVP_PKEY *
dkimkey_find(int tag, const void *data, size_t len, GBytes **keyp)
{
	EVP_PKEY *k;
	GByteArray *a;

	*keyp = NULL;
	if (len == 0 || len > DKIMKEY_BYTES_MAX)
		return NULL;
	if (dkimkey_kept == NULL)
		dkimkey_kept = g_hash_table_new_full(g_bytes_hash,
		    g_bytes_equal, (GDestroyNotify)g_bytes_unref,
		    dkimkey_free);
	a = g_byte_array_sized_new((guint)len + sizeof(tag));
	g_byte_array_append(a, (const guint8 *)&tag, sizeof(tag));
	g_byte_array_append(a, data, (guint)len);
	*keyp = g_byte_array_free_to_bytes(a);
	if ((k = g_hash_table_lookup(dkimkey_kept, *keyp)) == NULL ||
	    EVP_PKEY_up_ref(k) != 1)
		return NULL;
	g_bytes_unref(*keyp);
	*keyp = NULL;
	dkimkey_hits++;
	return k;
}

/* Keep k under key (which this takes), with a reference of its own. */
static void
dkimkey_keep(GBytes *key, EVP_PKEY *k)
{
	if (key == NULL)
		return;
	if (k == NULL || EVP_PKEY_up_ref(k) != 1) {
		g_bytes_unref(key);
		return;
	}
	if (g_hash_table_size(dkimkey_kept) >= DKIMKEY_MAX)
		g_hash_table_remove_all(dkimkey_kept);
	g_hash_table_insert(dkimkey_kept, key, k);
	dkimkey_decoded++;
}

EVP_PKEY *
d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
{
	static dkimkey_d2i_fn real;
	EVP_PKEY *k;
	GBytes *key;
	char *data = NULL;
	long len;

	if (real == NULL &&
	    (real = (dkimkey_d2i_fn)dlsym(RTLD_NEXT, "d2i_PUBKEY_bio")) == NULL)
		log_panic("dkimkey: OpenSSL's d2i_PUBKEY_bio not found");
	if (a != NULL || BIO_method_type(bp) != BIO_TYPE_MEM ||
	    !dkimkey_from_dkim(__builtin_return_address(0)) ||
	    (len = BIO_get_mem_data(bp, &data)) <= 0)
		return real(bp, a);
	if ((k = dkimkey_find(0, data, (size_t)len, &key)) != NULL)
		return k;
	k = real(bp, a);
	dkimkey_keep(key, k);
	return k;
}

EVP_PKEY *
EVP_PKEY_new_raw_public_key(int type, ENGINE *e, const unsigned char *pub,
    size_t len)
{
	static dkimkey_raw_fn real;
	EVP_PKEY *k;
	GBytes *key;

	if (real == NULL && (real = (dkimkey_raw_fn)dlsym(RTLD_NEXT,
	    "EVP_PKEY_new_raw_public_key")) == NULL)
		log_panic("dkimkey: OpenSSL's EVP_PKEY_new_raw_public_key not"
		    " found");
	if (type != EVP_PKEY_ED25519 || e != NULL || pub == NULL ||
	    !dkimkey_from_dkim(__builtin_return_address(0)))
		return real(type, e, pub, len);
	if ((k = dkimkey_find(type, pub, len, &key)) != NULL)
		return k;
	k = real(type, e, pub, len);
	dkimkey_keep(key, k);
	return k;
}

void
dkimkey_clear(void)
{
	if (dkimkey_kept != NULL)
		g_hash_table_destroy(dkimkey_kept);
	dkimkey_kept = NULL;
}

void
dkimkey_stats(unsigned long *hits, unsigned long *decoded)
{
	*hits = dkimkey_hits;
	*decoded = dkimkey_decoded;
}
