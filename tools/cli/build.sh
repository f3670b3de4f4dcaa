#!/usr/bin/env bash
# Builds the Terraform and OpenTofu CLIs pinned in tools/cli/versions, for the provider tests.
#
#   tools/cli/build.sh [NAME...]       build each pinned CLI (all by default, side by side)
#                                      unless the cache already holds it, then print
#                                      "NAME VERSION PATH"
#   tools/cli/build.sh path [NAME...]  print where each binary is (or will be) cached
#   tools/cli/build.sh bump [NAME...]  point the wrapper modules at the pinned versions
#
# Each CLI is built from the Go module proxy in its wrapper module (tools/cli/NAME), which
# requires the CLI's module at the pinned version: go.sum verifies every module downloaded, and
# -mod=readonly refuses to build if go.mod or go.sum would have to change. Binaries go to
# ${IMOPS_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imops/cli}/NAME-VERSION/, never into the
# repository: Terraform >= 1.6 is BUSL-licensed and is built here for testing only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IMOPS_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imops/cli}

die() { echo "tools/cli: $*" >&2; exit 1; }

# pin NAME sets module and version from the versions file.
pin() {
  local line
  line=$(awk -v n="$1" '$1 == n { print $2, $3 }' "$here/versions")
  [ -n "$line" ] || die "$1 is not pinned in tools/cli/versions (pinned: $(names | tr '\n' ' '))"
  read -r module version <<<"$line"
}

names() { awk '!/^#/ && NF { print $1 }' "$here/versions"; }

# kind sets what to build for the pinned module: the main package, the binary's name and the
# variable that otherwise marks the build as a development one ("1.14.9-dev").
kind() {
  case "$module" in
    github.com/hashicorp/terraform) pkg=$module bin=terraform devvar=$module/version.dev stubs=tfstub ;;
    github.com/opentofu/opentofu) pkg=$module/cmd/tofu bin=tofu devvar=$module/version.dev stubs= ;;
    *) die "do not know how to build $module" ;;
  esac
}

binpath() { echo "$cache/$bin-${version#v}/$bin"; }

# inputs_hash DIR... identifies what a binary was built from: its wrapper module and, for
# Terraform, the stub modules that replace its nested ones.
inputs_hash() {
  (cd "$here" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# reported_version is the version a built binary says it is ("1.14.9"; "1.14.9-dev" if the
# build flag was lost).
reported_version() {
  "$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -n1
}

check_wrapper() {
  local name=$1 required
  [ -f "$here/$name/go.mod" ] || die "no wrapper module tools/cli/$name: create it with 'tools/cli/build.sh bump $name'"
  required=$(cd "$here/$name" && GOWORK=off GOFLAGS=-mod=readonly go list -m -f '{{.Version}}' "$module")
  [ "$required" = "$version" ] ||
    die "tools/cli/$name requires $module $required but tools/cli/versions pins $version: run 'make tools-bump'"
}

build() {
  local name=$1 out hash stamp started
  pin "$name"; kind
  out=$(binpath "$name")
  stamp="$out.inputs"
  hash=$(inputs_hash "$name" $stubs)
  if [ -x "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ] && [ "$(reported_version "$out")" = "${version#v}" ]; then
    echo "$name ${version#v} $out (cached)"
    return
  fi
  check_wrapper "$name"
  mkdir -p "$(dirname "$out")"
  echo "==> building $name ($module $version); a cold build takes several minutes" >&2
  started=$(date +%s)
  # A temporary name in the same directory, renamed at the end, so that a build that fails or
  # is interrupted never leaves a binary behind that a later run would take for a good one.
  (cd "$here/$name" && GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0 \
    go build -trimpath -ldflags "-s -w -X $devvar=no" -o "$out.tmp.$$" "$pkg") ||
    { rm -f "$out.tmp.$$"; die "building $name failed"; }
  local got
  got=$(reported_version "$out.tmp.$$")
  [ "$got" = "${version#v}" ] || { rm -f "$out.tmp.$$"; die "$name reports version '$got', want ${version#v}"; }
  mv -f "$out.tmp.$$" "$out"
  echo "$hash" >"$stamp"
  echo "$name ${version#v} $out (built in $(( $(date +%s) - started ))s)"
}

bump() {
  local name=$1
  pin "$name"; kind
  [ -f "$here/$name/go.mod" ] || die "no tools/cli/$name/go.mod: copy a sibling's go.mod (module line and replace directives) first"
  echo "==> tools/cli/$name: $pkg@$version" >&2
  (cd "$here/$name" && GOWORK=off GOFLAGS=-mod=mod go get -tool "$pkg@$version")
}

cmd=${1:-}
case "$cmd" in
  path)
    shift
    [ $# -gt 0 ] || set -- $(names)
    for name in "$@"; do pin "$name"; kind; binpath "$name"; done ;;
  bump)
    shift
    [ $# -gt 0 ] || set -- $(names)
    for name in "$@"; do bump "$name"; done ;;
  *)
    [ $# -gt 0 ] || set -- $(names)
    mkdir -p "$cache"
    # One build at a time per cache, so two runs started together do not build twice.
    exec 9>"$cache/.lock"
    if command -v flock >/dev/null; then flock 9; fi
    # The CLIs build side by side: each go build leaves cores idle while it links or waits on
    # a package that the rest depends on, and they share many modules and packages. Their
    # result lines come out in the order asked for; progress and errors as they happen.
    results=$(mktemp -d)
    trap 'rm -rf "$results"' EXIT
    pids=()
    for name in "$@"; do
      build "$name" >"$results/$name" &
      pids+=($!)
    done
    failed=0
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    for name in "$@"; do cat "$results/$name"; done
    exit "$failed" ;;
esac
