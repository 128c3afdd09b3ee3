#!/bin/bash
# tests/policyd/stop.t - policyd stops gracefully on SIGTERM ("stsd
# stop", or a reload that restarts it): a reply still queued when the
# signal comes is sent in full, so that a client never sees an error
# for a change that was made; an idle client is closed; policyd exits
# at once after that, and master's next policyd has the change.
# SPDX-License-Identifier: ISC
#
# The reply is queued for sure: the request carries an "id" (copied into
# the reply) larger than a socket buffer, and the client reads nothing
# until after SIGTERM.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need stsd stsctl stsconf
perl -MIO::Socket::UNIX -e 1 2>/dev/null || skip_all "perl IO::Socket::UNIX is missing"
t_stsd_user

t=$(t_tmpdir)
inst_policyd "$t/i"
Q=$(inst_param queue_directory)
LOG=$(inst_param maillog_file)
pid=$(inst_pid policyd)

# The client: an idle connection, and one that sends a domain-add whose
# reply does not fit in the socket; SIGTERM once policyd has handled it,
# then read.  Prints what each read: the size of the reply line and
# whether it is complete, or "EOF".
out=$(perl -MIO::Socket::UNIX -MIO::Select -e '
	my ($path, $pid, $log) = @ARGV;
	my @c = map { IO::Socket::UNIX->new(Peer => $path) or die "connect: $!\n" } 1 .. 2;
	my $id = "x" x (768 * 1024);
	my $req = qq({"op":"domain-add","domain":"stop.example","mx":["mx.stop.example"],"id":"$id"}\n);
	for (my $off = 0; $off < length $req; ) {
		my $n = syswrite($c[1], $req, length($req) - $off, $off);
		die "write: $!\n" unless defined $n;
		$off += $n;
	}
	for (1 .. 50) {		# until policyd logs the change
		last if `grep -c "stop.example: added" $log` > 0;
		select(undef, undef, undef, 0.1);
	}
	kill "TERM", $pid;
	select(undef, undef, undef, 0.5);
	for my $i (1, 0) {
		my ($got, $buf) = ("");
		my $sel = IO::Select->new($c[$i]);
		while ($sel->can_read(5)) {
			last unless sysread($c[$i], $buf, 65536);
			$got .= $buf;
		}
		my $what = $got eq "" ? "EOF" : length($got) . " bytes" .
		    ($got =~ /^\{"ok":true,/ && $got =~ /\}\n\z/ &&
		    index($got, qq("id":"$id")) >= 0 ? ", complete" : ", truncated");
		print(($i ? "request: " : "idle: "), $what, "\n");
	}
' "$Q/public/policyd" "$pid" "$LOG" 2>&1)
note "$out"
like "$(grep '^request: ' <<<"$out")" '^request: [0-9]+ bytes, complete$' \
    "a reply queued when SIGTERM comes is sent in full"
is "$(grep '^idle: ' <<<"$out")" "idle: EOF" "an idle client is closed"
gone() { ! kill -0 "$pid" 2>/dev/null; }
ok "policyd exits" wait_until 2 gone
ok "master starts a new policyd" wait_until 10 quiet $STSCTL domain list
like "$($STSCTL domain list)" 'stop\.example' "the change that was answered is there"
unlike "$(grep "policyd\[$pid\]" "$LOG")" \
    'last replies not sent|still busy' "policyd did not need the deadline"

inst_stop
done_testing
