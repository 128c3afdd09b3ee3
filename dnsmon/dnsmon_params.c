/*
 * dnsmon_params - the main.cf parameters dnsmon reads, bound once; see
 * dnsmon_params.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include "cfgbind.h"
#include "dnsmon_params.h"

struct dnsmon_conf dnsmon_conf;

static const struct cfg_bind dnsmon_params[] = {
	CFG_BIND_STR("data_directory", &dnsmon_conf.data_directory),
	CFG_BIND_TIME("ipc_timeout", &dnsmon_conf.ipc_timeout),
	CFG_BIND_TIME("dnsmon_interval", &dnsmon_conf.dnsmon_interval),
	CFG_BIND_TIME("dnsmon_retry_min", &dnsmon_conf.dnsmon_retry_min),
	CFG_BIND_TIME("dnsmon_retry_max", &dnsmon_conf.dnsmon_retry_max),
	CFG_BIND_TIME("dnsmon_check_now_interval",
	    &dnsmon_conf.dnsmon_check_now_interval),
	CFG_BIND_INT("dnsmon_cname_depth", &dnsmon_conf.dnsmon_cname_depth),
	CFG_BIND_INT("dnsmon_concurrency", &dnsmon_conf.dnsmon_concurrency),
	CFG_BIND_TIME("dnsmon_query_timeout",
	    &dnsmon_conf.dnsmon_query_timeout),
	CFG_BIND_BOOL("dnsmon_probe", &dnsmon_conf.dnsmon_probe),
	CFG_BIND_END
};
CFG_BIND_REGISTER(dnsmon_params)
