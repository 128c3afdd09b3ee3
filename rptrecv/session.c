/*
 * session - one SMTP session of rptrecv (RFC 5321, 3207, 2920).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	session_start(base, fd, addr)	takes fd; runs until the end
 *	session_count()			sessions alive
 *	session_stop(cut_data)		421 to the sessions between commands
 *	session_shutdown()		close every session (exit)
 *
 * DESCRIPTION
 *	A session is a bufferevent (plain, or an OpenSSL filter on top of
 *	the plain one after STARTTLS) and a small state machine: commands
 *	are parsed by smtp_cmd, the DATA text by smtp_data.  All pipelined
 *	commands that have arrived are answered in one write: on a plain
 *	connection the replies are written at once with one write(2) at
 *	the end of the input (session_send), and the bufferevent waits for
 *	the socket to take more only when it did not take everything, so a
 *	reply costs no poll changes.  The text
 *	of a message goes to the spool in RPTRECV_FLUSH_SIZE pieces, after
 *	a Received: header.  At the end mark the session hands the message
 *	to commit (group commit with the other sessions of the process)
 *	and handles no more input until it is durable (what arrives waits
 *	in the input buffer): "250 ... queued as ID" is sent only then, and
 *	rptparse is told after that.
 *
 *	Refusals: bare CR or LF in the text (550 5.6.2 after the end mark,
 *	or 521 and close when the end mark itself uses a bare LF: SMTP
 *	smuggling), a text line over 998 octets (552 5.3.4), a message
 *	over message_size_limit (552 5.3.4), a command line over
 *	SMTP_LINE_MAX (500 5.5.2).  Nothing of a refused message stays in
 *	the spool.  More than rptrecv_command_limit commands without a
 *	queued message ends the session with 421.
 *
 *	Deadlines, not idle timers (a client sending one octet a second
 *	would hold an idle timer forever): each command line must be
 *	complete within rptrecv_command_timeout of the moment the session
 *	waits for it (cmd_timer, restarted as each line is taken; the TLS
 *	handshake after STARTTLS counts in the next one), the text of a
 *	message within rptrecv_data_timeout of its 354 (data_timer; the
 *	command deadline is off meanwhile, and while the message is being
 *	committed).  Either ends the session with a 421 that names it.
 *
 *	Over TLS the last reply goes through OpenSSL into the socket's own
 *	bufferevent: the filter is made without BEV_OPT_CLOSE_ON_FREE, and
 *	session_close_tls() frees it (after a close_notify) and lets the
 *	socket's bufferevent write what it holds, so that a 221 or 421
 *	reaches the client before the close.
 *
 *	Stopping (server_stopping(): SIGTERM, "stsd stop" or a reload):
 *	session_stop(0) says "421 4.3.2 ... Service shutting down" to every
 *	session that waits for a command and closes it; a session in the
 *	middle of a message goes on to its end mark, gets its 250 (or
 *	refusal) as always, and the 421 on its next command (QUIT still
 *	gets 221).  session_stop(1), at the deadline, also cuts off the
 *	sessions in the middle of a message: the partial text is dropped
 *	and they get the 421.  A message being made durable is never cut
 *	off: its session waits for the commit.
 *
 * LIMITS
 *	Unread input per connection: RPTRECV_INPUT_MAX (reading pauses);
 *	recipients: RPTRECV_RCPT_MAX; a connection that will not take its
 *	last reply is dropped after RPTRECV_CLOSE_GRACE seconds.  Counted by
 *	connlimit against the limits of the process (rptrecv.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "dlist.h"
#include "esc.h"
#include "commit.h"
#include "connlimit.h"
#include "events.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "rptrecv.h"
#include "session.h"
#include "server.h"
#include "smtp_cmd.h"
#include "smtp_data.h"
#include "spool.h"

static struct session *sessions;
static int nsessions;

static void session_readcb(struct bufferevent *, void *);
static void session_writecb(struct bufferevent *, void *);
static void session_eventcb(struct bufferevent *, short, void *);
static void session_close_tls(struct session *);

int
session_count(void)
{
	return nsessions;
}

void
session_reply(struct session *s, const char *fmt, ...)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
}

/*
 * Write the queued replies of a plain connection now; what the socket
 * does not take, the bufferevent writes when it can.  A TLS session's
 * bufferevent writes through OpenSSL by itself.
 */
