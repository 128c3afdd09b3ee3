/*
 * fuzz_mastercf - master.cf parser: any input must give a table or one
 * error line, without crashing or leaking.  Host names are not looked
 * up (MASTERCF_NO_RESOLVE).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mastercf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialized;
	struct buf err = BUF_INIT;
	struct mastercf *table = NULL;
	int i;

	if (!initialized) {
		log_init("fuzz_mastercf", 0);
		initialized = 1;
	}
	if (mastercf_parse("master.cf", (const char *)data, size,
	    MASTERCF_NO_RESOLVE, &table, &err) == 0) {
		for (i = 0; i < table->nservices; i++) {
			const struct mastercf_service *svc = &table->services[i];

			if (mastercf_find(table, svc->name, svc->type) != svc ||
			    !mastercf_same(svc, svc))
				abort();
		}
		mastercf_free(table);
	} else if (err.s == NULL || strchr(err.s, '\n') != NULL) {
		abort();
	}
	buf_free(&err);
	return 0;
}
