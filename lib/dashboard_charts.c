/*
 * dashboard_charts - the charts of the HTML report pages: the trend of
 * sessions and failures per day, failures stacked by result type and by
 * sender, and the bars of a group; see dashboard_page.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "dashboard.h"
#include "dashboard_page.h"
#include "html.h"
#include "ipc.h"
#include "mymalloc.h"
#include "rptsum.h"
#include "svg.h"

#define DASHBOARD_OTHERS	"(others)"	/* series past SVG_SERIES_MAX */

/* A chart of failed sessions per day stacked by a key. */
struct dash_stack_def {
	const char *name;	/* class of the svg */
	const char *title;
	const char *order;	/* summary member: the series, in order */
	const char *count;	/* its member that says a series failed */
	const char *cells;	/* summary member: [{day, key, failed}] */
	const char *key;	/* member naming the series */
	const char *null_key;	/* label of a null key */
};

/* Bars of a group list: key, and sessions or successful + failed. */
static struct svg_bar *
dash_bars(json_t *a, const char *key, size_t *n)
{
	struct svg_bar *bars = xcalloc(json_array_size(a) + 1, sizeof(*bars));
	json_t *g;
	size_t i;

	json_array_foreach(a, i, g) {
		bars[i].label = json_string_value(json_object_get(g, key));
		if (bars[i].label == NULL)
			bars[i].label = "(none)";
		if (json_object_get(g, "sessions") != NULL) {
			bars[i].bad = ipc_int(g, "sessions");
		} else {
			bars[i].ok = ipc_int(g, "successful");
			bars[i].bad = ipc_int(g, "failed");
		}
	}
	*n = json_array_size(a);
	return bars;
}

/*
 * The days of the trend: every day of the window, those without reports
 * as empty columns, with the sessions of by-day.  The labels live in
 * *labels (free both).
 */
static struct svg_bar *
dash_days(struct dash *d, json_t *sum, char (**labels)[16], size_t *count)
{
	json_t *days = json_object_get(sum, "by-day"), *g;
	size_t n = (size_t)d->days + 2, k = 0, i = 0, j;
	struct svg_bar *bars = xcalloc(n + json_array_size(days), sizeof(*bars));
	time_t t = d->now - (time_t)d->days * RPTSUM_DAY;
	struct tm tm;

	*labels = xcalloc(n, sizeof(**labels));
	for (j = 0; j < n - 1; j++, t += RPTSUM_DAY) {
		gmtime_r(&t, &tm);
		strftime((*labels)[j], sizeof((*labels)[j]), "%Y-%m-%d", &tm);
	}
	/* Merge the dates of the window with the days that have reports. */
	for (j = 0; j < n - 1 || i < json_array_size(days);) {
		const char *day = NULL;
		int c;

		g = json_array_get(days, i);
		if (g != NULL)
			day = ipc_str(g, "day");
		c = j >= n - 1 ? 1 : day == NULL ? -1 : strcmp((*labels)[j], day);
		if (c <= 0) {
			bars[k].label = (*labels)[j++];
		} else {
			bars[k].label = day;
		}
		if (c >= 0) {
			bars[k].ok = ipc_int(g, "successful");
			bars[k].bad = ipc_int(g, "failed");
			i++;
		}
		k++;
	}
	*count = k;
	return bars;
}

/* The index of day in the columns, or n. */
static size_t
dash_day_index(const struct svg_bar *bars, size_t n, const char *day)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {		/* the days are in order */
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(bars[mid].label, day)) == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

/*
 * Failed sessions per day stacked by one key (result type, sender):
 * the series are the groups of order (most failed first, as the
 * summary sorts them; the first at the bottom and first in the
 * legend): with more than SVG_SERIES_MAX of them, the SVG_SERIES_MAX - 1
 * largest by name and the rest as DASHBOARD_OTHERS.
 */
