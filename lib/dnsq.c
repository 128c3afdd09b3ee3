/*
 * dnsq - asynchronous DNS queries over UDP and TCP; see dnsq.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: /etc/resolv.conf (read), UDP and TCP sockets to its
 * nameservers.  Callbacks must not call dnsq_free().
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <ldns/ldns.h>

#include "buf.h"
#include "dnsq.h"
#include "events.h"
#include "log.h"
#include "mymalloc.h"

#define DNSQ_IDS		65536
#define DNSQ_READS_MAX		64	/* datagrams read per wake-up */
#define DNSQ_MSG_MAX		65535	/* bytes of a DNS message */
#define DNSQ_FAMILIES		2	/* IPv4, IPv6 */

enum dnsq_tcp_state {
	DNSQ_TCP_NONE,
	DNSQ_TCP_WRITE,			/* connecting, then sending */
	DNSQ_TCP_READ,			/* length, then message */
};

struct dnsq_query {
	struct dnsq *q;
	struct dnsq_query *next;	/* waiting list */
	ldns_rdf *name;
	ldns_rr_type type;
	dnsq_cb	 cb;
	void	*arg;
	int	 id;			/* -1: not on the wire yet */
	uint8_t	*wire;			/* 2-byte length, then the query */
	size_t	 wlen;			/* of the query, without the length */
	int	 sent;			/* UDP sends */
	int	 server;		/* of the last send */
	int	 sock;			/* family * DNSQ_SOCKETS + index */
	struct event *timer;
	enum dnsq_tcp_state tcp_state;
	int	 tcp_fd;
	struct event *tcp_ev;
	uint8_t	*tcp_in;
	size_t	 tcp_off;		/* bytes written, then bytes read */
};

struct dnsq {
	struct event_base *base;
	int	 timeout_ms;
	int	 retrans_ms;
	size_t	 max_inflight;
	int	 nsrv;
	struct sockaddr_storage srv[DNSQ_SERVERS_MAX];
	socklen_t srvlen[DNSQ_SERVERS_MAX];
	int	 fd[DNSQ_FAMILIES * DNSQ_SOCKETS];
	struct event *ev[DNSQ_FAMILIES * DNSQ_SOCKETS];
	struct dnsq_query **byid;
	size_t	 inflight;
	size_t	 queued;
	struct dnsq_query *wait_head, *wait_tail;
	struct dnsq_stats stats;
	double	 rate;			/* queries per second; 0: no limit */
	double	 burst;			/* the bucket's size, in queries */
	double	 tokens;		/* below 0: resends are owed */
	struct timespec refilled;	/* when tokens was last brought up */
	struct event *rate_ev;		/* pumps when a token comes */
	uint8_t	 in[DNSQ_MSG_MAX];
};

static void dnsq_udp_read(evutil_socket_t, short, void *);
static void dnsq_timer(evutil_socket_t, short, void *);
static void dnsq_pump(struct dnsq *);
static void dnsq_rate_timer(evutil_socket_t, short, void *);