static void
session_send(struct session *s)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);

	if (s->tls || evbuffer_get_length(out) == 0)
		return;
	/* The bufferevent keeps the start of its output frozen. */
	evbuffer_unfreeze(out, 1);
	while (evbuffer_get_length(out) > 0 &&
	    evbuffer_write(out, bufferevent_getfd(s->bev)) > 0)
		;
	evbuffer_freeze(out, 1);
	if (evbuffer_get_length(out) > 0)	/* full, or an error */
		bufferevent_enable(s->bev, EV_WRITE);
}

void
session_reset(struct session *s)
{
	free(s->sender);
	free(s->first_rcpt);
	s->sender = s->first_rcpt = NULL;
	s->have_mail = 0;
	s->nrcpt = 0;
	s->smtputf8 = 0;
	if (s->msg != NULL) {
		spool_abort(s->msg);
		s->msg = NULL;
	}
	buf_reset(&s->out);
	s->too_big = s->write_failed = 0;
}

static void
session_free(struct session *s)
{
	if (s->commit != NULL) {
		/* Never acknowledged: the sender will send it again. */
		commit_cancel(s->commit);
		s->commit = NULL;
	}
	session_reset(s);
	buf_free(&s->out);
	events_free(s->cmd_timer);
	events_free(s->data_timer);
	if (s->bev != s->plain)
		bufferevent_free(s->bev);	/* the TLS filter */
	SSL_free(s->ssl);
	bufferevent_free(s->plain);	/* closes the socket */
	DLIST_UNLINK(sessions, s);
	nsessions--;
	log_info("disconnect from [%s] commands=%lld queued=%d", s->addr,
	    s->ncmds, s->nqueued);
	rptrecv_conn_done(s->net);
	free(s);
}

/* Send what is queued, then close; give up after RPTRECV_CLOSE_GRACE. */
void
session_close(struct session *s)
{
	struct timeval tv = { RPTRECV_CLOSE_GRACE, 0 };

	s->state = SESSION_CLOSING;
	evtimer_del(s->cmd_timer);
	if (s->data_timer != NULL)
		evtimer_del(s->data_timer);
	bufferevent_disable(s->bev, EV_READ);
	bufferevent_set_timeouts(s->bev, NULL, &tv);
	session_send(s);
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) > 0)
		return;		/* session_writecb goes on once it is gone */
	if (s->bev != s->plain)
		session_close_tls(s);
	else
		session_free(s);
}

/*
 * The last reply of a TLS session went through OpenSSL into the output
 * of the socket's bufferevent, which the filter would free with it:
 * add close_notify, drop the filter, and let the socket's bufferevent
 * write what it holds before the session is freed.
 */
static void
session_close_tls(struct session *s)
{
	struct timeval tv = { RPTRECV_CLOSE_GRACE, 0 };

	if (SSL_is_init_finished(s->ssl))
		(void)SSL_shutdown(s->ssl);
	bufferevent_free(s->bev);
	s->bev = s->plain;
	bufferevent_setcb(s->bev, NULL, session_writecb, session_eventcb, s);
	bufferevent_set_timeouts(s->bev, NULL, &tv);
	bufferevent_enable(s->bev, EV_WRITE);
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) == 0)
		session_free(s);
}

void
session_shutdown(void)
{
	while (sessions != NULL)
		session_free(sessions);
}

/* RFC 5321 section 3.8: a server that shuts down says 421 and closes. */
void
session_bye(struct session *s)
{
	session_reset(s);
	session_reply(s, "421 4.3.2 %s Service shutting down, try again later",
	    var_smtp_hostname);
	session_close(s);
}

void
session_stop(int cut_data)
{
	struct session *s, *next;

	for (s = sessions; s != NULL; s = next) {
		next = s->next;		/* session_bye() may free s */
		if (s->state == SESSION_CMD ||
		    (cut_data && s->state == SESSION_DATA)) {
			if (s->state == SESSION_DATA) {
				evtimer_del(s->data_timer);
				log_info("[%s]: stopping: the text of a message "
				    "was cut off", s->addr);
			}
			session_bye(s);
		}
	}
}