static void
dash_stack(struct dash *d, json_t *sum, const struct svg_bar *days,
    size_t ndays, const struct dash_stack_def *def)
{
	json_t *order = json_object_get(sum, def->order);
	json_t *cells = json_object_get(sum, def->cells), *g;
	const char **keys = xcalloc(SVG_SERIES_MAX + 1, sizeof(*keys));
	const char **labels = xcalloc(ndays + 1, sizeof(*labels));
	long long *v = xcalloc(ndays * SVG_SERIES_MAX + 1, sizeof(*v));
	struct svg_stack st;
	size_t i, k, nkeys = 0, nfail = 0, day;
	const char *key;

	json_array_foreach(order, i, g)
		nfail += ipc_int(g, def->count) > 0;
	json_array_foreach(order, i, g) {
		if (ipc_int(g, def->count) <= 0)
			continue;
		if (nfail > SVG_SERIES_MAX && nkeys == SVG_SERIES_MAX - 1) {
			keys[nkeys++] = DASHBOARD_OTHERS;
			break;
		}
		key = json_string_value(json_object_get(g, def->key));
		keys[nkeys++] = key ? key : def->null_key;
	}
	json_array_foreach(cells, i, g) {
		key = json_string_value(json_object_get(g, def->key));
		if (key == NULL)
			key = def->null_key;
		if ((day = dash_day_index(days, ndays, ipc_str(g, "day"))) ==
		    ndays)
			continue;
		for (k = 0; k < nkeys && strcmp(keys[k], key) != 0; k++)
			;
		if (k == nkeys)
			k = nkeys - 1;	/* others */
		v[day * nkeys + k] = rptsum_add(v[day * nkeys + k],
		    ipc_int(g, "failed"));
	}
	for (i = 0; i < ndays; i++)
		labels[i] = days[i].label;
	if (nkeys == 0) {
		buf_printf(d->out, "<p class=\"muted %s\">", def->name);
		html_escape(d->out, def->title);
		buf_puts(d->out, ": none</p>\n");
	} else {
		st.days = labels;
		st.ndays = ndays;
		st.keys = keys;
		st.nkeys = nkeys;
		st.v = v;
		svg_stacked(d->out, def->name, def->title, &st);
	}
	free(keys);
	free(labels);
	free(v);
}

static const struct dash_stack_def dash_stack_types = {
	"failures-by-type", "Failed sessions per day by result type",
	"by-result-type", "sessions", "by-day-result-type", "result-type",
	"(not detailed)",
};
static const struct dash_stack_def dash_stack_senders = {
	"failures-by-sender", "Failed sessions per day by sender",
	"by-organization", "failed", "by-day-organization",
	"organization-name", "(none)",
};

/*
 * The trend: sessions per day, the failure rate per day on its own
 * scale (a few failures among many sessions are a hairline on the
 * first), and the failed sessions per day by result type and by sender.
 */
void
dash_trend(struct dash *d, json_t *sum)
{
	char (*labels)[16];
	struct svg_bar *bars;
	size_t k;

	bars = dash_days(d, sum, &labels, &k);
	svg_columns(d->out, "trend", "Sessions per day", bars, k);
	svg_rate(d->out, "failure-rate", "Failure rate per day (failed"
	    " sessions, percent of the day's sessions)", bars, k);
	dash_stack(d, sum, bars, k, &dash_stack_types);
	dash_stack(d, sum, bars, k, &dash_stack_senders);
	free(bars);
	free(labels);
}

/* Longest bar first (successful + failed), then most failed, then name. */
static int
dash_bar_cmp(const void *a, const void *b)
{
	const struct svg_bar *x = a, *y = b;
	long long tx = rptsum_add(x->ok, x->bad), ty = rptsum_add(y->ok, y->bad);

	if (tx != ty)
		return tx > ty ? -1 : 1;
	if (x->bad != y->bad)
		return x->bad > y->bad ? -1 : 1;
	return strcmp(x->label, y->label);
}

void
dash_group_chart(struct dash *d, json_t *sum, const char *member,
    const char *key, const char *title)
{
	json_t *a = json_object_get(sum, member);
	struct svg_bar *bars;
	size_t n, i;

	buf_puts(d->out, "<h3>");
	html_escape(d->out, title);
	buf_puts(d->out, "</h3>\n");
	if (json_array_size(a) == 0) {
		buf_puts(d->out, "<p class=\"muted\">none</p>\n");
		return;
	}
	bars = dash_bars(a, key, &n);
	/* Sorted by what the bars show: their length, all sessions. */
	if (strcmp(member, "by-organization") == 0)
		qsort(bars, n, sizeof(*bars), dash_bar_cmp);
	svg_rows(d->out, member, title, bars, n);
	if (n > SVG_ROWS_MAX) {
		buf_printf(d->out, "<p class=\"more\">%zu more:", n -
		    SVG_ROWS_MAX);
		for (i = SVG_ROWS_MAX; i < n; i++) {
			buf_puts(d->out, i > SVG_ROWS_MAX ? ", " : " ");
			html_escape(d->out, bars[i].label);
			buf_printf(d->out, " (%lld)", rptsum_add(bars[i].ok,
			    bars[i].bad));
		}
		buf_puts(d->out, "</p>\n");
	}
	free(bars);
}
