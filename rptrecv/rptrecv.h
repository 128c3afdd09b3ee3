/*
 * rptrecv - what the modules of the SMTP report receiver share.
 * SPDX-License-Identifier: ISC
 *
 * rptrecv.c owns the process: configuration, the TLS context, the
 * spool, the listeners and the connection counts.  session.c runs one
 * SMTP session per connection.
 */
#ifndef RPTRECV_RPTRECV_H
#define RPTRECV_RPTRECV_H

#include <stddef.h>

#include <openssl/ssl.h>

#define RPTRECV_FLUSH_SIZE	(256 * 1024)	/* DATA octets per spool_write */
#define RPTRECV_INPUT_MAX	(256 * 1024)	/* unread input per connection */
#define RPTRECV_READ_SIZE	(64 * 1024)	/* octets per read(2) */
#define RPTRECV_CLOSE_GRACE	10		/* seconds to flush a last reply */
#define RPTRECV_RCPT_MAX	100		/* recipients per message */
#define RPTRECV_ADDR_MAX	64		/* a printable IP address */
#define RPTRECV_REPLY_MAX	512		/* a reply made by rptrecv.c */

#include "params.h"

struct event_base;
struct spool;

extern SSL_CTX *rptrecv_tls;		/* NULL: no STARTTLS */
extern struct spool *rptrecv_spool;

/* rptrecv.c */
void	rptrecv_notify(const char *id);
void	rptrecv_conn_done(const char *net);

/* session.c */
void	session_start(struct event_base *, int fd, const char *addr,
	    const char *net);
int	session_count(void);
void	session_stop(int cut_data);
void	session_shutdown(void);

#endif
