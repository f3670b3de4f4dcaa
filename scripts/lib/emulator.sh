# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2034 # (variables set here are for the sourcing script)
# Starting and stopping imops-emulator from a script; source it, do not run it. Used by
# demo.sh, rehearse.sh and the CI checks.

# start_emulator BINARY DIR [FLAGS...] starts the emulator binary on a free loopback port with
# the given flags, logging to DIR/emulator.log, and sets emulator_pid and emulator_url. The
# emulator writes its URL to DIR/url once it listens (and removes it when it stops).
start_emulator() {
  local binary="$1" dir="$2"
  shift 2
  "$binary" -addr 127.0.0.1:0 -url-file "$dir/url" "$@" 2>"$dir/emulator.log" &
  emulator_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$dir/url" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$dir/url" ]; then
    echo "the emulator did not start:" >&2
    cat "$dir/emulator.log" >&2
    return 1
  fi
  emulator_url="$(cat "$dir/url")"
}

# stop_emulator asks the emulator to stop (SIGTERM: it finishes what is in flight, writes
# -state-out, frees its port) and waits for it. Safe to call twice, or before a start.
stop_emulator() {
  if [ -n "${emulator_pid:-}" ]; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=""
  fi
}
