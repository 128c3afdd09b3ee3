/*
 * dnsmon_params - the main.cf parameters dnsmon reads, bound once.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	dnsmon_conf.dnsmon_interval, dnsmon_conf.data_directory, ...
 *
 * DESCRIPTION
 *	One variable per parameter, named after it, of its type in
 *	lib/params.c (lib/cfgbind): strings, int (yes/no), long long
 *	(integers, times in seconds).  cfg fills them whenever the
 *	configuration is read (server_main reads it before pre_jail),
 *	overridden or restored; dnsmon.c and verdict.c read them, never a
 *	parameter by name.  The checks' own parameters are lib/dnscheck's
 *	and lib/mxprobes'.
 *
 * LIMITS
 *	The bounds of each value are lib/params.c's.
 *
 * DIAGNOSTICS
 *	A name or type that lib/params.c does not declare is a panic when
 *	the configuration is first loaded (lib/cfgbind).
 */
#ifndef DNSMON_PARAMS_H
#define DNSMON_PARAMS_H

#include "cfgbind.h"

#define DNSMON_PARAMS(X, V) \
	X(V, STR, data_directory) \
	X(V, TIME, ipc_timeout) \
	X(V, TIME, dnsmon_interval) \
	X(V, TIME, dnsmon_retry_min) \
	X(V, TIME, dnsmon_retry_max) \
	X(V, TIME, dnsmon_check_now_interval) \
	X(V, INT, dnsmon_cname_depth) \
	X(V, INT, dnsmon_concurrency) \
	X(V, TIME, dnsmon_query_timeout) \
	X(V, BOOL, dnsmon_probe)

struct dnsmon_conf {
	CFG_FIELDS(DNSMON_PARAMS)
};

extern struct dnsmon_conf dnsmon_conf;

#endif