static int
dnsq_family_index(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

static int
dnsq_open_family(struct dnsq *q, int family, struct buf *err)
{
	int i, k, fd;

	for (k = 0; k < DNSQ_SOCKETS; k++) {
		i = dnsq_family_index(family) * DNSQ_SOCKETS + k;
		if (q->fd[i] >= 0)
			continue;
		fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		if (fd < 0) {
			buf_printf(err, "DNS: UDP socket: %s", strerror(errno));
			return -1;
		}
		q->fd[i] = fd;
		q->ev[i] = event_new(q->base, fd, EV_READ | EV_PERSIST,
		    dnsq_udp_read, q);
		event_add(q->ev[i], NULL);
	}
	return 0;
}

struct dnsq *
dnsq_new(struct event_base *base, int timeout_ms, int max_inflight,
    struct buf *err)
{
	struct sockaddr_storage *ss;
	ldns_resolver *r;
	ldns_status st;
	struct dnsq *q;
	size_t i, len;

	if ((st = ldns_resolver_new_frm_file(&r, NULL)) != LDNS_STATUS_OK) {
		buf_printf(err, "resolv.conf: %s", ldns_get_errorstr_by_id(st));
		return NULL;
	}
	q = xcalloc(1, sizeof(*q));
	q->base = base;
	q->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
	q->max_inflight = max_inflight < 1 ? 1 : max_inflight >
	    DNSQ_INFLIGHT_CAP ? DNSQ_INFLIGHT_CAP : (size_t)max_inflight;
	for (i = 0; i < DNSQ_FAMILIES * DNSQ_SOCKETS; i++)
		q->fd[i] = -1;
	for (i = 0; i < ldns_resolver_nameserver_count(r) &&
	    q->nsrv < DNSQ_SERVERS_MAX; i++) {
		ss = ldns_rdf2native_sockaddr_storage(
		    ldns_resolver_nameservers(r)[i], ldns_resolver_port(r),
		    &len);
		if (ss == NULL)
			continue;
		memcpy(&q->srv[q->nsrv], ss, len);
		q->srvlen[q->nsrv] = (socklen_t)len;
		free(ss);
		if (dnsq_open_family(q, q->srv[q->nsrv].ss_family, err) < 0) {
			ldns_resolver_deep_free(r);
			dnsq_free(q);
			return NULL;
		}
		q->nsrv++;
	}
	ldns_resolver_deep_free(r);
	if (q->nsrv == 0) {
		buf_puts(err, "resolv.conf: no usable nameserver");
		dnsq_free(q);
		return NULL;
	}
	q->retrans_ms = q->timeout_ms / (DNSQ_TRIES * q->nsrv);
	if (q->retrans_ms < 1)
		q->retrans_ms = 1;
	q->byid = xcalloc(DNSQ_IDS, sizeof(*q->byid));
	q->rate_ev = evtimer_new(base, dnsq_rate_timer, q);
	return q;
}

/*
 * The rate: a token bucket refilled from the monotonic clock.  A query
 * goes on the wire only with a token; a resend and a TCP retry take one
 * too but never wait (they are part of a query already under way), so
 * the tokens they owe hold back the next new queries instead, and the
 * nameservers see at most the rate over any second, plus the burst.
 */
void
dnsq_set_rate(struct dnsq *q, long per_sec)
{
	q->rate = per_sec > 0 ? (double)per_sec : 0;
	q->burst = q->rate * DNSQ_BURST_MS / 1000.0;
	if (q->burst < 1)
		q->burst = 1;
	q->tokens = q->burst;
	clock_gettime(CLOCK_MONOTONIC, &q->refilled);
}

static void
dnsq_refill(struct dnsq *q)
{
	struct timespec now;
	double dt;

	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - q->refilled.tv_sec) +
	    (double)(now.tv_nsec - q->refilled.tv_nsec) / 1e9;
	q->refilled = now;
	if (dt > 0)
		q->tokens += dt * q->rate;
	if (q->tokens > q->burst)
		q->tokens = q->burst;
}

/* 1: a new query may go now (its token taken); 0: the timer will pump. */
static int
dnsq_token(struct dnsq *q)
{
	struct timeval tv;
	long ms;

	if (q->rate <= 0)
		return 1;
	dnsq_refill(q);
	if (q->tokens >= 1) {
		q->tokens -= 1;
		return 1;
	}
	if (!evtimer_pending(q->rate_ev, NULL)) {
		ms = (long)((1 - q->tokens) * 1000.0 / q->rate) + 1;
		if (ms < DNSQ_RATE_TICK_MS)
			ms = DNSQ_RATE_TICK_MS;
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(q->rate_ev, &tv);
	}
	return 0;
}

/* A send that is part of a query on the wire: counted, never held. */
static void
dnsq_token_owe(struct dnsq *q)
{
	if (q->rate <= 0)
		return;
	dnsq_refill(q);
	q->tokens -= 1;
}

static void
dnsq_rate_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dnsq_pump(arg);
}

size_t
dnsq_inflight(const struct dnsq *q)
{
	return q->inflight;
}

size_t
dnsq_queued(const struct dnsq *q)
{
	return q->queued;
}

