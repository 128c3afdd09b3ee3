/*
 * fuzz_http - libFuzzer target for the httpd request parser.
 * SPDX-License-Identifier: ISC
 *
 * Feeds the input to http_parse() with the default limits and to
 * http_host_normalize(), and aborts when a result breaks the parser's
 * promises: consumed within the input, pointers inside the input, an
 * error always with a status and a reason, a normalized host name
 * with no "/" and no upper case.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_inside(const char *base, size_t len, const char *p, size_t plen)
{
	if (p == NULL)
		return plen == 0;
	return p >= base && p + plen <= base + len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct http_limits lim = { 8192, 64 };
	const char *s = (const char *)data;
	struct http_request req;
	char host[HTTP_HOST_MAX + 1];
	int r, n;

	r = http_parse(s, len, &lim, &req);
	if (r == HTTP_PARSE_DONE) {
		if (req.consumed == 0 || req.consumed > len ||
		    req.consumed > lim.header_size)
			abort();
		if (!fuzz_inside(s, len, req.target, req.target_len) ||
		    !fuzz_inside(s, len, req.host, req.host_len) ||
		    !fuzz_inside(s, len, req.method_name, req.method_len) ||
		    (req.path_len != 1 && !fuzz_inside(s, len, req.path,
		    req.path_len)))
			abort();
		if (req.host != NULL &&
		    http_host_normalize(req.host, req.host_len, host) >= 0 &&
		    strchr(host, '/') != NULL)
			abort();
	} else if (r == HTTP_PARSE_ERROR) {
		if (req.why == NULL || (req.status != 400 && req.status != 414 &&
		    req.status != 431 && req.status != 505))
			abort();
	} else if (r != HTTP_PARSE_MORE) {
		abort();
	}

	n = http_host_normalize(s, len, host);
	if (n >= 0) {
		if ((size_t)n > HTTP_HOST_MAX || strlen(host) != (size_t)n ||
		    strchr(host, '/') != NULL || strstr(host, "..") != NULL)
			abort();
		for (int i = 0; i < n; i++)
			if (host[i] >= 'A' && host[i] <= 'Z')
				abort();
	}
	return 0;
}
