/*
 * dlist - the doubly-linked lists of the daemons (connections, sessions,
 * jobs, cache entries): insertion and removal in one place.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct elem { struct elem *prev, *next; ... };
 *	struct elem *head, *tail;
 *
 *	DLIST_PUSH(head, e)		e first
 *	DLIST_UNLINK(head, e)		e out
 *	DLIST_PUSH2(head, tail, e)	e first, on a list that keeps its tail
 *	DLIST_APPEND2(head, tail, e)	e last
 *	DLIST_UNLINK2(head, tail, e)	e out
 *
 * DESCRIPTION
 *	The list is intrusive: an element carries its prev and next
 *	pointers, the list is its head (NULL: empty) and, for the "2"
 *	forms, its tail.  head, tail and e are lvalues evaluated more than
 *	once: pass plain names, not expressions with side effects.  The
 *	unlink forms leave e's own pointers as they were, except
 *	DLIST_UNLINK2, which clears them (an element may go back on).
 *	Each is O(1) and expands to the statements that were written out
 *	before: the request paths that use them cost the same.
 *
 * LIMITS
 *	None: the lists have the limits of their users.
 *
 * DIAGNOSTICS
 *	None.
 */
#ifndef STS_DLIST_H
#define STS_DLIST_H

#define DLIST_PUSH(head, e) do {					\
	(e)->prev = NULL;						\
	if (((e)->next = (head)) != NULL)				\
		(head)->prev = (e);					\
	(head) = (e);							\
} while (0)

#define DLIST_UNLINK(head, e) do {					\
	if ((e)->prev != NULL)						\
		(e)->prev->next = (e)->next;				\
	else								\
		(head) = (e)->next;					\
	if ((e)->next != NULL)						\
		(e)->next->prev = (e)->prev;				\
} while (0)

#define DLIST_PUSH2(head, tail, e) do {					\
	DLIST_PUSH(head, e);						\
	if ((tail) == NULL)						\
		(tail) = (e);						\
} while (0)

#define DLIST_APPEND2(head, tail, e) do {				\
	(e)->next = NULL;						\
	if (((e)->prev = (tail)) != NULL)				\
		(tail)->next = (e);					\
	else								\
		(head) = (e);						\
	(tail) = (e);							\
} while (0)

#define DLIST_UNLINK2(head, tail, e) do {				\
	if ((e)->next == NULL)						\
		(tail) = (e)->prev;					\
	DLIST_UNLINK(head, e);						\
	(e)->prev = (e)->next = NULL;					\
} while (0)

#endif
