/*
 * cfg - main.cf: read, expand, type-check and look up parameters; see
 * cfg.h for the interface and the file format.
 * SPDX-License-Identifier: ISC
 *
 * A configuration is a set of entries, one per table parameter plus one
 * per other name set in main.cf.  An entry holds the default, the value
 * set in main.cf or by -o (with where it was set, for messages) and,
 * once expanded, the expanded value.  Reading builds a new configuration
 * and only replaces the current one when every parameter expanded and
 * passed its type check; an override is undone when it fails.
 *
 * The tokenizer is cfgscan.c, the value parsers and the rules of the
 * table cfgcheck.c, typed access cfgget.c; this file holds the entries,
 * their expansion, reading and overrides.
 *
 * Touches: reads config_dir/main.cf (or a memory buffer); nothing else.
 * Limits: CFG_FILE_MAX, CFG_LINE_MAX, CFG_EXPAND_DEPTH (cfg.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "cfgbind.h"
#include "cfgpriv.h"
#include "hash.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"

#define CFG_HOST_MAX	256		/* bytes of the system host name */
#define CFG_NONE	SIZE_MAX	/* empty hash slot */

static struct cfg *cfg_cur;
static struct cfg *cfg_kept;		/* cfg_save(): not freed on read */

/*
 * Messages.
 */

/* Starts an error message about entry e: "WHERE: parameter NAME: ". */
static void
cfg_blame(struct buf *err, const struct cfg *c, const struct cfg_entry *e)
{
	if (e->setval != NULL)
		buf_printf(err, "%s: parameter %s: ", e->where, e->name);
	else
		buf_printf(err, "%s: parameter %s: default value: ", c->file,
		    e->name);
}

/*
 * Entries and their hash table.
 */

static size_t
cfg_lookup_len(const struct cfg *c, const char *name, size_t len)
{
	size_t i = hash_bytes(name, len) & (c->nslot - 1);

	for (; c->slot[i] != CFG_NONE; i = (i + 1) & (c->nslot - 1)) {
		const char *n = c->ent[c->slot[i]].name;

		if (strncmp(n, name, len) == 0 && n[len] == '\0')
			return c->slot[i];
	}
	return CFG_NONE;
}

static struct cfg_entry *
cfg_lookup(const struct cfg *c, const char *name)
{
	size_t i = cfg_lookup_len(c, name, strlen(name));

	return i == CFG_NONE ? NULL : &c->ent[i];
}

static void
cfg_rehash(struct cfg *c)
{
	size_t i, h;

	free(c->slot);
	c->nslot = c->nslot ? c->nslot * 2 : 64;
	c->slot = xreallocarray(NULL, c->nslot, sizeof(*c->slot));
	for (i = 0; i < c->nslot; i++)
		c->slot[i] = CFG_NONE;
	for (i = 0; i < c->nent; i++) {
		const char *n = c->ent[i].name;

		h = hash_str(n) & (c->nslot - 1);
		while (c->slot[h] != CFG_NONE)
			h = (h + 1) & (c->nslot - 1);
		c->slot[h] = i;
	}
}

