#!/usr/bin/env bash
# Installs Debian's kubectl (package kubernetes-client, ~8 MB), which the kreg dump test runs as
# `kubectl apply --dry-run=client` against the loopback API stand-in. Does nothing when kubectl is
# already on the PATH.
set -euo pipefail
if command -v kubectl >/dev/null 2>&1; then
  exit 0
fi
SUDO=''
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq kubernetes-client >/dev/null
kubectl version --client 2>/dev/null | head -n 1
