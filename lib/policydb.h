/*
 * policydb - policy.db: its schema, its migrations and every query on it.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct policydb *pdb = policydb_open(path, &err);	SQLite
 *	struct policydb *pdb = policydb_connect(&target, &err);	lib/sqldb
 *	policydb_lost(pdb)		PostgreSQL: the connection is gone
 *	policydb_backend_pid(pdb)	PostgreSQL: its server process
 *	policydb_begin(pdb, &err) / policydb_commit / policydb_rollback
 *	policydb_savepoint(pdb, &err) / policydb_release / policydb_rollback_to
 *
 *	Domains (tables domains, domain_mx):
 *	policydb_domain_get(pdb, "example.com", &d, &err)	1 found, 0 not
 *	policydb_domain_lock(pdb, "example.com", &d, &err)	the same, and
 *					the row locked until the transaction ends
 *	policydb_domain_insert / _update (pdb, &d, &err), _delete(pdb, name)
 *	policydb_domain_list(pdb, after, max, &v, &n, &err)	by name, after
 *					a name (NULL: all), at most max (0: all)
 *	policydb_domain_list_before(pdb, before, max, &v, &n, &err)
 *					the last max before a name, by name
 *	policydb_domain_named(pdb, "a.example b.example", &v, &n, &err)
 *					PostgreSQL: those of the names (by name)
 *	policydb_domain_each_servable(pdb, cb, arg, &err)	active and
 *					retiring domains by name (no token,
 *					no timestamps)
 *	policydb_domain_expired(pdb, now, &v, &n, &err)	retiring, past
 *	policydb_next_retire(pdb)		earliest retire_at, 0: none
 *	policydb_set_served(pdb, name, when, &err)	1 recorded, 0 known
 *	policydb_waiting(pdb, max, &names, &n, &err)	servable, not served
 *
 *	Names (table domain_names):
 *	policydb_name_get(pdb, name, &id, &until, &err)	1 found
 *	policydb_name_put(pdb, name, id, until, &err)	the greater of each
 *	policydb_name_lock(pdb, name, &id, &until, &err)	name_get, the
 *					row locked until the transaction ends
 *
 *	Changes announced (PostgreSQL's NOTIFY on POLICYDB_CHANNEL):
 *	policydb_changes_parse(payload, &names, &n)	0, or 1: "all"
 *
 *	dnsmon's checks (tables domain_monitor, domain_checks):
 *	policydb_monitor_get(pdb, domain, &checked, &next)	1 found
 *	policydb_monitor_put(pdb, domain, checked, next, checks, n, &err)
 *	policydb_checks_get(pdb, domain, max, &checks, &n)
 *
 *	DNS publication (table dns_publish):
 *	policydb_publish_want(pdb, domain, id, rua, now, &err)	id NULL: delete
 *	policydb_publish_sync(pdb, rua, arg, now, &err)
 *	policydb_publish_due(pdb, now, max, &items, &n, &err)
 *	policydb_publish_next(pdb)			earliest try, -1: none
 *	policydb_publish_succeeded(pdb, &item, now, &err)
 *	policydb_publish_attempts(pdb, domain)	failed so far, 0: none
 *	policydb_publish_failed(pdb, domain, attempts, next_try, now, error,
 *	    &err)
 *	policydb_publish_state(pdb, domain, &state)	1 found
 *
 *	MX migrations (table domain_migrations):
 *	policydb_migration_get(pdb, domain, &m, &err)	1 found, 0 not
 *	policydb_migration_put(pdb, &m, &err)		insert or replace
 *	policydb_migration_running(pdb, &v, &n, &err)	not ended, by name
 *	policydb_migration_clear(&m), policydb_migrations_free(v, n)
 *
 *	Accounts (tables accounts, account_domains, api_tokens, audit_log;
 *	policydb_account.c):
 *	policydb_account_get(pdb, name, &a, &err)	1 found, 0 not
 *	policydb_account_put(pdb, &a, &err)		insert or replace
 *	policydb_account_delete(pdb, name, &err)	with its domains, tokens
 *	policydb_account_list(pdb, after, max, &v, &n, &err)	by name
 *	policydb_account_domains(pdb, account, &names, &n, &err)
 *	policydb_domain_owner(pdb, domain, &account, &err)	1 found, 0 none
 *	policydb_domain_assign(pdb, domain, account, now, &err)	NULL: release
 *	policydb_domain_proof(pdb, domain, &account, &proof, &err)	1, 0 none
 *	policydb_domain_proof_set(pdb, domain, proof, &err)
 *	policydb_token_insert(pdb, &t, &err)		sets t.id
 *	policydb_token_count(pdb, account, live)	how many
 *	policydb_token_prune(pdb, account, &err)	forget revoked ones
 *	policydb_token_list(pdb, account, &v, &n, &err)	by id
 *	policydb_token_find(pdb, hash, &t, &err)	1 found, 0 not
 *	policydb_token_revoke(pdb, id, when, &err)	1 revoked, 0 not live
 *	policydb_token_used(pdb, id, when, &err)
 *	policydb_audit_add(pdb, &e, &err)
 *	policydb_audit_list(pdb, &filter, max, &v, &n, &more, &err)
 *
 * DESCRIPTION
 *	policy.db belongs to policyd, its only writer; nothing else opens
 *	it, and no SQL over its tables is written outside this module (the
 *	seam for another storage engine).  policydb_open() creates the
 *	file (lib/db: mode 0600, WAL, synchronous=FULL) and brings its
 *	schema up to date; policydb_connect() does the same on the
 *	storage engine of a target (lib/sqldb: SQLite or PostgreSQL, the
 *	same schema and queries on both; sqldb_conf makes the target of
 *	main.cf).  The versions: 1 the domains and their mx patterns; 2
 *	dnsmon's checks and DNS publication; 3 domain_names and the policy
 *	a retiring domain had; 4 served; 5 the time of dnsmon's next check;
 *	6 MX migration plans; 7 accounts, their domains and API tokens, and
 *	the audit log; 8 the ownership proof of a domain an account added;
 *	9 alert subscriptions (lib/policydb_alertsub.h); 10 nodes and
 *	leases (lib/policydb_node.h).
 *	policydb_lost() says that the connection to PostgreSQL is gone
 *	(never on SQLite): its owner opens it again.
 *
 *	Several policyd processes (one per node) on one PostgreSQL
 *	database: a domain's row is written only inside a transaction that
 *	holds its lock (policydb_domain_lock(), SELECT ... FOR UPDATE) or
 *	inserts it, and a new policy id is made under the lock of the
 *	name's row of domain_names (policydb_name_lock(), created when
 *	missing), so the database orders two changes of a name and the
 *	second sees the id of the first: ids grow whatever the nodes'
 *	clocks say.  On SQLite BEGIN IMMEDIATE already makes one writer
 *	at a time, and the two are policydb_domain_get() and
 *	policydb_name_get().
 *
 *	On PostgreSQL every domain that policydb_domain_insert(), _update()
 *	or _delete() changed is announced inside the transaction by
 *	policydb_commit(), before its COMMIT (lib/sqldb: the server
 *	delivers it then, and never after a rollback): NOTIFY
 *	POLICYDB_CHANNEL with the names separated by spaces, as many
 *	notifications as SQLDB_NOTIFY_MAX bytes of payload require; a
 *	transaction that changed more than POLICYDB_CHANGED_MAX domains
 *	(an import) sends one notification POLICYDB_CHANGED_ALL instead.
 *	policydb_changes_parse() splits a payload (names malloc'd; 1 for
 *	"all").  Nothing is announced on SQLite.
 *	These functions only read and write rows: checking values, choosing
 *	ids and opening transactions are the caller's (policyd's handlers),
 *	except policydb_publish_sync(), which is its own transaction.
 *
 *	A domain is one row (state, mode, max_age, policy id, ownership
 *	token, timestamps, retire_at, the policy a retiring domain had) and
 *	its mx patterns in order.  Names are stored lower-case without a
 *	trailing dot (the caller normalises them).  domain_names has a row
 *	per name ever given a policy id, kept when the domain is removed:
 *	the greatest id given to the name and the latest time until which
 *	a sender may hold a cached copy of a policy served for it;
 *	policydb_name_put() keeps the greater of the stored and the given
 *	value of each, so neither goes back, whatever the clock does.
 *	served is when httpd first said that it serves mta-sts.NAME with a
 *	valid certificate (RFC 8461 section 8.1: HTTPS before DNS); it is
 *	set once and kept while the row lives.
 *
 *	The checks of a domain (dnsmon's last result) belong to its row and
 *	go with it: the time of the check, of the next one (0: not known),
 *	and one row per check in order, its JSON text whole with its name,
 *	host, status and the time since which it has had that status.
 *
 *	dns_publish has a row per domain whose TXT records policyd
 *	publishes: what is wanted (an id and rua; no id: delete both), what
 *	was last published, and whether an update is pending, with its
 *	attempts, next try and last error.  It is not tied to the domain's
 *	row, so that removing a domain can still delete its records.  A
 *	row that asks for an id is neither due nor counted by
 *	policydb_publish_next() until the domain is served; deletions never
 *	wait.  policydb_publish_sync() makes pending every servable domain
 *	whose wanted id or rua (rua(domain, arg): malloc'd, NULL for none)
 *	is not the current one, and every row of a domain that is gone.
 *	policydb_publish_succeeded() makes the row published (or removes it
 *	after a deletion) unless a newer change arrived meanwhile;
 *	policydb_publish_failed() records a failed attempt, the count of
 *	them and the time of the next try (the caller's back-off).
 *
 *	domain_migrations has a row per domain that was ever migrated
 *	(policyd/request_migrate.c): the step, the mx patterns the
 *	domain had when the plan began, those added and removed, when the
 *	plan began, when its step began, the step's deadline (0: none),
 *	what it waits for (NULL: nothing) and when it ended (0: running).
 *	A new plan replaces the row of the last one; the row goes with
 *	the domain's.
 *
 *	accounts has a row per account of a domain owner (the portal's
 *	users): its name, e-mail address, password (a crypt(3) hash;
 *	NULL: it cannot sign in), quota of domains (0..1000000), disabled
 *	(0 or 1), created and updated.  account_domains has a row per
 *	domain an account may manage: the domain (its key: one account at
 *	most), the account and when it was given; a domain without a row
 *	is the operator's.  It is not tied to domains: a domain may be
 *	given to an account before it is hosted, and stays given when it
 *	is removed.  Deleting an account deletes its rows and its tokens.
 *	Its proof is the value of the TXT record that proves that the
 *	account holds the domain, for a domain the account added itself
 *	(NULL: the operator gave it).
 *
 *	api_tokens has a row per API token: its id (never reused), the
 *	account, the SHA-256 of its secret in hexadecimal (the secret
 *	itself is never stored), access "read-only" or "read-write", and
 *	when it was created, last used and revoked (NULL: not yet).
 *
 *	audit_log has a row per change: its id (in order of the changes),
 *	time, actor ("operator" or an account name), origin ("local" or a
 *	client address), action (an op name such as "domain-add" or
 *	"token-revoke"), the domain and the account it concerns (NULL:
 *	none; the account is the actor when an account acted, else the
 *	account that manages the domain or is changed), and details, a
 *	JSON object.  policydb_audit_add() with no account stores the
 *	account that manages the domain, if any; with account "" none
 *	(a row for the operator only).  Rows are never changed
 *	or deleted by policyd.
 *	policydb_audit_list() reads those of a filter (struct
 *	policydb_audit_filter: after an id, since a time, of a domain, of
 *	an account) in id order, at most max, and says whether more follow.
 *
 * LIMITS
 *	The schema checks what a column takes: state, mode testing,
 *	enforce or none, max_age 0..31557600 (POLICY_MAX_AGE_MAX of
 *	lib/policy, written out: a migration never changes), quota
 *	0..1000000, access.  Sizes and counts are the caller's.
 *	POLICYDB_CHANGED_MAX domains named per transaction, in payloads of
 *	at most SQLDB_NOTIFY_MAX bytes.
 *
 * DIAGNOSTICS
 *	A failed open or step returns NULL or -1 with the file (or the
 *	PostgreSQL database) and the reason in err; a statement that does
 *	not compile is a bug (lib/sqldb: a panic on SQLite, the error of
 *	its first step on PostgreSQL).
 */
