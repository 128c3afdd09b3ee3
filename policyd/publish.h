/*
 * publish - the TXT records that policyd publishes in the service zone
 * by DNS UPDATE, and the state of their publication in policy.db.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	publish_rua(&conf, domain, &err)	"mailto:a,https://..." for domain
 *	publish_records(&conf, domain, id, rua, &recs)	owners and texts
 *
 *	publish_sync(db, &conf, now, &err)	catch up after a restart
 *	publish_done(db, &item, error, now, min, max, &err)
 *	publish_state_json(db, domain)		for domain-show, or NULL
 *
 *	publish_run(&conf, items, n, fd, update)	the child's work
 *
 * DESCRIPTION
 *	For each hosted domain D that httpd serves, two records in sts_zone:
 *	"D.<sts_zone>" TXT "v=STSv1; id=ID;" (what the customer's _mta-sts
 *	CNAME points to) and "D._report.<sts_zone>" TXT "v=TLSRPTv1;
 *	rua=..." (what _smtp._tls points to).  The rua is per domain
 *	(ststxt_rua_make(): the mailto: URIs of report_recipients, then
 *	https://mta-sts.D$report_https_path when report_https_rua = yes).
 *	Without a usable rua (no report_recipients address and no https
 *	URI) the TLSRPT record is left alone.
 *
 *	The state of each domain's publication is kept in policy.db
 *	(lib/policydb: policydb_publish_*): what is wanted (an id and rua;
 *	no id: delete both records), what was last published, and whether
 *	an update is pending, with its attempts, next try and last error.
 *	It is not tied to the domain, so that removing a domain can still
 *	delete its records; it goes away once they are deleted.
 *	policydb_publish_want() is called inside the transaction that
 *	changes the domain, so a crash never loses an update; it makes the
 *	row pending and due at once.  publish_sync() compares each
 *	domain's wanted rua with the one main.cf gives now, so a change of
 *	report_recipients or report_https_rua re-publishes every domain.
 *
 *	A row that asks for an id waits, neither due nor counted by
 *	policydb_publish_next(), until httpd served the domain with a valid
 *	certificate (policydb.h: served; RFC 8461 section 8.1, HTTPS
 *	before DNS): a new domain's record appears only once its policy
 *	can be fetched.  Deletions never wait.
 *
 *	publish_done() records the outcome of one attempt: success makes
 *	the row published (or removes it after a delete) unless a newer
 *	change arrived meanwhile; failure keeps it pending and sets the next
 *	try min, 2*min, 4*min ... seconds later, at most max.
 *
 *	publish_run() is for a child process: it sends the updates of the
 *	items with update() (dnsupdate_publish_txt) and writes one line per
 *	item to fd, {"domain":D,"id":ID|null,"error":TEXT|null}, read back
 *	with publish_result_parse().
 *
 * LIMITS
 *	PUBLISH_BATCH_MAX items per batch (policydb_publish_due);
 *	PUBLISH_ATTEMPTS_SHIFT bounds the back-off doubling.
 */
#ifndef POLICYD_PUBLISH_H
#define POLICYD_PUBLISH_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "policydb.h"

#define PUBLISH_BATCH_MAX	64	/* domains per child */
#define PUBLISH_ATTEMPTS_SHIFT	20	/* back-off doubles at most so often */
#define PUBLISH_REPORT_LABEL	"_report"

struct policyd_conf;

struct publish_records {
	char	*sts_owner;	/* D.<sts_zone>, no trailing dot */
	char	*sts_txt;	/* v=STSv1; id=ID; */
	char	*rpt_owner;	/* D._report.<sts_zone> */
	char	*rpt_txt;	/* v=TLSRPTv1; rua=...; NULL without rua */
};

typedef int (*publish_update_fn)(const char *owner, const char *const *txt,
	    size_t ntxt, struct buf *err);

char	*publish_rua(const struct policyd_conf *, const char *domain,
	    struct buf *err);
void	publish_records(const struct policyd_conf *, const char *domain,
	    const char *id, const char *rua, struct publish_records *);
void	publish_records_clear(struct publish_records *);

int	publish_sync(struct policydb *, const struct policyd_conf *,
	    long long now, struct buf *err);
int	publish_done(struct policydb *, const struct policydb_publish_item *,
	    const char *error, long long now, long long retry_min,
	    long long retry_max, struct buf *err);
json_t	*publish_state_json(struct policydb *, const char *domain);

void	publish_run(const struct policyd_conf *,
	    const struct policydb_publish_item *, size_t, int fd,
	    publish_update_fn);
int	publish_result_parse(const json_t *, struct policydb_publish_item *,
	    char **error);

#endif
