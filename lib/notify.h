/*
 * notify - tell the spool's consumer that messages were spooled, and
 * dnsmon that a domain wants a check now.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	notify_spooled(NOTIFY_RPTPARSE, id);
 *	notify_check_now(NOTIFY_DNSMON, domain);	(policyd)
 *	notify_check_now(NOTIFY_ACMED, domain);		(policyd)
 *
 *	struct buf pending = BUF_INIT;
 *	notify_add(&pending, id);	(for each message of a batch)
 *	notify_send(NOTIFY_RPTPARSE, &pending);
 *
 * DESCRIPTION
 *	A producer (rptrecv, httpd) tells the consumer after spool_commit()
 *	and after it acknowledged the message: it connects to the
 *	consumer's socket (a path relative to queue_directory, the working
 *	directory of a producer, chrooted or not) and sends one IPC request
 *	{"op":"spooled","id":ID} (PROTO_OP_SPOOLED) per message, without
 *	waiting for a reply.
 *	notify_spooled() does that for one message; notify_add() collects
 *	the notices of a batch (at most NOTIFY_BATCH_MAX octets; beyond
 *	that they are dropped) and notify_send() sends them over one
 *	connection and empties the buffer.
 *
 *	notify_check_now() sends {"op":"check-now","domain":D} to dnsmon's
 *	private socket the same way: policyd asks dnsmon to check a domain
 *	that was added or that "stsctl check" names.  dnsmon answers
 *	nothing: the result comes back as any check-result does, on
 *	policyd's private socket.  policyd sends the same to acmed's
 *	(NOTIFY_ACMED) when a domain becomes active, so that its
 *	certificate is asked for at once rather than at acmed's wakeup.
 *
 *	It never blocks: a consumer that is not running, or whose socket
 *	is full, is not told (a socket file that does not exist, a
 *	service not in master.cf, costs one access(2) and no connect), and the message waits in the spool for its
 *	next scan (logged at debug level); a check waits for dnsmon's next
 *	round.  It returns 0 when the notice was sent, -1 when not.
 *
 * LIMITS
 *	No retry, no reply read: the spool is what makes a message safe.
 */
#ifndef STS_NOTIFY_H
#define STS_NOTIFY_H

#include "buf.h"
#include "proto.h"

#define NOTIFY_RPTPARSE		PROTO_RPTPARSE_PRIVATE	/* in queue_directory */
#define NOTIFY_DNSMON		PROTO_DNSMON_PRIVATE	/* in queue_directory */
#define NOTIFY_ACMED		PROTO_ACMED_PRIVATE	/* in queue_directory */
#define NOTIFY_OP_CHECK_NOW	PROTO_OP_CHECK_NOW
#define NOTIFY_BATCH_MAX	(64 * 1024)	/* notice octets per send */

void	notify_add(struct buf *pending, const char *id);
void	notify_send(const char *socket_path, struct buf *pending);
void	notify_spooled(const char *socket_path, const char *id);
int	notify_check_now(const char *socket_path, const char *domain);

#endif
