#!/usr/bin/env bash
# The package as a user gets it: pack (which builds first), install the tarball into an empty
# prefix, and run the installed kreg on the sample data; then install it as a library-only consumer
# would (--omit=optional: no gRPC), import decode() and decode the sample. Prints both install
# sizes, and fails if the library-only one reaches 15 MB. Run by CI after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
listing=$(tar -tzf "$work/$tarball")
echo "packed $tarball: $(wc -l <<<"$listing") files, $(du -k "$work/$tarball" | cut -f1) KiB"
if grep -q '\.map$' <<<"$listing"; then echo 'the package ships source maps of unshipped sources' >&2; exit 1; fi
for required in package/LICENSE package/README.md package/CHANGELOG.md package/bin/kreg.js package/dist/src/index.d.ts package/proto/kubernetes-v1.36.json package/proto/kubernetes-releases.json; do
  grep -qx "$required" <<<"$listing" || { echo "the package lacks $required" >&2; exit 1; }
done
npm install --global --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$work/$tarball"
kreg="$work/prefix/bin/kreg"
"$kreg" --version
"$kreg" decode examples/deployment.pb | grep -q '^kind: Deployment$'
"$kreg" ls --snapshot examples/demo-cluster.db | grep -q '^deployments '
full=$(du -sh "$work/prefix/lib/node_modules/kreg" | cut -f1)
echo "installed: $full with its dependencies; kreg runs from the package"

# A library user who only decodes: npm i kreg --omit=optional leaves out gRPC (and etcd3 is no dependency at all).
lib="$work/library-consumer"
mkdir -p "$lib"
printf '{ "name": "library-consumer", "private": true, "type": "module" }\n' >"$lib/package.json"
(cd "$lib" && npm install --omit=optional --no-audit --no-fund --loglevel=error "$work/$tarball")
for absent in etcd3 @grpc/grpc-js protobufjs; do
  if [ -e "$lib/node_modules/$absent" ]; then echo "--omit=optional still installed $absent" >&2; exit 1; fi
done
cp examples/deployment.pb "$lib/"
(cd "$lib" && node --input-type=module -e "
import { readFileSync } from 'node:fs';
import { decode } from 'kreg';
const { object } = decode(readFileSync('deployment.pb'));
if (object.kind !== 'Deployment') throw new Error('decoded ' + object.kind);
")
# The CLI there still decodes, and asking for live etcd says what to install (in one line).
"$lib/node_modules/.bin/kreg" decode "$lib/deployment.pb" | grep -q '^kind: Deployment$'
if message=$("$lib/node_modules/.bin/kreg" ls --endpoints 127.0.0.1:9 2>&1); then echo 'kreg ls --endpoints worked without gRPC' >&2; exit 1; fi
[ "$message" = 'kreg: live etcd needs the optional dependency @grpc/grpc-js; install it with npm install @grpc/grpc-js' ] || { echo "without gRPC: $message" >&2; exit 1; }
libkb=$(du -sk "$lib/node_modules" | cut -f1)
echo "library only (--omit=optional): $(du -sh "$lib/node_modules" | cut -f1); import { decode } from 'kreg' decodes"
if [ "$libkb" -ge $((15 * 1024)) ]; then echo "the library-only install is ${libkb} KiB, over 15 MB" >&2; exit 1; fi
