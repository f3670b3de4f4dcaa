#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# make demo: build the provider and the emulator, start the emulator on loopback with its
# built-in demo data, apply examples/demo through a dev_overrides CLI configuration, and show
# what was deleted and what was kept. Offline; everything lives in a temporary directory.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
command -v terraform >/dev/null || { echo "make demo needs terraform on PATH (Terraform >= 1.0)" >&2; exit 1; }
command -v go >/dev/null || { echo "make demo needs Go on PATH" >&2; exit 1; }

# shellcheck source=lib/emulator.sh
source "$repo/scripts/lib/emulator.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/imops-demo.XXXXXX")"
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> Building the provider and the emulator"
(cd "$repo" && go build -o "$work/bin/terraform-provider-imops" . && go build -o "$work/bin/imops-emulator" ./cmd/imops-emulator)

echo "==> Starting the emulator on 127.0.0.1 with the demo data"
start_emulator "$work/bin/imops-emulator" "$work"
base="$emulator_url"
echo "    $base"

"$work/bin/imops-emulator" dump -url "$base" >"$work/before.json"

cat >"$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "imops/imops" = "$work/bin"
  }
  direct {}
}
TFRC

cp -R "$repo/examples/demo" "$work/demo"
export TF_CLI_CONFIG_FILE="$work/dev.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The emulator's demo credentials and URLs (real ones would come from the CI's secret store),
# from the emulator itself, which also clears any other IMOPS_* vendor setting of the shell: a
# stray IMOPS_EASEMOB_APP_TOKEN would otherwise win over the demo's credentials.
eval "$("$work/bin/imops-emulator" env -url "$base")"

echo "==> terraform apply examples/demo (dev_overrides: no init, no download)"
# -compact-warnings folds the expected "development overrides" warning into one line.
(cd "$work/demo" && terraform apply -auto-approve -input=false -no-color -compact-warnings) ||
  { echo "terraform apply failed (the emulator's log: $work/emulator.log)" >&2; cat "$work/emulator.log" >&2; exit 1; }

"$work/bin/imops-emulator" dump -url "$base" >"$work/after.json"
"$work/bin/imops-emulator" dump -url "$base" -requests >"$work/requests.json"

echo
echo "==> What changed in the emulator's store, what was kept, and what each request matched"
"$work/bin/imops-emulator" diff -requests "$work/requests.json" "$work/before.json" "$work/after.json"

echo
echo "==> Run it again: nothing to do, because the operations are recorded in state"
(cd "$work/demo" && terraform plan -input=false -no-color -detailed-exitcode >/dev/null 2>&1) && echo "    terraform plan: no changes"
