/*
 * certstore - where the certificates of the hosted hosts live, how
 * healthy each is, and the public part of acmed's state.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	char *dir = certstore_dir();	$queue_directory/certs (xmalloc'd)
 *	certstore_leaf_read(dir, host, &leaf, &err)	0, or -1 with err
 *	certstore_leaves(dir, fn, arg)	fn(host, &leaf, arg) for each host
 *	certstore_health(not_after, now, warning)	ok, warning, expired
 *	certstore_health_name(h)	"ok", "warning", "expired"
 *	certstore_host_ok(host)		a name that is safe as a directory
 *	char *p = certstore_path(dir, host, CERTSTORE_CHAIN)	dir/HOST/FILE
 *	char *d = certstore_dir_under(top)	top/certs, or certs (NULL)
 *	char *o = certstore_old_dir()	$data_directory/certs (before)
 *	certstore_install(dir, host, key_pem, chain_pem, &err)	acmed
 *
 *	char *s = certstore_state_path()	acmed's state file
 *	char *a = certstore_acme_dir()		$data_directory/acme
 *	state = certstore_state_load(path)	acmed: {} when absent or bad
 *	certstore_state_save(path, state, &err)	acmed: atomically
 *	certstore_state_read(&state, &err)	readers: 0, 1 absent ({}), -1
 *	certstore_state_host(state, host, &acme)	one host's public part
 *	certstore_acme_get(st, &acme)		the same of its object st
 *	certstore_acme_set_leaf/_state/_installed/_failed(st, ...)	acmed
 *
 * DESCRIPTION
 *	A host's certificate is CERTSTORE_DIR/HOST/CERTSTORE_CHAIN (the
 *	leaf first, then its chain) and CERTSTORE_DIR/HOST/CERTSTORE_KEY
 *	(mode 0600, owner mail_owner), the names certbot uses.  The
 *	directory is under queue_directory, inside the chroot of httpd,
 *	which opens it after the chroot and holds no descriptor of
 *	anything outside; acmed writes it, an operator installs by hand
 *	there.  Every program finds it with certstore_dir(); the layout
 *	is this module's, not each program's.
 *
 *	certstore_install() writes HOST's key and chain under temporary
 *	names (each fsync'd), renames the key first and the chain second,
 *	then fsyncs the directory of the host and the store: a reader that
 *	finds a key that does not match the chain (between the two renames)
 *	must keep what it has and look again (httpd checks the pair with
 *	X509_check_private_key()).  The host's directory is made with mode
 *	CERTSTORE_DIR_MODE, the key CERTSTORE_KEY_MODE, the chain
 *	CERTSTORE_CHAIN_MODE.  Before the store moved into queue_directory
 *	(inside the chroot of httpd) it was certstore_old_dir(); stsd check
 *	moves what it finds there.
 *
 *	certstore_leaf_read() reads the first certificate of HOST's chain
 *	and gives its validity, issuer and whether it names host (RFC
 *	6125 DNS-ID).  It does not need the key.  certstore_leaves() calls
 *	fn for each host directory of dir (in readdir order) whose leaf it
 *	can read, and passes over the others: the callers that list the
 *	store (metrics, stsctl cert list) show what is there, while stsd
 *	check says why a host is unreadable.  It returns -1 with errno
 *	when dir cannot be opened, else 0.
 *
 *	certstore_health() says what cert_warning_time makes of a
 *	certificate that is valid until not_after: expired once
 *	not_after is past, warning when less than warning seconds are
 *	left, ok otherwise.
 *
 *	acmed's state file, $data_directory/CERTSTORE_ACME_DIR/
 *	CERTSTORE_STATE, is one JSON object with one object per host that
 *	acmed manages.  Its public part, what stsctl cert list, stsd check
 *	and the dashboard read (certstore_state_host() gives it), is stable:
 *	  "state"	  "valid", "pending", "failed" (acmed's last order)
 *	  "not_after"	  end of validity of the certificate installed
 *	  "issuer"	  its issuer, as X509_NAME_oneline() writes it
 *	  "last_error"	  why the last order failed, or null
 *	  "last_success"  when a certificate was last installed
 *	  "next_try"	  when acmed tries again after a failure
 *	  "failures"	  failed orders since the last success
 *	All times are epoch seconds.  acmed keeps more keys there for
 *	itself ("not_before", "last_problem", "updated"); readers may show
 *	the whole object (stsctl cert list --json) but rely on the above
 *	only.  acmed loads and saves the file with certstore_state_load()
 *	and certstore_state_save() (atomic, mode 0644) and writes a host's
 *	object with the certstore_acme_set_*() functions: the certificate
 *	in place (_leaf), an order under way (_state "pending"), a
 *	certificate installed (_installed: valid, no failures, no error),
 *	a failed order (_failed: the count, when to try again, the error
 *	and the CA's problem type); readers use
 *	certstore_state_read(), which gives an empty object and returns 1
 *	when the file does not exist yet.
 *
 * LIMITS
 *	CERTSTORE_FILE_MAX bytes per file read (a certificate or the state
 *	file).
 *
 * DIAGNOSTICS
 *	certstore_leaf_read(), certstore_install(), certstore_state_save()
 *	and certstore_state_read() name the file and the cause in err:
 *	"PATH: not a JSON object: TEXT (line N)".  certstore_state_load()
 *	logs a warning for a file it cannot use and starts afresh.
 */
