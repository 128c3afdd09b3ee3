/*
 * alertsub - the alert subscriptions of domains: what a target may be,
 * and the file through which policyd tells the alerting processes.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	alertsub_kind_ok(kind)			"mail" or "webhook"
 *	alertsub_target_check(kind, target, &err)	0, or -1 and why
 *	alertsub_file_write(path, &list, &err)	policyd, atomically
 *	alertsub_file_add(&list, domain, kind, target)
 *	alertsub_load(path)			re-read when it changed
 *	alertsub_targets(domain, kind, &n)	a domain's targets of kind
 *	alertsub_loaded()			all that alertsub_load() read
 *	alertsub_list_free(&list)
 *
 * DESCRIPTION
 *	A subscription is a mail address or a webhook URL that the
 *	alerts about one hosted domain also go to (lib/alert), besides
 *	the operator's alert_recipients and alert_webhook_url.
 *
 *	alertsub_target_check() is the syntax that policyd enforces: a
 *	mail address is one addr-spec local@domain (RFC 5321 section
 *	4.1.2, no display name, no angle brackets, no comment), printable
 *	ASCII with no space, quote, backslash, comma, semicolon, angle
 *	bracket or parenthesis, not starting with "-", the domain a DNS
 *	name; a webhook is an https:// URL without user:password@, with
 *	a host and a path of printable ASCII.  Whether the webhook's
 *	host resolves to public addresses only is alert_webhook_check()'s
 *	(alert.h, lib/pubaddr).
 *
 *	$data_directory/ALERTSUB_FILE holds every subscription, a line
 *	"DOMAIN TAB KIND TAB TARGET" each, every field written by
 *	esc_line() (no TAB or newline of a field passes for a
 *	separator).  policyd, which owns the subscriptions in policy.db,
 *	rewrites it (FILE.tmp, fsync, rename) at start and after every
 *	change; dnsmon, rptparse and policyd itself read it through
 *	alertsub_load() when they send a digest, again only when its
 *	inode, size or modification time changed; what it read is kept
 *	sorted by domain with an index (lib/htable), so that finding a
 *	domain's subscribers costs no scan of all of them.  A file,
 *	rather than a request to policyd per digest: alerts are
 *	delivered by a forked process that must not wait for policyd,
 *	and they still reach the subscribers while policyd is down or
 *	restarting.
 *
 * LIMITS
 *	ALERTSUB_TARGET_MAX bytes of a target (ALERTSUB_MAIL_MAX of a
 *	mail address); ALERTSUB_FILE_MAX bytes of the file are read, a
 *	longer file is read up to there and logged.
 *
 * DIAGNOSTICS
 *	alertsub_target_check() says what is wrong, with the target
 *	escaped (esc_printable).  alertsub_load() logs a file it cannot
 *	read and keeps what it read last; a line that does not read back
 *	is logged and skipped.
 */
#ifndef STS_ALERTSUB_H
#define STS_ALERTSUB_H

#include <stddef.h>

#include "buf.h"

#define ALERTSUB_FILE		"alert-subscriptions"	/* in data_directory */
#define ALERTSUB_TARGET_MAX	2048	/* bytes of a webhook URL */
#define ALERTSUB_MAIL_MAX	254	/* bytes of an address (RFC 5321) */
#define ALERTSUB_LOCAL_MAX	64	/* bytes of its local part */
#define ALERTSUB_FILE_MAX	(64 * 1024 * 1024)	/* bytes read */

struct alertsub_entry {
	char	*domain;
	char	*kind;
	char	*target;
};

struct alertsub_list {
	struct alertsub_entry *v;
	size_t	 n, cap;
};

int	alertsub_kind_ok(const char *kind);
int	alertsub_target_check(const char *kind, const char *target,
	    struct buf *err);
void	alertsub_file_add(struct alertsub_list *, const char *domain,
	    const char *kind, const char *target);
int	alertsub_file_write(const char *path, const struct alertsub_list *,
	    struct buf *err);
void	alertsub_list_free(struct alertsub_list *);
void	alertsub_load(const char *path);
const char **alertsub_targets(const char *domain, const char *kind,
	    size_t *n);
const struct alertsub_list *alertsub_loaded(void);

#endif
