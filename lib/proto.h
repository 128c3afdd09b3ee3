/*
 * proto - the names of the IPC contract between stsd processes: every
 * socket, every operation, the protocol version, one way to connect.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	fd = proto_connect(PROTO_POLICYD_PRIVATE, timeout_ms, &err)
 *	path = proto_path(PROTO_POLICYD_PUBLIC)	(xmalloc'd)
 *	reply = proto_call(path, req, timeout_ms, &err)
 *
 *	req = ipc_request(PROTO_OP_DOMAIN_SHOW)	(lib/ipc)
 *
 * DESCRIPTION
 *	This header is the one place where the socket names and the "op"
 *	strings of lib/ipc messages are spelled (as Postfix's
 *	mail_proto.h): a daemon that answers an operation and a program
 *	that asks for it both use the constant, so that a rename is one
 *	edit and a grep (tests/build/contracts.t) finds no second
 *	spelling.
 *
 *	Sockets.  master makes, for each unix service NAME of master.cf,
 *	$queue_directory/private/NAME (mode 0600, mail_owner) and, when
 *	the service is not private, $queue_directory/public/NAME (group
 *	setgid_group).  PROTO_*_PRIVATE and PROTO_*_PUBLIC are those
 *	paths relative to queue_directory:
 *	  private/policyd   every policyd request, the subscription
 *	  public/policyd    the requests of commands (stsctl, stsd check)
 *	  public/acmed      cert-renew, cert-list (stsctl cert)
 *	  private/acmed     notices to acmed
 *	  private/rptparse  spooled notices (rptrecv, httpd, stsctl queue)
 *	  private/dnsmon    check-now (policyd)
 *	  private/webd      the portal's HTTP requests (httpd), one per
 *	                    connection: the line PROTO_PORTAL_PREAMBLE
 *	                    ADDRESS CRLF (the client's address and port,
 *	                    at most PROTO_PORTAL_LINE_MAX bytes), then the
 *	                    request head and body exactly as the client
 *	                    sent them (Content-Length only, at most
 *	                    portal_body_limit); webd answers one HTTP/1.1
 *	                    response and closes
 *	  private/fetchlog  fetch records (httpd to rptparse): a datagram
 *	                    socket that rptparse binds itself (lib/fetchlog.h
 *	                    gives the format); not a master.cf service
 *
 *	Operations.  A request is {"op": PROTO_OP_..., ...}; which socket
 *	takes which operation is listed beside each constant below.
 *	PROTO_VERSION counts incompatible changes of this contract: the
 *	programs of one installation are built together, so it is not
 *	negotiated on the wire; a change of the members of an operation
 *	that an older peer would misread raises it, and the operation
 *	gets a new name.
 *
 *	proto_connect() connects to a socket named relative to the
 *	working directory: every daemon works in queue_directory (its
 *	chroot, or not), so the relative name is right for it whether
 *	it is chrooted or not.  proto_path() is the absolute path of a
 *	socket under the queue_directory parameter, for the commands
 *	(stsctl, stsd), which run anywhere.  proto_call() connects to
 *	path, sends one request (it takes req), reads its reply, closes,
 *	and returns the reply when it says ok.
 *
 * LIMITS
 *	Those of lib/ipc: ipc_message_size_limit, and timeout_ms for the
 *	whole of a connect or a call.
 *
 * DIAGNOSTICS
 *	proto_connect() and proto_call() return -1 or NULL with one line
 *	in err: lib/ipc's ("connect to private/policyd: No such file or
 *	directory", "timed out after 5 s waiting for a reply"), or the
 *	"error" of a reply that is not ok.
 */
#ifndef STS_PROTO_H
#define STS_PROTO_H

#include <jansson.h>

#include "buf.h"

#define PROTO_VERSION		1

/* Socket directories under queue_directory (master creates them). */
#define PROTO_PRIVATE_DIR	"private"
#define PROTO_PUBLIC_DIR	"public"

/* Sockets, relative to queue_directory. */
#define PROTO_POLICYD_PRIVATE	PROTO_PRIVATE_DIR "/policyd"
#define PROTO_POLICYD_PUBLIC	PROTO_PUBLIC_DIR "/policyd"
#define PROTO_ACMED_PUBLIC	PROTO_PUBLIC_DIR "/acmed"
#define PROTO_ACMED_PRIVATE	PROTO_PRIVATE_DIR "/acmed"
#define PROTO_RPTPARSE_PRIVATE	PROTO_PRIVATE_DIR "/rptparse"
#define PROTO_WEBD_PRIVATE	PROTO_PRIVATE_DIR "/webd"
#define PROTO_PORTAL_PREAMBLE	"STSD-PORTAL/1 "	/* httpd to webd */
#define PROTO_PORTAL_LINE_MAX	128	/* the preamble line, CRLF included */
#define PROTO_DNSMON_PRIVATE	PROTO_PRIVATE_DIR "/dnsmon"
#define PROTO_FETCHLOG_PRIVATE	PROTO_PRIVATE_DIR "/fetchlog"

