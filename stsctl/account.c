/*
 * account - "stsctl account ...": the accounts of domain owners, the
 * domains each may manage, their API tokens.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl account add NAME --email ADDR [--domain D ...] [--quota N]
 *	    [--password-file F]
 *	stsctl account set NAME [--email ADDR] [--quota N] [--add-domain D]
 *	    [--remove-domain D] [--password-file F] [--disable|--enable]
 *	stsctl account del NAME
 *	stsctl account list | show NAME
 *	stsctl account token NAME [--read-only] | --revoke ID | --list
 *	(each with --json)
 *
 * DESCRIPTION
 *	Turns the command line into one policyd request (stsd-policyd(8):
 *	account-*, token-*) and its reply into readable text, or prints
 *	the reply as JSON.  Every check of a name, address, quota or
 *	domain is policyd's, so that every client gets the same answers;
 *	stsctl checks only the syntax of its options.
 *
 *	A password is never an argument (other users see the command
 *	lines of processes): --password-file reads it from a file ("-":
 *	standard input), at most ACCTNAME_PASSWORD_MAX bytes and its
 *	trailing newline, which is stripped.  A larger file is refused
 *	before it is read.  "account token NAME" prints the new token
 *	alone on its line: it is shown this once.
 *
 * DIAGNOSTICS
 *	A usage error exits 2, a refused request 1, with one line on
 *	stderr.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "acctname.h"
#include "buf.h"
#include "esc.h"
#include "ipc.h"
#include "mymalloc.h"
#include "proto.h"
#include "stsctl.h"
#include "table.h"
#include "timefmt.h"

#define ACCOUNT_PAGES_MAX	1000000	/* pages of one account-list */

struct account_opts {
	json_t	*req;			/* the request being built */
	const char *password_file;
	int	 read_only;
	int	 list;
	const char *revoke;
};

