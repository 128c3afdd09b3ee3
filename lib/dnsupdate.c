/*
 * dnsupdate - TXT records by DNS UPDATE with TSIG; see dnsupdate.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the key file (read only), one TCP connection to the
 * update server.  Uses ldns to build, sign, send and check packets.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "buf.h"
#include "dnsupdate.h"
#include "mymalloc.h"
#include "params.h"

#define DNSUPDATE_TTL		300	/* seconds, records we publish */
#define DNSUPDATE_STRING_MAX	255	/* bytes of one character-string */

static int
dnsupdate_base64_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n % 4 != 0)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") == n;
}

int
dnsupdate_key_read(const char *path, struct dnsupdate_key *key,
    struct buf *err)
{
	char data[DNSUPDATE_KEY_FILE_MAX + 1], w[3][DNSUPDATE_KEY_FILE_MAX];
	struct stat st;
	ssize_t n;
	int fd, nw;

	memset(key, 0, sizeof(*key));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (st.st_mode & 077) != 0) {
		buf_printf(err, "%s: readable by group or others (chmod 600"
		    " it)", path);
		close(fd);
		return -1;
	}
	n = read(fd, data, sizeof(data));
	close(fd);
	if (n < 0 || n > DNSUPDATE_KEY_FILE_MAX) {
		buf_printf(err, "%s: %s", path, n < 0 ? strerror(errno) :
		    "file too large for a key");
		return -1;
	}
	data[n] = '\0';
	nw = sscanf(data, "%4095s %4095s %4095s", w[0], w[1], w[2]);
	if (nw != 3) {
		buf_printf(err, "%s: expected one line \"name algorithm"
		    " base64-secret\"", path);
		return -1;
	}
	if (strcasecmp(w[1], DNSUPDATE_ALGORITHM) != 0 &&
	    strcasecmp(w[1], DNSUPDATE_ALGORITHM ".") != 0) {
		buf_printf(err, "%s: algorithm \"%s\": only %s is supported",
		    path, w[1], DNSUPDATE_ALGORITHM);
		return -1;
	}
	if (!dnsupdate_base64_ok(w[2])) {
		buf_printf(err, "%s: the secret is not base64", path);
		return -1;
	}
	key->name = xstrdup(w[0]);
	key->algorithm = xstrdup(DNSUPDATE_ALGORITHM ".");
	key->secret = xstrdup(w[2]);
	return 0;
}

void
dnsupdate_key_free(struct dnsupdate_key *key)
{
	free(key->name);
	free(key->algorithm);
	if (key->secret != NULL)
		explicit_bzero(key->secret, strlen(key->secret));
	free(key->secret);
	memset(key, 0, sizeof(*key));
}

/* host, host:port or [v6]:port -> a resolver aimed at it. */
static ldns_resolver *
dnsupdate_resolver(const char *server, const struct dnsupdate_key *key,
    int timeout_ms, struct buf *err)
{
	struct addrinfo hints, *ai;
	char *host, *port = NULL, *p;
	ldns_resolver *r;
	ldns_rdf *addr;
	char num[NI_MAXHOST];
	struct timeval tv;
	int rc, portno = LDNS_PORT;

	if (*server == '[' && (p = strchr(server, ']')) != NULL) {
		host = xstrndup(server + 1, p - server - 1);
		if (p[1] == ':')
			port = p + 2;
	} else if ((p = strchr(server, ':')) != NULL &&
	    strchr(p + 1, ':') == NULL) {
		host = xstrndup(server, p - server);
		port = p + 1;
	} else
		host = xstrdup(server);
	if (port != NULL && ((portno = atoi(port)) <= 0 || portno > 65535 ||
	    strspn(port, "0123456789") != strlen(port))) {
		buf_printf(err, "dns_update_server \"%s\": bad port", server);
		free(host);
		return NULL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0) {
		buf_printf(err, "dns_update_server \"%s\": %s", server,
		    gai_strerror(rc));
		free(host);
		return NULL;
	}
	getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num), NULL, 0,
	    NI_NUMERICHOST);
	freeaddrinfo(ai);
	free(host);
	r = ldns_resolver_new();
	addr = ldns_rdf_new_frm_str(strchr(num, ':') ? LDNS_RDF_TYPE_AAAA :
	    LDNS_RDF_TYPE_A, num);
	if (r == NULL || addr == NULL) {
		buf_printf(err, "dns_update_server \"%s\": bad address", server);
		ldns_rdf_deep_free(addr);
		ldns_resolver_deep_free(r);
		return NULL;
	}
	ldns_resolver_push_nameserver(r, addr);
	ldns_rdf_deep_free(addr);
	ldns_resolver_set_port(r, (uint16_t)portno);
	ldns_resolver_set_usevc(r, true);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_recursive(r, false);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_tsig_keyname(r, key->name);
	ldns_resolver_set_tsig_algorithm(r, key->algorithm);
	ldns_resolver_set_tsig_keydata(r, key->secret);
	return r;
}

