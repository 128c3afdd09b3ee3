/*
 * fuzz_polsnap - libFuzzer target for the policy snapshot reader
 * (lib/polsnap), which httpd runs on files it finds on disk.
 *
 * The input is parsed as a base and as a journal.  A base that parses
 * gives the sink exactly the domains its stats count, after one begin;
 * one that does not gives the sink nothing and says why.  A journal
 * gives the sink no more records than its stats count, and an error
 * comes with a message.  Every string the sink gets is a NUL-terminated
 * name or id within the limits of polsnap.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_polsnap((const char *)data, size, POLSNAP_KIND_BASE);
	fuzz_polsnap((const char *)data, size, POLSNAP_KIND_JOURNAL);
	return 0;
}
