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

# progress reads `go build -x` (each command as it starts) and says every few seconds how far
# the build is, so a first build, which compiles the SDKs for minutes, is not silent. Go prints
# nothing for a package in its cache or a binary already up to date, so the counts are of
# the work actually done.
progress() {
  local compiled=0 linked=0 last=$SECONDS line
  while IFS= read -r line; do
    case $line in
      *"/compile -o "*) compiled=$((compiled + 1)) ;;
      "mv "*"/exe/a.out "*) linked=$((linked + 1)) ;;
      *) continue ;;
    esac
    if ((SECONDS - last >= 5)); then
      last=$SECONDS
      echo "build: $target: $compiled package(s) compiled, $linked of ${#names[@]} function(s) linked ($((SECONDS - start))s)"
    fi
  done
  echo "build: $target: $compiled package(s) compiled and $linked function(s) linked in $((SECONDS - start))s (the rest up to date)"
}

# The functions link aws-sdk-go-v2's service modules with their legacy endpoint tables built
# on first use rather than at every cold start (cmd/sdkpatch says why and how).
modfile=$(env -u GOOS -u GOARCH go run ./cmd/sdkpatch) # a tool for this machine, whatever the target
flags=(-modfile "$modfile" -tags lambda.norpc -trimpath -ldflags "-s -w" -o "$bin/")
echo "build: ${#names[@]} function(s) for $target ($goos/$goarch)"
start=$SECONDS
set +e
CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -x "${flags[@]}" "${pkgs[@]}" 2>&1 >/dev/null | progress
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  # -x buries the compiler's messages among the commands: build again without it (what
  # did compile is cached) to show them alone.
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build "${flags[@]}" "${pkgs[@]}" || true
  echo "build: $target: failed" >&2
  exit 1
fi

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
