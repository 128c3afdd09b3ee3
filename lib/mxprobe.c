/*
 * mxprobe - SMTP STARTTLS probe of one MX; see mxprobe.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: one TCP connection to the MX, the CA file (read).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "deadline.h"
#include "mxprobe.h"
#include "tlsdial.h"

#define PROBE_SECONDS_PER_DAY	86400

struct probe_conn {
	int	 fd;
	int	 timeout_ms;
	struct timespec deadline;	/* of the current step */
	char	 in[PROBE_REPLY_MAX];
	size_t	 inlen;
};

/* Each step (connect, a reply, the handshake) gets timeout_ms in all. */
static void
probe_step(struct probe_conn *c)
{
	deadline_set(&c->deadline, c->timeout_ms);
}

static int
probe_wait(struct probe_conn *c, short ev)
{
	return deadline_wait(c->fd, ev, &c->deadline);
}

static int
probe_connect(const char *host, int port, struct probe_conn *c,
    struct probe *p)
{
	struct tlsdial_fail fail;
	char portstr[16];

	snprintf(portstr, sizeof(portstr), "%d", port);
	c->fd = tlsdial_connect(host, portstr, c->timeout_ms, NULL, &fail,
	    NULL, 0);
	if (fail.gai != 0) {
		snprintf(p->detail, sizeof(p->detail), "%s: %s", host,
		    gai_strerror(fail.gai));
		return -1;
	}
	if (c->fd < 0) {
		snprintf(p->detail, sizeof(p->detail), "cannot connect to %s"
		    " port %d: %s", host, port, fail.so_error ?
		    strerror(fail.so_error) : "timed out");
		return -1;
	}
	return 0;
}

/*
 * One SMTP reply (all its lines); returns its code or -1.  Reads byte
 * by byte so that nothing after the reply is consumed before TLS.
 */
static int
probe_reply(struct probe_conn *c, struct probe *p, const char *what)
{
	size_t start = 0;
	ssize_t n;
	char ch;

	c->inlen = 0;
	probe_step(c);
	for (;;) {
		if (c->inlen >= sizeof(c->in) - 1) {
			snprintf(p->detail, sizeof(p->detail), "%s: reply"
			    " longer than %d bytes", what, PROBE_REPLY_MAX);
			return -1;
		}
		n = read(c->fd, &ch, 1);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			snprintf(p->detail, sizeof(p->detail), "%s: connection"
			    " closed", what);
			return -1;
		}
		if (n < 0) {
			if (probe_wait(c, POLLIN) < 0) {
				snprintf(p->detail, sizeof(p->detail), "%s: no"
				    " reply within %d s", what,
				    c->timeout_ms / 1000);
				return -1;
			}
			continue;
		}
		c->in[c->inlen++] = ch;
		if (ch != '\n')
			continue;
		c->in[c->inlen] = '\0';
		if (c->inlen - start < 4 || c->in[start + 3] != '-')
			break;
		start = c->inlen;
	}
	if (c->inlen - start < 4 || strspn(c->in + start, "0123456789") < 3) {
		snprintf(p->detail, sizeof(p->detail), "%s: not an SMTP reply",
		    what);
		return -1;
	}
	return atoi(c->in + start);
}

static int
probe_send(struct probe_conn *c, const char *line, struct probe *p)
{
	size_t off = 0, len = strlen(line);
	ssize_t n;

	probe_step(c);
	while (off < len) {
		n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += n;
			continue;
		}
		if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
		    probe_wait(c, POLLOUT) < 0) {
			snprintf(p->detail, sizeof(p->detail), "cannot send"
			    " %.*s", (int)strcspn(line, "\r"), line);
			return -1;
		}
	}
	return 0;
}

/* EHLO reply lines "250-STARTTLS" or "250 STARTTLS". */
static int
probe_has_starttls(const char *reply)
{
	const char *l;

	for (l = reply; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "")
		if (strlen(l) >= 12 && strncasecmp(l + 4, "STARTTLS", 8) == 0 &&
		    strchr("\r\n ", l[12]) != NULL)
			return 1;
	return 0;
}

static void
probe_names(X509 *x, struct probe *p)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	struct buf b = BUF_INIT;
	char cn[256];
	int i;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		buf_printf(&b, "%s%.*s", b.len ? ", " : "",
		    ASN1_STRING_length(g->d.dNSName),
		    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	if (b.len == 0 && X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) > 0)
		buf_puts(&b, cn);
	snprintf(p->names, sizeof(p->names), "%s", b.len ? b.s : "(no name)");
	buf_free(&b);
}

static void
probe_tls(struct probe_conn *c, const char *host, const char *ca_file,
    struct probe *p)
{
	/*
	 * Verify after the handshake, to tell the failures apart: the CA
	 * file alone, or the system CAs without one.
	 */
	struct tlsdial_verify v = { 0, ca_file, 0, 0, 0, 0 };
	enum tlsdial_ctx_error why;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	X509 *x;
	long vr;
	int days = 0, secs = 0;