/* One TXT RR; text split in character-strings of 255 bytes. */
static ldns_rr *
dnsupdate_txt_rr(const ldns_rdf *owner, unsigned ttl, const char *text)
{
	uint8_t chunk[DNSUPDATE_STRING_MAX + 1];
	size_t len = strlen(text), off = 0, n;
	ldns_rr *rr = ldns_rr_new();

	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	do {
		n = len - off > DNSUPDATE_STRING_MAX ? DNSUPDATE_STRING_MAX :
		    len - off;
		chunk[0] = (uint8_t)n;
		memcpy(chunk + 1, text + off, n);
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR,
		    n + 1, chunk));
		off += n;
	} while (off < len);
	return rr;
}

int
dnsupdate_txt(const char *server, const struct dnsupdate_key *key,
    const char *zone, const char *owner, unsigned ttl,
    const char *const *txt, size_t ntxt, int timeout_ms, struct buf *err)
{
	ldns_resolver *r;
	ldns_rdf *zrdf = NULL, *ordf = NULL;
	ldns_rr_list *up = NULL;
	ldns_pkt *q = NULL, *a = NULL;
	ldns_rr *del;
	ldns_status st;
	size_t i;
	int rc = -1;

	for (i = 0; i < ntxt; i++)
		if (strlen(txt[i]) > DNSUPDATE_TXT_MAX) {
			buf_printf(err, "update of %s TXT: record longer than"
			    " %d bytes", owner, DNSUPDATE_TXT_MAX);
			return -1;
		}
	if ((r = dnsupdate_resolver(server, key, timeout_ms, err)) == NULL)
		return -1;
	zrdf = ldns_dname_new_frm_str(zone);
	ordf = ldns_dname_new_frm_str(owner);
	if (zrdf == NULL || ordf == NULL || (!ldns_dname_is_subdomain(ordf,
	    zrdf) && ldns_dname_compare(ordf, zrdf) != 0)) {
		buf_printf(err, "update of %s TXT: not a name in zone %s",
		    owner, zone);
		goto out;
	}
	up = ldns_rr_list_new();
	/* Delete the RRset: class ANY, TTL 0, no rdata (RFC 2136 2.5.2). */
	del = ldns_rr_new();
	ldns_rr_set_owner(del, ldns_rdf_clone(ordf));
	ldns_rr_set_type(del, LDNS_RR_TYPE_TXT);
	ldns_rr_set_class(del, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(del, 0);
	ldns_rr_list_push_rr(up, del);
	for (i = 0; i < ntxt; i++)
		ldns_rr_list_push_rr(up, dnsupdate_txt_rr(ordf, ttl, txt[i]));
	q = ldns_update_pkt_new(zrdf, LDNS_RR_CLASS_IN, NULL, up, NULL);
	zrdf = NULL;			/* the packet owns it now */
	if (q == NULL) {
		buf_printf(err, "update of %s TXT: cannot build the packet",
		    owner);
		goto out;
	}
	ldns_pkt_set_rd(q, false);
	if ((st = ldns_update_pkt_tsig_add(q, r)) != LDNS_STATUS_OK) {
		buf_printf(err, "update of %s TXT: TSIG signing failed: %s",
		    owner, ldns_get_errorstr_by_id(st));
		goto out;
	}
	st = ldns_resolver_send_pkt(&a, r, q);
	if (st != LDNS_STATUS_OK || a == NULL) {
		buf_printf(err, "update of %s TXT at %s: %s", owner, server,
		    st == LDNS_STATUS_NETWORK_ERR ? "no answer (timed out"
		    " or refused)" : ldns_get_errorstr_by_id(st));
		goto out;
	}
	if (ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR) {
		ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes,
		    ldns_pkt_get_rcode(a));

		buf_printf(err, "update of %s TXT at %s: server said %s",
		    owner, server, lt ? lt->name : "an error");
		goto out;
	}
	rc = 0;
out:
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	ldns_rr_list_deep_free(up);
	ldns_rdf_deep_free(zrdf);
	ldns_rdf_deep_free(ordf);
	ldns_resolver_deep_free(r);
	return rc;
}

int
dnsupdate_publish_txt(const char *owner, const char *const *txt,
    size_t ntxt, int timeout_ms, struct buf *err)
{
	const char *server = var_dns_update_server;
	const char *keyfile = var_dns_update_key_file;
	struct dnsupdate_key key;
	int rc;

	if (*server == '\0' || *keyfile == '\0') {
		buf_puts(err, "dns_update_server or dns_update_key_file is"
		    " not set");
		return -1;
	}
	if (dnsupdate_key_read(keyfile, &key, err) < 0)
		return -1;
	rc = dnsupdate_txt(server, &key, var_sts_zone, owner,
	    DNSUPDATE_TTL, txt, ntxt, timeout_ms, err);
	dnsupdate_key_free(&key);
	return rc;
}