/* policyd: requests of its public and private sockets. */
#define PROTO_OP_DOMAIN_ADD	"domain-add"
#define PROTO_OP_DOMAIN_IMPORT	"domain-import"
#define PROTO_OP_DOMAIN_SET	"domain-set"
#define PROTO_OP_DOMAIN_DEL	"domain-del"
#define PROTO_OP_DOMAIN_LIST	"domain-list"	/* paged: lib/policyc */
#define PROTO_OP_DOMAIN_SHOW	"domain-show"
#define PROTO_OP_DOMAIN_RECORDS	"domain-records"
#define PROTO_OP_DOMAIN_CHECK	"domain-check"
#define PROTO_OP_DOMAIN_MIGRATE	"domain-migrate"
#define PROTO_OP_ACCOUNT_ADD	"account-add"
#define PROTO_OP_ACCOUNT_SET	"account-set"
#define PROTO_OP_ACCOUNT_DEL	"account-del"
#define PROTO_OP_ACCOUNT_LIST	"account-list"	/* paged, as domain-list */
#define PROTO_OP_ACCOUNT_SHOW	"account-show"
#define PROTO_OP_TOKEN_NEW	"token-new"
#define PROTO_OP_TOKEN_REVOKE	"token-revoke"
#define PROTO_OP_TOKEN_LIST	"token-list"
#define PROTO_OP_AUDIT_LIST	"audit-list"	/* paged by entry id */
#define PROTO_OP_ALERT_ADD	"alert-add"	/* alert subscriptions */
#define PROTO_OP_ALERT_LIST	"alert-list"
#define PROTO_OP_ALERT_DEL	"alert-del"
#define PROTO_OP_NODE_LIST	"node-list"	/* the nodes of the database */

/*
 * The ownership proof of a domain an account adds (policyd, dnsmon):
 * TXT PROTO_PROOF_LABEL.DOMAIN holding PROTO_PROOF_PREFIX TOKEN.
 */
#define PROTO_PROOF_LABEL	"_stsd-verify"
#define PROTO_PROOF_PREFIX	"stsd-verify="

/*
 * An account's requests on the private socket (the portal, webd).
 * "access": PROTO_ACCESS_READ_ONLY for an API token that may only
 * read (absent: read-write, a signed-in session); policyd refuses
 * every change of such a request with PROTO_READ_ONLY_REFUSED, which
 * webd answers with 403 as it does itself.  A sign-up is an
 * account-add whose actor is the new account: an existing name gets
 * PROTO_SIGNUP_REFUSED, which does not say that it exists.
 */
#define PROTO_ACCESS_READ_ONLY	"read-only"
#define PROTO_ACCESS_READ_WRITE	"read-write"
#define PROTO_READ_ONLY_REFUSED	"this token is read-only"
#define PROTO_SIGNUP_REFUSED	"this name cannot be used; choose another"
#define PROTO_SIGNUP_ACTION	"account-signup"	/* its audit row */

/* policyd: requests of its private socket only. */
#define PROTO_OP_DOMAIN_VERIFIED "domain-verified"	/* dnsmon */
#define PROTO_OP_ACCOUNT_AUTH	"account-auth"		/* the portal */
#define PROTO_OP_TOKEN_AUTH	"token-auth"		/* the portal */
#define PROTO_OP_CHECK_RESULT	"check-result"		/* dnsmon */
#define PROTO_OP_CERT_CHANGED	"cert-changed"		/* acmed */
#define PROTO_OP_CHALLENGE_ADD	"challenge-add"		/* acmed */
#define PROTO_OP_CHALLENGE_REMOVE "challenge-remove"	/* acmed; and pushed */
#define PROTO_OP_CERT_SERVED	"cert-served"		/* httpd */
#define PROTO_OP_PING		"ping"			/* httpd */
#define PROTO_OP_SUBSCRIBE	"subscribe"		/* httpd */
#define PROTO_OP_LEASE		"lease"		/* dnsmon, acmed, rptparse */

/*
 * The work that one node does for all (policyd's leases, "work" of
 * PROTO_OP_LEASE): dnsmon's rounds and DNS UPDATEs, acmed's orders and
 * renewals, the sending of alerts.
 */
#define PROTO_LEASE_DNSMON	"dnsmon"
#define PROTO_LEASE_ACMED	"acmed"
#define PROTO_LEASE_ALERTS	"alerts"
#define PROTO_LEASE_TICKS	3	/* renewals per cluster_lease_time */

/* policyd to a subscriber (httpd), unasked. */
#define PROTO_OP_POLICIES	"policies"	/* a part of the snapshot */
#define PROTO_OP_SNAPSHOT_END	"snapshot-end"
#define PROTO_OP_POLICY		"policy"
#define PROTO_OP_WITHDRAW	"withdraw"
#define PROTO_OP_CHALLENGE	"challenge"
#define PROTO_OP_CERT_RELOAD	"cert-reload"
#define PROTO_OP_CERT_CHECK	"cert-check"

/* acmed: requests of its public socket (stsctl cert). */
#define PROTO_OP_CERT_RENEW	"cert-renew"
#define PROTO_OP_CERT_LIST	"cert-list"

/* rptparse and dnsmon: notices, never answered (lib/notify). */
#define PROTO_OP_SPOOLED	"spooled"
#define PROTO_OP_CHECK_NOW	"check-now"

int	proto_connect(const char *sock, int timeout_ms, struct buf *err);
char	*proto_path(const char *sock);
json_t	*proto_call(const char *path, json_t *req, int timeout_ms,
	    struct buf *err);

#endif