static struct cfg_entry *
cfg_add(struct cfg *c, const char *name)
{
	struct cfg_entry *e;

	if (c->nent == c->capent) {
		c->capent = c->capent ? c->capent * 2 : 64;
		c->ent = xreallocarray(c->ent, c->capent, sizeof(*c->ent));
	}
	e = &c->ent[c->nent++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->param = param_find(name);
	if (c->nent * 2 > c->nslot)
		cfg_rehash(c);
	else {
		size_t h = hash_str(name) & (c->nslot - 1);

		while (c->slot[h] != CFG_NONE)
			h = (h + 1) & (c->nslot - 1);
		c->slot[h] = c->nent - 1;
	}
	return e;
}

static void
cfg_mark_set(struct cfg *c, struct cfg_entry *e)
{
	if (c->nset == c->capset) {
		c->capset = c->capset ? c->capset * 2 : 32;
		c->setorder = xreallocarray(c->setorder, c->capset,
		    sizeof(*c->setorder));
	}
	c->setorder[c->nset++] = (size_t)(e - c->ent);
}

static void
cfg_forget_values(struct cfg *c)
{
	size_t i, j;

	for (i = 0; i < c->nent; i++) {
		struct cfg_entry *e = &c->ent[i];

		free(e->value);
		e->value = NULL;
		if (e->list != NULL) {
			for (j = 0; e->list[j] != NULL; j++)
				free(e->list[j]);
			free(e->list);
			e->list = NULL;
		}
		e->busy = 0;
		e->unset = 0;
	}
}

static void
cfg_destroy(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	cfg_forget_values(c);
	for (i = 0; i < c->nent; i++) {
		free(c->ent[i].name);
		free(c->ent[i].defval);
		free(c->ent[i].setval);
		free(c->ent[i].where);
	}
	free(c->ent);
	free(c->slot);
	free(c->setorder);
	free(c->dir);
	free(c->file);
	free(c);
}

static char *
cfg_hostname(void)
{
	char host[CFG_HOST_MAX + 1];

	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		return xstrdup("localhost");
	host[CFG_HOST_MAX] = '\0';
	return xstrdup(host);
}

/* A configuration with every table parameter at its default. */
static struct cfg *
cfg_new(const char *dir, const char *file)
{
	const struct param *p;
	struct cfg_entry *e;
	struct cfg *c = xcalloc(1, sizeof(*c));

	c->dir = xstrdup(dir);
	c->file = xstrdup(file);
	cfg_rehash(c);
	for (p = param_table; p->name != NULL; p++) {
		e = cfg_add(c, p->name);
		if (strcmp(p->name, "myhostname") == 0 && p->defval == NULL)
			e->defval = cfg_hostname();
		else
			e->defval = xstrdup(p->defval ? p->defval : "");
	}
	return c;
}

/*
 * Expansion and checks.
 */

struct cfg_expand {
	struct cfg *c;
	struct cfg_entry *chain[CFG_EXPAND_DEPTH + 1];
	int	 depth;
	struct buf *err;
};

static int cfg_expand_entry(struct cfg_expand *, struct cfg_entry *);

/*
 * Starts a message about a problem found while expanding e.  A default
 * has no line to point at: blame the nearest setting on the way to it
 * (in a loop, there is always one).
 */
static void
cfg_blame_expand(struct cfg_expand *x, const struct cfg_entry *e)
{
	int k;

	if (e->setval == NULL)
		for (k = x->depth; k >= 0; k--)
			if (x->chain[k]->setval != NULL) {
				e = x->chain[k];
				break;
			}
	cfg_blame(x->err, x->c, e);
}

/* The value that $name gives: config_directory is the directory read. */
static const char *
cfg_source(const struct cfg *c, const struct cfg_entry *e)
{
	if (e->param != NULL && strcmp(e->name, "config_directory") == 0)
		return NULL;
	return e->setval ? e->setval : e->defval;
}

static int
cfg_expand_ref(struct cfg_expand *x, struct cfg_entry *e, const char *ref,
    size_t len, const char *as_written, struct buf *out)
{
	struct cfg_entry *r;
	size_t i = cfg_lookup_len(x->c, ref, len);
	int k;

	if (i == CFG_NONE) {
		cfg_blame_expand(x, e);
		cfg_quote(x->err, as_written);
		buf_puts(x->err, " refers to an unknown parameter");
		return -1;
	}
	r = &x->c->ent[i];
	if (r == e) {
		cfg_blame_expand(x, e);
		cfg_quote(x->err, as_written);
		buf_puts(x->err, " refers to itself");
		return -1;
	}
	if (r->busy) {
		cfg_blame_expand(x, e);
		buf_puts(x->err, "expansion loop: ");
		for (k = 0; x->chain[k] != r; k++)
			;
		for (; k <= x->depth; k++)
			buf_printf(x->err, "$%s -> ", x->chain[k]->name);
		buf_printf(x->err, "$%s", r->name);
		return -1;
	}
	if (x->depth + 1 >= CFG_EXPAND_DEPTH) {
		cfg_blame_expand(x, e);
		buf_printf(x->err, "$%s: expansion nested deeper than %d levels",
		    r->name, CFG_EXPAND_DEPTH);
		return -1;
	}
	x->depth++;
	k = cfg_expand_entry(x, r);
	x->depth--;
	if (k < 0)
		return -1;
	if (r->unset)
		e->unset = 1;
	if (out->len + strlen(r->value) > CFG_LINE_MAX) {
		cfg_blame_expand(x, e);
		buf_printf(x->err, "expanded value is longer than %d bytes",
		    CFG_LINE_MAX);
		return -1;
	}
	buf_puts(out, r->value);
	return 0;
}

static int
cfg_expand_entry(struct cfg_expand *x, struct cfg_entry *e)
{
	struct buf out = BUF_INIT;
	const char *raw = cfg_source(x->c, e), *p, *end;
	char *as_written;
	size_t n;
	int rc;

	if (e->value != NULL)
		return 0;
	if (e->param != NULL && (e->param->flags & PARAM_REQUIRED) &&
	    e->setval == NULL)
		e->unset = 1;
	if (raw == NULL) {
		e->value = xstrdup(x->c->dir);
		return 0;
	}
	e->busy = 1;
	x->chain[x->depth] = e;
	buf_puts(&out, "");
	for (p = raw; *p != '\0'; p = end) {
		if (*p != '$') {
			end = strchr(p, '$');
			if (end == NULL)
				end = p + strlen(p);
			buf_append(&out, p, end - p);
			continue;
		}
		if (p[1] == '$') {
			buf_putc(&out, '$');
			end = p + 2;
			continue;
		}
		if (p[1] == '{') {
			end = strchr(p + 2, '}');
			if (end == NULL) {
				cfg_blame_expand(x, e);
				buf_puts(x->err, "unterminated \"${\" in ");
				cfg_quote(x->err, raw);
				goto fail;
			}
			n = end - (p + 2);
			as_written = xstrndup(p, end + 1 - p);
			if (!cfg_valid_name(p + 2, n)) {
				cfg_blame_expand(x, e);
				buf_puts(x->err, "bad parameter name in ");
				cfg_quote(x->err, as_written);
				free(as_written);
				goto fail;
			}
			rc = cfg_expand_ref(x, e, p + 2, n, as_written, &out);
			free(as_written);
			if (rc < 0)
				goto fail;
			end++;
			continue;
		}
		for (end = p + 1; isalnum((unsigned char)*end) || *end == '_'; end++)
			;
		if (end == p + 1) {
			cfg_blame_expand(x, e);
			buf_puts(x->err, "\"$\" must be followed by a name, "
			    "{name} or \"$\" in ");
			cfg_quote(x->err, raw);
			goto fail;
		}
		as_written = xstrndup(p, end - p);
		rc = cfg_expand_ref(x, e, p + 1, end - (p + 1), as_written, &out);
		free(as_written);
		if (rc < 0)
			goto fail;
	}
	e->busy = 0;
	e->value = buf_steal(&out);
	return 0;

fail:
	e->busy = 0;
	buf_free(&out);
	return -1;
}

static int
cfg_check_entry(struct cfg *c, struct cfg_entry *e, struct buf *err)
{
	struct buf why = BUF_INIT;
	const char *raw;

	if (e->param == NULL || e->unset ||
	    cfg_check_value(e->param, e->value, &why) == 0) {
		buf_free(&why);
		return 0;
	}
	cfg_blame(err, c, e);
	buf_append(err, why.s, why.len);
	raw = cfg_source(c, e);
	if (raw != NULL && strcmp(raw, e->value) != 0) {
		buf_puts(err, " (from ");
		cfg_quote(err, raw);
		buf_puts(err, ")");
	}
	buf_free(&why);
	return -1;
}

/* Expands and checks everything: main.cf settings in order, then the rest. */
static int
cfg_expand_all(struct cfg *c, struct buf *err)
{
	struct cfg_expand x;
	size_t i;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.err = err;
	for (i = 0; i < c->nset; i++) {
		x.depth = 0;
		if (cfg_expand_entry(&x, &c->ent[c->setorder[i]]) < 0 ||
		    cfg_check_entry(c, &c->ent[c->setorder[i]], err) < 0)
			return -1;
	}
	for (i = 0; i < c->nent; i++) {
		x.depth = 0;
		if (cfg_expand_entry(&x, &c->ent[i]) < 0 ||
		    cfg_check_entry(c, &c->ent[i], err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Reading main.cf.
 */

struct cfg_load {
	struct cfg *c;
	const char *file;
};

static int
cfg_load_line(const struct cfg_line *l, void *ctx, struct buf *err)
{
	struct cfg_load *ld = ctx;
	struct cfg_entry *e;
	char *name, *value;

	if (cfg_split_line(ld->file, l, &name, &value, err) < 0)
		return -1;
	if ((e = cfg_lookup(ld->c, name)) == NULL) {
		log_warn("%s:%d: unknown parameter %s", ld->file, l->first, name);
		e = cfg_add(ld->c, name);
	} else if (e->setval != NULL) {
		log_warn("%s:%d: parameter %s: set again, overrides %s",
		    ld->file, l->first, name, e->where);
	}
	free(e->setval);
	free(e->where);
	if (e->setval == NULL)
		cfg_mark_set(ld->c, e);
	e->setval = value;
	e->where = xasprintf("%s:%d", ld->file, l->first);
	free(name);
	return 0;
}

static int
cfg_load(const char *dir, const char *file, const char *data, size_t len,
    struct buf *err)
{
	struct cfg_load ld;
	struct cfg *c = cfg_new(dir, file);

	ld.c = c;
	ld.file = file;
	if (cfg_scan(file, data, len, cfg_load_line, &ld, err) < 0 ||
	    cfg_expand_all(c, err) < 0) {
		cfg_destroy(c);
		return -1;
	}
	if (cfg_cur != cfg_kept)
		cfg_destroy(cfg_cur);
	cfg_cur = c;
	cfg_bind_all();
	return 0;
}

/* The directory as given, without trailing slashes. */
static char *
cfg_dir_clean(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return xstrndup(dir, n);
}

int
cfg_read(const char *config_dir, struct buf *err)
{
	struct buf data = BUF_INIT;
	char *dir = cfg_dir_clean(config_dir);
	char *file = xasprintf("%s/main.cf", dir);
	int rc;

	rc = cfg_read_file(file, &data, err);
	if (rc == 0)
		rc = cfg_load(dir, file, data.s, data.len, err);
	buf_free(&data);
	free(file);
	free(dir);
	return rc;
}

int
cfg_read_buf(const char *file, const char *data, size_t len, struct buf *err)
{
	const char *slash = strrchr(file, '/');
	char *dir;
	int rc;

	if (slash == NULL)
		dir = xstrdup(".");
	else
		dir = xstrndup(file, slash == file ? 1 : (size_t)(slash - file));
	rc = cfg_load(dir, file, data, len, err);
	free(dir);
	return rc;
}

void
cfg_read_or_die(const char *config_dir)
{
	struct buf err = BUF_INIT;

	if (cfg_read(config_dir, &err) < 0)
		log_fatal("%s", err.s);
	buf_free(&err);
}

void
cfg_free(void)
{
	if (cfg_kept != NULL && cfg_kept != cfg_cur)
		cfg_destroy(cfg_kept);
	cfg_destroy(cfg_cur);
	cfg_cur = cfg_kept = NULL;
	cfg_bind_clear();
}

/*
 * Overrides.
 */

static int
cfg_apply(const char *name, const char *value, int keep, struct buf *err)
{
	struct buf again = BUF_INIT;
	struct cfg *c;
	struct cfg_entry *e;
	char *oldval, *oldwhere, *where;
	int rc;

	where = xasprintf("-o %s=%s", name, value);
	if (param_find(name) == NULL) {
		buf_printf(err, "%s: unknown parameter %s", where, name);
		free(where);
		return -1;
	}
	if (strchr(value, '\n') != NULL) {
		buf_printf(err, "%s: parameter %s: value contains a newline",
		    where, name);
		free(where);
		return -1;
	}
	if (cfg_cur == NULL)
		cfg_get("config_directory", "cfg_apply");	/* defaults */
	c = cfg_cur;
	e = cfg_lookup(c, name);
	oldval = e->setval;
	oldwhere = e->where;
	e->setval = xstrdup(value);
	e->where = where;
	cfg_forget_values(c);
	rc = cfg_expand_all(c, err);
	if (rc == 0 && keep) {
		if (oldval == NULL)
			cfg_mark_set(c, e);
		free(oldval);
		free(oldwhere);
		cfg_bind_all();
		return 0;
	}
	free(e->setval);
	free(e->where);
	e->setval = oldval;
	e->where = oldwhere;
	cfg_forget_values(c);
	if (cfg_expand_all(c, &again) < 0)
		log_panic("cfg: configuration broke on undo: %s", again.s);
	buf_free(&again);
	cfg_bind_all();
	return rc;
}

int
cfg_override(const char *name, const char *value, struct buf *err)
{
	return cfg_apply(name, value, 1, err);
}

int
cfg_check_override(const char *name, const char *value, struct buf *err)
{
	return cfg_apply(name, value, 0, err);
}

/*
 * Checks that need the host, and parameters left unset.
 */

int
cfg_check_host(struct buf *err)
{
	struct buf why = BUF_INIT;
	struct cfg_entry *e;
	size_t i;
	int rc = 0;

	cfg_get("config_directory", "cfg_check_host");
	for (i = 0; i < cfg_cur->nent && rc == 0; i++) {
		e = &cfg_cur->ent[i];
		if (e->param == NULL || e->unset ||
		    cfg_check_lookup(e->param, e->value, &why) == 0)
			continue;
		cfg_blame(err, cfg_cur, e);
		buf_append(err, why.s, why.len);
		rc = -1;
	}
	buf_free(&why);
	return rc;
}

int
cfg_check_required(struct buf *err)
{
	const struct param *p;
	int n = 0;

	cfg_get("config_directory", "cfg_check_required");
	for (p = param_table; p->name != NULL; p++) {
		if (!(p->flags & PARAM_REQUIRED) || !cfg_is_default(p->name))
			continue;
		buf_printf(err, "%s%s: parameter %s is not set: expected ",
		    n++ ? "\n" : "", cfg_cur->file, p->name);
		cfg_allowed(p, err);
		buf_printf(err, " (fix: stsconf -e %s=VALUE)", p->name);
	}
	return n ? -1 : 0;
}

/* Saving a configuration while another is read. */

struct cfg *
cfg_save(void)
{
	cfg_get("config_directory", "cfg_save");
	cfg_kept = cfg_cur;
	return cfg_kept;
}

/* Ends the keeping of c; 1 when another configuration is current. */
static int
cfg_unkeep(struct cfg *c, const char *caller)
{
	if (c != cfg_kept)
		log_panic("%s: not the saved configuration", caller);
	cfg_kept = NULL;
	return cfg_cur != c;
}

void
cfg_restore(struct cfg *c)
{
	if (cfg_unkeep(c, "cfg_restore")) {
		cfg_destroy(cfg_cur);
		cfg_cur = c;
	}
	cfg_bind_all();
}

void
cfg_forget(struct cfg *c)
{
	if (cfg_unkeep(c, "cfg_forget"))
		cfg_destroy(c);
}

/*
 * Lookups.
 */

struct cfg_entry *
cfg_get(const char *name, const char *caller)
{
	struct buf err = BUF_INIT;
	struct cfg_entry *e;

	if (cfg_cur == NULL && cfg_load(STS_CONFIG_DIR, STS_CONFIG_DIR
	    "/main.cf", "", 0, &err) < 0)
		log_panic("cfg: built-in defaults are invalid: %s", err.s);
	buf_free(&err);
	if ((e = cfg_lookup(cfg_cur, name)) == NULL)
		log_panic("%s: unknown parameter %s", caller, name);
	return e;
}
const char *
cfg_raw(const char *name)
{
	struct cfg_entry *e = cfg_get(name, "cfg_raw");
	const char *raw = cfg_source(cfg_cur, e);

	if (e->setval != NULL)
		return e->setval;
	return raw != NULL ? raw : e->value;
}

const char *
cfg_default(const char *name)
{
	struct cfg_entry *e = cfg_get(name, "cfg_default");

	if (e->param == NULL)
		log_panic("cfg_default: parameter %s is not in the table", name);
	return e->defval;
}

int
cfg_is_default(const char *name)
{
	return cfg_get(name, "cfg_is_default")->setval == NULL;
}

const char *
cfg_config_dir(void)
{
	cfg_get("config_directory", "cfg_config_dir");
	return cfg_cur->dir;
}

const char *
cfg_file(void)
{
	cfg_get("config_directory", "cfg_file");
	return cfg_cur->file;
}

const char **
cfg_set_names(void)
{
	const char **names;
	size_t i;

	cfg_get("config_directory", "cfg_set_names");
	names = xcalloc(cfg_cur->nset + 1, sizeof(*names));
	for (i = 0; i < cfg_cur->nset; i++)
		names[i] = cfg_cur->ent[cfg_cur->setorder[i]].name;
	return names;
}

