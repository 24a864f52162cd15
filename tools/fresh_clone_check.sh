#!/usr/bin/env bash
# Check that the committed tree works from scratch: clone this repository
# into a temporary directory and run the Quick start's `make test` there.
#
# Only committed files are in a clone: commit first, then run
#   tools/fresh_clone_check.sh            # uses HEAD of the current branch
#   KEEP=1 tools/fresh_clone_check.sh     # keep the clone for inspection
#   tools/fresh_clone_check.sh --ci       # run .ci/run instead (as CI does)
set -euo pipefail

repo="$(git -C "$(dirname "${BASH_SOURCE[0]}")/.." rev-parse --show-toplevel)"
if ! git -C "$repo" rev-parse --verify -q HEAD >/dev/null; then
  echo "error: $repo has no commits yet; commit first (a clone only has committed files)" >&2
  exit 1
fi
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "warning: uncommitted changes in $repo are NOT part of this check" >&2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/qtnet-fresh.XXXXXX")"
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "clone kept in $tmp/qtnet"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

git clone --quiet --no-hardlinks "$repo" "$tmp/qtnet"
cd "$tmp/qtnet"
echo "fresh clone of $(git rev-parse --short HEAD) in $tmp/qtnet"

if [ "${1:-}" = "--ci" ]; then
  CI=true bash .ci/run </dev/null
else
  make test </dev/null
fi
echo "fresh clone check passed"
