/*
 * scopecache_test - the second webd keeps policyd's answers: a token
 * and an account's names are given back until SCOPECACHE_MS has passed,
 * not after; scopecache_forget() drops an account's token and names at
 * once, not another's; a full table gives up the slot that expires
 * first.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "scopecache.h"
#include "unit.h"

int
main(void)
{
	const char *a;
	char tok[32];
	int i, kept, ro = -1;

	scopecache_token_put("stsd_tokenA", "alice", 0, 1000);
	scopecache_token_put("stsd_tokenB", "bob", 1, 1000);
	scopecache_account_put("alice", json_pack("[s]", "a.example"), 1000);
	scopecache_account_put("bob", json_pack("[s]", "b.example"), 1000);
	a = scopecache_token("stsd_tokenA", 1500, NULL);
	CHECK(a != NULL && strcmp(a, "alice") == 0, "a token within the second");
	CHECK(scopecache_token("stsd_tokenB", 1500, &ro) != NULL && ro == 1 &&
	    scopecache_token("stsd_tokenA", 1500, &ro) != NULL && ro == 0,
	    "a token's access is kept with it (read-only or not)");
	CHECK(scopecache_token("stsd_tokenA", 1000 + SCOPECACHE_MS, NULL) == NULL,
	    "... not after it");
	CHECK(scopecache_token("stsd_other", 1500, NULL) == NULL,
	    "an unknown token");
	CHECK(json_array_size(scopecache_account("alice", 1999)) == 1,
	    "an account's names within the second");
	CHECK(scopecache_account("alice", 2000) == NULL, "... not after it");
	scopecache_forget("alice");
	CHECK(scopecache_token("stsd_tokenA", 1500, NULL) == NULL &&
	    scopecache_account("alice", 1500) == NULL, "forgotten: alice's"
	    " token and names");
	CHECK(scopecache_token("stsd_tokenB", 1500, NULL) != NULL &&
	    scopecache_account("bob", 1500) != NULL, "... not bob's");
	for (i = 0; i < SCOPECACHE_SLOTS + 8; i++) {
		snprintf(tok, sizeof(tok), "stsd_many%d", i);
		scopecache_token_put(tok, "carol", 0, 3000 + i);
	}
	for (i = 0, kept = 0; i < SCOPECACHE_SLOTS + 8; i++) {
		snprintf(tok, sizeof(tok), "stsd_many%d", i);
		kept += scopecache_token(tok, 3000, NULL) != NULL;
	}
	CHECK(kept == SCOPECACHE_SLOTS, "a full table keeps %d tokens (%d)",
	    SCOPECACHE_SLOTS, kept);
	CHECK(scopecache_token("stsd_many0", 3000, NULL) == NULL &&
	    scopecache_token("stsd_many71", 3000, NULL) != NULL,
	    "... the newest");
	scopecache_free();
	return unit_status();
}
