/*
 * scopecache - policyd's answers about tokens and accounts, kept for a
 * second; see scopecache.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "acctname.h"
#include "scopecache.h"

struct scopecache_slot {
	unsigned char key[SHA256_DIGEST_LENGTH];	/* of the token or name */
	char	 account[ACCTNAME_MAX + 1];
	json_t	*names;				/* accounts: their domains */
	int	 read_only;			/* tokens: read-only access */
	int64_t	 until;				/* ms; 0: empty */
};

static struct scopecache_slot scopecache_tokens[SCOPECACHE_SLOTS];
static struct scopecache_slot scopecache_accounts[SCOPECACHE_SLOTS];

int64_t
scopecache_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The slot of key that is still valid, or NULL. */
static struct scopecache_slot *
scopecache_find(struct scopecache_slot *t, const char *s, int64_t now,
    unsigned char key[SHA256_DIGEST_LENGTH])
{
	size_t i;

	SHA256((const unsigned char *)s, strlen(s), key);
	for (i = 0; i < SCOPECACHE_SLOTS; i++)
		if (t[i].until > now && CRYPTO_memcmp(t[i].key, key,
		    SHA256_DIGEST_LENGTH) == 0)
			return &t[i];
	return NULL;
}

/* The slot for key: its own, else the one that expires first. */
static struct scopecache_slot *
scopecache_slot(struct scopecache_slot *t,
    const unsigned char key[SHA256_DIGEST_LENGTH])
{
	struct scopecache_slot *best = &t[0];
	size_t i;

	for (i = 0; i < SCOPECACHE_SLOTS; i++) {
		if (memcmp(t[i].key, key, SHA256_DIGEST_LENGTH) == 0)
			return &t[i];
		if (t[i].until < best->until)
			best = &t[i];
	}
	return best;
}

const char *
scopecache_token(const char *token, int64_t now, int *read_only)
{
	unsigned char key[SHA256_DIGEST_LENGTH];
	struct scopecache_slot *s = scopecache_find(scopecache_tokens, token,
	    now, key);

	if (s == NULL)
		return NULL;
	if (read_only != NULL)
		*read_only = s->read_only;
	return s->account;
}

void
scopecache_token_put(const char *token, const char *account, int read_only,
    int64_t now)
{
	unsigned char key[SHA256_DIGEST_LENGTH];
	struct scopecache_slot *s;

	SHA256((const unsigned char *)token, strlen(token), key);
	s = scopecache_slot(scopecache_tokens, key);
	memcpy(s->key, key, sizeof(key));
	snprintf(s->account, sizeof(s->account), "%s", account);
	s->read_only = read_only;
	s->until = now + SCOPECACHE_MS;
}

json_t *
scopecache_account(const char *account, int64_t now)
{
	unsigned char key[SHA256_DIGEST_LENGTH];
	struct scopecache_slot *s = scopecache_find(scopecache_accounts,
	    account, now, key);

	return s ? s->names : NULL;
}

void
scopecache_account_put(const char *account, json_t *names, int64_t now)
{
	unsigned char key[SHA256_DIGEST_LENGTH];
	struct scopecache_slot *s;

	SHA256((const unsigned char *)account, strlen(account), key);
	s = scopecache_slot(scopecache_accounts, key);
	json_decref(s->names);
	memcpy(s->key, key, sizeof(key));
	snprintf(s->account, sizeof(s->account), "%s", account);
	s->names = names;
	s->until = now + SCOPECACHE_MS;
}

void
scopecache_forget(const char *account)
{
	size_t i;

	for (i = 0; i < SCOPECACHE_SLOTS; i++) {
		if (scopecache_tokens[i].until != 0 &&
		    strcmp(scopecache_tokens[i].account, account) == 0)
			scopecache_tokens[i].until = 0;
		if (scopecache_accounts[i].until != 0 &&
		    strcmp(scopecache_accounts[i].account, account) == 0) {
			json_decref(scopecache_accounts[i].names);
			scopecache_accounts[i].names = NULL;
			scopecache_accounts[i].until = 0;
		}
	}
}

void
scopecache_free(void)
{
	size_t i;

	for (i = 0; i < SCOPECACHE_SLOTS; i++) {
		json_decref(scopecache_accounts[i].names);
		scopecache_accounts[i].names = NULL;
		scopecache_accounts[i].until = 0;
		scopecache_tokens[i].until = 0;
	}
}
