#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Rehearse a cleanup against imops-emulator before applying it for real:
#
#   scripts/rehearse.sh [--no-strict] [CONFIG_DIR [FIXTURE]]
#
# CONFIG_DIR (default: examples/rehearsal) is the configuration to rehearse, FIXTURE (default:
# CONFIG_DIR/fixture.json) the data the emulator starts with: what the cleanup targets, and what
# must be kept. The script, runnable from any directory:
#   1. starts the emulator on a free loopback port, in strict mode (unless --no-strict), so a
#      request naming anything the fixture does not hold fails the apply;
#   2. clears every IMOPS_* vendor variable and points the provider at the emulator with the
#      fixture's credentials, so nothing can reach a real vendor (a configuration that names an
#      endpoint itself, region, api_urls or api_url, is refused: it cannot be redirected);
#   3. copies CONFIG_DIR to a throwaway directory with a local backend (its real backend and
#      state stay untouched, and its lock file is left out; local modules and files beside it,
#      such as ../modules, are used in place) and runs terraform init and apply;
#   4. shows what the apply deleted or changed, what was kept, and what each vendor request
#      matched in the store;
#   5. stops the emulator, also on Ctrl-C or an error, and removes the throwaway directory.
# It exits with terraform's status.
#
# The provider must be installable by terraform init: from the registry, or from a checkout with
# `make install`. Environment: TERRAFORM (default: terraform; tofu works too); IMOPS_EMULATOR, an
# imops-emulator binary (default: built from the checkout this script is in).
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

strict=(-strict)
while [ $# -gt 0 ]; do
  case "$1" in
    --no-strict) strict=(); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) echo "rehearse.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -le 2 ] || { usage >&2; exit 2; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="$(cd "${1:-$repo/examples/rehearsal}" && pwd)"
fixture="${2:-$config/fixture.json}"
[ -f "$fixture" ] || { echo "rehearse.sh: no fixture at $fixture" >&2; exit 2; }
fixture="$(cd "$(dirname "$fixture")" && pwd)/$(basename "$fixture")"
# The rehearsal redirects the provider through IMOPS_* variables only: an endpoint written in a
# provider "imops" block would win over them and send the rehearsal to a real vendor.
# imops_endpoints DIR... prints the lines of provider "imops" blocks in DIR/*.tf that name an
# endpoint, also where a block is written on one line, and the lines of DIR/*.tf.json that name
# one in any provider (JSON is not read block by block: such a rehearsal is refused to be safe).
# It follows braces line by line, as HCL lays blocks out.
imops_endpoints() {
  local dir f files=()
  for dir in "$@"; do
    for f in "$dir"/*.tf; do [ -f "$f" ] && files+=("$f"); done
    for f in "$dir"/*.tf.json; do [ -f "$f" ] && grep -HnE '"(region|api_urls|api_url)"[[:space:]]*:' "$f"; done
  done
  [ "${#files[@]}" -gt 0 ] || return 0
  awk '
    FNR == 1 { inside = 0; depth = 0 }
    !inside && /^[[:space:]]*provider[[:space:]]+"imops"[[:space:]]*\{/ { inside = 1; depth = 0 }
    inside {
      if ($0 ~ /(^|[{;[:space:]])(region|api_urls|api_url)[[:space:]]*=/) print FILENAME ":" FNR ": " $0
      line = $0
      depth += gsub(/\{/, "", line) - gsub(/\}/, "", line)
      if (depth <= 0) inside = 0
    }' "${files[@]}"
}
refuse_endpoints() {
  [ -n "$1" ] || return 0
  echo "rehearse.sh: the configuration names vendor endpoints, which a rehearsal cannot redirect to the emulator:" >&2
  echo "$1" >&2
  echo "Take them from IMOPS_*_REGION, IMOPS_*_API_URLS and IMOPS_EASEMOB_API_URL instead." >&2
  exit 2
}
refuse_endpoints "$(imops_endpoints "$config")"
terraform="${TERRAFORM:-terraform}"
command -v "$terraform" >/dev/null || { echo "rehearse.sh: $terraform is not on PATH (set TERRAFORM)" >&2; exit 2; }

# shellcheck source=lib/emulator.sh
source "$repo/scripts/lib/emulator.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/imops-rehearsal.XXXXXX")"
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

emulator="${IMOPS_EMULATOR:-}"
if [ -z "$emulator" ]; then
  echo "==> Building imops-emulator"
  (cd "$repo" && go build -o "$work/imops-emulator" ./cmd/imops-emulator)
  emulator="$work/imops-emulator"
fi

echo "==> Starting the emulator with $fixture${strict:+ (strict)}"
start_emulator "$emulator" "$work" -fixture "$fixture" "${strict[@]}"
base="$emulator_url"
echo "    $base"

provider_env="$("$emulator" env -url "$base" -fixture "$fixture")"
eval "$provider_env"
unset TF_WORKSPACE TF_DATA_DIR
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

echo "==> Copying $config to a throwaway directory with a local backend"
# The copy sits at the configuration's own path under $work/tree, and every other entry of each
# directory above it is a symbolic link to the original: a local module or a file named relative
# to the configuration ("../modules/erasure", "${path.module}/../ids.txt") resolves in the copy
# as it does in place, read from the original and never written.
copy="$work/tree$config"
mkdir -p "$copy"
dir="$config"
while [ "$dir" != / ]; do
  parent="$(dirname "$dir")"
  for entry in "$parent"/* "$parent"/.[!.]* "$parent"/..?*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue # an unmatched pattern
    [ "$entry" != "$dir" ] || continue
    ln -s "$entry" "$work/tree$entry"
  done
  dir="$parent"
done
(cd "$config" && tar -cf - --exclude=.terraform --exclude=.terraform.lock.hcl --exclude=terraform.tfstate.d \
  --exclude='*.tfstate' --exclude='*.tfstate.backup' .) | (cd "$copy" && tar -xf -)
cat >"$copy/zz_imops_rehearsal_override.tf" <<'HCL'
# Written by scripts/rehearse.sh: the rehearsal's state stays in its throwaway directory.
terraform {
  backend "local" {}
}
HCL

"$emulator" dump -url "$base" >"$work/before.json"
echo "==> $terraform init && $terraform apply"
status=0
(cd "$copy" && "$terraform" init -input=false -no-color >"$work/init.log" 2>&1) ||
  { status=$?; cat "$work/init.log" >&2; }
if [ "$status" -eq 0 ]; then
  # Modules may configure the provider too: check every module terraform init found, local
  # ones where they are, remote ones where init downloaded them.
  module_dirs=()
  if [ -f "$copy/.terraform/modules/modules.json" ]; then
    while IFS= read -r dir; do
      module_dirs+=("$(cd "$copy" && cd "$dir" && pwd)")
    done < <(grep -oE '"Dir":"[^"]*"' "$copy/.terraform/modules/modules.json" | sed -E 's/^"Dir":"(.*)"$/\1/')
  fi
  [ "${#module_dirs[@]}" -eq 0 ] || refuse_endpoints "$(imops_endpoints "${module_dirs[@]}")"
  (cd "$copy" && "$terraform" apply -auto-approve -input=false -no-color) || status=$?
fi
"$emulator" dump -url "$base" >"$work/after.json"
"$emulator" dump -url "$base" -requests >"$work/requests.json"

echo
echo "==> What the rehearsal did to the emulator's store"
"$emulator" diff -requests "$work/requests.json" "$work/before.json" "$work/after.json"
if [ "$status" -ne 0 ]; then
  echo
  echo "==> The rehearsal FAILED ($terraform exited $status): see the errors above."
fi
exit "$status"
