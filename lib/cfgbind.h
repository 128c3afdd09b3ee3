/*
 * cfgbind - every parameter's variable follows the current configuration.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	cfg_bind_now()		load the defaults if nothing was read yet,
 *				so that the variables hold
 *	cfg_bind_all()		fill every var_NAME (params.h) from the
 *				current configuration (for lib/cfg.c)
 *	cfg_bind_clear()	zero them (cfg_free)
 *
 * DESCRIPTION
 *	params_table.h declares each parameter once, with its variable
 *	var_NAME of the C type of its kind (params.h); a variable of the
 *	wrong type does not compile, and no program keeps a table of its
 *	own.  cfg(3) calls cfg_bind_all whenever the current configuration
 *	changes: after a successful cfg_read or cfg_read_buf, an override,
 *	a restore; cfg_free calls cfg_bind_clear.  Strings and lists point
 *	into the configuration and stay valid until the next change, as
 *	with cfg_str.
 */
#ifndef STS_CFGBIND_H
#define STS_CFGBIND_H

#include "params.h"

void	cfg_bind_now(void);
void	cfg_bind_all(void);
void	cfg_bind_clear(void);

#endif