#ifndef STS_POLICYDB_H
#define STS_POLICYDB_H

#include <limits.h>
#include <stddef.h>

#include "buf.h"

#define POLICYDB_FILE		"policy.db"	/* in data_directory */
#define POLICYDB_NONE		LLONG_MIN	/* a time that is NULL */
#define POLICYDB_CHANNEL	"stsd_policy"	/* NOTIFY of changed domains */
#define POLICYDB_CHANGED_ALL	"*"		/* ... too many to name */
#define POLICYDB_CHANGED_MAX	1000		/* named per transaction */

struct policydb;

enum domain_state {
	DOMAIN_PENDING,		/* added; ownership not proven yet */
	DOMAIN_VERIFIED,	/* ownership proven; no certificate yet */
	DOMAIN_ACTIVE,		/* policy served */
	DOMAIN_RETIRING,	/* deleted: mode none served until retire_at */
};

struct domain {
	char	*name;
	enum domain_state state;
	char	*mode;			/* testing | enforce | none */
	char	**mx;			/* nmx patterns, in order */
	size_t	 nmx;
	long long max_age;
	char	*policy_id;
	char	*token;			/* ownership token */
	long long created;		/* epoch seconds */
	long long updated;
	long long retire_at;		/* 0: not retiring */
	char	*prior_mode;		/* retiring: the mode it had, or NULL */
	long long prior_max_age;	/* retiring: the max_age it had */
	long long served;		/* httpd first served it with a valid
					   certificate; 0: not yet */
};

