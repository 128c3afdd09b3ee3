/*
 * openapi - the OpenAPI 3.1 document of webd's API, served as
 * /api/v1/openapi.json (api.c).
 * SPDX-License-Identifier: ISC
 *
 * The document is the data file webd/openapi.json, made into the C
 * string openapi_json[] (webd/openapi_json.c) when webd is built: edit
 * the JSON, not C.  openapi_text() adds POST /domains/{domain}, the
 * same operation as its PATCH for clients without PATCH, once, and
 * keeps the text.  tests/webd/api.t, api_write.t and alerts.t check
 * the document and the live answers against it.
 */
#include "config.h"

#include <stdlib.h>

#include <jansson.h>

#include "log.h"
#include "owner.h"
#include "webd.h"

/* POST /domains/{domain}: the same as its PATCH (clients without PATCH). */
static void
openapi_post_alias(json_t *paths)
{
	json_t *item = json_object_get(paths, "/domains/{domain}");
	json_t *post = json_deep_copy(json_object_get(item, "patch"));

	if (post == NULL)
		log_panic("openapi: no PATCH /domains/{domain}");
	json_object_set_new(post, "operationId",
	    json_string("changeDomainPost"));
	json_object_set_new(item, "post", post);
}

const char *
openapi_text(void)
{
	static char *text;
	json_t *doc;
	json_error_t e;

	if (text != NULL)
		return text;
	if ((doc = json_loads(openapi_json, 0, &e)) == NULL)
		log_panic("openapi: webd/openapi.json line %d: %s", e.line,
		    e.text);
	openapi_post_alias(json_object_get(doc, "paths"));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		log_panic("openapi: cannot write the document");
	return text;
}
