#!/usr/bin/env bash
# make install: build the provider at the version in VERSION and put it where Terraform's and
# OpenTofu's implied local mirrors look, so a configuration with source = "imops/imops" runs
# plain `terraform init` (or `tofu init`) with no CLI configuration and no download:
#
#   ~/.terraform.d/plugins/registry.terraform.io/imops/imops/VERSION/OS_ARCH/terraform-provider-imops_vVERSION
#   ~/.terraform.d/plugins/registry.opentofu.org/imops/imops/VERSION/OS_ARCH/terraform-provider-imops_vVERSION
#
# Unix-like systems only: on Windows the directory is %APPDATA%\terraform.d\plugins.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d '[:space:]' <"$repo/VERSION")"
go="${GO:-go}"
platform="$("$go" env GOOS)_$("$go" env GOARCH)"
plugins="${HOME:?HOME is not set}/.terraform.d/plugins"
binary="terraform-provider-imops_v$version"

build="$(mktemp -d "${TMPDIR:-/tmp}/imops-install.XXXXXX")"
trap 'rm -rf "$build"' EXIT
(cd "$repo" && CGO_ENABLED=0 "$go" build -trimpath -ldflags "-s -w -X main.version=$version" -o "$build/$binary" .)

for registry in registry.terraform.io registry.opentofu.org; do
  dir="$plugins/$registry/imops/imops/$version/$platform"
  mkdir -p "$dir"
  # Through a temporary name and a rename, so a terraform init running meanwhile never sees
  # half a binary.
  cp "$build/$binary" "$dir/.$binary.tmp"
  mv -f "$dir/.$binary.tmp" "$dir/$binary"
  echo "installed $dir/$binary"
done
