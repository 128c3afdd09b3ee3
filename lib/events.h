/*
 * events - small helpers around libevent shared by the daemons.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	#include "events.h"
 *
 *	events_free(ev)		event_free(ev) unless ev is NULL
 *	events_clear(&ev)	the same, then ev = NULL
 *
 * DESCRIPTION
 *	events_free() frees an event that may not have been made: a
 *	cleanup path frees every event it might own, as free(3) takes
 *	NULL, while libevent's event_free() needs an event; events_clear()
 *	also forgets it, for a module that may start again.  They are inline:
 *	the paths that free an event per connection cost what they did.
 *
 * LIMITS
 *	None.
 *
 * DIAGNOSTICS
 *	None.
 */
#ifndef STS_EVENTS_H
#define STS_EVENTS_H

#include <stddef.h>

#include <event2/event.h>

static inline void
events_free(struct event *ev)
{
	if (ev != NULL)
		event_free(ev);
}

static inline void
events_clear(struct event **evp)
{
	events_free(*evp);
	*evp = NULL;
}

#endif
