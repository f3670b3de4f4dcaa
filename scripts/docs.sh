#!/usr/bin/env bash
# Regenerates docs/ with tfplugindocs from templates/, examples/ and the provider's schema as
# Terraform itself reports it (`terraform providers schema -json`). Terraform reports action
# schemas from 1.14 on, so the pinned Terraform 1.14 from tools/cli is used (built on first use),
# not the terraform on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
tfplugindocs() { "$GO" tool -modfile=tools/go.mod tfplugindocs "$@"; }

bash tools/cli/build.sh terraform-1.14 >&2
terraform=$(bash tools/cli/build.sh path terraform-1.14)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$GO" build -o "$tmp/plugins/terraform-provider-imops" .
# tfplugindocs looks a provider up as "imops" or "registry.terraform.io/hashicorp/imops" only,
# so the schema is taken under the implied hashicorp/imops address. dev_overrides serves the
# binary just built without `terraform init`: nothing is downloaded.
cat >"$tmp/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "hashicorp/imops" = "$tmp/plugins"
  }
  direct {}
}
EOF
mkdir "$tmp/work"
echo 'provider "imops" {}' >"$tmp/work/main.tf"
(cd "$tmp/work" && TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" CHECKPOINT_DISABLE=1 "$terraform" providers schema -json) >"$tmp/schema.json"
grep -q '"action_schemas"' "$tmp/schema.json" ||
  { echo "docs: $terraform reported no action schemas; the docs need Terraform >= 1.14" >&2; exit 1; }

tfplugindocs generate --provider-name imops --providers-schema "$tmp/schema.json"
tfplugindocs validate --provider-name imops --providers-schema "$tmp/schema.json"