static void
session_data_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;

	(void)fd;
	(void)what;
	log_warn("[%s]: timeout: the text of a message took more than "
	    "%lld s (rptrecv_data_timeout); closing connection", s->addr,
	    var_rptrecv_data_timeout);
	session_reset(s);
	session_reply(s, "421 4.4.2 %s Error: data timeout exceeded (%lld s "
	    "for the text of a message); closing connection",
	    var_smtp_hostname, var_rptrecv_data_timeout);
	session_close(s);
}

static void
session_cmd_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;
	size_t partial = evbuffer_get_length(bufferevent_get_input(s->bev));

	(void)fd;
	(void)what;
	if (s->ssl != NULL && !SSL_is_init_finished(s->ssl)) {
		/* No reply can reach the client before the handshake. */
		log_warn("[%s]: timeout: TLS handshake not done within %lld s "
		    "(rptrecv_command_timeout); closing connection", s->addr,
		    var_rptrecv_command_timeout);
		session_free(s);
		return;
	}
	log_warn("[%s]: timeout: no complete command within %lld s "
	    "(rptrecv_command_timeout; %zu octets of one came); closing "
	    "connection", s->addr, var_rptrecv_command_timeout, partial);
	session_reset(s);
	session_reply(s, "421 4.4.2 %s Error: command timeout exceeded (%lld "
	    "s for one command); closing connection", var_smtp_hostname,
	    var_rptrecv_command_timeout);
	session_close(s);
}

/*
 * The deadline of the next command: from now (the previous command was
 * read, or the greeting or a 250 after DATA sent) to the end of its
 * line, however slowly its bytes arrive.
 */
static void
session_cmd_deadline(struct session *s)
{
	struct timeval tv = { (time_t)var_rptrecv_command_timeout, 0 };

	evtimer_add(s->cmd_timer, &tv);
}

void
session_start(struct event_base *base, int fd, const char *addr,
    const char *net)
{
	struct session *s = xcalloc(1, sizeof(*s));

	s->base = base;
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	snprintf(s->net, sizeof(s->net), "%s", net);
	s->bev = s->plain = bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	s->cmd_timer = evtimer_new(base, session_cmd_timeout, s);
	if (s->bev == NULL || s->cmd_timer == NULL) {
		log_error("[%s]: cannot make a bufferevent", addr);
		if (s->bev != NULL)
			bufferevent_free(s->bev);
		else
			close(fd);
		events_free(s->cmd_timer);
		rptrecv_conn_done(net);
		free(s);
		return;
	}
	DLIST_PUSH(sessions, s);
	nsessions++;
	bufferevent_setcb(s->bev, session_readcb, session_writecb,
	    session_eventcb, s);
	bufferevent_setwatermark(s->bev, EV_READ, 0, RPTRECV_INPUT_MAX);
	bufferevent_set_max_single_read(s->bev, RPTRECV_READ_SIZE);
	session_cmd_deadline(s);
	/* Replies are written by session_send(), EV_WRITE only when needed. */
	bufferevent_disable(s->bev, EV_WRITE);
	bufferevent_enable(s->bev, EV_READ);
	log_info("connect from [%s]", addr);
	metrics_inc(METRIC_SMTP_SESSIONS, NULL);
	session_reply(s, "220 %s ESMTP stsd", var_smtp_hostname);
	session_send(s);
}

