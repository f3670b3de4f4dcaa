# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2034 # (variables set here are for the sourcing script)
# Shared by the scripts/ci-*.sh checks; source it, do not run it.

# shellcheck source=emulator.sh
source "$(dirname "${BASH_SOURCE[0]}")/emulator.sh"

# ci_repo is the checkout the checks run on.
ci_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# ci_cli_cache is where `make tools` keeps the Terraform and OpenTofu builds the checks can
# use (terraform-1.14.x/terraform, tofu-x.y.z/tofu), read before fresh_home changes HOME.
ci_cli_cache="${XDG_CACHE_HOME:-$HOME/.cache}/imops/cli"

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
# if set, else terraform on PATH if new enough, else the oldest such in the make tools cache
# (the closest to the minimum users may run); or nothing.
terraform_1_14() {
  local candidate
  if [ -n "${TERRAFORM_1_14:-}" ]; then
    echo "$TERRAFORM_1_14"
    return
  fi
  for candidate in $(command -v terraform) $(ls -d "$ci_cli_cache"/terraform-*/terraform 2>/dev/null | sort -V); do
    if [ -x "$candidate" ] && version_at_least "$(cli_version "$candidate")" 1.14; then
      echo "$candidate"
      return
    fi
  done
}

# opentofu prints the path of an OpenTofu binary: $TOFU if set, else tofu on PATH, else the
# newest in the make tools cache; or nothing.
opentofu() {
  if [ -n "${TOFU:-}" ]; then
    echo "$TOFU"
    return
  fi
  command -v tofu || ls -d "$ci_cli_cache"/tofu-*/tofu 2>/dev/null | sort -rV | head -n1 || true
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