	if ((ctx = tlsdial_ctx_new(&v, &why)) == NULL) {
		if (why != TLSDIAL_CTX_CA_FILE)
			goto hsfail;
		snprintf(p->detail, sizeof(p->detail), "cannot load"
		    " CA file %s", ca_file);
		p->result = PROBE_VALIDATION_FAILURE;
		return;
	}
	if ((ssl = tlsdial_ssl_new(ctx, c->fd, host, &v)) == NULL)
		goto hsfail;
	probe_step(c);
	if (tlsdial_handshake(ssl, c->fd, &c->deadline) < 0)
		goto hsfail;
	snprintf(p->tls_version, sizeof(p->tls_version), "%s",
	    SSL_get_version(ssl));
	if ((x = SSL_get1_peer_certificate(ssl)) == NULL) {
		snprintf(p->detail, sizeof(p->detail), "no certificate");
		p->result = PROBE_VALIDATION_FAILURE;
		goto out;
	}
	probe_names(x, p);
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)))
		p->days_left = days - (secs < 0 && days <= 0 ? 1 : 0);
	vr = SSL_get_verify_result(ssl);
	if (vr == X509_V_ERR_CERT_HAS_EXPIRED || (p->days_left !=
	    PROBE_DAYS_UNKNOWN && (days < 0 || secs < 0))) {
		p->result = PROBE_CERT_EXPIRED;
		snprintf(p->detail, sizeof(p->detail), "certificate for %.200s"
		    " expired %d days ago", p->names, -p->days_left);
	} else if (X509_check_host(x, host, 0, 0, NULL) != 1) {
		p->result = PROBE_HOST_MISMATCH;
		snprintf(p->detail, sizeof(p->detail), "%.200s presents a"
		    " certificate for %.200s", host, p->names);
	} else if (vr != X509_V_OK) {
		p->result = PROBE_VALIDATION_FAILURE;
		snprintf(p->detail, sizeof(p->detail), "certificate chain of"
		    " %s: %s", host, X509_verify_cert_error_string(vr));
	} else {
		p->result = PROBE_OK;
		snprintf(p->detail, sizeof(p->detail), "%s, certificate valid"
		    " for %d more days", p->tls_version, p->days_left);
	}
	X509_free(x);
	SSL_shutdown(ssl);
	goto out;
hsfail:
	p->result = PROBE_HANDSHAKE_FAILURE;
	snprintf(p->detail, sizeof(p->detail), "TLS handshake with %s failed"
	    " or timed out", host);
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

void
probe_mx(const char *host, int port, const char *ehlo_name, int timeout_ms,
    const char *ca_file, struct probe *p)
{
	struct probe_conn c;
	char line[600];

	memset(p, 0, sizeof(*p));
	p->days_left = PROBE_DAYS_UNKNOWN;
	p->result = PROBE_CONNECT_FAILURE;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.timeout_ms = timeout_ms;
	if (probe_connect(host, port, &c, p) < 0)
		return;
	if (probe_reply(&c, p, "greeting") != 220) {
		if (p->detail[0] == '\0')
			snprintf(p->detail, sizeof(p->detail), "greeting: %.*s",
			    (int)strcspn(c.in, "\r\n"), c.in);
		goto out;
	}
	snprintf(line, sizeof(line), "EHLO %s\r\n", ehlo_name);
	if (probe_send(&c, line, p) < 0)
		goto out;
	if (probe_reply(&c, p, "EHLO") != 250) {
		if (p->detail[0] == '\0')
			snprintf(p->detail, sizeof(p->detail), "EHLO: %.*s",
			    (int)strcspn(c.in, "\r\n"), c.in);
		goto out;
	}
	if (!probe_has_starttls(c.in)) {
		p->result = PROBE_STARTTLS_NOT_SUPPORTED;
		snprintf(p->detail, sizeof(p->detail), "%s does not offer"
		    " STARTTLS", host);
		probe_send(&c, "QUIT\r\n", p);
		goto out;
	}
	if (probe_send(&c, "STARTTLS\r\n", p) < 0)
		goto out;
	if (probe_reply(&c, p, "STARTTLS") != 220) {
		p->result = PROBE_STARTTLS_NOT_SUPPORTED;
		snprintf(p->detail, sizeof(p->detail), "%s refused STARTTLS:"
		    " %.*s", host, (int)strcspn(c.in, "\r\n"), c.in);
		goto out;
	}
	probe_tls(&c, host, ca_file, p);
out:
	close(c.fd);
}

const char *
probe_result_name(enum probe_result r)
{
	switch (r) {
	case PROBE_OK:
		return "ok";
	case PROBE_STARTTLS_NOT_SUPPORTED:
		return "starttls-not-supported";
	case PROBE_CERT_EXPIRED:
		return "certificate-expired";
	case PROBE_HOST_MISMATCH:
		return "certificate-host-mismatch";
	case PROBE_VALIDATION_FAILURE:
		return "validation-failure";
	case PROBE_HANDSHAKE_FAILURE:
		return "tls-handshake-failure";
	default:
		return "connection-failure";
	}
}
