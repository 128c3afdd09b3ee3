/*
 * request - policyd's requests: JSON in, JSON out, no sockets.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct policyd pd = { db, conf, notify, arg };
 *	json_t *reply = request_handle(&pd, req, REQUEST_PUBLIC);
 *	size_t n = request_snapshot(&pd, callback, arg);
 *	size_t n = request_cert_asks(&pd, callback, arg);
 *	int n = request_expire(&pd, now);
 *	long long n = request_snapshot_write(&pd, &err);
 *	int n = request_migrate_run(&pd, now);
 *	request_migrate_domain(&pd, domain, now);
 *
 * DESCRIPTION
 *	request_handle() answers one request object {"op": ...} with a new
 *	reply object {"ok": true, ...} or {"ok": false, "error": "..."}.
 *	A request that is refused changes nothing.  Every change is
 *	committed to policy.db, then given to pd->notify (for httpd's
 *	subscription: {"op":"policy",...}, {"op":"withdraw",...} or
 *	{"op":"cert-reload",...}), then logged, and only then is the reply
 *	returned, so a client that sees the reply can rely on subscribers
 *	having been told.
 *
 *	domain-list answers one page: {"after": NAME} asks for the domains
 *	after NAME; a reply with "next" has more after that name.
 *	{"before": NAME} asks for those just before NAME, in name order (the
 *	nearest REQUEST_LIST_PAGE, or fewer within the reply limit); a reply
 *	with "prev" has more before that name.
 *
 *	Ops from the public socket (stsctl): domain-add, domain-import,
 *	domain-set, domain-del, domain-list, domain-show, domain-records,
 *	domain-check, domain-migrate; account-add, account-set,
 *	account-del, account-list, account-show, token-new, token-revoke,
 *	token-list, audit-list and node-list (request_account.c,
 *	request_token.c, request_audit.c, request_node.c; stsd-policyd(8)
 *	gives their members).
 *	account-auth and token-auth are private: {"ok": true, "account"}
 *	or one refusal (REQUEST_AUTH_REFUSED, REQUEST_TOKEN_REFUSED)
 *	whatever the cause.  Every change of a domain, account or token
 *	writes an audit row (lib/policydb.h) in its transaction, with the
 *	actor and origin request_caller() took from the request:
 *	"operator" and "local" on the public socket, which may not say
 *	otherwise; "actor" (an account) and "from" (a client address)
 *	when the private socket gives them.  domain-add and domain-check {"domain": D} ask dnsmon
 *	to check the domain now through pd->check_now (0: asked; the
 *	replies say so in "check_asked" and "asked"); the result comes
 *	back as a check-result on the private socket, the only place where
 *	results and verification are taken.  A domain that becomes active
 *	(domain-add without domain_verification, domain-verified) is
 *	handed to pd->cert_now, which asks acmed for its certificate now.
 *	domain-import {"domains": [...]} adds up to REQUEST_IMPORT_MAX
 *	domains, each what domain-add takes, in one transaction: all or,
 *	when one is refused, none (the error names it); the reply says
 *	how many were "imported".  The private
 *	socket (daemons) also allows domain-verified, cert-changed,
 *	cert-served,
 *	check-result, challenge-add, challenge-remove, ping (which
 *	answers {"ok": true}: a subscriber's check that policyd is not
 *	hung) and lease {"work": W} (whether this node holds the lease
 *	of W, from pd->leases: lease.h).
 *
 *	challenge-add and challenge-remove (from acmed) keep the ACME
 *	challenges in pd->challenges (made on first use, challenges.h)
 *	and tell subscribers {"op":"challenge",...} or
 *	{"op":"challenge-remove",...} before the reply; the reply to
 *	challenge-remove says how many were "removed".
 *	"subscribe" is a stream, handled by the daemon around this module;
 *	request_snapshot() gives it the servable domains, in name order,
 *	in as few {"op":"policies","texts":[POLICY, ...],"domains":
 *	"DOMAIN ID N\n..."} messages as pd->snapshot_size allows: a line
 *	per domain, N the index of its policy text in the texts of the
 *	same message (each distinct text once per message); the policy
 *	host is "mta-sts." DOMAIN.  It returns how many domains they
 *	hold.  Changes afterwards are {"op":"policy",...} messages, one
 *	per domain.
 *
 *	request_expire() removes the retiring domains whose retire_at has
 *	passed and tells subscribers to withdraw them.
 *
 *	The snapshot file (lib/polsnap.h), when pd->snap is set: every
 *	change given to subscribers is first appended to its journal
 *	(a policy: the domain, its id and the policy text; a withdrawal:
 *	the domain), and the journal is synced before request_handle()
 *	and request_expire() return, so a reply means the change is on
 *	disk.  request_snapshot_write() writes a new base from policy.db
 *	(compaction) and returns how many domains it holds, or -1 (its
 *	caller says why).  A failed append is logged once, and not at
 *	all after a failed compaction; the next compaction repairs the
 *	file.
 *
 *	Accounts (request_owner.c): a request on the private socket with
 *	an "actor" that is an account passes through one gate before its
 *	handler, the same handler as the operator's.  The account may ask
 *	domain-add, and domain-set, domain-del (not "now"), domain-show,
 *	domain-records and domain-check of the domains policy.db gives
 *	it (any other name: "NAME: no such domain", as for a name
 *	not hosted); account-show, token-new, token-list and token-revoke
 *	of itself ("name"); audit-list of its own rows ("account" is set
 *	to it); nothing else, and nothing but account-show once it is
 *	disabled or gone.  domain-add of a domain hosted for another
 *	account or by the operator, in any state, or given to another
 *	account, is refused with REQUEST_OWNER_REFUSED whatever the
 *	reason, and the reason goes to the audit log (action domain-add,
 *	details {"refused": WHY}, in a row of no account: the operator's
 *	eyes only).  A domain an account adds is pending whatever
 *	domain_verification says, counts against its quota ("account A:
 *	its quota of N domains is reached" when it would pass it; a
 *	domain the operator gave it counts already) and gets a new
 *	proof: the TXT record PROTO_PROOF_LABEL.DOMAIN holding
 *	PROTO_PROOF_PREFIX and 128 random bits in hexadecimal, given as
 *	"proof" in the domain objects of domain-add, domain-show and
 *	domain-list while it is pending, and in domain-records'
 *	records.proof.  dnsmon verifies such a domain only when it finds
 *	that TXT record and the delegation of mta-sts.DOMAIN or
 *	_mta-sts.DOMAIN, and says so in domain-verified {"domain", "proof"}:
 *	one with another proof (an earlier addition's) is refused.  When
 *	a domain added with a proof retires or is removed, whoever asks,
 *	its account lets it go in the same transaction: the next addition,
 *	by that account or another, needs a new proof.
 *
 *	Names: domain-add and domain-import take a domain that
 *	dnsname_domain() of lib/dnsname accepts with sts_zone (no IP
 *	address, no all-digit top-level label, labels of 63 octets at
 *	most, the names published for it within 253 octets), and mx
 *	patterns that dnsname_host() accepts with a wildcard; the other
 *	ops find a domain by the grammar alone, so that one stored
 *	before these rules can still be shown, changed and removed.
 *
 *	Policy ids: every new id of a name is greater than every id the
 *	name was ever given, across removals (policydb_name_put),
 *	imports and a clock that steps back (policy_id_at of the greater
 *	of the two).
 *
 *	Retirement (domain-del without now, of a served domain): mode
 *	none, a new id, max_age at most conf.retire_max_age, and
 *	retire_at the latest end of a sender's cache of any testing or
 *	enforce policy served for the name: for each, the time it was
 *	last served plus its max_age (recorded as each policy is
 *	replaced).  domain-add of a retiring domain restores it, active,
 *	with a new id and the mode, max_age and mx patterns it had unless
 *	the request gives others; the reply says "restored": true.
 *
 *	check-result (private socket, from dnsmon) stores the checks of a
 *	domain (monitor.h); domain-show adds them ("checked", "next_check",
 *	"checks": the times in seconds since the epoch, or null) and
 *	the state of its DNS publication ("dns", or null when the service
 *	zone is published by hand).
 *
 *	HTTPS before DNS (RFC 8461 section 8.1), for a new domain too: a
 *	servable domain that httpd has not yet served with a valid
 *	certificate "waits" (domain objects say "waiting": "a valid
 *	certificate served for mta-sts.DOMAIN", else null).  Its DNS
 *	UPDATE stays queued (publish.h) and domain-records leaves out its
 *	v=STSv1 TXT records (the reply says "waiting" too).  Subscribers
 *	get {"op":"cert-check","host":H} after the policy of a waiting
 *	domain, and request_cert_asks() gives the same message for up to
 *	REQUEST_ASK_MAX waiting domains (policyd sends them after a
 *	snapshot and every POLICYD_CERT_ASK_INTERVAL seconds while any
 *	waits).  httpd answers on its subscription with the private
 *	request {"op":"cert-served","host":H,"not_after":T} when it
 *	serves H's policy with a certificate that is valid now and names
 *	H; the first one makes the domain served (policydb.h), kicks the
 *	DNS publisher and is logged.  cert-served is always answered ok
 *	(what cannot be used is logged), so that it never breaks the
 *	subscription.
 *
 *	With conf.dns_update, every change of what a servable domain
 *	publishes (a new id, retirement, removal) is queued for DNS UPDATE
 *	(publish.c) in the same transaction, and pd->publish is called
 *	after subscribers were told: httpd has a new policy before DNS
 *	announces its id.
 *
 *	MX migrations (domain-migrate {"domain": D, "add_mx": [P, ...],
 *	"remove_mx": [P, ...]}, or {"domain": D, "abort": true}): a plan in
 *	policy.db (lib/policydb.h) that policyd carries out, one step
 *	after another:
 *	  widened    a policy listing the old and the new patterns (a new
 *	             id), until DNS announces it (dns_update; at once when
 *	             the records are published by hand);
 *	  waiting    until the deadline, the latest end of a sender's cache
 *	             of any policy served before the widening (the rule of
 *	             retirement), and a passing STARTTLS probe by dnsmon of
 *	             each added host name (wildcards are not probed; with
 *	             dnsmon_probe = no nothing is, and the step says so);
 *	             domain-list and domain-show give dnsmon those hosts as
 *	             "probe" while the plan runs, until narrowed;
 *	  switch-mx  the operator is told (log, pd->alert) that the MX
 *	             records may be switched; it ends when a result of
 *	             dnsmon of after the step began lists none of the
 *	             removed patterns and at least one added one;
 *	  narrowed   the policy without the removed patterns (a new id),
 *	             until DNS announces it;
 *	  done       the plan has ended; its row stays for domain-show
 *	             until the next migration of the domain.
 *	Only an active domain whose policy is served can be migrated, one
 *	plan at a time; an --add-mx already in the policy, a --remove-mx
 *	not in it, a pattern given twice or both added and removed is
 *	refused.  abort publishes the starting mx patterns again (a new
 *	id; step aborted): from widened or waiting always, from switch-mx
 *	only while dnsmon's last result lists every removed pattern (else
 *	senders that fetched the starting policy would refuse the new
 *	hosts), never once narrowed.  While a plan runs, domain-set of
 *	the mx patterns and domain-del (but with now) are refused.  Every
 *	change of step is logged ("DOMAIN: migration: widened -> waiting:
 *	...") and given to pd->alert once (kind MIGRATE_ALERT_KIND, key
 *	the plan's start and the step).  domain-show and the reply of
 *	domain-migrate add "migration": {"step", "running", "start_mx",
 *	"add_mx", "remove_mx", "started", "step_since", "deadline",
 *	"waits_for", "ended"} (times in seconds since the epoch, or null).
 *	request_migrate_run() takes every running plan as far as it goes
 *	at now and returns how many there were (-1: logged); policyd
 *	calls it at start and every POLICYD_MIGRATE_POLL seconds, and
 *	request_migrate_domain() after each check-result of the domain.
 *
 * LIMITS
 *	REQUEST_MX_MAX mx patterns per domain.  max_age 0..31557600.
 *	Accounts: names and addresses of lib/acctname, REQUEST_PASSWORD_MAX
 *	bytes of a password (at least conf.password_min), a quota of
 *	REQUEST_QUOTA_MAX domains, conf.tokens_max live tokens,
 *	REQUEST_AUDIT_PAGE entries per audit-list reply.
 *	REQUEST_LIST_PAGE domains, and pd->reply_limit bytes, per page.
 *	pd->snapshot_size (REQUEST_SNAPSHOT_SIZE) bytes per snapshot
 *	message, or one domain when it alone is larger.
 */
