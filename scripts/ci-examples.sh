#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# CI: every directory under examples/ is a configuration that stands on its own. Each is copied
# alone to a scratch directory, where `terraform init` (offline: the provider comes from the
# implied local mirror `make install` fills in an empty HOME) and `terraform validate` must
# pass without a prompt; and `terraform fmt` finds nothing to change. Action examples need
# Terraform >= 1.14: they are validated with $TERRAFORM_1_14, a new enough terraform on PATH,
# or one from the make tools cache, and skipped, saying so, when there is none.
set -euo pipefail
# shellcheck source=lib/ci.sh
source "$(dirname "$0")/lib/ci.sh"
trap ci_cleanup EXIT

terraform_new="$(terraform_1_14)" # before fresh_home: make tools keeps it below the real HOME
fresh_home
terraform fmt -check -recursive -diff "$ci_repo/examples" >/dev/null ||
  { terraform fmt -check -recursive -diff "$ci_repo/examples" || true; fail "terraform fmt: examples/ is not formatted (run terraform fmt -recursive examples)"; }

make -C "$ci_repo" --no-print-directory install >/dev/null

validated=0 skipped=0
while IFS= read -r dir; do
  name="${dir#"$ci_repo/"}"
  cli=terraform
  if grep -qE '^action "' "$dir"/*.tf; then
    if [ -z "$terraform_new" ]; then
      missing_cli "$name" "actions need Terraform >= 1.14 (set TERRAFORM_1_14 to one)"
      skipped=$((skipped + 1))
      continue
    fi
    cli="$terraform_new"
  fi
  copy="$(ci_scratch)"
  cp -R "$dir/." "$copy"
  (cd "$copy" && "$cli" init -input=false -backend=false -no-color >init.log 2>&1 && "$cli" validate -no-color >validate.log 2>&1) ||
    { cat "$copy"/*.log; fail "$name does not validate on its own with $("$cli" version | head -n1)"; }
  validated=$((validated + 1))
done < <(find "$ci_repo/examples" -name '*.tf' -exec dirname {} \; | sort -u)

echo "    examples: $validated validated on their own, $skipped skipped; terraform fmt clean"
[ -n "$terraform_new" ] && echo "    action examples validated with $("$terraform_new" version | head -n1)"
exit 0
