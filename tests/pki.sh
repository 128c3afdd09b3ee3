# tests/pki.sh - a test certificate authority made with openssl(1).
# SPDX-License-Identifier: ISC
#
# Source after tests/lib.sh.
#	pki_ca DIR			make DIR/ca.pem and DIR/ca.key (ECDSA P-256)
#	pki_cert DIR NAME [DAYS] [SAN...]	issue DIR/NAME/{fullchain,privkey}.pem
#					for NAME (plus SANs), signed by the CA;
#					DAYS may be negative for an expired one
# The layout matches $queue_directory/certs/<host>/ so a test can copy a
# host's directory there as it is.

pki_ca() {
	local dir=$1
	mkdir -p "$dir"
	openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key" 2>/dev/null &&
	openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 3650 \
		-subj "/CN=stsd test CA $$" -out "$dir/ca.pem" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

pki_cert() {
	local dir=$1 name=$2 days=${3:-30}; shift 3 2>/dev/null || shift $#
	local out=$dir/$name san="DNS:$name" s start end
	for s in "$@"; do san="$san,DNS:$s"; done
	mkdir -p "$out"
	openssl ecparam -name prime256v1 -genkey -noout -out "$out/privkey.pem" 2>/dev/null || return 1
	openssl req -new -key "$out/privkey.pem" -subj "/CN=$name" \
		-out "$out/req.csr" 2>/dev/null || return 1
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
		"$san" >"$out/ext.cnf"
	if [ "$days" -lt 0 ]; then
		# Expired: valid from 2*|days| days ago until |days| days ago.
		# openssl x509 cannot set dates in the past; openssl ca can.
		start=$(date -u -d "$((2 * -days)) days ago" +%Y%m%d%H%M%SZ)
		end=$(date -u -d "$((-days)) days ago" +%Y%m%d%H%M%SZ)
		mkdir -p "$dir/db"
		: >"$dir/db/index.txt"
		[ -f "$dir/db/serial" ] || echo 1000 >"$dir/db/serial"
		printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s\nserial=%s\nnew_certs_dir=%s\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\n[p]\ncommonName=supplied\n' \
			"$dir/db/index.txt" "$dir/db/serial" "$dir/db" >"$dir/db/ca.cnf"
		openssl ca -batch -config "$dir/db/ca.cnf" -cert "$dir/ca.pem" \
			-keyfile "$dir/ca.key" -in "$out/req.csr" -startdate "$start" \
			-enddate "$end" -extfile "$out/ext.cnf" -notext \
			-out "$out/cert.pem" 2>/dev/null || return 1
	else
		openssl x509 -req -in "$out/req.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
			-CAcreateserial -days "$days" -sha256 \
			-extfile "$out/ext.cnf" -out "$out/cert.pem" 2>/dev/null || return 1
	fi
	cat "$out/cert.pem" "$dir/ca.pem" >"$out/fullchain.pem"
	rm -f "$out/req.csr" "$out/ext.cnf"
}