/* The Received: header, first in the spooled message. */
static void
session_received(struct session *s, const char *id)
{
	const char *proto;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	SSL *ssl;

	if (s->smtputf8)
		proto = s->tls ? "UTF8SMTPS" : "UTF8SMTP";
	else if (s->esmtp)
		proto = s->tls ? "ESMTPS" : "ESMTP";
	else
		proto = s->tls ? "SMTPS" : "SMTP";
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(&s->out, "Received: from %s ([%s])\r\n", s->helo, s->addr);
	if (s->tls && (ssl = bufferevent_openssl_get_ssl(s->bev)) != NULL)
		buf_printf(&s->out, "\t(using %s with cipher %s)\r\n",
		    SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	buf_printf(&s->out, "\tby %s (stsd rptrecv) with %s id %s",
	    var_smtp_hostname, proto, id);
	if (s->nrcpt == 1)
		buf_printf(&s->out, "\r\n\tfor <%s>", s->first_rcpt);
	buf_printf(&s->out, "; %s\r\n", date);
}

void
session_data(struct session *s)
{
	struct buf err = BUF_INIT;
	struct timeval tv = { (time_t)var_rptrecv_data_timeout, 0 };

	if (!s->have_mail) {
		session_reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->nrcpt == 0) {
		session_reply(s, "554 5.5.1 Error: no valid recipients");
		return;
	}
	/* Room for the Received: header on top of the limit. */
	if (spool_create(rptrecv_spool, var_message_size_limit +
	    RPTRECV_FLUSH_SIZE, &s->msg, &err) < 0) {
		log_error("cannot queue a message from [%s]: %s", s->addr, err.s);
		buf_free(&err);
		s->msg = NULL;
		session_reply(s, "451 4.3.0 Error: queue file write error");
		return;
	}
	buf_reset(&s->out);
	session_received(s, spool_msg_id(s->msg));
	smtp_data_init(&s->text, SMTP_TEXT_LINE_MAX);
	s->state = SESSION_DATA;
	evtimer_del(s->cmd_timer);
	if (s->data_timer == NULL)
		s->data_timer = evtimer_new(s->base, session_data_timeout, s);
	evtimer_add(s->data_timer, &tv);
	session_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

/* Returns 1 when the session switched to TLS. */
int
session_starttls(struct session *s)
{
	struct bufferevent *tls;
	SSL *ssl;

	if (rptrecv_tls == NULL) {
		session_reply(s, "502 5.5.1 Error: command not implemented");
		return 0;
	}
	if (s->tls) {
		session_reply(s, "554 5.5.1 Error: TLS already active");
		return 0;
	}
	if (s->have_mail) {
		session_reply(s, "503 5.5.1 Error: MAIL transaction in progress");
		return 0;
	}
	if ((ssl = SSL_new(rptrecv_tls)) == NULL) {
		session_reply(s, "454 4.7.0 TLS not available due to local problem");
		return 0;
	}
	session_reply(s, "220 2.0.0 Ready to start TLS");
	/*
	 * Whatever the client pipelined after STARTTLS came in the clear:
	 * drop it (RFC 3207 section 6, the command injection of CVE-2011-0411).
	 * The reply above is already in the plain output buffer, so it
	 * leaves before the handshake.
	 */
	evbuffer_drain(bufferevent_get_input(s->bev),
	    evbuffer_get_length(bufferevent_get_input(s->bev)));
	session_send(s);
	bufferevent_enable(s->bev, EV_WRITE);	/* the filter writes through it */
	/* Not BEV_OPT_CLOSE_ON_FREE: see session_close_tls(). */
	tls = bufferevent_openssl_filter_new(s->base, s->bev, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, 0);
	if (tls == NULL) {
		SSL_free(ssl);
		log_error("[%s]: cannot start TLS", s->addr);
		session_close(s);
		return 1;
	}
	s->bev = tls;
	s->ssl = ssl;
	s->tls = 1;
	s->helo[0] = '\0';		/* the client must say EHLO again */
	s->esmtp = 0;
	bufferevent_setcb(s->bev, session_readcb, session_writecb,
	    session_eventcb, s);
	bufferevent_setwatermark(s->bev, EV_READ, 0, RPTRECV_INPUT_MAX);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	return 1;
}

/* Move text from s->out to the spool, unless the message is refused. */
static void
session_flush(struct session *s)
{
	struct buf err = BUF_INIT;

	if (s->msg == NULL || s->out.len == 0)
		return;
	if (spool_write(s->msg, s->out.s, s->out.len, &err) < 0) {
		log_error("[%s]: %s", s->addr, err.s);
		s->write_failed = 1;
		spool_abort(s->msg);
		s->msg = NULL;
	}
	buf_free(&err);
	buf_reset(&s->out);
}

/* Drop the message being received, keep reading to its end. */
static void
session_drop_text(struct session *s)
{
	if (s->msg != NULL) {
		spool_abort(s->msg);
		s->msg = NULL;
	}
	buf_reset(&s->out);
}

/* The group commit is done: answer, and read what waits meanwhile. */
static void
session_committed(void *arg, int ok)
{
	struct session *s = arg;

	s->commit = NULL;
	s->state = SESSION_CMD;
	if (!ok) {
		session_reply(s, "451 4.3.0 Error: queue file write error");
	} else {
		log_info("%s: from=<%s> to=<%s>%s size=%llu client=[%s]%s",
		    s->commit_id, esc_printable(s->sender),
		    esc_printable(s->first_rcpt),
		    s->nrcpt > 1 ? "..." : "", s->text.size, s->addr,
		    s->tls ? " tls" : "");
		session_reply(s, "250 2.0.0 Ok: queued as %s", s->commit_id);
		s->nqueued++;
		metrics_inc(METRIC_SMTP_MESSAGES, NULL);
		s->ncmds = 0;
		rptrecv_notify(s->commit_id);
	}
	session_reset(s);
	session_cmd_deadline(s);
	/* Input that came meanwhile had its read event already. */
	if (evbuffer_get_length(bufferevent_get_input(s->bev)) > 0)
		session_readcb(s->bev, s);
	else
		session_send(s);
}

/* Hand the complete message to the group commit and wait for it. */
static void
session_commit(struct session *s)
{
	snprintf(s->commit_id, sizeof(s->commit_id), "%s",
	    spool_msg_id(s->msg));
	s->state = SESSION_COMMIT;
	s->commit = commit_add(s->msg, session_committed, s);
	s->msg = NULL;
}

/* The end mark of the text arrived: queue the message or refuse it. */
static int
session_text_end(struct session *s)
{
	evtimer_del(s->data_timer);
	s->state = SESSION_CMD;
	session_cmd_deadline(s);
	if (s->text.end == SMTP_DATA_END_BARE) {
		log_warn("[%s]: message refused: end of text with a bare <LF>; "
		    "closing connection", s->addr);
		session_reset(s);
		session_reply(s, "521 5.5.2 %s Error: bare <LF> received; "
		    "closing connection (see RFC 5321 section 2.3.8)",
		    var_smtp_hostname);
		session_close(s);
		return -1;
	}
	if (s->text.error == SMTP_DATA_BARE_LF ||
	    s->text.error == SMTP_DATA_BARE_CR) {
		log_warn("[%s]: message refused: %s", s->addr,
		    smtp_data_error_text(s->text.error));
		session_reply(s, "550 5.6.2 Message refused: %s; lines must "
		    "end with <CR><LF> (see RFC 5321 section 2.3.8)",
		    smtp_data_error_text(s->text.error));
	} else if (s->too_big) {
		log_warn("[%s]: message refused: larger than %llu bytes",
		    s->addr, var_message_size_limit);
		session_reply(s, "552 5.3.4 Message size exceeds fixed limit "
		    "of %llu bytes", var_message_size_limit);
	} else if (s->text.error == SMTP_DATA_LONG_LINE) {
		log_warn("[%s]: message refused: a line is longer than %d "
		    "octets", s->addr, SMTP_TEXT_LINE_MAX);
		session_reply(s, "552 5.3.4 Message refused: a line is longer "
		    "than %d characters (RFC 5321 section 4.5.3.1.6)",
		    SMTP_TEXT_LINE_MAX);
	} else if (s->write_failed || s->msg == NULL) {
		session_reply(s, "451 4.3.0 Error: queue file write error");
	} else {
		session_flush(s);
		if (s->msg == NULL) {
			session_reply(s, "451 4.3.0 Error: queue file write error");
		} else {
			session_commit(s);
			return 0;	/* session_committed() goes on */
		}
	}
	metrics_inc(METRIC_SMTP_REJECTIONS, "stage", "data", NULL);
	session_reset(s);
	return 0;
}

/* Feed the input to the text filter; returns -1 when it must stop. */
static int
session_read_text(struct session *s, struct evbuffer *in)
{
	struct evbuffer_iovec vec[16];
	int n, i;
	size_t used;

	while (s->text.end == SMTP_DATA_MORE && evbuffer_get_length(in) > 0) {
		n = evbuffer_peek(in, -1, NULL, vec, 16);
		if (n > 16)
			n = 16;
		for (i = 0, used = 0; i < n && s->text.end == SMTP_DATA_MORE;
		    i++)
			used += smtp_data_feed(&s->text, vec[i].iov_base,
			    vec[i].iov_len, &s->out);
		evbuffer_drain(in, used);
		if (s->text.size > var_message_size_limit && !s->too_big) {
			s->too_big = 1;
			session_drop_text(s);
		}
		if (s->text.error != SMTP_DATA_OK || s->too_big)
			session_drop_text(s);
		else if (s->out.len >= RPTRECV_FLUSH_SIZE)
			session_flush(s);
	}
	if (s->text.end == SMTP_DATA_MORE)
		return 0;
	return session_text_end(s);
}

static int
session_read_commands(struct session *s, struct evbuffer *in)
{
	struct evbuffer_ptr eol;
	size_t eol_len, len;
	char line[SMTP_LINE_MAX];

	for (;;) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			len = evbuffer_get_length(in);
			if (len >= SMTP_LINE_MAX) {
				/* Keep no more than a line: skip to its end. */
				evbuffer_drain(in, len);
				s->skip_line = 1;
			}
			return 0;
		}
		len = (size_t)eol.pos;
		session_cmd_deadline(s);	/* for the next one */
		if (s->skip_line || len > SMTP_LINE_MAX - 2) {
			evbuffer_drain(in, len + eol_len);
			s->skip_line = 0;
			if (++s->ncmds > var_rptrecv_command_limit) {
				session_reply(s, "421 4.7.0 %s Error: too many "
				    "commands; closing connection",
				    var_smtp_hostname);
				session_close(s);
				return -1;
			}
			session_reply(s, "500 5.5.2 Error: line too long");
			continue;
		}
		evbuffer_remove(in, line, len);
		evbuffer_drain(in, eol_len);
		if (session_command(s, line, len) < 0)
			return -1;
		if (s->state == SESSION_DATA)
			return 1;
	}
}

