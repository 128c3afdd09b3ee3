/*
 * sqldb_conf - the storage engine that main.cf chooses, made a target
 * of lib/sqldb.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct sqldb_target t;
 *	if (sqldb_conf_target(&t, POLICYDB_FILE, path, &err) < 0) ...
 *	pdb = policydb_connect(&t, &err);
 *	sqldb_conf_free(&t);
 *
 * DESCRIPTION
 *	sqldb_conf_target() fills t from storage_engine,
 *	postgresql_conninfo and postgresql_password_file (lib/params):
 *	on SQLite the file path, on PostgreSQL the conninfo and the
 *	password read from the file.  sqldb_conf_password() reads that
 *	file by the rule of postgresql_password_file (stsd.conf(5)): a
 *	regular file (not a symbolic link) owned by the user that reads
 *	it (policyd runs as mail_owner), with no permission for others,
 *	of at most SQLDB_PASSWORD_MAX bytes; its first line without the
 *	newline, not empty and without control characters.
 *	sqldb_conf_free() overwrites the password before it frees it.
 *
 * LIMITS
 *	SQLDB_PASSWORD_MAX bytes of password file.
 *
 * DIAGNOSTICS
 *	-1 with the parameter, the file and the reason in err; the
 *	password itself never appears in err.
 */
#ifndef STS_SQLDB_CONF_H
#define STS_SQLDB_CONF_H

#include "buf.h"
#include "sqldb.h"

#define SQLDB_PASSWORD_MAX	1024	/* postgresql_password_file, bytes */

int	sqldb_conf_target(struct sqldb_target *, const char *name,
	    const char *path, struct buf *err);
int	sqldb_conf_password(const char *file, char **password,
	    struct buf *err);
void	sqldb_conf_free(struct sqldb_target *);

#endif
