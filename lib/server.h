/*
 * server - the worker side of the master protocol, for every daemon.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	static const struct server_hooks hooks = { pre_jail, post_jail,
 *	    wakeup, cleanup };
 *	int main(int argc, char **argv)
 *	{ return server_main(argc, argv, &hooks); }
 *
 *	server_service()	service name (master.cf column 1)
 *	server_type()		"inet" or "unix"
 *	server_nsockets()	number of listening sockets
 *	server_socket(i)	descriptor of listening socket i
 *	server_base()		the event_base of the process
 *	server_stop(status)	leave the event loop; server_main returns status
 *
 *	server_set_stop(stop)	stop gracefully on SIGTERM (see STOPPING)
 *	server_stopping()	1 once a graceful stop began
 *	server_idle()		nothing left in progress: leave the loop now
 *
 * DESCRIPTION
 *	stsd-master(8) starts a worker as
 *
 *	  stsd/COMMAND -c config_dir -n service -t inet|unix -s nsockets
 *	      [-u] [-r] [-e] [-v] [-o name=value]... -- [program arguments]
 *
 *	(argv[0] is "stsd/" and the command's name: see lib/proctitle.h;
 *	server_main() sets the process name, comm, to the same.)
 *
 *	-u: drop to mail_owner; -r: chroot to queue_directory; -v: verbose
 *	logging; -o: a parameter override, applied after main.cf is read.
 *	The log goes to maillog_file or syslog, and a copy to stderr
 *	(master's stderr under "master -f").  -e: stderr is a pipe that a
 *	daemon master reads and logs line by line (master_stderr.c), so the
 *	copy is not made; what reaches stderr otherwise (a sanitizer
 *	report, a failed assertion) is logged by master.
 *
 *	DESCRIPTOR CONVENTION.  Descriptor 3 is the read end of a pipe whose
 *	write end only master holds: nothing is ever written to it, and
 *	end-of-file means that master is gone, so the worker exits.
 *	Descriptors 4 to 4+nsockets-1 are the listening sockets of the
 *	service, in the order of its master.cf addresses, non-blocking,
 *	shared with the other processes of the service (an accept() may
 *	find nothing: EAGAIN).  master closes every other descriptor but
 *	0, 1 and 2 before exec.  SIGUSR1 arrives blocked and is unblocked
 *	once its handler is in place.
 *
 *	server_main() checks the descriptors, reads main.cf and the -o
 *	overrides, logs to maillog_file or syslog, changes its working
 *	directory to queue_directory, and calls in order:
 *	pre_jail(argc, argv) with the program arguments (argv[0] is the
 *	program; getopt is reset) while still root outside any chroot: open
 *	files and keys here; then privsep_drop(); then it creates the event
 *	base and calls post_jail(argc, argv): add events for the sockets
 *	here.  Because the working directory is queue_directory, chrooted
 *	or not, the sockets of other services are "private/NAME" (and
 *	"public/NAME") in every worker.  It runs the loop until SIGTERM, end-of-file on descriptor 3
 *	or server_stop(), then calls cleanup() and returns the exit status
 *	(0 after SIGTERM or when master is gone).  SIGUSR1 (sent by master
 *	every wakeup interval) calls wakeup().  Any hook may be NULL.
 *
 *	STOPPING.  By default SIGTERM leaves the loop at once.  A daemon
 *	that has conversations worth finishing calls server_set_stop(stop)
 *	(in post_jail, say); SIGTERM then calls stop(SERVER_STOP_BEGIN),
 *	which must stop accepting (disable the daemon's listening events:
 *	the sockets stay open, they are master's and the next process of
 *	the service takes the connections queued on them) and wind down
 *	what is in progress; the daemon calls server_idle() once nothing
 *	is left, which ends the loop after the callbacks of the current
 *	turn (server_idle() does nothing unless a stop is in progress, so
 *	a daemon may call it whenever it becomes idle).  When
 *	SERVER_STOP_GRACE seconds pass first, stop(SERVER_STOP_DEADLINE)
 *	cuts off what is left (a last reply to each client, say), and the
 *	loop ends at server_idle() or SERVER_STOP_LINGER_MS later, whatever
 *	comes first.  Both stay well inside master's MASTER_STOP_GRACE,
 *	after which master sends SIGKILL.  A second SIGTERM, SIGINT,
 *	server_stop() or end-of-file on descriptor 3 leaves the loop at
 *	once, as without stop().
 *
 * LIMITS
 *	SERVER_SOCKETS_MAX listening sockets; a graceful stop takes at most
 *	SERVER_STOP_GRACE seconds plus SERVER_STOP_LINGER_MS.
 *
 * DIAGNOSTICS
 *	Bad worker arguments, a missing descriptor and configuration errors
 *	are fatal (log_fatal, exit 1): master throttles the service.
 */
#ifndef STS_SERVER_H
#define STS_SERVER_H

#define SERVER_STATUS_FD	3	/* read end of master's status pipe */
#define SERVER_LISTEN_FD	4	/* first listening socket */
#define SERVER_SOCKETS_MAX	64
#define SERVER_STOP_GRACE	3	/* s from SIGTERM to the deadline */
#define SERVER_STOP_LINGER_MS	500	/* after it, for the last replies */

enum server_stop_phase {
	SERVER_STOP_BEGIN,		/* SIGTERM: stop accepting, wind down */
	SERVER_STOP_DEADLINE,		/* the grace is over: cut off the rest */
};

struct event_base;

struct server_hooks {
	void	(*pre_jail)(int argc, char **argv);
	void	(*post_jail)(int argc, char **argv);
	void	(*wakeup)(void);
	void	(*cleanup)(void);
};

int	server_main(int argc, char **argv, const struct server_hooks *);
const char *server_service(void);
const char *server_type(void);
int	server_nsockets(void);
int	server_socket(int index);
struct event_base *server_base(void);
void	server_stop(int status);
void	server_set_stop(void (*stop)(enum server_stop_phase));
int	server_stopping(void);
void	server_idle(void);

#endif
