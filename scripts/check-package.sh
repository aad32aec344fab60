#!/usr/bin/env bash
# The package as a user gets it: pack (which builds first), install the tarball into an empty
# prefix, and run the installed kreg on the sample data. Run by CI after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
listing=$(tar -tzf "$work/$tarball")
echo "packed $tarball: $(wc -l <<<"$listing") files, $(du -k "$work/$tarball" | cut -f1) KiB"
if grep -q '\.map$' <<<"$listing"; then echo 'the package ships source maps of unshipped sources' >&2; exit 1; fi
for required in package/LICENSE package/README.md package/CHANGELOG.md package/bin/kreg.js package/dist/src/index.d.ts package/proto/kubernetes-v1.36.json; do
  grep -qx "$required" <<<"$listing" || { echo "the package lacks $required" >&2; exit 1; }
done
npm install --global --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$work/$tarball"
kreg="$work/prefix/bin/kreg"
"$kreg" --version
"$kreg" decode examples/deployment.pb | grep -q '^kind: Deployment$'
"$kreg" ls --snapshot examples/demo-cluster.db | grep -q '^deployments '
echo "installed: $(du -sh "$work/prefix/lib/node_modules/kreg" | cut -f1) with its dependencies; kreg runs from the package"
