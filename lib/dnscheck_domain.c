/*
 * dnscheck_domain - a domain to check as policyd lists it (struct
 * check_domain from its JSON) and the hosts to probe; see dnscheck.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "dnscheck.h"
#include "dnsname.h"
#include "mymalloc.h"

static char *
check_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? xstrdup(s) : NULL;
}

/* "probe": host names (no wildcard), at most CHECK_PROBE_EXTRA_MAX. */
static void
check_domain_probe(const json_t *o, struct check_domain *d)
{
	const json_t *a = json_object_get(o, "probe"), *v;
	struct buf why = BUF_INIT;
	size_t i, n = 0;

	d->probe = xcalloc(CHECK_PROBE_EXTRA_MAX + 1, sizeof(*d->probe));
	json_array_foreach(a, i, v) {
		if (n == CHECK_PROBE_EXTRA_MAX)
			break;
		if (!json_is_string(v) || dnsname_host(json_string_value(v), 0,
		    &why) < 0) {
			buf_reset(&why);
			continue;
		}
		d->probe[n++] = xstrdup(json_string_value(v));
	}
	buf_free(&why);
}

int
check_domain_from_json(const json_t *o, struct check_domain *d)
{
	const json_t *mx = json_object_get(o, "mx"), *v;
	size_t i, n = json_array_size(mx);

	memset(d, 0, sizeof(*d));
	if ((d->name = check_str(o, "domain")) == NULL)
		return -1;
	d->state = check_str(o, "state");
	d->policy_id = check_str(o, "policy_id");
	d->token = check_str(o, "token");
	d->proof = check_str(o, "proof");
	d->waiting = check_str(o, "waiting");
	d->mx = xcalloc(n + 1, sizeof(*d->mx));
	for (i = 0; i < n; i++) {
		v = json_array_get(mx, i);
		d->mx[i] = xstrdup(json_is_string(v) ? json_string_value(v) :
		    "");
	}
	check_domain_probe(o, d);
	return 0;
}

void
check_domain_clear(struct check_domain *d)
{
	char **p;

	free(d->name);
	free(d->state);
	free(d->policy_id);
	free(d->token);
	free(d->proof);
	free(d->waiting);
	for (p = d->mx; p && *p; p++)
		free(*p);
	free(d->mx);
	for (p = d->probe; p && *p; p++)
		free(*p);
	free(d->probe);
	memset(d, 0, sizeof(*d));
}

/*
 * The hosts to probe: the MX hosts of the result, then those of
 * d->probe that are not among them.
 */
char **
check_probe_hosts(const json_t *result, const struct check_domain *d)
{
	const json_t *mx = json_object_get(result, "mx"), *v;
	size_t n = 0, i, j;
	char **out, **p;

	out = xcalloc(json_array_size(mx) + CHECK_PROBE_EXTRA_MAX + 1,
	    sizeof(*out));
	json_array_foreach(mx, i, v)
		if (json_is_string(v))
			out[n++] = xstrdup(json_string_value(v));
	for (p = d->probe; p != NULL && *p != NULL; p++) {
		for (j = 0; j < n; j++)
			if (strcasecmp(out[j], *p) == 0)
				break;
		if (j == n)
			out[n++] = xstrdup(*p);
	}
	return out;
}
