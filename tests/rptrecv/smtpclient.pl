#!/usr/bin/perl
# smtpclient.pl - a raw SMTP client for the rptrecv tests: sends exactly
# the bytes it is given, including the malformed ones that real clients
# refuse to send.
#
#   smtpclient.pl PORT raw [WAIT]	send stdin as it is, then print what
#					the server says until it closes or is
#					silent for WAIT seconds (default 5)
#   smtpclient.pl PORT many N [HOLD]	open N connections at once, read
#					each first reply, keep them HOLD
#					seconds, print "CODE COUNT" lines
#   smtpclient.pl PORT silent SECS	connect, say nothing, print what
#					the server says within SECS seconds
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my ($port, $mode, @args) = @ARGV;
die "usage: $0 PORT raw|many|silent ...\n" unless $port && $mode;

sub connect_one {
	return IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
	    Proto => "tcp", Timeout => 10);
}

# Read from $s until EOF or $wait seconds without data; return the text.
sub drain {
	my ($s, $wait) = @_;
	my $sel = IO::Select->new($s);
	my $got = "";
	while ($sel->can_read($wait)) {
		my $buf;
		my $n = sysread($s, $buf, 65536);
		last unless $n;
		$got .= $buf;
	}
	return $got;
}

if ($mode eq "raw") {
	my $wait = $args[0] // 5;
	my $s = connect_one() or die "connect: $!\n";
	binmode STDIN;
	local $/;
	my $data = <STDIN> // "";
	$SIG{PIPE} = "IGNORE";
	my $off = 0;
	my $sel = IO::Select->new($s);
	my $got = "";
	# Write and read at the same time, so that a large input cannot
	# deadlock against replies the server sends meanwhile.
	while ($off < length($data)) {
		my ($r, $w) = IO::Select->select($sel, $sel, undef, 10);
		last unless defined $r || defined $w;
		if ($r && @$r) {
			my $buf;
			my $n = sysread($s, $buf, 65536);
			if (!$n) { $off = length($data); last; }
			$got .= $buf;
		}
		if ($w && @$w) {
			my $n = syswrite($s, $data, 65536, $off);
			last unless defined $n;
			$off += $n;
		}
	}
	$got .= drain($s, $wait);
	$got =~ s/\r\n/\n/g;
	print $got;
} elsif ($mode eq "many") {
	my ($n, $hold) = ($args[0], $args[1] // 0);
	my @socks;
	for (1 .. $n) {
		my $s = connect_one();
		push @socks, $s if $s;
	}
	my %count;
	$count{"noconnect"} = $n - @socks if @socks < $n;
	for my $s (@socks) {
		my $line = "";
		my $sel = IO::Select->new($s);
		while ($line !~ /\n/ && $sel->can_read(20)) {
			my $buf;
			my $r = sysread($s, $buf, 512);
			last unless $r;
			$line .= $buf;
		}
		my $code = $line =~ /^(\d{3})[ -]/ ? $1 : "none";
		$count{$code}++;
	}
	sleep $hold if $hold;
	print "$_ $count{$_}\n" for sort keys %count;
	$SIG{PIPE} = "IGNORE";
	for my $s (@socks) { syswrite($s, "QUIT\r\n"); close $s; }
} elsif ($mode eq "silent") {
	my $s = connect_one() or die "connect: $!\n";
	my $t0 = time;
	my $got = drain($s, $args[0] // 10);
	$got =~ s/\r\n/\n/g;
	print $got;
	printf "# closed after %.1f s\n", time - $t0;
} else {
	die "$0: unknown mode $mode\n";
}
