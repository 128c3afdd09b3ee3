/*
 * rptparse_params - the main.cf parameters rptparse reads, bound once.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	rptparse_conf.queue_directory, rptparse_conf.ipc_timeout, ...
 *
 * DESCRIPTION
 *	One variable per parameter, named after it, of its type in
 *	lib/params.c (lib/cfgbind): strings, int (yes/no), long long
 *	(integers, times in seconds), unsigned long long (sizes in bytes),
 *	double (percentages).  cfg fills them whenever the configuration
 *	is read (server_main reads it before pre_jail), overridden or
 *	restored; rptparse reads them, never a parameter by name.
 *
 * LIMITS
 *	The bounds of each value are lib/params.c's.
 *
 * DIAGNOSTICS
 *	A name or type that lib/params.c does not declare is a panic when
 *	the configuration is first loaded (lib/cfgbind).
 */
#ifndef RPTPARSE_PARAMS_H
#define RPTPARSE_PARAMS_H

#include "cfgbind.h"

#define RPTPARSE_PARAMS(X, V) \
	X(V, STR, queue_directory) \
	X(V, STR, data_directory) \
	X(V, STR, setgid_group) \
	X(V, TIME, ipc_timeout) \
	X(V, SIZE, message_size_limit) \
	X(V, INT, rptparse_mime_depth_limit) \
	X(V, SIZE, rptparse_gunzip_limit) \
	X(V, INT, rptparse_gunzip_ratio_limit) \
	X(V, INT, rptparse_json_depth_limit) \
	X(V, INT, rptparse_policy_limit) \
	X(V, INT, rptparse_failure_detail_limit) \
	X(V, SIZE, rptparse_db_cache_size) \
	X(V, PERCENT, alert_failure_rate) \
	X(V, BOOL, report_require_dkim) \
	X(V, TIME, rptparse_dkim_retry_time) \
	X(V, TIME, rptparse_dkim_give_up_time) \
	X(V, TIME, rptparse_dkim_timeout)

struct rptparse_conf {
	CFG_FIELDS(RPTPARSE_PARAMS)
};

extern struct rptparse_conf rptparse_conf;

#endif
