/*
 * mastercf - parse master.cf, the table of the services that master runs.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	mastercf_read(path, flags, &table, &err)	read and parse a file
 *	mastercf_parse(file, data, len, flags, &table, &err)	from memory
 *	mastercf_free(table)
 *	mastercf_find(table, name, type)	a service, or NULL
 *	mastercf_same(a, b)		same line: all columns and arguments
 *	mastercf_same_address(a, b)	same sockets: type, address, private
 *	mastercf_socket_path(svc, queue_dir)	unix: the socket's path
 *	mastercf_addr_str(addr, buf, size)	"127.0.0.1:25", "[::1]:25"
 *	mastercf_type_name(type)	"inet" or "unix"
 *
 * DESCRIPTION
 *	One service per logical line; a line that starts with white space
 *	continues the previous one; blank lines and lines whose first
 *	non-blank character is "#" are skipped (the tokenizer of main.cf,
 *	cfg_scan()).  Columns, separated by white space:
 *
 *	service type private unpriv chroot wakeup maxproc command [args]
 *
 *	type is inet or unix.  private, unpriv and chroot are y, n or "-"
 *	(default y, y, n).  wakeup is a time (cfg time units), 0 or "-"
 *	for never; a trailing "?" marks it optional (no warning when no
 *	process is there to wake).  maxproc is an integer from 1 to
 *	MASTERCF_MAXPROC_MAX, or "-" for 1.  "-o name=value" arguments
 *	are parameter overrides for the service, checked like cfg_override
 *	(known name, valid value) and kept apart from the other arguments.
 *
 *	An inet service is "host:port", "[ipv6]:port", "port" or "*:port";
 *	the last two mean every address (0.0.0.0 and ::, the IPv6 socket
 *	v6only).  A host name stands for all its addresses (getaddrinfo),
 *	unless MASTERCF_NO_RESOLVE is given: then only numeric addresses
 *	are resolved and names are accepted as they are (naddr 0; for the
 *	fuzzer and syntax checks).  Ports are numeric, 1 to 65535.
 *
 *	A unix service is a name of letters, digits, ".", "-" and "_"; its
 *	socket is $queue_directory/private/NAME (private y) or
 *	$queue_directory/public/NAME (private n).
 *
 *	Two lines with the same service name and type are an error.
 *
 * LIMITS
 *	master.cf: CFG_FILE_MAX bytes; MASTERCF_SERVICES_MAX services;
 *	MASTERCF_ARGS_MAX arguments per service; MASTERCF_ADDR_MAX
 *	addresses per inet service; names: MASTERCF_NAME_MAX bytes.
 *
 * DIAGNOSTICS
 *	mastercf_parse and mastercf_read return 0, or -1 with one line in
 *	err: "FILE:LINE: what is wrong", for example
 *	"master.cf:4: service httpd: bad maxproc "x": expected a number
 *	from 1 to 1000 or -".
 */
#ifndef STS_MASTERCF_H
#define STS_MASTERCF_H

#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

#define MASTERCF_SERVICES_MAX	256	/* services in one master.cf */
#define MASTERCF_ARGS_MAX	64	/* arguments after the command */
#define MASTERCF_ADDR_MAX	16	/* sockets of one inet service */
#define MASTERCF_NAME_MAX	64	/* bytes of a service or command name */
#define MASTERCF_MAXPROC_MAX	1000	/* processes of one service */

#define MASTERCF_NO_RESOLVE	(1 << 0)	/* do not look up host names */

enum mastercf_type {
	MASTERCF_INET,
	MASTERCF_UNIX,
};

struct mastercf_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct mastercf_service {
	char	*name;			/* column 1, as written */
	enum mastercf_type type;
	int	 private;		/* 1 or 0 */
	int	 unpriv;
	int	 chroot;
	long long wakeup;		/* seconds; 0: never */
	int	 wakeup_optional;	/* written with a trailing "?" */
	int	 maxproc;
	char	*command;
	char	**args;			/* NULL-terminated, without -o */
	int	 nargs;
	char	**overrides;		/* NULL-terminated "name=value" */
	int	 noverrides;
	struct mastercf_addr *addrs;	/* inet: the sockets to bind */
	int	 naddrs;
	char	*line;			/* the columns joined by one space */
	int	 lineno;
};

struct mastercf {
	struct mastercf_service *services;
	int	 nservices;
};

int	mastercf_parse(const char *file, const char *data, size_t len,
	    int flags, struct mastercf **out, struct buf *err);
int	mastercf_read(const char *path, int flags, struct mastercf **out,
	    struct buf *err);
void	mastercf_free(struct mastercf *);

const struct mastercf_service *mastercf_find(const struct mastercf *,
	    const char *name, enum mastercf_type);
int	mastercf_same(const struct mastercf_service *,
	    const struct mastercf_service *);
int	mastercf_same_address(const struct mastercf_service *,
	    const struct mastercf_service *);
char	*mastercf_socket_path(const struct mastercf_service *,
	    const char *queue_dir);		/* xmalloc'd */
const char *mastercf_addr_str(const struct mastercf_addr *, char *buf,
	    size_t size);
const char *mastercf_type_name(enum mastercf_type);

#endif
