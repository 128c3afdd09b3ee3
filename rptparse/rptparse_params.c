/*
 * rptparse_params - the main.cf parameters rptparse reads, bound once;
 * see rptparse_params.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include "cfgbind.h"
#include "rptparse_params.h"

struct rptparse_conf rptparse_conf;

static const struct cfg_bind rptparse_params[] = {
	CFG_BIND_STR("queue_directory", &rptparse_conf.queue_directory),
	CFG_BIND_STR("data_directory", &rptparse_conf.data_directory),
	CFG_BIND_STR("setgid_group", &rptparse_conf.setgid_group),
	CFG_BIND_TIME("ipc_timeout", &rptparse_conf.ipc_timeout),
	CFG_BIND_SIZE("message_size_limit", &rptparse_conf.message_size_limit),
	CFG_BIND_INT("rptparse_mime_depth_limit",
	    &rptparse_conf.rptparse_mime_depth_limit),
	CFG_BIND_SIZE("rptparse_gunzip_limit",
	    &rptparse_conf.rptparse_gunzip_limit),
	CFG_BIND_INT("rptparse_gunzip_ratio_limit",
	    &rptparse_conf.rptparse_gunzip_ratio_limit),
	CFG_BIND_INT("rptparse_json_depth_limit",
	    &rptparse_conf.rptparse_json_depth_limit),
	CFG_BIND_INT("rptparse_policy_limit",
	    &rptparse_conf.rptparse_policy_limit),
	CFG_BIND_INT("rptparse_failure_detail_limit",
	    &rptparse_conf.rptparse_failure_detail_limit),
	CFG_BIND_SIZE("rptparse_db_cache_size",
	    &rptparse_conf.rptparse_db_cache_size),
	CFG_BIND_PERCENT("alert_failure_rate",
	    &rptparse_conf.alert_failure_rate),
	CFG_BIND_BOOL("report_require_dkim",
	    &rptparse_conf.report_require_dkim),
	CFG_BIND_TIME("rptparse_dkim_retry_time",
	    &rptparse_conf.rptparse_dkim_retry_time),
	CFG_BIND_TIME("rptparse_dkim_give_up_time",
	    &rptparse_conf.rptparse_dkim_give_up_time),
	CFG_BIND_TIME("rptparse_dkim_timeout",
	    &rptparse_conf.rptparse_dkim_timeout),
	CFG_BIND_END
};
CFG_BIND_REGISTER(rptparse_params)
