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

struct rptparse_conf {
	const char *queue_directory;
	const char *data_directory;
	const char *setgid_group;
	long long ipc_timeout;
	unsigned long long message_size_limit;
	long long rptparse_mime_depth_limit;
	unsigned long long rptparse_gunzip_limit;
	long long rptparse_gunzip_ratio_limit;
	long long rptparse_json_depth_limit;
	long long rptparse_policy_limit;
	long long rptparse_failure_detail_limit;
	unsigned long long rptparse_db_cache_size;
	double	 alert_failure_rate;
	int	 report_require_dkim;
	long long rptparse_dkim_retry_time;
	long long rptparse_dkim_give_up_time;
	long long rptparse_dkim_timeout;
};

extern struct rptparse_conf rptparse_conf;

#endif
