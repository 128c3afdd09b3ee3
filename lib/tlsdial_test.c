/*
 * tlsdial_test - lib/tlsdial and lib/deadline against servers on
 * loopback: a refused port, a listener that never speaks, a TLS server
 * with a self-signed certificate for "mx.test" and "localhost" checked
 * each way; and the verification of a caller, the alert webhook over
 * https (alert_http_post: the system CAs, which SSL_CERT_FILE names
 * here, and the URL's host).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "alert.h"
#include "buf.h"
#include "deadline.h"
#include "tlsdial.h"
#include "unit.h"

#define TEST_NAME	"mx.test"
#define TEST_SLOW_MS	300	/* deadline against a silent server */
#define TEST_MS		10000	/* deadline of a handshake that answers */

static EVP_PKEY *test_key;
static X509 *test_cert;

/* A self-signed certificate for TEST_NAME, also its own CA. */
static void
test_make_cert(const char *pem)
{
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	X509_NAME *n;
	FILE *f;

	test_key = EVP_EC_gen("P-256");
	test_cert = X509_new();
	X509_set_version(test_cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(test_cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(test_cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(test_cert), 86400);
	X509_set_pubkey(test_cert, test_key);
	n = X509_get_subject_name(test_cert);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)TEST_NAME, -1, -1, 0);
	X509_set_issuer_name(test_cert, n);
	X509V3_set_ctx(&v3, test_cert, test_cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    "DNS:" TEST_NAME ", DNS:localhost");
	X509_add_ext(test_cert, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    "critical,CA:TRUE");
	X509_add_ext(test_cert, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(test_cert, test_key, EVP_sha256());
	f = fopen(pem, "w");
	PEM_write_X509(f, test_cert);
	fclose(f);
}

static int
test_listen(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 8) < 0 || getsockname(fd, (struct sockaddr *)&sin,
	    &len) < 0)
		return -1;
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * A child that answers n TLS handshakes with the test certificate; with
 * http, reads a request and says 200.
 */
static pid_t
test_tls_server(int lfd, int n, int http)
{
	static const char ok[] = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	char req[4096];
	SSL_CTX *ctx;
	SSL *ssl;
	pid_t pid;
	int fd;

	if ((pid = fork()) != 0)
		return pid;
	ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(ctx, test_cert);
	SSL_CTX_use_PrivateKey(ctx, test_key);
	while (n-- > 0 && (fd = accept(lfd, NULL, NULL)) >= 0) {
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1) {
			if (http && SSL_read(ssl, req, sizeof(req)) > 0)
				SSL_write(ssl, ok, (int)strlen(ok));
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		close(fd);
	}
	_exit(0);
}

static int
test_ms(const struct timespec *t0, const struct timespec *t1)
{
	return (int)((t1->tv_sec - t0->tv_sec) * 1000 + (t1->tv_nsec -
	    t0->tv_nsec) / 1000000);
}

