/*
 * hosted - which hosted domain a report's policy-domain belongs to
 * (see hosted.h).  Talks to policyd over its private socket, nothing
 * else.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "hosted.h"
#include "ipc.h"
#include "mymalloc.h"

static char *
hosted_normal(const char *s)
{
	char *d = xstrdup(s), *p;
	size_t n = strlen(d);

	if (n > 0 && d[n - 1] == '.')
		d[n - 1] = '\0';
	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

void
hosted_clear(struct hosted *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->domains[i]);
	free(h->domains);
	h->domains = NULL;
	h->n = 0;
	h->known = 0;
}

int
hosted_set(struct hosted *h, const char *const *domains, size_t n)
{
	size_t i;

	hosted_clear(h);
	h->domains = xcalloc(n ? n : 1, sizeof(*h->domains));
	for (i = 0; i < n; i++)
		h->domains[i] = hosted_normal(domains[i]);
	h->n = n;
	h->known = 1;
	return 0;
}

int
hosted_fetch(struct hosted *h, const char *path, int timeout_ms,
    struct buf *err)
{
	json_t *req, *reply = NULL, *list, *d;
	const char **names;
	size_t i, n = 0;
	int fd, rc = -1;

	if ((fd = ipc_connect_unix(path, timeout_ms, err)) < 0)
		return -1;
	req = ipc_request("domain-list");
	if (ipc_call(fd, req, &reply, timeout_ms, err) < 0 ||
	    ipc_reply_check(reply, err) < 0)
		goto out;
	list = json_object_get(reply, "domains");
	if (!json_is_array(list)) {
		buf_printf(err, "%s: domain-list reply without a domains list",
		    path);
		goto out;
	}
	names = xcalloc(json_array_size(list) + 1, sizeof(*names));
	json_array_foreach(list, i, d) {
		const char *name = json_string_value(json_object_get(d, "domain"));

		if (name != NULL && *name != '\0')
			names[n++] = name;
	}
	hosted_set(h, names, n);
	free(names);
	rc = 0;
out:
	json_decref(req);
	json_decref(reply);
	close(fd);
	return rc;
}

const char *
hosted_match(const struct hosted *h, const char *domain)
{
	const char *best = NULL;
	char *d;
	size_t i, n, k;

	if (domain == NULL)
		return NULL;
	d = hosted_normal(domain);
	n = strlen(d);
	for (i = 0; i < h->n; i++) {
		k = strlen(h->domains[i]);
		if (k == 0 || k > n)
			continue;
		if (strcmp(d + n - k, h->domains[i]) != 0)
			continue;
		if (k < n && d[n - k - 1] != '.')
			continue;
		if (best == NULL || k > strlen(best))
			best = h->domains[i];
	}
	free(d);
	return best;
}
