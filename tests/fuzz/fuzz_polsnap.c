/*
 * fuzz_polsnap - libFuzzer target for the policy snapshot reader
 * (lib/polsnap), which httpd runs on files it finds on disk.
 * SPDX-License-Identifier: ISC
 *
 * The input is parsed as a base and as a journal.  A base that parses
 * gives the sink exactly the domains its stats count, after one begin;
 * one that does not gives the sink nothing and says why.  A journal
 * gives the sink no more records than its stats count, and an error
 * comes with a message.  Every string the sink gets is a NUL-terminated
 * name or id within the limits of polsnap.h.
 *
 * Each input is parsed once as it is and once with the checksum of
 * every well-formed record header set right (a fuzzer cannot guess a
 * CRC-32), so that the payload parsers get inputs past the checksum.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "mymalloc.h"
#include "polsnap.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_seen {
	size_t	 begins, puts, dels;
};

static void
fuzz_begin(void *arg)
{
	((struct fuzz_seen *)arg)->begins++;
}

static int
fuzz_put(void *arg, const char *domain, const char *id, const char *text,
    size_t len)
{
	struct fuzz_seen *s = arg;

	if (strlen(domain) == 0 || strlen(domain) > POLSNAP_NAME_MAX ||
	    strlen(id) == 0 || strlen(id) > POLSNAP_ID_MAX ||
	    len > POLSNAP_TEXT_MAX || (len > 0 && text == NULL))
		abort();
	s->puts++;
	return (len & 1) ? -1 : 0;
}

static void
fuzz_del(void *arg, const char *domain)
{
	struct fuzz_seen *s = arg;

	if (strlen(domain) == 0 || strlen(domain) > POLSNAP_NAME_MAX)
		abort();
	s->dels++;
}

static void
fuzz_polsnap(const char *data, size_t size, enum polsnap_kind kind)
{
	struct fuzz_seen seen = { 0, 0, 0 };
	const struct polsnap_sink sink = { fuzz_begin, fuzz_put, fuzz_del,
	    &seen };
	struct polsnap_stats st;
	struct buf err = BUF_INIT;
	unsigned long long gen = 0;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = polsnap_parse(data, size, kind, &gen, &sink, &st, &err);
	if (rc != 0 && (err.len == 0 || (kind == POLSNAP_KIND_BASE &&
	    (seen.begins != 0 || seen.puts != 0))))
		abort();
	if (rc == 0 && gen == 0)
		abort();
	if (kind == POLSNAP_KIND_BASE && rc == 0 &&
	    (seen.begins != 1 || seen.puts != st.domains || seen.dels != 0))
		abort();
	if (kind == POLSNAP_KIND_JOURNAL && seen.puts + seen.dels != st.changes)
		abort();
	buf_free(&err);
}

/* Sets the CRC of each "T LEN CRC\n" record header in d to the right one. */
static void
fuzz_fix_crcs(char *d, size_t size)
{
	char *p = memchr(d, '\n', size), *end = d + size, *nl, *sp;
	unsigned long len, crc;
	char hex[9];

	while (p != NULL && ++p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    nl - p < 12 || nl[-9] != ' ' || p[1] != ' ')
			return;
		sp = nl - 9;
		len = strtoul(p + 2, NULL, 10);
		if (len > (unsigned long)(end - nl - 1))
			return;
		crc = crc32(0L, Z_NULL, 0);
		crc = crc32(crc, (const Bytef *)p, 1);
		crc = crc32(crc, (const Bytef *)nl + 1, (uInt)len);
		snprintf(hex, sizeof(hex), "%08lx", crc);
		memcpy(sp + 1, hex, 8);
		p = nl + len + 1;
		if (p >= end || *p != '\n')
			return;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy;

	fuzz_polsnap((const char *)data, size, POLSNAP_KIND_BASE);
	fuzz_polsnap((const char *)data, size, POLSNAP_KIND_JOURNAL);
	if (size == 0)
		return 0;
	copy = xmalloc(size);
	memcpy(copy, data, size);
	fuzz_fix_crcs(copy, size);
	fuzz_polsnap(copy, size, POLSNAP_KIND_BASE);
	fuzz_polsnap(copy, size, POLSNAP_KIND_JOURNAL);
	free(copy);
	return 0;
}