/* One of dnsmon's checks of a domain. */
struct policydb_check {
	char	*name;			/* "check" */
	char	*host;			/* "" when none */
	char	*status;
	char	*data;			/* the whole check, as JSON */
	long long since;		/* has had this status since */
};

/* A DNS update of one domain's records. */
struct policydb_publish_item {
	char	*domain;
	char	*id;		/* NULL: delete the records */
	char	*rua;		/* "": leave the TLSRPT record alone */
};

/* An MX migration plan (domain_migrations). */
struct policydb_migration {
	char	*domain;
	char	*step;			/* widened, waiting, switch-mx, ... */
	char	**start_mx;		/* NULL-terminated, as each list */
	char	**add_mx;
	char	**remove_mx;
	long long started;		/* the plan began */
	long long step_since;		/* its step began */
	long long deadline;		/* the step waits until; 0: none */
	char	*waits_for;		/* what the step waits for, or NULL */
	long long ended;		/* 0: running */
};

/* The publication state of a domain; NULL texts and POLICYDB_NONE times
 * are not set. */
struct policydb_publish_state {
	char	*want_id;
	char	*published_id;
	int	 pending;
	long long attempts;
	long long next_try;		/* POLICYDB_NONE unless pending */
	long long last_try;
	char	*last_error;
	long long published_at;
};