static void
session_readcb(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	int r;

	while ((s->state == SESSION_CMD || s->state == SESSION_DATA) &&
	    evbuffer_get_length(in) > 0) {
		if (s->state == SESSION_DATA) {
			if (session_read_text(s, in) < 0)
				return;		/* closing: sent, maybe freed */
			if (s->state == SESSION_DATA)
				break;
		} else if ((r = session_read_commands(s, in)) < 0) {
			return;			/* closing, or now TLS */
		} else if (r == 0) {
			break;
		}
	}
	session_send(s);
}

static void
session_writecb(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	if (s->state == SESSION_CLOSING && s->bev != s->plain)
		session_close_tls(s);
	else if (s->state == SESSION_CLOSING)
		session_free(s);
	else if (!s->tls)	/* session_send() enables it when needed */
		bufferevent_disable(bev, EV_WRITE);
}

static void
session_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct session *s = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {	/* the STARTTLS handshake */
		metrics_inc(METRIC_TLS_HANDSHAKES, "daemon", "rptrecv", NULL);
		return;
	}
	if (s->ssl != NULL && !SSL_is_init_finished(s->ssl))
		metrics_inc(METRIC_TLS_FAILURES, "daemon", "rptrecv", NULL);
	if ((what & BEV_EVENT_TIMEOUT) && s->state == SESSION_CLOSING)
		log_info("[%s]: the last reply was not taken within %d s",
		    s->addr, RPTRECV_CLOSE_GRACE);
	if ((what & BEV_EVENT_ERROR) && s->bev != s->plain) {
		unsigned long e;

		while ((e = bufferevent_get_openssl_error(s->bev)))
			log_info("[%s]: TLS error: %s", s->addr,
			    ERR_reason_error_string(e) ?
			    ERR_reason_error_string(e) : "unknown");
	}
	if (s->state == SESSION_DATA)
		log_info("[%s]: lost connection while receiving the text of a "
		    "message", s->addr);
	session_free(s);
}
