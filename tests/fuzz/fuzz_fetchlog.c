/*
 * fuzz_fetchlog - libFuzzer target for lib/fetchlog, the datagrams of
 * fetch records that rptparse takes from httpd.
 * SPDX-License-Identifier: ISC
 *
 * The input is a datagram, any bytes.  Aborts when a promise of
 * fetchlog.h breaks: every record handed over has a time in range, a
 * duration within FETCHLOG_DURATION_MAX, an address that is its own
 * canonical form, a status of 0 (with a failure) or 100-599, a hosted
 * flag of 0 or 1, strings within their buffers; and each record, encoded
 * again, parses back to the same record.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fetchlog.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_fetchlog_same(const struct fetchrec *r, void *arg)
{
	const struct fetchrec *orig = arg;

	if (memcmp(r, orig, sizeof(*r)) != 0)
		abort();
}

static void
fuzz_fetchlog_record(const struct fetchrec *r, void *arg)
{
	struct buf dgram = BUF_INIT, err = BUF_INIT;
	struct fetchrec copy;
	char canon[FETCHLOG_ADDR_MAX + 1];
	int refused;

	(void)arg;
	if (r->time <= 0 || r->time > FETCHLOG_TIME_MAX ||
	    r->duration_ms > FETCHLOG_DURATION_MAX ||
	    fetchlog_canon_addr(r->addr, canon) != 0 ||
	    strcmp(canon, r->addr) != 0 ||
	    (r->status != 0 && (r->status < 100 || r->status > 599)) ||
	    (r->status == 0) != (r->failure[0] != '\0') ||
	    (r->hosted != 0 && r->hosted != 1) ||
	    strlen(r->sni) > FETCHLOG_NAME_MAX ||
	    strlen(r->host) > FETCHLOG_NAME_MAX ||
	    strlen(r->path) > FETCHLOG_PATH_MAX)
		abort();
	/* The fields past each string's NUL are zero, as the parser left them. */
	memset(&copy, 0, sizeof(copy));
	copy.time = r->time;
	copy.duration_ms = r->duration_ms;
	memcpy(copy.addr, r->addr, strlen(r->addr));
	copy.status = r->status;
	copy.hosted = r->hosted;
	memcpy(copy.failure, r->failure, strlen(r->failure));
	memcpy(copy.tls, r->tls, strlen(r->tls));
	memcpy(copy.sni, r->sni, strlen(r->sni));
	memcpy(copy.host, r->host, strlen(r->host));
	memcpy(copy.path, r->path, strlen(r->path));
	buf_puts(&dgram, FETCHLOG_MAGIC "\n");
	fetchlog_encode(&dgram, &copy);
	if (dgram.len - sizeof(FETCHLOG_MAGIC) > FETCHLOG_LINE_MAX + 1 ||
	    fetchlog_parse(dgram.s, dgram.len, fuzz_fetchlog_same, &copy,
	    &refused, &err) != 1 || err.len != 0)
		abort();
	buf_free(&dgram);
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf err = BUF_INIT;
	int refused;

	(void)fetchlog_parse((const char *)data, len, fuzz_fetchlog_record,
	    NULL, &refused, &err);
	buf_free(&err);
	return 0;
}
