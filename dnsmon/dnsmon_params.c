/*
 * dnsmon_params - the main.cf parameters dnsmon reads, bound once; see
 * dnsmon_params.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include "cfgbind.h"
#include "dnsmon_params.h"

struct dnsmon_conf dnsmon_conf;

CFG_BIND_TABLE(dnsmon_params, dnsmon_conf, DNSMON_PARAMS)
