#!/usr/bin/env bash
# Runs every fuzz target in the repository (each `func FuzzXxx(` in a
# _test.go file) for a short while: $1 each, default 8s. New targets need no
# edit here. A crasher fails the run and is saved under the package's
# testdata/fuzz/, where `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${1:-8s}
targets=$(grep -rHoE --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.build \
  --exclude-dir=.git --exclude-dir=testdata '^func Fuzz[A-Za-z0-9_]*\(' . |
  sed -E 's|^\./||; s|:func (Fuzz[A-Za-z0-9_]*)\($|:\1|' | sort || true)

if [ -z "$targets" ]; then
  echo "fuzz: no fuzz targets yet"
  exit 0
fi

n=0
while IFS=: read -r file name; do
  dir=./$(dirname "$file")
  echo "fuzz: $name ($dir) for $fuzztime"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$dir"
  n=$((n + 1))
done <<<"$targets"
echo "fuzz: $n targets ran for $fuzztime each, no failure"
