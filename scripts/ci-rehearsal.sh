#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# CI: the rehearsal guide works as written, and rehearsals fail or warn when they should.
#   1. The fenced block after <!-- ci: rehearsal --> in docs/guides/rehearse-in-ci.md (from
#      templates/guides/rehearse-in-ci.md.tmpl) runs verbatim, from a
#      directory outside the checkout, in an empty HOME, with IMOPS_SRC naming the checkout;
#      its output must show what was deleted, what was kept and what each request matched.
#   2. A rehearsal against a fixture that lacks the targeted data fails in strict mode (the
#      default) and, with --no-strict, passes but flags the requests that matched nothing.
#   3. A configuration whose resources sit in a local module beside it (../modules) rehearses,
#      and nothing is written into its directories.
#   4. An endpoint written in a provider "imops" block, in the configuration or in a module, is
#      refused before anything is applied (the rehearsal could not redirect it).
#   5. Ctrl-C during a rehearsal stops the emulator, frees its port and removes the throwaway
#      directory.
set -euo pipefail
# shellcheck source=lib/ci.sh
source "$(dirname "$0")/lib/ci.sh"
trap ci_cleanup EXIT

# expect LOG TEXT...: each TEXT must be in LOG.
expect() {
  local log="$1" text
  shift
  for text in "$@"; do
    grep -qF -- "$text" "$log" || { cat "$log"; fail "expected \"$text\" in the output"; }
  done
}

fresh_home
export IMOPS_SRC="$ci_repo"
scratch="$(ci_scratch)"

