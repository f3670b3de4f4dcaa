# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2034 # (variables set here are for the sourcing script)
# Shared by the scripts/ci-*.sh checks; source it, do not run it.

# shellcheck source=emulator.sh
source "$(dirname "${BASH_SOURCE[0]}")/emulator.sh"

# ci_repo is the checkout the checks run on.
ci_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# pinned_cli NAME prints where `make tools` keeps the pinned CLI NAME (tools/cli/versions:
# terraform-1.14, tofu-1.12, ...) when it has been built; nothing otherwise. Read before
# fresh_home changes HOME, since the cache lives under it.
pinned_cli() {
  local path
  path="$(bash "$ci_repo/tools/cli/build.sh" path "$1" 2>/dev/null)" || return 0
  [ -x "$path" ] && echo "$path"
  return 0
}

# missing_cli WHAT REASON: in CI, a check that cannot find the CLI it needs fails (the tools
# step builds them, so a missing one is a bug); on a developer's machine it is skipped, saying so.
missing_cli() {
  if [ "${CI:-}" = true ]; then
    fail "$1: $2 (CI builds it in the tools step: run make tools)"
  fi
  echo "    skipped $1: $2 (run make tools)"
}

# ci_scratch prints a new directory below one root that ci_cleanup (the EXIT trap) removes; the
# root is made here, as ci_scratch runs in a command substitution's subshell.
ci_scratch_root="$(mktemp -d "${TMPDIR:-/tmp}/imops-ci.XXXXXX")"
ci_scratch() {
  mktemp -d "$ci_scratch_root/XXXXXX"
}
ci_cleanup() {
  chmod -R u+w "$ci_scratch_root" 2>/dev/null || true
  rm -rf "$ci_scratch_root"
}

# fresh_home gives the rest of the script an empty HOME, as a new user or CI machine has: no
# ~/.terraformrc, no ~/.terraform.d, no CLI configuration in the environment. Go's caches are
# pinned first, so the fresh HOME costs no download and no rebuild.
fresh_home() {
  GOPATH="$(go env GOPATH)" GOMODCACHE="$(go env GOMODCACHE)" GOCACHE="$(go env GOCACHE)"
  export GOPATH GOMODCACHE GOCACHE
  HOME="$(ci_scratch)"
  export HOME
  unset TF_CLI_CONFIG_FILE TERRAFORM_CONFIG TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_WORKSPACE XDG_DATA_HOME XDG_CONFIG_HOME
  export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
}

# version_at_least A B: whether version A (e.g. 1.14.9) is at least B (e.g. 1.14).
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# cli_version BINARY prints the version a terraform or tofu binary reports (1.14.9).
cli_version() {
  "$1" version 2>/dev/null | head -n1 | sed -E 's/^[A-Za-z]+ v?([0-9][^ ]*).*/\1/'
}

# terraform_1_14 prints the path of a terraform at least 1.14 (actions need it): $TERRAFORM_1_14
# if set, else terraform on PATH if new enough, else the pinned Terraform 1.14 that make tools
# builds (the closest to the minimum users may run); or nothing.
terraform_1_14() {
  local candidate
  if [ -n "${TERRAFORM_1_14:-}" ]; then
    echo "$TERRAFORM_1_14"
    return
  fi
  for candidate in $(command -v terraform) $(pinned_cli terraform-1.14); do
    if [ -x "$candidate" ] && version_at_least "$(cli_version "$candidate")" 1.14; then
      echo "$candidate"
      return
    fi
  done
}

# opentofu prints the path of an OpenTofu binary: $TOFU if set, else tofu on PATH, else the
# pinned one make tools builds; or nothing.
opentofu() {
  if [ -n "${TOFU:-}" ]; then
    echo "$TOFU"
    return
  fi
  command -v tofu || pinned_cli tofu-1.12
}

# build_emulator builds imops-emulator into a scratch directory and sets emulator_bin and
# emulator_dir (where start_emulator keeps its URL file and log).
build_emulator() {
  emulator_dir="$(ci_scratch)"
  (cd "$ci_repo" && go build -o "$emulator_dir/imops-emulator" ./cmd/imops-emulator)
  emulator_bin="$emulator_dir/imops-emulator"
}

# fail prints its arguments and exits.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