/* An account of a domain owner (accounts). */
struct policydb_account {
	char	*name;
	char	*email;
	char	*password;		/* crypt(3) hash, or NULL: none */
	long long quota;		/* domains it may manage */
	int	 disabled;
	long long created;
	long long updated;
	long long ndomains;		/* read: the domains it manages */
};

/* An API token (api_tokens); times 0 are not set. */
struct policydb_token {
	long long id;
	char	*account;
	char	*hash;			/* SHA-256 of the secret, hex */
	int	 read_only;
	long long created;
	long long last_used;
	long long revoked;
};

/* A row of the audit log; domain and account may be NULL. */
struct policydb_audit {
	long long id;			/* set by the database */
	long long time;
	char	*actor;			/* "operator" or an account name */
	char	*origin;		/* "local" or a client address */
	char	*action;
	char	*domain;
	char	*account;
	char	*details;		/* a JSON object */
};

/* What policydb_audit_list() reads; NULL and 0 members: any. */
struct policydb_audit_filter {
	long long after;		/* ids greater than this */
	long long since;		/* times from this on */
	const char *domain;
	const char *account;
};

const char *policydb_state_name(enum domain_state);
int	policydb_state_servable(enum domain_state);
void	policydb_domain_clear(struct domain *);
void	policydb_domain_copy(struct domain *dst, const struct domain *src);
void	policydb_domains_free(struct domain *, size_t);

