# tests/webd/off.t - with portal_enabled = no (the default) a request
# for portal_hostname gets httpd's 404, as any host without a policy,
# the policy hosts are served as before, and webd, running, answers 404
# to what reaches it anyway.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl

t=$(t_tmpdir)
portal_start "$t/i" portal_enabled=no
is "$(inst_param portal_enabled)" no "portal_enabled = no"

head=$(web -D - -o "$t/body" /)
like "$head" '^HTTP/1.1 404 ' "GET / of portal_hostname: 404"
unlike "$head" 'Set-Cookie' "... no session"
unlike "$(cat "$t/body")" '<form' "... no sign-in form"
is "$(web -H "Authorization: Bearer $TOK_A" -o /dev/null -w '%{http_code}' /api/v1/domains)" 404 \
	"the API of portal_hostname: 404"
is "$(curl -s --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS_PORT:127.0.0.1" \
	-o /dev/null -w '%{http_code}' "https://mta-sts.a.example:$HTTPS_PORT/.well-known/mta-sts.txt")" \
	200 "the policy host is served"
ok "webd says it answers 404" wait_until 5 grep -q 'webd\[[0-9]*\]: portal_enabled = no: every request gets 404' \
	"$I/log/stsd.log"
out=$(printf 'STSD-PORTAL/1 192.0.2.1:1\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n' |
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read()); s.shutdown(socket.SHUT_WR)
print(s.recv(4096).decode().split("\r\n")[0])' "$(inst_param queue_directory)/private/webd" 2>&1)
is "$out" "HTTP/1.1 404 Not Found" "webd itself: 404"
portal_sanitizers
done_testing
