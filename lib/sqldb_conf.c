/*
 * sqldb_conf - storage_engine and the PostgreSQL parameters made a
 * target of lib/sqldb; see sqldb_conf.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "esc.h"
#include "mymalloc.h"
#include "params.h"
#include "sqldb.h"
#include "sqldb_conf.h"

/* The file's rule: ours, regular, nothing for others, small. */
static int
sqldb_conf_file_ok(const char *file, int fd, struct buf *err)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0) {
		buf_printf(err, "postgresql_password_file %s: %s", file,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode))
		buf_printf(err, "postgresql_password_file %s: not a regular"
		    " file", file);
	else if (sb.st_uid != geteuid())
		buf_printf(err, "postgresql_password_file %s: owned by uid %lu,"
		    " not by mail_owner (uid %lu): refused", file,
		    (unsigned long)sb.st_uid, (unsigned long)geteuid());
	else if (sb.st_mode & S_IRWXO)
		buf_printf(err, "postgresql_password_file %s: mode %04o gives"
		    " others access: refused (chmod o= %s)", file,
		    (unsigned)(sb.st_mode & 07777), file);
	else if (sb.st_size > SQLDB_PASSWORD_MAX)
		buf_printf(err, "postgresql_password_file %s: %lld bytes, more"
		    " than %d", file, (long long)sb.st_size,
		    SQLDB_PASSWORD_MAX);
	else
		return 0;
	return -1;
}

/* The first line of what was read: the password, or -1. */
static int
sqldb_conf_line(const char *file, struct buf *b, struct buf *err)
{
	const char *nl = b->len > 0 ? memchr(b->s, '\n', b->len) : NULL;
	size_t len = nl != NULL ? (size_t)(nl - b->s) : b->len, i;

	if (len > 0 && b->s[len - 1] == '\r')
		len--;
	if (len == 0) {
		buf_printf(err, "postgresql_password_file %s: no password on"
		    " its first line", file);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)b->s[i] < 0x20 || b->s[i] == 0x7f) {
			buf_printf(err, "postgresql_password_file %s: a control"
			    " character in the password", file);
			return -1;
		}
	memset(b->s + len, 0, b->len - len);
	b->len = len;
	return 0;
}

int
sqldb_conf_password(const char *file, char **password, struct buf *err)
{
	struct buf b = BUF_INIT;
	ssize_t n = 0;
	int fd, rc = -1;

	*password = NULL;
	if ((fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		buf_printf(err, "postgresql_password_file %s: %s", file,
		    errno == ELOOP ? "a symbolic link: refused" :
		    strerror(errno));
		return -1;
	}
	if (sqldb_conf_file_ok(file, fd, err) == 0) {
		while ((n = buf_read(&b, fd, SQLDB_PASSWORD_MAX + 1 -
		    b.len)) > 0 && b.len <= SQLDB_PASSWORD_MAX)
			;
		if (n < 0)
			buf_printf(err, "postgresql_password_file %s: %s", file,
			    strerror(errno));
		else if (b.len > SQLDB_PASSWORD_MAX)
			buf_printf(err, "postgresql_password_file %s: more than"
			    " %d bytes", file, SQLDB_PASSWORD_MAX);
		else if (sqldb_conf_line(file, &b, err) == 0) {
			*password = xstrdup(b.s);
			rc = 0;
		}
	}
	close(fd);
	if (b.s != NULL)
		memset(b.s, 0, b.cap);
	buf_free(&b);
	return rc;
}

int
sqldb_conf_target(struct sqldb_target *t, const char *name, const char *path,
    struct buf *err)
{
	char *password = NULL;

	memset(t, 0, sizeof(*t));
	t->name = name;
	if (sqldb_engine_parse(var_storage_engine, &t->engine) < 0) {
		buf_printf(err, "storage_engine %s: not sqlite or postgresql",
		    esc_printable(var_storage_engine));
		return -1;
	}
	if (!sqldb_engine_built(t->engine)) {
		buf_puts(err, "storage_engine = postgresql: this build of stsd"
		    " has no PostgreSQL support (configure --with-postgresql,"
		    " libpq-dev)");
		return -1;
	}
	if (t->engine == SQLDB_SQLITE) {
		t->path = path;
		return 0;
	}
	if (*var_postgresql_conninfo == '\0') {
		buf_puts(err, "storage_engine = postgresql needs"
		    " postgresql_conninfo");
		return -1;
	}
	if (*var_postgresql_password_file != '\0' &&
	    sqldb_conf_password(var_postgresql_password_file, &password,
	    err) < 0)
		return -1;
	t->conninfo = var_postgresql_conninfo;
	t->password = password;
	return 0;
}

void
sqldb_conf_free(struct sqldb_target *t)
{
	char *p = (char *)t->password;

	if (p != NULL) {
		memset(p, 0, strlen(p));
		free(p);
	}
	t->password = NULL;
}
