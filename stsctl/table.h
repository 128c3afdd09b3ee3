/*
 * table - aligned columns for stsctl's readable output.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct table *t = table_new(3, "DOMAIN", "STATE", "MODE");
 *	table_row(t, "example.com", "active", "testing");
 *	table_print(t, stdout);
 *	table_print_or(t, stdout, "no domains");
 *	table_free(t);
 *
 * DESCRIPTION
 *	Collects rows of strings and prints them with every column but the
 *	last padded to its widest cell, two spaces apart.  A NULL header
 *	(table_new(n, NULL)) prints no header line.  Cells are copied.
 *	table_print_or() prints the table, or when it has no rows the line
 *	its printf format says (a newline added).
 */
#ifndef STSCTL_TABLE_H
#define STSCTL_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

struct table *table_new(size_t ncols, ...);
void	table_row(struct table *, ...);
size_t	table_rows(const struct table *);
void	table_print(const struct table *, FILE *);
void	table_print_or(const struct table *, FILE *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	table_free(struct table *);

#endif