#ifndef POLICYD_REQUEST_H
#define POLICYD_REQUEST_H

#include <jansson.h>

#include "acctname.h"

#define REQUEST_PUBLIC	1	/* arrived on public/policyd */
#define REQUEST_PRIVATE	0	/* arrived on private/policyd */

#define REQUEST_MX_MAX	100
#define REQUEST_LIST_PAGE	1000	/* domains per domain-list reply */
#define REQUEST_IMPORT_MAX	1000	/* domains per domain-import */
#define REQUEST_ASK_MAX		1000	/* cert-check messages per round */
#define REQUEST_HOST_PREFIX	"mta-sts."	/* RFC 8461 section 3.3 */
#define REQUEST_WAIT_CERT	"a valid certificate served for mta-sts.%s"
#define REQUEST_WAIT_VERIFY	"dnsmon to find the records of %s pointing at" \
	" the service, then a valid certificate served for mta-sts.%s"
#define REQUEST_SNAPSHOT_SIZE	(64 * 1024)	/* bytes per snapshot message */
#define REQUEST_SNAPSHOT_HEAD	64	/* its fixed members, and more */
#define REQUEST_SNAPSHOT_TEXTS	64	/* distinct policy texts per message */
#define REQUEST_SNAPSHOT_INDEX	24	/* bytes of the spaces, index and "\n" */
#define REQUEST_PASSWORD_MAX	ACCTNAME_PASSWORD_MAX	/* bytes */
#define REQUEST_QUOTA_MAX	1000000	/* domains of an account */
#define REQUEST_ORIGIN_MAX	64	/* characters of a client address */
#define REQUEST_NAME_MAX	253	/* characters of a filter's name */
#define REQUEST_AUDIT_PAGE	1000	/* entries per audit-list reply */
#define REQUEST_TOKEN_USED_STEP	60	/* seconds between last_used writes */
#define REQUEST_AUTH_REFUSED	"sign-in refused: unknown account or wrong" \
	" password"
