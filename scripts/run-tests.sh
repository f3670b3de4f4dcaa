#!/usr/bin/env bash
# Runs the Go tests verbosely, shows what matters (failures, skip reasons, package results),
# and ends with one count line: "tests: N passed, N failed, N skipped" (subtests included).
#
#   scripts/run-tests.sh [--unit] [CLI...]
#
#   --unit  the client, emulator, receipt and command tests, with the race detector
#   CLI     a terraform or tofu binary: the provider suite runs against it (TF_ACC_TERRAFORM_PATH)
#           and gets its own count line, e.g. "terraform 1.14.9: 180 passed, 0 failed, 0 skipped"
#
# The runs go in parallel, at most IMOPS_TEST_JOBS (default 5) at once: a provider run spends
# most of its time waiting on Terraform's processes and on the emulator, not on the CPU. On Terraform >= 1.14 nothing may be skipped:
# the action tests run there, and a skip would hide that they did not.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

GO=${GO:-go}
jobs=${IMOPS_TEST_JOBS:-5}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
touch "$logs/empty.tfrc"

# quiet drops the per-test chatter of go test -v.
quiet() { grep -v -E '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS|PASS$)' || true; }

# count LOG prints "N passed, N failed, N skipped".
count() {
  local p f s
  p=$(grep -c -E '^\s*--- PASS' "$1")
  f=$(grep -c -E '^\s*--- FAIL' "$1")
  s=$(grep -c -E '^\s*--- SKIP' "$1")
  echo "$p passed, $f failed, $s skipped"
}

# describe CLI prints "terraform 1.14.9" or "tofu 1.12.6", as the binary reports itself.
describe() {
  local line
  # The first line that names the product: a CLI may warn about its configuration first.
  line=$(TF_CLI_CONFIG_FILE=$logs/empty.tfrc "$1" version 2>/dev/null | grep -m1 -E '^(Terraform|OpenTofu) v')
  case "$line" in
    "Terraform v"*) echo "terraform ${line#Terraform v}" ;;
    "OpenTofu v"*) echo "tofu ${line#OpenTofu v}" ;;
    *) echo "$1 (unknown version)" ;;
  esac
}

# provider_suite CLI LOG runs the provider's tests against CLI, writing go test's output to LOG.
provider_suite() {
  local cli=$1 log=$2
  # An empty CLI configuration: the developer's own (or a missing one, which OpenTofu warns
  # about on standard output) must not change what the tests see.
  local -a env=("TF_ACC_TERRAFORM_PATH=$cli" "TF_CLI_CONFIG_FILE=$logs/empty.tfrc")
  # OpenTofu resolves providers on its own registry; the test harness must reattach the
  # in-process provider under that host.
  case "$(describe "$cli")" in tofu\ *) env+=("TF_ACC_PROVIDER_HOST=registry.opentofu.org") ;; esac
  env "${env[@]}" "$GO" test -count=1 -timeout 30m -v ./internal/provider/... . >"$log" 2>&1
  echo $? >"$log.status"
}

unit=false
if [ "${1:-}" = "--unit" ]; then unit=true; shift; fi
clis=()
for cli in "$@"; do
  [ -x "$cli" ] || { echo "run-tests: $cli is not an executable" >&2; exit 2; }
  clis+=("$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")")
done

unit_tests() {
  "$GO" test -count=1 -race -v ./internal/client/... ./internal/emulator/... ./internal/receipt/... ./cmd/... >"$logs/unit" 2>&1
  echo $? >"$logs/unit.status"
}

# Compile the provider's tests once, before the parallel runs would each compile them.
if [ "${#clis[@]}" -gt 0 ]; then
  "$GO" test -c -o "$logs/" ./internal/provider/... || exit 1
fi
echo "run-tests:$($unit && echo " unit tests;") provider suite on:" \
  "$(for cli in "${clis[@]}"; do describe "$cli"; done | paste -sd, - | sed 's/,/, /g') (output when all are done)"

# Start the runs, at most $jobs at a time, then report them in order.
pids=()
start() {
  if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[$(( ${#pids[@]} - jobs ))]}" 2>/dev/null; fi
  "$@" &
  pids+=($!)
}
if $unit; then start unit_tests; fi
for i in "${!clis[@]}"; do start provider_suite "${clis[$i]}" "$logs/cli$i"; done
wait

status=0
summary=()
touch "$logs/all"
if $unit; then
  quiet <"$logs/unit"
  [ "$(cat "$logs/unit.status" 2>/dev/null)" = 0 ] || status=1
  summary+=("unit: $(count "$logs/unit")")
  cat "$logs/unit" >>"$logs/all"
fi
for i in "${!clis[@]}"; do
  name=$(describe "${clis[$i]}")
  echo "--- provider suite on $name (${clis[$i]})"
  quiet <"$logs/cli$i"
  [ "$(cat "$logs/cli$i.status" 2>/dev/null)" = 0 ] || status=1
  skipped=$(grep -c -E '^\s*--- SKIP' "$logs/cli$i")
  case "$name" in
    terraform\ 1.1[4-9].* | terraform\ 1.[2-9][0-9].* | terraform\ [2-9].*)
      if [ "$skipped" -ne 0 ]; then
        echo "run-tests: $skipped tests skipped on $name, where every test must run" >&2
        status=1
      fi ;;
  esac
  summary+=("$name: $(count "$logs/cli$i")")
  cat "$logs/cli$i" >>"$logs/all"
done

printf '%s\n' "${summary[@]}"
echo "tests: $(count "$logs/all")"
exit "$status"
