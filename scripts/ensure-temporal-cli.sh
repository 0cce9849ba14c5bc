#!/usr/bin/env bash
# Provides the real Temporal CLI (dev server) at .tools/bin/temporal and prints its path.
# Order: `temporal` already on PATH; else a cached build outside the clone; else build it once from the
# Go module proxy (no prebuilt binary can be downloaded on these machines). v1.5.1 is the newest tag
# whose go.mod has no `replace` lines, which `go install` refuses.
set -euo pipefail

version="v1.5.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
link_dir="$root/.tools/bin"
cache_dir="${TEMPORAL_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-tools/temporal-$version}"
mkdir -p "$link_dir"

if [ -x "$link_dir/temporal" ] && "$link_dir/temporal" --version >/dev/null 2>&1; then
  echo "$link_dir/temporal"; exit 0
fi

if on_path="$(command -v temporal 2>/dev/null)" && [ "$on_path" != "$link_dir/temporal" ]; then
  ln -sf "$on_path" "$link_dir/temporal"
  echo "$link_dir/temporal"; exit 0
fi

mkdir -p "$cache_dir"
# Several test runs may start at once on a fresh machine: one builds, the others wait for it.
exec 9>"$cache_dir.lock"
flock 9
if [ ! -x "$cache_dir/temporal" ]; then
  command -v go >/dev/null || { echo "Go is required to build the Temporal CLI (none on PATH)" >&2; exit 1; }
  echo "Building the Temporal CLI $version from the Go module proxy into $cache_dir (takes a few minutes once)..." >&2
  started=$(date +%s)
  GOTOOLCHAIN=local GOBIN="$cache_dir" go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
  echo "Temporal CLI built in $(( $(date +%s) - started )) s" >&2
fi

ln -sf "$cache_dir/temporal" "$link_dir/temporal"
echo "$link_dir/temporal"