struct sqldb_target;

struct policydb *policydb_open(const char *path, struct buf *err);
struct policydb *policydb_connect(const struct sqldb_target *,
	    struct buf *err);
void	policydb_close(struct policydb *);
int	policydb_schema_version(struct policydb *);
int	policydb_lost(struct policydb *);	/* its connection is gone */
int	policydb_backend_pid(struct policydb *);	/* 0: SQLite */
int	policydb_changes_parse(const char *payload, char ***names, size_t *n);
int	policydb_begin(struct policydb *, struct buf *err);
int	policydb_commit(struct policydb *, struct buf *err);
void	policydb_rollback(struct policydb *);
int	policydb_savepoint(struct policydb *, struct buf *err);	/* db.h */
int	policydb_release(struct policydb *, struct buf *err);
void	policydb_rollback_to(struct policydb *);

int	policydb_domain_get(struct policydb *, const char *name,
	    struct domain *, struct buf *err);
int	policydb_domain_lock(struct policydb *, const char *name,
	    struct domain *, struct buf *err);
int	policydb_domain_insert(struct policydb *, const struct domain *,
	    struct buf *err);
int	policydb_domain_update(struct policydb *, const struct domain *,
	    struct buf *err);
int	policydb_domain_delete(struct policydb *, const char *name,
	    struct buf *err);
int	policydb_domain_named(struct policydb *, const char *names,
	    struct domain **, size_t *, struct buf *err);
int	policydb_domain_list(struct policydb *, const char *after, size_t max,
	    struct domain **, size_t *, struct buf *err);
int	policydb_domain_list_before(struct policydb *, const char *before,
	    size_t max, struct domain **, size_t *, struct buf *err);
int	policydb_domain_each_servable(struct policydb *,
	    void (*)(const struct domain *, void *), void *, struct buf *err);
int	policydb_domain_expired(struct policydb *, long long now,
	    struct domain **, size_t *, struct buf *err);
long long policydb_next_retire(struct policydb *);
int	policydb_set_served(struct policydb *, const char *name,
	    long long when, struct buf *err);
int	policydb_waiting(struct policydb *, size_t max, char ***names,
	    size_t *n, struct buf *err);
int	policydb_name_get(struct policydb *, const char *name, char **last_id,
	    long long *cached_until, struct buf *err);
int	policydb_name_put(struct policydb *, const char *name,
	    const char *last_id, long long cached_until, struct buf *err);
int	policydb_name_lock(struct policydb *, const char *name, char **last_id,
	    long long *cached_until, struct buf *err);

int	policydb_monitor_get(struct policydb *, const char *domain,
	    long long *checked, long long *next);
int	policydb_monitor_put(struct policydb *, const char *domain,
	    long long checked, long long next, const struct policydb_check *,
	    size_t, struct buf *err);
