#!/usr/bin/env bash
# Builds every functions/<name> (a folder with a main.go) into
# .build/<target>/<name>/bootstrap, where <target> is
#   host   this machine's OS and architecture (the local stack and e2e tests run these)
#   arm64  linux/arm64, what Lambda runs (make bench measures these).
# One `go build` per target builds every function in parallel into
# .build/bin/<target>/, where Go skips relinking what is up to date; each
# bootstrap is then a hard link to its binary there.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: build-functions.sh host|arm64}
case $target in
  host) goos=$(go env GOHOSTOS) goarch=$(go env GOHOSTARCH) ;;
  arm64) goos=linux goarch=arm64 ;;
  *) echo "build-functions.sh: unknown target $target (want host or arm64)" >&2; exit 2 ;;
esac

names=()
for main in functions/*/main.go; do
  [ -f "$main" ] || continue
  name=${main#functions/}
  names+=("${name%/main.go}")
done
if [ ${#names[@]} -eq 0 ]; then
  echo "build: no functions/*/main.go yet, nothing to build"
  exit 0
fi

bin=.build/bin/$target
mkdir -p "$bin"
# The test packages that run the local stack (e2e, browser) each build first, and `go test
# ./...` runs them at once: one build per target at a time.
if command -v flock >/dev/null 2>&1; then
  exec 9>".build/bin/.$target.lock"
  flock 9
fi
pkgs=()
for name in "${names[@]}"; do pkgs+=("./functions/$name"); done

echo "build: ${#names[@]} function(s) for $target ($goos/$goarch)"
CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch \
  go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o "$bin/" "${pkgs[@]}"

for name in "${names[@]}"; do
  mkdir -p ".build/$target/$name"
  ln -f "$bin/$name" ".build/$target/$name/bootstrap" 2>/dev/null ||
    cp -f "$bin/$name" ".build/$target/$name/bootstrap"
done

# Drop what a removed or renamed function left behind.
for dir in ".build/$target"/*/; do
  name=$(basename "$dir")
  [ -f "functions/$name/main.go" ] || rm -rf "$dir" "$bin/$name"
done
