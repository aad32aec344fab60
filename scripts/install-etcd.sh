#!/usr/bin/env bash
# Installs Debian's etcd (server and etcdctl), which the tests start on loopback ports.
# Does nothing when both are already on the PATH.
set -euo pipefail
if command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1; then
  exit 0
fi
SUDO=''
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq etcd-server etcd-client >/dev/null
# The package starts a system etcd on 2379 where it can; the tests never use it.
etcd --version | head -n 1
