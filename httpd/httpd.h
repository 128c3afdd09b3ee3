/*
 * httpd.h - what the modules of httpd share.
 * SPDX-License-Identifier: ISC
 *
 *	httpd_conf		the parameters, read once at start
 *	httpd_policies		the policy table (policytab.h)
 *	httpd_certs		the TLS context and certificates (certcache.h),
 *				NULL when httpd_tls = no
 *
 *	conn_start(base)	accept on every listening socket of the service
 *	conn_drain(now)		stopping: finish what is under way (now:
 *				close everything), then server_idle()
 *	conn_stop()		close every listener and connection
 *	conn_count()		open client connections
 *
 *	subscribe_load()	fill httpd_policies from policyd's snapshot
 *				file (lib/polsnap.h); how many it holds
 *	subscribe_start(base)	follow policyd's stream of policies
 *	subscribe_stop()
 *
 *	httpd_spool		the spool, when this process takes reports
 *				(httpd_conf.report_path is then set)
 *	report_start(), report_input(), report_commit(), report_abort()
 *				a report POST into the spool (report.c)
 */
#ifndef STS_HTTPD_HTTPD_H
#define STS_HTTPD_HTTPD_H

#include <sys/time.h>

#include <time.h>

#include "http.h"
#include "proto.h"
#include "rua.h"
#include "spool.h"

#define HTTPD_POLICY_PATH	"/.well-known/mta-sts.txt"
#define HTTPD_POLICYD_SOCKET	PROTO_POLICYD_PRIVATE	/* in queue_directory */
#define HTTPD_SERVER_NAME	"stsd"
#define HTTPD_REPORT_CLIENTS_MAX 65536	/* clients counted for
					 * httpd_report_client_limit */
#define HTTPD_PORTAL_MARGIN	5	/* seconds after portal_timeout
					 * before a portal client is closed */
#define HTTPD_UPLOAD_RETRY	60	/* Retry-After, seconds, over
					 * httpd_report_upload_limit */

struct buf;
struct event_base;
struct report;

struct httpd_conf {
	int	 tls;			/* httpd_tls */
	struct http_limits limits;	/* httpd_max_header_size, _count */
	int	 keepalive_requests;	/* httpd_keepalive_requests */
	int	 connection_limit;	/* httpd_connection_limit */
	struct timeval idle_timeout;	/* httpd_idle_timeout */
	struct timeval request_timeout;	/* httpd_request_timeout */
	int	 retry_max;		/* httpd_policyd_retry_time, seconds */
	const char *report_path;	/* report_https_path; NULL: reports
					 * are not taken by this process */
	struct rua_limits reports;	/* message_size_limit */
	struct timeval body_timeout;	/* httpd_body_timeout */
	int	 report_rua;		/* report_https_rua: reports are
					 * taken (else 404) */
	long long report_client_limit;	/* httpd_report_client_limit */
	time_t	 report_client_window;	/* httpd_report_client_window */
	int	 report_upload_limit;	/* httpd_report_upload_limit */
	char	 portal_host[HTTP_HOST_MAX + 1];	/* portal_hostname with
					 * portal_enabled and TLS; "": none */
	unsigned long long portal_body_limit;	/* portal_body_limit */
	struct timeval portal_timeout;	/* portal_timeout, for webd */
	struct timeval portal_wait;	/* portal_timeout and a margin, for
					 * the client connection meanwhile */
};

extern struct httpd_conf httpd_conf;
extern struct spool *httpd_spool;
extern struct policytab *httpd_policies;
extern struct certcache *httpd_certs;

void	conn_start(struct event_base *);
void	conn_drain(int now);
void	conn_stop(void);
int	conn_count(void);

size_t	subscribe_load(void);
void	subscribe_start(struct event_base *);
void	subscribe_stop(void);

struct report *report_start(const struct http_request *,
	    const struct rua_verdict *, struct buf *err);
int	report_input(struct report *, const char *, size_t, size_t *used);
int	report_status(const struct report *);
const char *report_why(const struct report *);
unsigned long long report_size(const struct report *);
int	report_commit(struct report *, char id[SPOOL_ID_SIZE], struct buf *err);
void	report_abort(struct report *);
int	report_receiving(void);

#endif