void
dnsq_stats(const struct dnsq *q, struct dnsq_stats *st)
{
	*st = q->stats;
}

static void
dnsq_arm(struct dnsq_query *qq, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(qq->timer, &tv);
}

static void
dnsq_query_free(struct dnsq_query *qq)
{
	events_free(qq->timer);
	events_free(qq->tcp_ev);
	if (qq->tcp_fd >= 0)
		close(qq->tcp_fd);
	ldns_rdf_deep_free(qq->name);
	free(qq->wire);
	free(qq->tcp_in);
	free(qq);
}

/* The query is over: hand the answer (or its absence) to the caller. */
static void
dnsq_done(struct dnsq_query *qq, ldns_pkt *pkt, enum resolve_status st)
{
	struct dnsq *q = qq->q;
	dnsq_cb cb = qq->cb;
	void *arg = qq->arg;

	q->byid[qq->id] = NULL;
	q->inflight--;
	dnsq_query_free(qq);
	cb(arg, pkt, st);
	dnsq_pump(q);
}

static void
dnsq_udp_send(struct dnsq_query *qq)
{
	struct dnsq *q = qq->q;
	int s = qq->sent % q->nsrv;

	qq->server = s;
	qq->sock = dnsq_family_index(q->srv[s].ss_family) * DNSQ_SOCKETS +
	    qq->id % DNSQ_SOCKETS;
	if (qq->sent++ > 0) {
		q->stats.resends++;
		dnsq_token_owe(q);
	}
	/* A lost send is a lost datagram: the timer sends again. */
	if (sendto(q->fd[qq->sock], qq->wire + 2, qq->wlen, 0,
	    (struct sockaddr *)&q->srv[s], q->srvlen[s]) < 0)
		log_debug("DNS: send to nameserver %d: %s", s,
		    strerror(errno));
	dnsq_arm(qq, q->retrans_ms);
}