/* One handshake with v within ms; its result and the verify result. */
static int
test_handshake(int port, const char *host, const struct tlsdial_verify *v,
    int ms, long *vr)
{
	struct tlsdial_fail fail;
	enum tlsdial_ctx_error why;
	struct timespec end;
	char portstr[16];
	SSL_CTX *ctx;
	SSL *ssl;
	int fd, rc = -1;

	snprintf(portstr, sizeof(portstr), "%d", port);
	deadline_set(&end, ms);
	if ((fd = tlsdial_connect("127.0.0.1", portstr, 0, &end, &fail,
	    NULL, 0)) < 0)
		return -2;
	ctx = tlsdial_ctx_new(v, &why);
	ssl = tlsdial_ssl_new(ctx, fd, host, v);
	rc = tlsdial_handshake(ssl, fd, &end);
	*vr = SSL_get_verify_result(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return rc;
}

static void
test_connect(void)
{
	struct tlsdial_fail fail;
	struct timespec end, t0, t1;
	char portstr[16], addr[64];
	int lfd, port, fd, ms, rc;

	lfd = test_listen(&port);
	snprintf(portstr, sizeof(portstr), "%d", port);
	deadline_set(&end, 5000);
	addr[0] = '\0';
	fd = tlsdial_connect("localhost", portstr, 0, &end, &fail, addr,
	    sizeof(addr));
	CHECK(fd >= 0 && (STR_EQ(addr, "127.0.0.1") || STR_EQ(addr, "::1")),
	    "connect: localhost port %d answers at %s", port,
	    fd >= 0 ? addr : "-");
	/* The listener accepts, never speaks: a read waits to the end. */
	deadline_set(&end, TEST_SLOW_MS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = deadline_wait(fd, POLLIN, &end);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(rc == -1, "deadline: a silent peer is a time-out");
	ms = test_ms(&t0, &t1);
	CHECK(ms >= TEST_SLOW_MS - 10 && ms < TEST_SLOW_MS + 2000,
	    "deadline: waited %d ms of %d", ms, TEST_SLOW_MS);
	CHECK(deadline_ms_left(&end) == 0, "deadline: nothing left after it");
	close(fd);
	close(lfd);
	/* Nothing listens there now. */
	fd = tlsdial_connect("127.0.0.1", portstr, 1000, NULL, &fail, NULL, 0);
	CHECK(fd < 0 && fail.gai == 0 && fail.last_errno == ECONNREFUSED,
	    "connect: a closed port is refused (%s)",
	    strerror(fail.last_errno));
	fd = tlsdial_connect("127.0.0.1", "no-such-service", 1000, NULL,
	    &fail, NULL, 0);
	CHECK(fd < 0 && fail.gai != 0, "connect: an unknown service is a"
	    " resolver error");
}

static void
test_tls(const char *pem)
{
	struct tlsdial_verify peer = { 1, pem, 0, 1, 1, 1 };
	struct tlsdial_verify look = { 0, NULL, 1, 0, 0, 0 };
	struct tlsdial_verify bad = { 1, "/nonexistent/ca.pem", 1, 1, 1, 0 };
	struct tlsdial_verify sys = { 1, NULL, 1, 1, 1, 0 };
	enum tlsdial_ctx_error why = 0;
	int lfd, port, status, rc;
	pid_t pid;
	long vr;

	lfd = test_listen(&port);
	pid = test_tls_server(lfd, 4, 0);
	rc = test_handshake(port, TEST_NAME, &peer, TEST_MS, &vr);
	CHECK(rc == 0 && vr == X509_V_OK, "tls: verified against ca_file,"
	    " name " TEST_NAME);
	rc = test_handshake(port, "other.test", &peer, TEST_MS, &vr);
	CHECK(rc == -1 && vr == X509_V_ERR_HOSTNAME_MISMATCH, "tls: another"
	    " name fails the handshake (%s)",
	    X509_verify_cert_error_string(vr));
	rc = test_handshake(port, TEST_NAME, &sys, TEST_MS, &vr);
	CHECK(rc == -1 && vr != X509_V_OK, "tls: the system CAs do not know"
	    " the test CA (%s)", X509_verify_cert_error_string(vr));
	rc = test_handshake(port, "other.test", &look, TEST_MS, &vr);
	CHECK(rc == 0 && vr != X509_V_OK, "tls: without a peer check the"
	    " handshake completes and the caller sees why (%s)",
	    X509_verify_cert_error_string(vr));
	waitpid(pid, &status, 0);
	close(lfd);
	CHECK(tlsdial_ctx_new(&bad, &why) == NULL &&
	    why == TLSDIAL_CTX_CA_FILE, "tls: a missing ca_file is said");
}

/* The webhook verifies the system CAs and the URL's host. */
static void
test_webhook(const char *pem)
{
	struct buf err = BUF_INIT;
	char url[64];
	int lfd, port, status, rc;
	pid_t pid;

	lfd = test_listen(&port);
	pid = test_tls_server(lfd, 3, 1);
	setenv("SSL_CERT_FILE", pem, 1);
	snprintf(url, sizeof(url), "https://localhost:%d/hook", port);
	rc = alert_http_post(url, "{}", TEST_MS, &err);
	CHECK(rc == 0, "webhook: https with a trusted CA and the URL's name"
	    " (%s)", err.s ? err.s : "");
	buf_reset(&err);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hook", port);
	rc = alert_http_post(url, "{}", TEST_MS, &err);
	CHECK(rc == -1 && err.s != NULL && strncmp(err.s, "TLS with"
	    " 127.0.0.1 failed: ", 27) == 0 && strstr(err.s, "handshake") ==
	    NULL, "webhook: a certificate without the URL's host is refused"
	    " with why (%s)", err.s ? err.s : "");
	buf_reset(&err);
	unsetenv("SSL_CERT_FILE");
	snprintf(url, sizeof(url), "https://localhost:%d/hook", port);
	rc = alert_http_post(url, "{}", TEST_MS, &err);
	CHECK(rc == -1 && err.s != NULL && strncmp(err.s, "TLS with"
	    " localhost failed: ", 27) == 0, "webhook: a CA the system does"
	    " not trust is refused (%s)", err.s ? err.s : "");
	buf_free(&err);
	waitpid(pid, &status, 0);
	close(lfd);
}

/* A listener that never answers the handshake: it ends at the deadline. */
static void
test_tls_silent(void)
{
	struct tlsdial_verify v = { 1, NULL, 1, 1, 1, 0 };
	struct timespec t0, t1;
	int lfd, port, rc, ms;
	long vr;

	lfd = test_listen(&port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = test_handshake(port, "127.0.0.1", &v, TEST_SLOW_MS, &vr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = test_ms(&t0, &t1);
	CHECK(rc == -1 && ms >= TEST_SLOW_MS - 10 && ms < TEST_SLOW_MS + 2000,
	    "tls: a silent server is a time-out at the deadline (%d ms of"
	    " %d)", ms, TEST_SLOW_MS);
	close(lfd);
}

int
main(void)
{
	char dir[] = "/tmp/tlsdial_test.XXXXXX", pem[64];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(pem, sizeof(pem), "%s/ca.pem", dir);
	test_make_cert(pem);
	test_connect();
	test_tls(pem);
	test_webhook(pem);
	test_tls_silent();
	unlink(pem);
	rmdir(dir);
	X509_free(test_cert);
	EVP_PKEY_free(test_key);
	return unit_status();
}