#define REQUEST_TOKEN_REFUSED	"API token refused"
#define REQUEST_OWNER_REFUSED	"this domain cannot be added here; ask the" \
	" operator"

struct challenges;
struct leases;
struct policydb;
struct polsnap_writer;
struct buf;

struct policyd_conf {
	const char *default_mode;	/* default_policy_mode */
	long long default_max_age;	/* default_policy_max_age */
	int	verify_dns;		/* domain_verification = dns */
	const char *sts_zone;
	const char *policy_host;
	char	**report_recipients;	/* NULL-terminated */
	const char *report_https_path;	/* report_https_path when
					 * report_https_rua = yes, else NULL */
	long long retire_max_age;	/* policyd_retire_max_age */
	int	dns_update;		/* dns_update_server is set */
	const char *dns_update_server;
	long long dns_retry_min;	/* policyd_dns_retry_min */
	long long dns_retry_max;	/* policyd_dns_retry_max */
	long long password_min;		/* portal_password_min_length */
	long long tokens_max;		/* portal_tokens_max */
	long long default_quota;	/* portal_default_quota */
	long long alert_subs_max;	/* alert_subscriptions_max */
	char	**webhook_private;	/* alert_webhook_private_networks */
	const char *alertsub_path;	/* the file of lib/alertsub, or NULL */
};