static void
dnsq_start(struct dnsq_query *qq)
{
	struct dnsq *q = qq->q;
	ldns_pkt *pkt;
	uint8_t *wire = NULL;
	int id;

	do
		id = (int)(arc4random() % DNSQ_IDS);
	while (q->byid[id] != NULL);
	qq->id = id;
	q->byid[id] = qq;
	q->inflight++;
	qq->timer = evtimer_new(q->base, dnsq_timer, qq);
	pkt = ldns_pkt_query_new(ldns_rdf_clone(qq->name), qq->type,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_id(pkt, (uint16_t)id);
	ldns_pkt_set_edns_udp_size(pkt, DNSQ_EDNS_SIZE);
	if (ldns_pkt2wire(&wire, pkt, &qq->wlen) != LDNS_STATUS_OK ||
	    qq->wlen > DNSQ_MSG_MAX) {
		ldns_pkt_free(pkt);
		free(wire);
		/* Reported from the event loop, like any other outcome. */
		qq->sent = DNSQ_TRIES * q->nsrv;
		dnsq_arm(qq, 0);
		return;
	}
	ldns_pkt_free(pkt);
	qq->wire = xmalloc(qq->wlen + 2);
	qq->wire[0] = (uint8_t)(qq->wlen >> 8);
	qq->wire[1] = (uint8_t)qq->wlen;
	memcpy(qq->wire + 2, wire, qq->wlen);
	free(wire);
	dnsq_udp_send(qq);
}

static void
dnsq_pump(struct dnsq *q)
{
	struct dnsq_query *qq;

	while (q->wait_head != NULL && q->inflight < q->max_inflight &&
	    dnsq_token(q)) {
		qq = q->wait_head;
		if ((q->wait_head = qq->next) == NULL)
			q->wait_tail = NULL;
		qq->next = NULL;
		q->queued--;
		dnsq_start(qq);
	}
}

int
dnsq_ask(struct dnsq *q, const ldns_rdf *name, ldns_rr_type type, dnsq_cb cb,
    void *arg)
{
	struct dnsq_query *qq;

	if (name == NULL || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME)
		return -1;
	qq = xcalloc(1, sizeof(*qq));
	qq->q = q;
	qq->name = ldns_rdf_clone(name);
	qq->type = type;
	qq->cb = cb;
	qq->arg = arg;
	qq->id = -1;
	qq->tcp_fd = -1;
	if (q->wait_tail != NULL)
		q->wait_tail->next = qq;
	else
		q->wait_head = qq;
	q->wait_tail = qq;
	q->queued++;
	q->stats.queries++;
	dnsq_pump(q);
	return 0;
}

/*
 * TCP, for truncated answers.
 */
static void dnsq_tcp_event(evutil_socket_t, short, void *);

static void
dnsq_tcp_start(struct dnsq_query *qq)
{
	struct dnsq *q = qq->q;
	struct sockaddr_storage *sa = &q->srv[qq->server];
	int fd;

	evtimer_del(qq->timer);
	q->stats.tcp++;
	dnsq_token_owe(q);
	fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 || (connect(fd, (struct sockaddr *)sa,
	    q->srvlen[qq->server]) < 0 && errno != EINPROGRESS)) {
		log_debug("DNS: TCP to nameserver %d: %s", qq->server,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		dnsq_done(qq, NULL, RESOLVE_ERROR);
		return;
	}
	qq->tcp_fd = fd;
	qq->tcp_state = DNSQ_TCP_WRITE;
	qq->tcp_off = 0;
	qq->tcp_in = xmalloc(2 + DNSQ_MSG_MAX);
	qq->tcp_ev = event_new(q->base, fd, EV_WRITE | EV_PERSIST,
	    dnsq_tcp_event, qq);
	event_add(qq->tcp_ev, NULL);
	dnsq_arm(qq, q->timeout_ms);
}

static void
dnsq_tcp_answer(struct dnsq_query *qq, size_t len)
{
	ldns_pkt *pkt;

	if (ldns_wire2pkt(&pkt, qq->tcp_in + 2, len) != LDNS_STATUS_OK) {
		dnsq_done(qq, NULL, RESOLVE_ERROR);
		return;
	}
	if (ldns_pkt_id(pkt) != qq->id || ldns_pkt_qdcount(pkt) != 1 ||
	    ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(pkt), 0)) !=
	    qq->type || ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(
	    ldns_pkt_question(pkt), 0)), qq->name) != 0) {
		ldns_pkt_free(pkt);
		dnsq_done(qq, NULL, RESOLVE_ERROR);
		return;
	}
	dnsq_done(qq, pkt, RESOLVE_OK);
}

static void
dnsq_tcp_event(evutil_socket_t fd, short what, void *arg)
{
	struct dnsq_query *qq = arg;
	size_t need;
	ssize_t n;

	(void)what;
	if (qq->tcp_state == DNSQ_TCP_WRITE) {
		n = write(fd, qq->wire + qq->tcp_off, qq->wlen + 2 -
		    qq->tcp_off);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			dnsq_done(qq, NULL, RESOLVE_ERROR);
			return;
		}
		if ((qq->tcp_off += n) < qq->wlen + 2)
			return;
		qq->tcp_state = DNSQ_TCP_READ;
		qq->tcp_off = 0;
		event_free(qq->tcp_ev);
		qq->tcp_ev = event_new(qq->q->base, fd, EV_READ | EV_PERSIST,
		    dnsq_tcp_event, qq);
		event_add(qq->tcp_ev, NULL);
		return;
	}
	need = qq->tcp_off < 2 ? 2 : 2 + ((size_t)qq->tcp_in[0] << 8 |
	    qq->tcp_in[1]);
	n = read(fd, qq->tcp_in + qq->tcp_off, need - qq->tcp_off);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		dnsq_done(qq, NULL, RESOLVE_ERROR);
		return;
	}
	qq->tcp_off += n;
	if (qq->tcp_off == 2)
		return;			/* the length: now the message */
	need = 2 + ((size_t)qq->tcp_in[0] << 8 | qq->tcp_in[1]);
	if (qq->tcp_off == need)
		dnsq_tcp_answer(qq, need - 2);
}

/*
 * UDP.
 */