size_t	policydb_checks_get(struct policydb *, const char *domain, size_t max,
	    struct policydb_check **);
void	policydb_checks_free(struct policydb_check *, size_t);

int	policydb_publish_want(struct policydb *, const char *domain,
	    const char *id, const char *rua, long long now, struct buf *err);
int	policydb_publish_sync(struct policydb *,
	    char *(*rua)(const char *domain, void *), void *, long long now,
	    struct buf *err);
int	policydb_publish_due(struct policydb *, long long now, size_t max,
	    struct policydb_publish_item **, size_t *, struct buf *err);
long long policydb_publish_next(struct policydb *);
int	policydb_publish_succeeded(struct policydb *,
	    const struct policydb_publish_item *, long long now,
	    struct buf *err);
long long policydb_publish_attempts(struct policydb *, const char *domain);
int	policydb_publish_failed(struct policydb *, const char *domain,
	    long long attempts, long long next_try, long long now,
	    const char *error, struct buf *err);
int	policydb_publish_state(struct policydb *, const char *domain,
	    struct policydb_publish_state *);
void	policydb_publish_state_clear(struct policydb_publish_state *);
void	policydb_publish_free(struct policydb_publish_item *, size_t);

int	policydb_migration_get(struct policydb *, const char *domain,
	    struct policydb_migration *, struct buf *err);
int	policydb_migration_put(struct policydb *,
	    const struct policydb_migration *, struct buf *err);
int	policydb_migration_running(struct policydb *,
	    struct policydb_migration **, size_t *, struct buf *err);
void	policydb_migration_clear(struct policydb_migration *);
void	policydb_migrations_free(struct policydb_migration *, size_t);

int	policydb_account_get(struct policydb *, const char *name,
	    struct policydb_account *, struct buf *err);
int	policydb_account_put(struct policydb *,
	    const struct policydb_account *, struct buf *err);
int	policydb_account_delete(struct policydb *, const char *name,
	    struct buf *err);
int	policydb_account_list(struct policydb *, const char *after,
	    size_t max, struct policydb_account **, size_t *, struct buf *err);
void	policydb_account_clear(struct policydb_account *);
void	policydb_accounts_free(struct policydb_account *, size_t);
int	policydb_account_domains(struct policydb *, const char *account,
	    char ***, size_t *, struct buf *err);
int	policydb_domain_owner(struct policydb *, const char *domain,
	    char **account, struct buf *err);
int	policydb_domain_assign(struct policydb *, const char *domain,
	    const char *account, long long now, struct buf *err);
int	policydb_domain_proof(struct policydb *, const char *domain,
	    char **account, char **proof, struct buf *err);
int	policydb_domain_proof_set(struct policydb *, const char *domain,
	    const char *proof, struct buf *err);

int	policydb_token_insert(struct policydb *, struct policydb_token *,
	    struct buf *err);
long long policydb_token_count(struct policydb *, const char *account,
	    int live);
int	policydb_token_prune(struct policydb *, const char *account,
	    struct buf *err);
int	policydb_token_list(struct policydb *, const char *account,
	    struct policydb_token **, size_t *, struct buf *err);
int	policydb_token_find(struct policydb *, const char *hash,
	    struct policydb_token *, struct buf *err);
int	policydb_token_revoke(struct policydb *, long long id, long long when,
	    struct buf *err);
int	policydb_token_used(struct policydb *, long long id, long long when,
	    struct buf *err);
void	policydb_token_clear(struct policydb_token *);
void	policydb_tokens_free(struct policydb_token *, size_t);

int	policydb_audit_add(struct policydb *, const struct policydb_audit *,
	    struct buf *err);
int	policydb_audit_list(struct policydb *,
	    const struct policydb_audit_filter *, size_t max,
	    struct policydb_audit **, size_t *, int *more, struct buf *err);
void	policydb_audit_clear(struct policydb_audit *);
void	policydb_audits_free(struct policydb_audit *, size_t);

#endif
