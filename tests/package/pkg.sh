# tests/package/pkg.sh - the Debian package for the package tests
# (deb.t, walkthrough.t): who may install it, one build per source tree,
# install and purge.
# SPDX-License-Identifier: ISC
#
# Source after tests/lib.sh.
#
#	pkg_require CMD...	skip unless asked to (CI=true or
#				STSD_TEST_PACKAGE=1), root, CMD installed, and
#				no stsd package or instance here; then holds
#				PKG_LOCK until exit, so that two package tests
#				(from two trees) never install at once
#	pkg_build DIR		the .deb of this source tree: built in DIR by
#				dpkg-buildpackage, or the one built before from
#				the same files; sets PKG_DEB and PKG_CHANGES,
#				PKG_CACHED=1 when reused; false on failure
#				(the build log is DIR/build.log)
#	pkg_install		apt-get install "$PKG_DEB"; stop and purge at
#				exit; false on failure (DIR/install.log)
#	pkg_built DIR WHAT	pkg_build DIR as one case, WHAT; on failure the
#				build's errors, and the script ends
#	pkg_installed		pkg_install as one case; on failure the end
#				of its log, and the script ends
#
# tests/run runs scripts one after another; the lock covers runs of
# other trees on the same machine.  A build is kept under
# $BUILDDIR/tests/package-deb/HASH, HASH being the SHA-256 of the copied
# source tree (paths and contents), and only the newest is kept.

PKG_LOCK=/run/lock/stsd-package-test.lock
PKG_LOCK_WAIT=600		# seconds to wait for another package test

pkg_require() {
	local c d
	[ "${CI:-}" = true ] || [ "${STSD_TEST_PACKAGE:-}" = 1 ] ||
		skip_all "installs a package on this machine: set STSD_TEST_PACKAGE=1 (CI=true runs it)"
	[ "$(id -u)" = 0 ] || skip_all "needs root to install a package"
	for c in dpkg-buildpackage dh apt-get flock "$@"; do
		command -v "$c" >/dev/null ||
			skip_all "$c is not installed (scripts/deps test)"
	done
	mkdir -p "${PKG_LOCK%/*}" && exec {PKG_LOCK_FD}>"$PKG_LOCK"
	if ! flock -w "$PKG_LOCK_WAIT" "$PKG_LOCK_FD"; then
		fail "another package test held $PKG_LOCK for ${PKG_LOCK_WAIT}s"
		done_testing
	fi
	if dpkg-query -W -f='${Status}' stsd 2>/dev/null | grep -q installed; then
		skip_all "the stsd package is installed on this machine already"
	fi
	for d in /etc/stsd /var/lib/stsd /var/spool/stsd; do
		[ -e "$d" ] && skip_all "$d exists: an instance this test must not touch"
	done
	PKG_USER_BEFORE=$(getent passwd stsd)
}

# The source tree as git knows it (tracked and new files, not the
# ignored build products), or else the release tarball of the build.
pkg_copy_source() {
	local src=$1
	mkdir -p "$src"
	if git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$SRCDIR" && git ls-files -co --exclude-standard |
		    while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
		    tar -cf - -T -) | tar -xf - -C "$src"
	else
		make -C "$BUILDDIR" dist >"$src.dist.log" 2>&1 &&
		    tar -xzf "$BUILDDIR"/stsd-*.tar.gz -C "$src" --strip-components=1
	fi
}

pkg_tree_hash() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum) | sha256sum | cut -c1-16
}

pkg_build() {
	local dir=$1 src=$1/stsd hash cache=$BUILDDIR/tests/package-deb
	PKG_DIR=$dir
	pkg_copy_source "$src"
	[ -f "$src/debian/rules" ] || return 1
	hash=$(pkg_tree_hash "$src")
	PKG_CACHED=0
	if ! ls "$cache/$hash"/stsd_*.deb >/dev/null 2>&1; then
		(cd "$src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$(nproc)" \
		    dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1 || return 1
		rm -rf "$cache"
		mkdir -p "$cache/$hash"
		cp "$dir"/stsd_* "$cache/$hash/" || return 1
	else
		PKG_CACHED=1
	fi
	PKG_DEB=$(ls "$cache/$hash"/stsd_*.deb | head -1)
	PKG_CHANGES=$(ls "$cache/$hash"/stsd_*.changes | head -1)
	[ -f "$PKG_DEB" ]
}

pkg_cleanup() {
	[ -x /usr/sbin/stsd ] && /usr/sbin/stsd stop
	apt-get purge -y stsd
	rm -rf /var/lib/stsd /var/spool/stsd /etc/stsd
	[ -n "$PKG_USER_BEFORE" ] || { deluser --system stsd; delgroup --system stsd; }
}

pkg_install() {
	PKG_LOG=$PKG_DIR/install.log
	at_exit pkg_cleanup
	apt-get install -y "$PKG_DEB" >"$PKG_LOG" 2>&1
}

pkg_built() {
	if pkg_build "$1"; then
		pass "$2"
		if [ "$PKG_CACHED" = 1 ]; then
			note "the same tree was built before: $PKG_DEB"
		fi
	else
		fail "$2"
		grep -E 'error|Error' "$1/build.log" | head -20 | sed 's/^/# /'
		done_testing
	fi
}

pkg_installed() {
	if pkg_install; then
		pass "apt-get install the .deb"
	else
		fail "apt-get install the .deb"
		tail -20 "$PKG_LOG" | sed 's/^/# /'
		done_testing
	fi
}
