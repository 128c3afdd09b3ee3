/*
 * rptparse_params - the main.cf parameters rptparse reads, bound once;
 * see rptparse_params.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include "cfgbind.h"
#include "rptparse_params.h"

struct rptparse_conf rptparse_conf;

CFG_BIND_TABLE(rptparse_params, rptparse_conf, RPTPARSE_PARAMS)