static int
dnsq_from_server(const struct dnsq *q, int s, const struct sockaddr_storage *from,
    socklen_t len)
{
	const struct sockaddr_storage *sa = &q->srv[s];

	if (len != q->srvlen[s] || from->ss_family != sa->ss_family)
		return 0;
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;
		const struct sockaddr_in *b = (const void *)from;

		return a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;
		const struct sockaddr_in6 *b = (const void *)from;

		return a->sin6_port == b->sin6_port &&
		    memcmp(&a->sin6_addr, &b->sin6_addr,
		    sizeof(a->sin6_addr)) == 0;
	}
	return 0;
}

static int
dnsq_question_is(const ldns_pkt *pkt, const struct dnsq_query *qq)
{
	const ldns_rr *rr;

	if (ldns_pkt_qdcount(pkt) != 1 || ldns_rr_list_rr_count(
	    ldns_pkt_question(pkt)) != 1)
		return 0;
	rr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	return ldns_rr_get_type(rr) == qq->type &&
	    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
	    ldns_dname_compare(ldns_rr_owner(rr), qq->name) == 0;
}

static void
dnsq_udp_one(struct dnsq *q, int sock, size_t len,
    const struct sockaddr_storage *from, socklen_t fromlen)
{
	struct dnsq_query *qq;
	ldns_pkt *pkt;
	int id, s, known = 0;

	if (len < LDNS_HEADER_SIZE)
		return;
	id = q->in[0] << 8 | q->in[1];
	if ((qq = q->byid[id]) == NULL || qq->sock != sock ||
	    qq->tcp_state != DNSQ_TCP_NONE)
		return;
	/* Any nameserver asked so far may answer (a late answer counts). */
	for (s = 0; s < q->nsrv && s < qq->sent; s++)
		if (dnsq_from_server(q, s, from, fromlen))
			known = 1;
	if (!known)
		return;
	if (ldns_wire2pkt(&pkt, q->in, len) != LDNS_STATUS_OK)
		return;			/* unreadable: wait for a good one */
	if (!dnsq_question_is(pkt, qq)) {
		ldns_pkt_free(pkt);
		return;
	}
	if (ldns_pkt_tc(pkt)) {
		ldns_pkt_free(pkt);
		dnsq_tcp_start(qq);
		return;
	}
	dnsq_done(qq, pkt, RESOLVE_OK);
}

static void
dnsq_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct dnsq *q = arg;
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;
	int i, sock = -1;

	(void)what;
	for (i = 0; i < DNSQ_FAMILIES * DNSQ_SOCKETS; i++)
		if (q->fd[i] == fd)
			sock = i;
	for (i = 0; i < DNSQ_READS_MAX; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, q->in, sizeof(q->in), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			break;
		dnsq_udp_one(q, sock, (size_t)n, &from, fromlen);
	}
}

static void
dnsq_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dnsq_query *qq = arg;

	(void)fd;
	(void)what;
	if (qq->tcp_state != DNSQ_TCP_NONE) {
		qq->q->stats.timeouts++;
		dnsq_done(qq, NULL, RESOLVE_TIMEOUT);
	} else if (qq->wire == NULL)
		dnsq_done(qq, NULL, RESOLVE_ERROR);
	else if (qq->sent >= DNSQ_TRIES * qq->q->nsrv) {
		qq->q->stats.timeouts++;
		dnsq_done(qq, NULL, RESOLVE_TIMEOUT);
	}
	else
		dnsq_udp_send(qq);
}

void
dnsq_free(struct dnsq *q)
{
	struct dnsq_query *qq, *next;
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; q->byid != NULL && i < DNSQ_IDS; i++)
		if (q->byid[i] != NULL)
			dnsq_query_free(q->byid[i]);
	for (qq = q->wait_head; qq; qq = next) {
		next = qq->next;
		dnsq_query_free(qq);
	}
	for (i = 0; i < DNSQ_FAMILIES * DNSQ_SOCKETS; i++) {
		events_free(q->ev[i]);
		if (q->fd[i] >= 0)
			close(q->fd[i]);
	}
	events_free(q->rate_ev);
	free(q->byid);
	free(q);
}