echo "    1. the rehearsal guide's block"
awk '/<!-- ci: rehearsal -->/ { marked = 1; next }
     marked && /^```/ { if (inside) exit; inside = 1; next }
     inside { print }' "$ci_repo/docs/guides/rehearse-in-ci.md" >"$scratch/readme-block.sh"
[ -s "$scratch/readme-block.sh" ] || fail "docs/guides/rehearse-in-ci.md has no fenced block after <!-- ci: rehearsal -->"
mkdir "$scratch/elsewhere"
(cd "$scratch/elsewhere" && bash -euo pipefail "$scratch/readme-block.sh") >"$scratch/readme.log" 2>&1 ||
  { cat "$scratch/readme.log"; fail "the rehearsal guide's block failed"; }
expect "$scratch/readme.log" \
  "(strict)" \
  "Deleted or changed (5):" \
  "- deleted  easemob.users.agent_0042.chats.customer_81934[1235807318835202004]" \
  "- deleted  rongcloud.messages.BRGM-DEN2-01E4-BN66.extensions.phone" \
  "~ changed  tencentim.groups.@TGS#2C5SZEAEF.messages[seq=4].recalled: false -> true" \
  "rongcloud  message BRGM-DEN2-01E4-BN67 (group group-42): extensions phone, pinned" \
  "easemob    customer_81934, chat with agent_0042: 5 messages" \
  "tencentim  group @TGS#2C5SZEAEG: 1 message: seq 1" \
  "/message/expansion/delete.json  matched 1"
! grep -q "matched nothing" "$scratch/readme.log" || { cat "$scratch/readme.log"; fail "the rehearsal guide's block matched nothing somewhere"; }

echo "    2. a fixture without the targeted data: strict fails, lenient warns"
build_emulator
export IMOPS_EMULATOR="$emulator_bin"
wrong="$ci_repo/scripts/testdata/fixture-without-targets.json"
if "$ci_repo/scripts/rehearse.sh" "$ci_repo/examples/rehearsal" "$wrong" >"$scratch/strict.log" 2>&1; then
  cat "$scratch/strict.log"
  fail "a strict rehearsal against a fixture without the targeted data passed"
fi
expect "$scratch/strict.log" "imops-emulator -strict" "<- matched nothing" "The rehearsal FAILED"
"$ci_repo/scripts/rehearse.sh" --no-strict "$ci_repo/examples/rehearsal" "$wrong" >"$scratch/lenient.log" 2>&1 ||
  { cat "$scratch/lenient.log"; fail "a lenient rehearsal failed"; }
expect "$scratch/lenient.log" "! 2 requests matched nothing in the store"

echo "    3. a configuration whose resources are in a local module beside it"
mkdir -p "$scratch/infra/cleanup" "$scratch/infra/modules/erasure"
cat >"$scratch/infra/cleanup/main.tf" <<'HCL'
terraform {
  required_providers {
    imops = { source = "imops/imops" }
  }
}
provider "imops" {}
# Not the provider's: a rehearsal must not take it for an endpoint.
locals {
  region = "eu-west-1"
}
module "erasure" {
  source = "../modules/erasure"
  ids    = split("\n", trimspace(file("${path.module}/../ids.txt")))
}
HCL
cat >"$scratch/infra/modules/erasure/main.tf" <<'HCL'
terraform {
  required_providers {
    imops = { source = "imops/imops" }
  }
}
variable "ids" { type = list(string) }
resource "imops_easemob_roaming_chat_delete" "this" {
  user_id      = "agent_0042"
  peer_user_id = "customer_81934"
  message_ids  = var.ids
}
HCL
printf '1235807318835202004\n' >"$scratch/infra/ids.txt"
"$ci_repo/scripts/rehearse.sh" "$scratch/infra/cleanup" "$ci_repo/examples/rehearsal/fixture.json" >"$scratch/module.log" 2>&1 ||
  { cat "$scratch/module.log"; fail "a rehearsal of a configuration using ../modules failed"; }
expect "$scratch/module.log" "Deleted or changed (1):" \
  "- deleted  easemob.users.agent_0042.chats.customer_81934[1235807318835202004]"
[ -z "$(find "$scratch/infra" -name '.terraform*' -o -name '*.tfstate')" ] ||
  fail "the rehearsal wrote into the configuration's directory: $(find "$scratch/infra" -name '.terraform*' -o -name '*.tfstate')"

echo "    4. an endpoint in a provider \"imops\" block is refused, in the configuration or a module"
mkdir -p "$scratch/pinned/cleanup" "$scratch/pinned/modules/erasure"
cp "$scratch/infra/cleanup/main.tf" "$scratch/pinned/cleanup/main.tf"
cp "$scratch/infra/ids.txt" "$scratch/pinned/ids.txt"
cat "$scratch/infra/modules/erasure/main.tf" - >"$scratch/pinned/modules/erasure/main.tf" <<'HCL'
provider "imops" {
  easemob {
    api_url = "https://a1.easemob.com"
  }
}
HCL
status=0
"$ci_repo/scripts/rehearse.sh" "$scratch/pinned/cleanup" "$ci_repo/examples/rehearsal/fixture.json" >"$scratch/pinned.log" 2>&1 || status=$?
[ "$status" -eq 2 ] || { cat "$scratch/pinned.log"; fail "a module naming an endpoint: the rehearsal exited $status, want 2"; }
expect "$scratch/pinned.log" "names vendor endpoints" "pinned/modules/erasure/main.tf:14:     api_url"
! grep -qE 'Creating|Apply complete' "$scratch/pinned.log" || { cat "$scratch/pinned.log"; fail "the rehearsal applied a module naming an endpoint"; }
cp "$scratch/pinned/modules/erasure/main.tf" "$scratch/pinned/cleanup/endpoint.tf"
sed -i '/^terraform {/,/^}/d; /^variable/d; /^resource/,/^}/d' "$scratch/pinned/cleanup/endpoint.tf"
status=0
"$ci_repo/scripts/rehearse.sh" "$scratch/pinned/cleanup" "$ci_repo/examples/rehearsal/fixture.json" >"$scratch/pinned-root.log" 2>&1 || status=$?
[ "$status" -eq 2 ] || { cat "$scratch/pinned-root.log"; fail "a configuration naming an endpoint: the rehearsal exited $status, want 2"; }
expect "$scratch/pinned-root.log" "names vendor endpoints" "cleanup/endpoint.tf"
! grep -q 'Starting the emulator' "$scratch/pinned-root.log" || fail "the rehearsal started before refusing an endpoint in the configuration"
# The same, written on one line, and in JSON syntax.
printf 'provider "imops" { easemob { api_url = "https://a1.easemob.com" } }\n' >"$scratch/pinned/cleanup/endpoint.tf"
printf '{"provider": {"imops": {"easemob": {"api_url": "https://a1.easemob.com"}}}}\n' >"$scratch/pinned/cleanup/endpoint.tf.json"
for file in endpoint.tf endpoint.tf.json; do
  mkdir -p "$scratch/one/$file"
  cp "$scratch/pinned/cleanup/main.tf" "$scratch/pinned/cleanup/$file" "$scratch/one/$file/"
  cp "$scratch/infra/ids.txt" "$scratch/one/ids.txt"
  status=0
  "$ci_repo/scripts/rehearse.sh" "$scratch/one/$file" "$ci_repo/examples/rehearsal/fixture.json" >"$scratch/one.log" 2>&1 || status=$?
  [ "$status" -eq 2 ] || { cat "$scratch/one.log"; fail "an endpoint in $file: the rehearsal exited $status, want 2"; }
  expect "$scratch/one.log" "names vendor endpoints" "$file:1"
done

echo "    5. Ctrl-C stops the emulator"
mkdir "$scratch/tmp"
cat >"$scratch/slow-terraform" <<SH
#!/usr/bin/env bash
touch "$scratch/terraform-started"
sleep 300
SH
chmod +x "$scratch/slow-terraform"
set -m # the rehearsal gets a process group of its own, as a terminal's foreground job has
TERRAFORM="$scratch/slow-terraform" TMPDIR="$scratch/tmp" "$ci_repo/scripts/rehearse.sh" >"$scratch/interrupted.log" 2>&1 &
rehearsal=$!
set +m
# If a check below fails, the rehearsal's process group must not outlive this script.
trap 'kill -INT -- "-$rehearsal" 2>/dev/null || true; ci_cleanup' EXIT
for _ in $(seq 1 300); do [ -e "$scratch/terraform-started" ] && break; sleep 0.1; done
[ -e "$scratch/terraform-started" ] || { cat "$scratch/interrupted.log"; fail "the rehearsal never reached terraform"; }
kill -INT -- "-$rehearsal"
status=0
wait "$rehearsal" || status=$?
[ "$status" -eq 130 ] || { cat "$scratch/interrupted.log"; fail "an interrupted rehearsal exited $status, want 130"; }
port="$(sed -nE 's#^ +http://127\.0\.0\.1:([0-9]+)$#\1#p' "$scratch/interrupted.log")"
[ -n "$port" ] || { cat "$scratch/interrupted.log"; fail "no emulator URL in the rehearsal's output"; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "the emulator still listens on port $port after Ctrl-C"
fi
[ -z "$(ls -A "$scratch/tmp")" ] || fail "the interrupted rehearsal left $(ls "$scratch/tmp") behind"
echo "    rehearsal: the guide's block, strict and lenient runs, Ctrl-C: all as expected"
