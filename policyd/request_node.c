/*
 * request_node - the nodes of the database and their leases: node-list
 * (stsctl node list) and lease (dnsmon, acmed, the alert senders); see
 * request.h.
 * SPDX-License-Identifier: ISC
 *
 * lease is answered from what policyd's last tick learnt (lease.h),
 * without a query, so that asking before each piece of work costs a
 * round trip on a local socket and nothing in the database.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "lease.h"
#include "policydb_node.h"
#include "proto.h"
#include "request.h"
#include "request_ops.h"

#define REQUEST_WORK_MAX	32	/* characters of a work's name */

/* lease {"work": W}: {"held": true|false, "holder": NODE|null, "node"}. */
json_t *
request_lease(struct policyd *pd, json_t *req, struct buf *err)
{
	const char *work = json_string_value(json_object_get(req, "work"));
	const char *holder = NULL;
	int rc;

	if (work == NULL) {
		buf_puts(err, "lease: no \"work\"");
		return NULL;
	}
	if (pd->leases == NULL) {
		buf_puts(err, "lease: this policyd keeps no leases");
		return NULL;
	}
	if (strlen(work) > REQUEST_WORK_MAX ||
	    (rc = leases_held(pd->leases, work, &holder)) < 0) {
		buf_printf(err, "lease: no such work (%s, %s or %s)",
		    PROTO_LEASE_DNSMON, PROTO_LEASE_ACMED, PROTO_LEASE_ALERTS);
		return NULL;
	}
	return json_pack("{s:b, s:s, s:b, s:s?, s:s}", "ok", 1, "work", work,
	    "held", rc == 1, "holder", holder, "node",
	    leases_node(pd->leases));
}

static json_t *
request_node_json(const struct policydb_node *n, const char *self)
{
	json_t *leases = json_array();
	size_t i;

	for (i = 0; i < n->nleases; i++)
		json_array_append_new(leases, json_string(n->leases[i]));
	return json_pack("{s:s, s:I, s:I, s:s, s:I, s:o, s:b}", "name",
	    n->name, "heartbeat", (json_int_t)n->heartbeat, "age",
	    (json_int_t)(n->now - n->heartbeat), "version", n->version,
	    "started", (json_int_t)n->started, "leases", leases, "self",
	    self != NULL && strcmp(self, n->name) == 0);
}

/* node-list: every node, its heartbeat and the leases it holds. */
json_t *
request_node_list(struct policyd *pd, json_t *req, struct buf *err)
{
	struct policydb_node *v;
	json_t *a;
	size_t n, i;
	long long now = 0;

	(void)req;
	if (policydb_node_list(pd->db, &v, &n, err) < 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(a, request_node_json(&v[i],
		    pd->leases != NULL ? leases_node(pd->leases) : NULL));
		now = v[i].now;
	}
	policydb_nodes_free(v, n);
	return json_pack("{s:b, s:o, s:I}", "ok", 1, "nodes", a, "now",
	    (json_int_t)now);
}
