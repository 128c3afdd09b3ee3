/*
 * stsctl.h - what stsctl's command modules share.
 * SPDX-License-Identifier: ISC
 *
 *	stsctl_call(req)	sends req to policyd (public socket), returns
 *				the reply when it says ok; otherwise prints
 *				"stsctl: <error>" and exits 1.  Takes req.
 *	stsctl_request(req, &why)	the same, but a refused request gives
 *				NULL with the reason in why.
 *	stsctl_print_json(r)	prints a reply without its "ok" member.
 *	stsctl_die(fmt, ...)	"stsctl: ..." on stderr, exit 1.
 *	stsctl_usage_die(fmt, ...)	the same for a usage error: exit 2.
 *	stsctl_since(arg, what, usage)	the time of a --since value
 *				(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ), or
 *				"stsctl: [what: ]--since ARG: expected ..."
 *				and exit 1 (2 with usage).
 *	stsctl_policyd_path()	the path of policyd's public socket.
 *	stsctl_json		set by --json.
 */
#ifndef STSCTL_H
#define STSCTL_H

#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "params.h"

extern int stsctl_json;

json_t	*stsctl_call(json_t *req);
json_t	*stsctl_request(json_t *req, struct buf *why);
void	stsctl_print_json(json_t *reply);
const char *stsctl_policyd_path(void);
void	stsctl_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	stsctl_usage_die(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
time_t	stsctl_since(const char *arg, const char *what, int usage);

int	domain_main(int argc, char **argv);	/* stsctl domain ... */
int	account_main(int argc, char **argv);	/* stsctl account ... */
int	audit_main(int argc, char **argv);	/* stsctl audit ... */
int	alert_main(int argc, char **argv);	/* stsctl alert ... */
int	node_main(int argc, char **argv);	/* stsctl node list */
#endif
