#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# CI: `make install` makes the provider usable the way a registry provider is. In an empty
# HOME, with no CLI configuration and no network, a configuration with source = "imops/imops"
# runs plain `terraform init` and `terraform apply` against the emulator, and the store shows
# the apply's effect. The same with OpenTofu when a tofu binary is at hand ($TOFU, PATH, or the
# make tools cache).
set -euo pipefail
# shellcheck source=lib/ci.sh
source "$(dirname "$0")/lib/ci.sh"
trap 'stop_emulator; ci_cleanup' EXIT

clis=(terraform)
tofu="$(opentofu)"
if [ -n "$tofu" ]; then
  clis+=("$tofu")
else
  missing_cli OpenTofu "no tofu binary (set TOFU to one)"
fi

fresh_home
make -C "$ci_repo" --no-print-directory install
build_emulator

for cli in "${clis[@]}"; do
  start_emulator "$emulator_bin" "$emulator_dir"
  provider_env="$("$emulator_bin" env -url "$emulator_url")"
  eval "$provider_env"
  config="$(ci_scratch)"
  cat >"$config/main.tf" <<'HCL'
terraform {
  required_providers {
    imops = {
      source = "imops/imops"
    }
  }
}

resource "imops_tencentim_group_message_delete_by_sender" "spam" {
  group_id       = "@TGS#demo-public"
  sender_account = "spammer"
}
HCL
  (cd "$config" && "$cli" init -input=false -no-color >init.log 2>&1) || { cat "$config/init.log"; fail "$cli init in a fresh HOME"; }
  grep -q "Installing imops/imops v$(tr -d '[:space:]' <"$ci_repo/VERSION")" "$config/init.log" ||
    { cat "$config/init.log"; fail "$cli init did not install imops/imops at the version in VERSION"; }
  (cd "$config" && "$cli" apply -auto-approve -input=false -no-color >apply.log 2>&1) || { cat "$config/apply.log"; fail "$cli apply"; }
  "$emulator_bin" dump -url "$emulator_url" -requests | grep '"matched": 4' >/dev/null ||
    fail "$cli apply did not recall the spammer's 4 messages in the emulator"
  stop_emulator
  echo "    $("$cli" version | head -n1): init and apply with source = \"imops/imops\", no CLI configuration"
done
