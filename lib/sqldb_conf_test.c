/*
 * sqldb_conf_test - postgresql_password_file by its rule: the first line
 * of a regular file of ours with nothing for others, at most 1024 bytes,
 * without control characters; every refusal names the file and the
 * cause and never the password.  storage_engine and postgresql_conninfo
 * made a target (refused by a build without libpq).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "sqldb_conf.h"
#include "unit.h"

#define SECRET	"s3cret-of-the-test"

static char dir[] = "/tmp/sqldb_conf_test.XXXXXX";
static char file[300];

static void
put(const char *data, size_t len, mode_t mode)
{
	FILE *fp;

	unlink(file);
	if ((fp = fopen(file, "w")) == NULL) {
		printf("not ok - cannot write %s\n", file);
		exit(1);
	}
	fwrite(data, 1, len, fp);
	fclose(fp);
	chmod(file, mode);
}

/* The password read, or NULL with the reason in *why (static). */
static char *
try(const char **why)
{
	static struct buf err;
	char *pw;

	buf_reset(&err);
	if (sqldb_conf_password(file, &pw, &err) < 0) {
		*why = err.s;
		return NULL;
	}
	*why = "";
	return pw;
}

static void
refused(const char *cause, const char *what)
{
	const char *why;
	char *pw = try(&why);

	CHECK(pw == NULL && strstr(why, file) != NULL &&
	    strstr(why, cause) != NULL && strstr(why, SECRET) == NULL,
	    "%s: refused, said without the password: %s", what, why);
	free(pw);
}

static void
accepted(const char *want, const char *what)
{
	const char *why;
	char *pw = try(&why);

	CHECK(STR_EQ(pw, want), "%s: read (%s)", what, why);
	free(pw);
}

static void
test_file(void)
{
	char big[SQLDB_PASSWORD_MAX + 2];
	char *link;

	put(SECRET "\n", strlen(SECRET) + 1, 0600);
	accepted(SECRET, "mode 0600, a newline at the end");
	put(SECRET "\r\nsecond line\n", strlen(SECRET) + 14, 0640);
	accepted(SECRET, "mode 0640, CRLF, a second line ignored");
	put(SECRET, strlen(SECRET), 0400);
	accepted(SECRET, "no newline at all");
	put(SECRET "\n", strlen(SECRET) + 1, 0644);
	refused("mode 0644 gives others access: refused", "mode 0644");
	put(SECRET "\n", strlen(SECRET) + 1, 0601);
	refused("mode 0601 gives others access", "mode 0601");
	put("\n" SECRET "\n", strlen(SECRET) + 2, 0600);
	refused("no password on its first line", "an empty first line");
	put("", 0, 0600);
	refused("no password on its first line", "an empty file");
	put("s3cret\x01of-the-test\n", 20, 0600);
	refused("a control character in the password", "a control character");
	memset(big, 'x', sizeof(big));
	put(big, SQLDB_PASSWORD_MAX, 0600);
	big[SQLDB_PASSWORD_MAX] = '\0';
	accepted(big, "exactly 1024 bytes");
	put(big, SQLDB_PASSWORD_MAX + 1, 0600);
	refused("1025 bytes, more than 1024", "1025 bytes");

	link = xasprintf("%s.link", file);
	put(SECRET "\n", strlen(SECRET) + 1, 0600);
	CHECK(symlink(file, link) == 0, "a symbolic link to a good file");
	snprintf(file, sizeof(file), "%s", link);
	refused("a symbolic link: refused", "a symbolic link");
	snprintf(file, sizeof(file), "%s/dir", dir);
	mkdir(file, 0700);
	refused("not a regular file", "a directory");
	snprintf(file, sizeof(file), "%s/missing", dir);
	refused("No such file or directory", "a missing file");
	snprintf(file, sizeof(file), "%s/pw", dir);
	free(link);

	if (geteuid() == 0) {
		put(SECRET "\n", strlen(SECRET) + 1, 0600);
		CHECK(chown(file, 1, 1) == 0, "the file given to uid 1");
		refused("owned by uid 1, not by mail_owner (uid 0): refused",
		    "another owner");
	}
}

static void
test_target(void)
{
	struct sqldb_target t;
	struct buf err = BUF_INIT;
	int ok;

	var_storage_engine = "sqlite";
	CHECK(sqldb_conf_target(&t, "policy.db", "/x/policy.db", &err) == 0 &&
	    t.engine == SQLDB_SQLITE && STR_EQ(t.path, "/x/policy.db") &&
	    t.password == NULL, "sqlite: the file");
	sqldb_conf_free(&t);
	var_storage_engine = "postgresql";
#ifndef HAVE_LIBPQ
	var_postgresql_conninfo = "dbname=stsd";
	ok = sqldb_conf_target(&t, "policy.db", "/x", &err) < 0 &&
	    strstr(err.s, "storage_engine = postgresql: this build of stsd"
	    " has no PostgreSQL support (configure --with-postgresql") != NULL;
	CHECK(ok, "a build without libpq refuses postgresql: %s", err.s);
	buf_free(&err);
	return;
#endif
	var_postgresql_conninfo = "";
	ok = sqldb_conf_target(&t, "policy.db", "/x", &err) < 0 &&
	    strstr(err.s, "storage_engine = postgresql needs"
	    " postgresql_conninfo") != NULL;
	CHECK(ok, "postgresql without a conninfo: %s", err.s);
	buf_reset(&err);
	var_postgresql_conninfo = "dbname=stsd";
	var_postgresql_password_file = file;
	unlink(file);
	put(SECRET "\n", strlen(SECRET) + 1, 0600);
	CHECK(sqldb_conf_target(&t, "policy.db", "/x", &err) == 0 &&
	    t.engine == SQLDB_POSTGRESQL && STR_EQ(t.conninfo, "dbname=stsd") &&
	    STR_EQ(t.password, SECRET), "postgresql: conninfo and password");
	sqldb_conf_free(&t);
	CHECK(t.password == NULL, "freed");
	var_postgresql_password_file = "";
	CHECK(sqldb_conf_target(&t, "policy.db", "/x", &err) == 0 &&
	    t.password == NULL, "no password file: no password");
	buf_free(&err);
}

int
main(void)
{
	log_init("sqldb_conf_test", 0);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(file, sizeof(file), "%s/pw", dir);
	test_file();
	test_target();
	return unit_status_rm(dir);
}
