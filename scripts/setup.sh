#!/bin/sh
# Idempotent set-up for a fresh Debian 12 machine with Node 20: the system packages the tests and
# the assessment use, the npm dependencies (npm ci, only when the lock file changed), and the build.
# Safe to run again; fast when everything is already there.
set -eu
cd "$(dirname "$0")/.."

# rpm, sshd, named-checkzone and dpkg are oracles for the tests; bird2/nsd/dnsutils/iproute2 run
# the anycast lab and exabgp its ExaBGP backend test; chromium renders the HTML report for the browser tests.
apt_packages="rpm openssh-server bind9-utils bird2 nsd dnsutils iproute2 chromium exabgp"
missing=""
for pkg in $apt_packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = "none" ]; then
    echo "setup: missing Debian packages:$missing (run as root to install them)" >&2
  else
    echo "setup: installing$missing" >&2
    $sudo apt-get update -qq
    # A policy-rc.d that answers 101 keeps the packages' scripts from starting their daemons
    # (sshd, bird, nsd) on this machine: the tests start their own, inside namespaces.
    policy=/usr/sbin/policy-rc.d
    created_policy=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
      $sudo chmod 755 "$policy"
      created_policy=yes
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
    [ -z "$created_policy" ] || $sudo rm -f "$policy"
  fi
fi

stamp=node_modules/.preflight-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
npm run --silent build
