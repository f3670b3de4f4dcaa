#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# CI: the release configuration is valid and builds what a release needs. `goreleaser check`,
# then a snapshot release (no signing, no publishing) into dist/, which must hold, for every
# platform, the provider's registry zip and the emulator's archive, and a SHA256SUMS listing
# exactly the provider zips and the registry manifest. goreleaser is the version pinned in
# tools/go.mod.
set -euo pipefail
# shellcheck source=lib/ci.sh
source "$(dirname "$0")/lib/ci.sh"
trap ci_cleanup EXIT
cd "$ci_repo"

goreleaser=(go tool -modfile=tools/go.mod goreleaser)
scratch="$(ci_scratch)"
"${goreleaser[@]}" check >"$scratch/check.log" 2>&1 || { cat "$scratch/check.log"; fail "goreleaser check"; }
"${goreleaser[@]}" release --snapshot --clean --skip=sign,publish >"$scratch/release.log" 2>&1 ||
  { cat "$scratch/release.log"; fail "goreleaser release --snapshot"; }

version="$(tr -d '[:space:]' <VERSION)-snapshot"
platforms=(darwin_amd64 darwin_arm64 freebsd_386 freebsd_amd64 freebsd_arm freebsd_arm64
  linux_386 linux_amd64 linux_arm linux_arm64 windows_386 windows_amd64 windows_arm64)
sums="dist/terraform-provider-imops_${version}_SHA256SUMS"
[ -f "$sums" ] || fail "no $sums"

# Every platform's provider zip is in SHA256SUMS with its true checksum and holds the binary
# under the registry's name; every platform has the emulator's archive, holding the emulator.
expected_sums=("terraform-provider-imops_${version}_manifest.json")
for platform in "${platforms[@]}"; do
  exe=""
  [[ "$platform" == windows_* ]] && exe=".exe"
  zip="terraform-provider-imops_${version}_${platform}.zip"
  [ -f "dist/$zip" ] || fail "no provider archive dist/$zip"
  # grep reads all its input (no -q): an early exit would fail the pipeline with SIGPIPE.
  unzip -Z1 "dist/$zip" | grep -x "terraform-provider-imops_v${version}${exe}" >/dev/null ||
    fail "$zip does not hold terraform-provider-imops_v${version}${exe}"
  expected_sums+=("$zip")
  tarball="imops-emulator_${version}_${platform}.tar.gz"
  [ -f "dist/$tarball" ] || fail "no emulator archive dist/$tarball"
  tar -tzf "dist/$tarball" | grep -x "imops-emulator${exe}" >/dev/null || fail "$tarball does not hold imops-emulator${exe}"
done
listed="$(awk '{print $2}' "$sums" | sort)"
[ "$listed" = "$(printf '%s\n' "${expected_sums[@]}" | sort)" ] ||
  fail "$sums lists $(echo "$listed" | tr '\n' ' '), want the ${#platforms[@]} provider zips and the manifest only"
(cd dist && grep '\.zip$' "${sums#dist/}" | sha256sum -c --quiet) || fail "a provider zip does not match SHA256SUMS"
manifest_sum="$(awk -v f="terraform-provider-imops_${version}_manifest.json" '$2 == f {print $1}' "$sums")"
[ "$manifest_sum" = "$(sha256sum terraform-registry-manifest.json | awk '{print $1}')" ] ||
  fail "SHA256SUMS does not hold the registry manifest's checksum"

# The emulator from the archive for this machine runs.
here="$(go env GOOS)_$(go env GOARCH)"
tar -xzf "dist/imops-emulator_${version}_${here}.tar.gz" -C "$scratch" imops-emulator
"$scratch/imops-emulator" help >/dev/null || fail "the archived imops-emulator for $here does not run"

echo "    release snapshot $version: ${#platforms[@]} platforms, provider zips and emulator archives, SHA256SUMS with the manifest"