#ifndef STS_CERTSTORE_H
#define STS_CERTSTORE_H

#include <jansson.h>

#include "buf.h"

#define CERTSTORE_DIR		"certs"		/* under queue_directory */
#define CERTSTORE_OLD_DIR	"certs"		/* data_directory, formerly */
#define CERTSTORE_CHAIN		"fullchain.pem"	/* the names certbot uses */
#define CERTSTORE_KEY		"privkey.pem"
#define CERTSTORE_DIR_MODE	0700		/* a host's directory */
#define CERTSTORE_KEY_MODE	0600
#define CERTSTORE_CHAIN_MODE	0644
#define CERTSTORE_TMP_SUFFIX	".acmed-tmp"	/* while certstore_install() */
#define CERTSTORE_ACME_DIR	"acme"		/* under data_directory */
#define CERTSTORE_STATE		"state.json"	/* in CERTSTORE_ACME_DIR */
#define CERTSTORE_STATE_MODE	0644
#define CERTSTORE_FILE_MAX	(1024 * 1024)
#define CERTSTORE_ISSUER_MAX	256

enum certstore_health {
	CERTSTORE_OK,
	CERTSTORE_WARNING,	/* expires within cert_warning_time */
	CERTSTORE_EXPIRED,
};

/* The public part of acmed's state of one host (see DESCRIPTION). */
struct certstore_acme {
	const char *state;		/* NULL: none */
	const char *last_error;		/* NULL: none */
	const char *issuer;		/* NULL: none */
	long long not_after;		/* 0: none */
	long long last_success;
	long long next_try;
	long long failures;
};

struct certstore_leaf {
	long long not_before;	/* epoch seconds */
	long long not_after;
	char	 issuer[CERTSTORE_ISSUER_MAX];
	int	 names_host;
};

char	*certstore_dir(void);
char	*certstore_dir_under(const char *top);
char	*certstore_old_dir(void);
char	*certstore_path(const char *dir, const char *host, const char *file);
int	certstore_install(const char *dir, const char *host,
	    const char *key_pem, const char *chain_pem, struct buf *err);
char	*certstore_acme_dir(void);
char	*certstore_state_path(void);
json_t	*certstore_state_load(const char *path);
int	certstore_state_save(const char *path, json_t *state, struct buf *err);
int	certstore_state_read(json_t **state, struct buf *err);
int	certstore_state_host(json_t *state, const char *host,
	    struct certstore_acme *);
int	certstore_acme_get(json_t *st, struct certstore_acme *);
void	certstore_acme_set_leaf(json_t *st, long long not_before,
	    long long not_after, const char *issuer);
void	certstore_acme_set_state(json_t *st, const char *state, int if_none);
void	certstore_acme_set_installed(json_t *st, long long now);
void	certstore_acme_set_failed(json_t *st, long long failures,
	    long long next_try, const char *error, const char *problem,
	    long long now);
typedef void certstore_leaf_fn(const char *host,
	    const struct certstore_leaf *, void *arg);

int	certstore_host_ok(const char *host);
int	certstore_leaves(const char *dir, certstore_leaf_fn *, void *arg);
int	certstore_leaf_read(const char *dir, const char *host,
	    struct certstore_leaf *, struct buf *err);
enum certstore_health certstore_health(long long not_after, long long now,
	    long long warning);
const char *certstore_health_name(enum certstore_health);

#endif
