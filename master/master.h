/*
 * master.h - what the modules of master share.
 * SPDX-License-Identifier: ISC
 *
 * master.c		options, start-up, daemonizing, signals, stop
 * master_lock.c	the pid file and its lock
 * master_listen.c	binding and removing the listening sockets
 * master_service.c	services: start, spawn, reap, throttle, wakeup, retire
 * master_reload.c	SIGHUP: compare the new main.cf and master.cf with the
 *			running ones
 * master_status.c	the services file for "stsd status"
 * master_stderr.c	the stderr of each worker, to the log (daemon mode)
 */
#ifndef STS_MASTER_H
#define STS_MASTER_H

#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "mastercf.h"
#include "params.h"

#define MASTER_STOP_GRACE	5	/* seconds from SIGTERM to SIGKILL */
#define MASTER_PID_FILE		"pid/master.pid"
#define MASTER_SERVICES_FILE	"pid/services"
#define MASTER_STDERR_LINE_MAX	400	/* octets of a worker's stderr line */
#define MASTER_STDERR_BURST	200	/* stderr lines logged at once ... */
#define MASTER_STDERR_RATE	1	/* ... and then a second, per service */

struct event;
struct event_base;
struct master_service;

struct master_proc {
	pid_t	 pid;
	time_t	 started;
	struct master_service *svc;
	char	*command;		/* for the log: the program's name */
	int	 err_fd;		/* read end of its stderr pipe, or -1 */
	struct event *err_ev;
	char	 err_line[MASTER_STDERR_LINE_MAX];	/* a partial line */
	size_t	 err_len;
	size_t	 err_cut;		/* octets of the line beyond the cap */
	struct master_proc *next;
};

struct master_service {
	char	*name;
	enum mastercf_type type;
	const struct mastercf_service *conf;	/* NULL while retiring */
	int	*fds;			/* listening sockets */
	int	 nfds;
	char	*socket_paths[2];	/* unix: to remove when done */
	struct master_proc *procs;
	int	 nproc;
	int	 fast_deaths;		/* exits in a row before crash time */
	int	 restarts;
	int	 throttled;
	int	 waiting;		/* for the retired one of its name */
	time_t	 throttled_since;
	struct event *ev_throttle;
	struct event *ev_wakeup;
	struct event *ev_kill;		/* retiring: SIGKILL after the grace */
	int	 err_tokens;		/* stderr lines it may log now */
	time_t	 err_refilled;		/* when err_tokens last grew */
	unsigned long err_dropped;	/* stderr lines over the budget */
	struct master_service *next;
};

struct master_state {
	char	*config_dir;		/* absolute */
	char	*queue_dir;		/* at start-up; the pid file lives here */
	int	 foreground;
	struct mastercf *table;
	char	*params;		/* main.cf as the services read it */
	struct master_service *services;
	struct event_base *base;
	int	 status_pipe[2];	/* read end for the workers */
	int	 lock_fd;
	int	 stopping;
};

extern struct master_state master;

/* master_lock.c */
int	master_lock_take(struct buf *err);
int	master_lock_test(const char *queue_dir);
void	master_lock_release(void);

/* master_listen.c */
int	master_listen(struct master_service *, const struct mastercf_service *,
	    struct buf *err);
void	master_unlisten(struct master_service *);

/* master_service.c */
struct master_service *master_service_new(const struct mastercf_service *,
	    struct master_service *take_sockets_from, struct buf *err);
void	master_service_run(struct master_service *);
void	master_service_retire(struct master_service *);
void	master_service_free(struct master_service *);
void	master_reap(void);
void	master_stop_all(void);

/* master_reload.c */
void	master_reload_snapshot(void);
void	master_reload(void);

/* master_stderr.c */
int	master_stderr_pipe(int fds[2]);
void	master_stderr_child(const int fds[2]);
void	master_stderr_watch(struct master_proc *, int fds[2]);
void	master_stderr_close(struct master_proc *);
void	master_stderr_feed(struct master_proc *, const char *, size_t);
void	master_stderr_budget_init(struct master_service *);

/* master_status.c */
void	master_status_write(void);
void	master_status_remove(void);

#endif
