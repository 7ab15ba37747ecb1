#!/usr/bin/env bash
# Installs the real FTP servers that the test fixtures in crates/testsrv start on loopback.
#
# Idempotent; run as root on Debian 12 (CI, a developer machine). Needs only Debian's package
# archive. What it leaves behind:
#   - vsftpd, openssl, curl and picocom (the README's terminal, run by a test) installed with
#     apt (vsftpd's own service is not started: the tests
#     run their own instances with throwaway configs);
#   - pure-ftpd unpacked (not installed: it conflicts with vsftpd on `ftp-server`) under
#     /opt/ftpmodem-test/pure-ftpd, binary /opt/ftpmodem-test/pure-ftpd/usr/sbin/pure-ftpd,
#     with its runtime libraries installed with apt;
#   - proftpd (package proftpd-core, unpacked the same way: its Debian package pulls in
#     debconf-driven service setup the tests do not want) under /opt/ftpmodem-test/proftpd,
#     binary /opt/ftpmodem-test/proftpd/usr/sbin/proftpd, with its runtime libraries
#     (libhiredis0.14, libmemcached11, libmemcachedutil2, libhashkit2, libpcre2-posix3, ...)
#     installed with apt;
#   - the local user `uftp` (password 12341, home /home/uftp, shell /bin/bash) with
#     /home/uftp/test owned by it, accepted by vsftpd's PAM stack, by pure-ftpd `-l unix` and by
#     proftpd's mod_auth_unix;
#   - the `ftp` user (anonymous logins) with an existing home.
set -euo pipefail

PUREFTPD_DIR=/opt/ftpmodem-test/pure-ftpd
PUREFTPD_BIN=$PUREFTPD_DIR/usr/sbin/pure-ftpd
PUREFTPD_DEB=/opt/ftpmodem-test/pure-ftpd.deb
PROFTPD_DIR=/opt/ftpmodem-test/proftpd
PROFTPD_BIN=$PROFTPD_DIR/usr/sbin/proftpd
PROFTPD_DEB=/opt/ftpmodem-test/proftpd.deb
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ]; then
    echo "install-test-servers.sh: must run as root" >&2
    exit 1
fi

log() { echo "install-test-servers: $*"; }

apt_updated=no
apt_update_once() {
    if [ "$apt_updated" = no ]; then
        log "apt-get update"
        apt-get update -qq
        apt_updated=yes
    fi
}

# --- apt packages -----------------------------------------------------------------------------
missing=()
for pkg in vsftpd openssl curl ca-certificates picocom python3 python3-pytest; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    apt_update_once
    log "installing ${missing[*]}"
    # policy-rc.d-less containers: the package's service start is harmless (no init system) or
    # blocked; the tests never use the system instance.
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- pure-ftpd and proftpd, unpacked -----------------------------------------------------------
# unpack PKG DIR DEB: downloads Debian's package PKG and unpacks it (not installed) into DIR,
# keeping the .deb as DEB; then installs with apt the libraries the package declares and checks
# with ldd that the binary BIN resolves all of them.
unpack() {
    local pkg=$1 dir=$2 deb=$3 bin=$4
    if [ ! -x "$bin" ]; then
        apt_update_once
        local tmp
        tmp=$(mktemp -d)
        chmod 755 "$tmp"
        chown _apt "$tmp" 2>/dev/null || true # apt downloads as _apt when it can
        log "downloading $pkg"
        (cd "$tmp" && apt-get download "$pkg")
        rm -rf "$dir"
        mkdir -p "$dir"
        cp "$tmp"/"$pkg"_*.deb "$deb"
        rm -rf "$tmp"
        dpkg -x "$deb" "$dir"
    fi
    if [ ! -x "$bin" ]; then
        echo "install-test-servers.sh: $bin missing after unpacking" >&2
        exit 1
    fi

    # Runtime libraries: the unpacked binary has no dependency resolution of its own. Install
    # the libraries the package declares, then check with ldd that nothing is left unresolved.
    # (ldd's output is captured first: with pipefail, `ldd | grep -q` can fail on SIGPIPE.)
    if [ -n "$(missing_libs "$bin")" ]; then
        apt_update_once
        local deps libs
        deps=$(dpkg-deb -f "$deb" Depends 2>/dev/null || true)
        if [ -z "$deps" ]; then
            deps=$(apt-cache depends "$pkg" 2>/dev/null | awk '/Depends:/ {print $2}' | grep -v '^<' | tr '\n' ',' || true)
        fi
        # Only the libraries not installed yet: naming an installed one would upgrade it.
        libs=$(echo "$deps" | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | grep -E '^lib' | sort -u || true)
        libs=$(for l in $libs; do
            st=$(dpkg-query -W -f='${Status}' "$l" 2>/dev/null || true)
            [ "$st" = "install ok installed" ] || echo "$l"
        done)
        if [ -n "$libs" ]; then
            log "installing $pkg runtime libraries: $(echo $libs)"
            # shellcheck disable=SC2086
            apt-get install -y --no-install-recommends $libs
        fi
    fi
    local still
    still=$(missing_libs "$bin")
    if [ -n "$still" ]; then
        echo "$still" >&2
        echo "install-test-servers.sh: $pkg still misses the libraries above" >&2
        exit 1
    fi
}
missing_libs() { ldd "$1" 2>&1 | grep 'not found' || true; }