struct policyd {
	struct policydb *db;
	struct policyd_conf conf;
	void	(*notify)(json_t *msg, void *arg);	/* msg is borrowed */
	void	*notify_arg;
	void	(*publish)(void *arg);	/* DNS updates are due; or NULL */
	size_t	 reply_limit;	/* bytes of a domain-list reply; 0: none */
	size_t	 snapshot_size;	/* bytes of a snapshot message; 0: default */
	struct challenges *challenges;	/* ACME challenges, or NULL */
	long long (*now)(void);	/* the clock (tests); NULL: time() */
	/* Asks dnsmon to check a domain now: 0 asked, -1 not; or NULL. */
	int	(*check_now)(const char *domain, void *arg);
	void	*check_now_arg;
	/* Asks acmed for the certificate of a domain now active; or NULL. */
	void	(*cert_now)(const char *domain, void *arg);
	void	*cert_now_arg;
	/* Raises an alert (lib/alert's arguments); or NULL. */
	void	(*alert)(const char *domain, const char *kind, const char *key,
		    const char *subject, const char *text, void *arg);
	void	*alert_arg;
	struct polsnap_writer *snap;	/* the snapshot file, or NULL */
	struct leases *leases;	/* this node's (lease.h), or NULL */
	int	 snap_failed;	/* its last write failed (said once) */
	/* Who makes the request being handled (request_caller). */
	char	 actor[ACCTNAME_MAX + 1];	/* "operator" or an account */
	char	 origin[REQUEST_ORIGIN_MAX + 1];	/* "local" or an address */
};

json_t	*request_handle(struct policyd *, json_t *req, int from_public);
size_t	request_snapshot(struct policyd *, void (*)(json_t *, void *), void *);
int	request_expire(struct policyd *, long long now);
size_t	request_check_results(struct policyd *, json_t **reqs, size_t n,
	    json_t **replies);		/* one transaction */
size_t	request_cert_asks(struct policyd *, void (*)(json_t *, void *), void *);
json_t	*request_cert_check_msg(const char *domain);
long long request_snapshot_write(struct policyd *, struct buf *err);
int	request_migrate_run(struct policyd *, long long now);
int	request_migrate_domain(struct policyd *, const char *domain,
	    long long now);

#endif
