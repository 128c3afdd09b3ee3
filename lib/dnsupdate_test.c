/*
 * dnsupdate_test - the TSIG key file checks (the UPDATE itself is
 * tested against knot in tests/dnsmon/update.t).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "dnsupdate.h"
#include "log.h"
#include "unit.h"

static char path[64];

static int
key(const char *text, mode_t mode, struct buf *err)
{
	struct dnsupdate_key k;
	FILE *fp = fopen(path, "w");
	int rc;

	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
	buf_reset(err);
	rc = dnsupdate_key_read(path, &k, err);
	if (rc == 0)
		rc = strcmp(k.name, "stsd-update") == 0 &&
		    strcmp(k.secret, "c2VjcmV0c2VjcmV0") == 0 ? 0 : -2;
	dnsupdate_key_free(&k);
	return rc;
}

int
main(void)
{
	struct buf err = BUF_INIT, want = BUF_INIT;
	char dir[] = "/tmp/dnsupdate_test.XXXXXX";

	log_init("dnsupdate_test", LOG_TO_STDERR);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/tsig.key", dir);
	CHECK(key("stsd-update hmac-sha256 c2VjcmV0c2VjcmV0\n", 0600, &err)
	    == 0, "a good key file is read");
	CHECK(key("stsd-update hmac-sha256 c2VjcmV0c2VjcmV0\n", 0644, &err)
	    == -1, "a key file readable by others is refused");
	buf_printf(&want, "%s: readable by group or others (chmod 600 it)",
	    path);
	CHECK(strcmp(err.s, want.s) == 0, "... with a message naming the"
	    " file and the fix");
	CHECK(key("stsd-update hmac-md5 c2VjcmV0c2VjcmV0\n", 0600, &err)
	    == -1 && strstr(err.s, "only hmac-sha256") != NULL,
	    "another algorithm is refused");
	CHECK(key("stsd-update hmac-sha256 not*base64\n", 0600, &err) == -1
	    && strstr(err.s, "not base64") != NULL,
	    "a secret that is not base64 is refused");
	CHECK(key("stsd-update\n", 0600, &err) == -1 &&
	    strstr(err.s, "expected one line") != NULL,
	    "a short line is refused");
	unlink(path);
	buf_reset(&err);
	CHECK(dnsupdate_key_read(path, &(struct dnsupdate_key){ 0 }, &err)
	    == -1 && strstr(err.s, "No such file") != NULL,
	    "a missing key file is an error");
	rmdir(dir);
	buf_free(&err);
	buf_free(&want);
	return unit_status();
}