static const struct option account_options[] = {
	{ "email", required_argument, NULL, 'e' },
	{ "domain", required_argument, NULL, 'd' },
	{ "add-domain", required_argument, NULL, 'a' },
	{ "remove-domain", required_argument, NULL, 'r' },
	{ "quota", required_argument, NULL, 'q' },
	{ "password-file", required_argument, NULL, 'p' },
	{ "disable", no_argument, NULL, 'D' },
	{ "enable", no_argument, NULL, 'E' },
	{ "read-only", no_argument, NULL, 'R' },
	{ "revoke", required_argument, NULL, 'K' },
	{ "list", no_argument, NULL, 'L' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
account_usage(void)
{
	fprintf(stderr, "usage: stsctl [-c config_dir] account add NAME --email"
	    " ADDR [--domain D ...] [--quota N] [--password-file F] [--json]\n"
	    "       stsctl account set NAME [--email ADDR] [--quota N]"
	    " [--add-domain D] [--remove-domain D] [--password-file F]"
	    " [--disable|--enable] [--json]\n"
	    "       stsctl account del NAME | list | show NAME [--json]\n"
	    "       stsctl account token NAME [--read-only] | --revoke ID |"
	    " --list [--json]\n");
	exit(2);
}

/*
 * The password of file path ("-": standard input): at most
 * ACCTNAME_PASSWORD_MAX bytes, its one trailing newline stripped.
 */
static char *
account_password_read(const char *path)
{
	size_t max = ACCTNAME_PASSWORD_MAX + 1, len = 0;
	char *pw = xmalloc(max + 1);
	struct stat sb;
	ssize_t r;
	int fd;

	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) :
	    open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		stsctl_die("--password-file %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > (off_t)max)
		stsctl_die("--password-file %s: %lld bytes; a password has at"
		    " most %d", path, (long long)sb.st_size,
		    ACCTNAME_PASSWORD_MAX);
	while (len <= max && (r = read(fd, pw + len, max + 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			stsctl_die("--password-file %s: %s", path,
			    strerror(errno));
		len += (size_t)r;
	}
	close(fd);
	if (len > 0 && pw[len - 1] == '\n')
		len--;
	if (len > ACCTNAME_PASSWORD_MAX)
		stsctl_die("--password-file %s: more than %d bytes; a password"
		    " has at most %d", path, ACCTNAME_PASSWORD_MAX,
		    ACCTNAME_PASSWORD_MAX);
	if (len == 0)
		stsctl_die("--password-file %s: empty", path);
	if (memchr(pw, '\0', len) != NULL)
		stsctl_die("--password-file %s: holds a NUL byte", path);
	pw[len] = '\0';
	return pw;
}

/* A JSON string of an argument; what cannot be one is refused here. */
static json_t *
account_str(const char *s, const char *what)
{
	json_t *v = json_string(s);

	if (v == NULL)
		stsctl_die("%s \"%s\": not UTF-8 text", what, esc_printable(s));
	return v;
}

static void
account_append(json_t *req, const char *key, const char *value)
{
	json_t *a = json_object_get(req, key);

	if (a == NULL) {
		a = json_array();
		json_object_set_new(req, key, a);
	}
	json_array_append_new(a, account_str(value, "domain"));
}

static json_int_t
account_quota(const char *s)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE)
		stsctl_usage_die("--quota %s: not a number of domains", s);
	return (json_int_t)v;
}

/* Parses the options of account SUB (which allows the letters ok). */
static void
account_parse(int argc, char **argv, const char *sub, const char *ok,
    struct account_opts *o)
{
	int c, idx;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", account_options, &idx)) != -1) {
		if (c == ':')
			stsctl_usage_die("account %s: option %s needs a value",
			    sub, argv[optind - 1]);
		if (c == '?' || strchr(ok, c) == NULL)
			stsctl_usage_die("account %s: unknown option \"%s\"",
			    sub, argv[optind - 1]);
		switch (c) {
		case 'e':
			json_object_set_new(o->req, "email",
			    account_str(optarg, "e-mail address"));
			break;
		case 'd':
			account_append(o->req, "domains", optarg);
			break;
		case 'a':
			account_append(o->req, "add_domains", optarg);
			break;
		case 'r':
			account_append(o->req, "remove_domains", optarg);
			break;
		case 'q':
			json_object_set_new(o->req, "quota",
			    json_integer(account_quota(optarg)));
			break;
		case 'p':
			o->password_file = optarg;
			break;
		case 'D':
		case 'E':
			if (json_object_get(o->req, "disabled") != NULL)
				stsctl_usage_die("account %s: --disable or"
				    " --enable, once", sub);
			json_object_set_new(o->req, "disabled",
			    json_boolean(c == 'D'));
			break;
		case 'R':
			o->read_only = 1;
			break;
		case 'K':
			o->revoke = optarg;
			break;
		case 'L':
			o->list = 1;
			break;
		case 'j':
			stsctl_json = 1;
			break;
		}
	}
}

/* The one operand NAME after the options, or none when !needs. */
static const char *
account_operand(int argc, char **argv, const char *sub, int needs)
{
	const char *name = NULL;

	if (optind < argc)
		name = argv[optind++];
	if (needs && name == NULL)
		account_usage();
	if (!needs && name != NULL)
		optind--;
	if (optind < argc)
		stsctl_usage_die("account %s: unexpected argument \"%s\"", sub,
		    argv[optind]);
	return name;
}

static char *
account_time(json_t *o, const char *key)
{
	if (!json_is_integer(json_object_get(o, key)))
		return xstrdup("-");
	return timefmt_utc(ipc_int(o, key));
}

static const char *
account_state(json_t *a)
{
	if (json_is_true(json_object_get(a, "disabled")))
		return "disabled";
	if (!json_is_true(json_object_get(a, "password")))
		return "no-password";
	return "enabled";
}

static void
account_print_tokens(json_t *tokens)
{
	struct table *t = table_new(5, "ID", "ACCESS", "CREATED", "LAST_USED",
	    "REVOKED");
	char id[32], *c, *u, *r;
	json_t *e;
	size_t i;

	json_array_foreach(tokens, i, e) {
		snprintf(id, sizeof(id), "%lld", ipc_int(e, "id"));
		c = account_time(e, "created");
		u = account_time(e, "last_used");
		r = account_time(e, "revoked");
		table_row(t, id, ipc_str(e, "access"), c, u, r);
		free(c);
		free(u);
		free(r);
	}
	table_print_or(t, stdout, "no API tokens");
	table_free(t);
}

static void
account_print_show(json_t *a)
{
	char quota[64], *created, *updated;
	json_t *e;
	size_t i;

	snprintf(quota, sizeof(quota), "%lld of %lld domains",
	    ipc_int(a, "domain_count"), ipc_int(a, "quota"));
	created = account_time(a, "created");
	updated = account_time(a, "updated");
	printf("account:  %s\n", ipc_str(a, "name"));
	printf("e-mail:   %s\n", esc_printable(ipc_str(a, "email")));
	printf("state:    %s\n", account_state(a));
	printf("quota:    %s\n", quota);
	printf("created:  %s\n", created);
	printf("updated:  %s\n", updated);
	printf("domains:%s\n", json_array_size(json_object_get(a, "domains")) ?
	    "" : "  none");
	json_array_foreach(json_object_get(a, "domains"), i, e)
		printf("    %s\n", json_string_value(e));
	printf("tokens:\n");
	account_print_tokens(json_object_get(a, "tokens"));
	free(created);
	free(updated);
}

/* Every page of account-list, as one reply with all "accounts". */
static json_t *
account_list_all(void)
{
	json_t *all = NULL, *req, *reply;
	char *after = NULL;
	size_t pages = 0;

	for (;;) {
		req = ipc_request(PROTO_OP_ACCOUNT_LIST);
		if (after != NULL)
			json_object_set_new(req, "after", json_string(after));
		reply = stsctl_call(req);
		if (all == NULL)
			all = json_incref(reply);
		else
			json_array_extend(json_object_get(all, "accounts"),
			    json_object_get(reply, "accounts"));
		free(after);
		after = json_is_string(json_object_get(reply, "next")) ?
		    xstrdup(ipc_str(reply, "next")) : NULL;
		json_decref(reply);
		if (after == NULL)
			break;
		if (++pages == ACCOUNT_PAGES_MAX)
			stsctl_die("account list: more than %d pages",
			    ACCOUNT_PAGES_MAX);
	}
	json_object_del(all, "next");
	return all;
}

static void
account_print_list(json_t *reply)
{
	struct table *t;
	char quota[32], count[32];
	json_t *a;
	size_t i;

	if (json_array_size(json_object_get(reply, "accounts")) == 0) {
		printf("no accounts\n");
		return;
	}
	t = table_new(5, "ACCOUNT", "STATE", "DOMAINS", "QUOTA", "EMAIL");
	json_array_foreach(json_object_get(reply, "accounts"), i, a) {
		snprintf(quota, sizeof(quota), "%lld", ipc_int(a, "quota"));
		snprintf(count, sizeof(count), "%lld",
		    ipc_int(a, "domain_count"));
		table_row(t, ipc_str(a, "name"), account_state(a), count, quota,
		    esc_printable(ipc_str(a, "email")));
	}
	table_print(t, stdout);
	table_free(t);
}

static void
account_output(json_t *reply, void (*print)(json_t *))
{
	if (stsctl_json)
		stsctl_print_json(reply);
	else
		print(reply);
	json_decref(reply);
}

static void
account_print_account(json_t *reply)
{
	account_print_show(json_object_get(reply, "account"));
}

static void
account_print_del(json_t *reply)
{
	json_t *d = json_object_get(reply, "domains");
	size_t n = json_array_size(d);

	printf("%s: removed%s\n", ipc_str(reply, "removed"), n ?
	    "; its domains are the operator's again" : "");
}

static void
account_print_token(json_t *reply)
{
	printf("%s\n", ipc_str(reply, "token"));
}

static void
account_print_revoked(json_t *reply)
{
	printf("%s: API token %lld revoked\n", ipc_str(reply, "account"),
	    ipc_int(json_object_get(reply, "token"), "id"));
}

static void
account_print_token_list(json_t *reply)
{
	account_print_tokens(json_object_get(reply, "tokens"));
}

/* account token NAME [--read-only] | --revoke ID | --list */
static int
account_token(struct account_opts *o)
{
	json_t *reply;
	char *end;
	long long id;

	if ((o->revoke != NULL) + o->list + o->read_only > 1)
		stsctl_usage_die("account token: --read-only, --revoke and"
		    " --list go alone");
	if (o->list) {
		json_object_set_new(o->req, "op", json_string(PROTO_OP_TOKEN_LIST));
		account_output(stsctl_call(o->req), account_print_token_list);
		return 0;
	}
	if (o->revoke != NULL) {
		errno = 0;
		id = strtoll(o->revoke, &end, 10);
		if (*o->revoke == '\0' || *end != '\0' || errno == ERANGE ||
		    id <= 0)
			stsctl_usage_die("account token: --revoke %s: not a"
			    " token id", o->revoke);
		json_object_set_new(o->req, "op",
		    json_string(PROTO_OP_TOKEN_REVOKE));
		json_object_set_new(o->req, "id", json_integer(id));
		account_output(stsctl_call(o->req), account_print_revoked);
		return 0;
	}
	json_object_set_new(o->req, "op", json_string(PROTO_OP_TOKEN_NEW));
	if (o->read_only)
		json_object_set_new(o->req, "read_only", json_true());
	reply = stsctl_call(o->req);
	account_output(reply, account_print_token);
	return 0;
}

static const struct account_cmd {
	const char *name;
	const char *op;
	const char *options;		/* the letters of account_options */
	int	 needs_name;
	void	(*print)(json_t *);
} account_cmds[] = {
	{ "add", PROTO_OP_ACCOUNT_ADD, "edqpj", 1, account_print_account },
	{ "set", PROTO_OP_ACCOUNT_SET, "earqpDEj", 1, account_print_account },
	{ "del", PROTO_OP_ACCOUNT_DEL, "j", 1, account_print_del },
	{ "show", PROTO_OP_ACCOUNT_SHOW, "j", 1, account_print_account },
	{ "list", PROTO_OP_ACCOUNT_LIST, "j", 0, account_print_list },
	{ "token", NULL, "RKLj", 1, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};

int
account_main(int argc, char **argv)
{
	const struct account_cmd *cmd;
	struct account_opts o;
	const char *name;
	char *pw;

	if (argc < 2)
		account_usage();
	for (cmd = account_cmds; cmd->name != NULL; cmd++)
		if (strcmp(argv[1], cmd->name) == 0)
			break;
	if (cmd->name == NULL)
		stsctl_usage_die("account %s: unknown subcommand (add, set, del,"
		    " list, show, token)", argv[1]);
	memset(&o, 0, sizeof(o));
	o.req = json_object();
	/* argv + 1: getopt skips its argv[0], the subcommand. */
	account_parse(argc - 1, argv + 1, cmd->name, cmd->options, &o);
	name = account_operand(argc - 1, argv + 1, cmd->name, cmd->needs_name);
	if (name != NULL)
		json_object_set_new(o.req, "name",
		    account_str(name, "account name"));
	if (cmd->op == NULL)
		return account_token(&o);
	if (strcmp(cmd->name, "add") == 0 &&
	    json_object_get(o.req, "email") == NULL)
		stsctl_usage_die("account add: --email is needed");
	if (o.password_file != NULL) {
		pw = account_password_read(o.password_file);
		if (json_object_set_new(o.req, "password", json_string(pw)) < 0)
			stsctl_die("--password-file %s: not UTF-8 text",
			    o.password_file);
		OPENSSL_cleanse(pw, strlen(pw));
		free(pw);
	}
	if (strcmp(cmd->name, "list") == 0) {
		json_decref(o.req);
		account_output(account_list_all(), cmd->print);
		return 0;
	}
	json_object_set_new(o.req, "op", json_string(cmd->op));
	account_output(stsctl_call(o.req), cmd->print);
	return 0;
}