unpack pure-ftpd "$PUREFTPD_DIR" "$PUREFTPD_DEB" "$PUREFTPD_BIN"
unpack proftpd-core "$PROFTPD_DIR" "$PROFTPD_DEB" "$PROFTPD_BIN"

# --- users ------------------------------------------------------------------------------------
grep -qx /bin/bash /etc/shells || echo /bin/bash >>/etc/shells

if ! getent passwd ftp >/dev/null; then
    log "creating user ftp"
    mkdir -p /srv/ftp
    useradd --system --home-dir /srv/ftp --shell /usr/sbin/nologin ftp
fi
ftp_home=$(getent passwd ftp | cut -d: -f6)
# vsftpd and pure-ftpd refuse anonymous logins when the home is missing; it stays root-owned (vsftpd and
# pure-ftpd both dislike a writable anonymous root).
mkdir -p "$ftp_home"
chown root:root "$ftp_home"
chmod 755 "$ftp_home"

if ! getent passwd uftp >/dev/null; then
    log "creating user uftp"
    useradd --create-home --home-dir /home/uftp --shell /bin/bash uftp
fi
usermod --shell /bin/bash uftp >/dev/null 2>&1 || true
echo 'uftp:12341' | chpasswd
mkdir -p /home/uftp/test
chown uftp:uftp /home/uftp /home/uftp/test
chmod 755 /home/uftp /home/uftp/test

# vsftpd's PAM stack denies users listed in /etc/ftpusers and users whose shell is not in
# /etc/shells (checked above).
if [ -f /etc/ftpusers ] && grep -qx uftp /etc/ftpusers; then
    sed -i '/^uftp$/d' /etc/ftpusers
fi
if [ ! -f /etc/pam.d/vsftpd ]; then
    echo "install-test-servers.sh: /etc/pam.d/vsftpd missing (vsftpd package broken?)" >&2
    exit 1
fi

# vsftpd refuses to start without its default secure_chroot_dir even though the fixtures set
# their own; creating it is harmless.
mkdir -p /var/run/vsftpd/empty

# --- pytest ---------------------------------------------------------------------------------------
# docs/CONTROL.md's pytest fixture runs in a test (control_socket) with the python3 first on
# PATH; Debian's python3-pytest covers /usr/bin/python3, pip the others (a pyenv one).
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import pytest' 2>/dev/null; then
    log "pip install pytest for $(command -v python3)"
    python3 -m pip install --quiet --disable-pip-version-check pytest
fi

log "vsftpd: $(command -v vsftpd || echo /usr/sbin/vsftpd)"
log "pure-ftpd: $PUREFTPD_BIN"
log "proftpd: $PROFTPD_BIN"
log "done"
