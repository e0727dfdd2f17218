#!/usr/bin/env bash
# The README's commands, literally, in a clean clone: `git clone` of this repository (its committed
# HEAD) into a temp dir, then the two commands of the README's first ```bash block, read from the
# README itself. `npm install && npm start` passes when the printed URL answers (then it is stopped);
# `npm test` passes when it exits 0. Slow (code-server is installed into the clone's .cache/, the
# whole test suite runs): a separate check, not part of `npm test`.
#
# Usage: scripts/test-clean-clone.sh [--start-only]
#   --start-only              only the first command (install + start), not `npm test`
# Environment:
#   CLEAN_CLONE_KEEP=1        keep the temp dir (printed) instead of deleting it
#   CLEAN_CLONE_START_TIMEOUT seconds to wait for npm start's URL (default 1800: a first code-server install)
#   npm_config_cache          as usual: a local npm cache makes the install faster
#   CLEAN_CLONE_HOST_CACHE    reuse this code-server cache (VSCODE_HOST_CACHE) instead of installing one into
#                             the clone: faster, but no longer the literal check of the README's .cache/ location
set -euo pipefail
unset VSCODE_HOST_CACHE
[ -n "${CLEAN_CLONE_HOST_CACHE:-}" ] && export VSCODE_HOST_CACHE="$CLEAN_CLONE_HOST_CACHE"
cd "$(dirname "$0")/.."
ROOT=$PWD
start_only=0
[ "${1:-}" = --start-only ] && start_only=1

# The README's commands: the lines of its first ```bash block, without the trailing comments.
mapfile -t cmds < <(awk '/^```bash$/ { inside = 1; next } inside && /^```/ { exit } inside { sub(/[ \t]+#.*$/, ""); if ($0 != "") print }' README.md)
[ "${#cmds[@]}" = 2 ] || { echo "expected two commands in README.md's first bash block, found: ${cmds[*]}" >&2; exit 2; }
start_cmd="${cmds[0]}" test_cmd="${cmds[1]}"
[[ "$start_cmd" == *"npm start"* ]] || { echo "the README's first command does not run npm start: $start_cmd" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/flightdeck-clean-clone.XXXXXX")"
pid=""
finish() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "${CLEAN_CLONE_KEEP:-0}" = 1 ]; then echo "[clean-clone] kept $tmp"; else rm -rf "$tmp"; fi
}
trap finish EXIT

echo "[clean-clone] git clone $ROOT (HEAD $(git rev-parse --short HEAD)) into $tmp/flightdeck"
git clone -q "$ROOT" "$tmp/flightdeck"
cd "$tmp/flightdeck"

echo "[clean-clone] \$ $start_cmd"
# its own process group (setsid), so that stopping it stops code-server and everything it started
setsid bash -c "$start_cmd" > "$tmp/start.log" 2>&1 < /dev/null &
pid=$!
deadline=$((SECONDS + ${CLEAN_CLONE_START_TIMEOUT:-1800}))
url=""
while [ -z "$url" ]; do
  url="$(grep -Eo 'open: http://[^ ]+' "$tmp/start.log" | head -1 | sed 's/^open: //' || true)"
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then tail -40 "$tmp/start.log" >&2; echo "[clean-clone] FAILED: npm start exited before printing a URL" >&2; exit 1; fi
  if [ "$SECONDS" -gt "$deadline" ]; then tail -40 "$tmp/start.log" >&2; echo "[clean-clone] FAILED: no URL within the timeout" >&2; exit 1; fi
  sleep 2
done
code="$(curl -s -o /dev/null -w '%{http_code}' "$url")"
[ "$code" = 200 ] || { tail -40 "$tmp/start.log" >&2; echo "[clean-clone] FAILED: $url answered $code" >&2; exit 1; }
[ -n "${VSCODE_HOST_CACHE:-}" ] || [ -f .cache/vscode-host/code-server-4.100.3/.ok ] || { echo "[clean-clone] FAILED: code-server is not in the clone's .cache/vscode-host (README)" >&2; exit 1; }
echo "[clean-clone] npm start printed $url and it answers 200 (code-server in ${VSCODE_HOST_CACHE:-.cache/vscode-host of the clone}); stopping it"
kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""

if [ "$start_only" = 1 ]; then echo "[clean-clone] PASSED (start only)"; exit 0; fi
echo "[clean-clone] \$ $test_cmd"
if bash -c "$test_cmd" 2>&1 | tee "$tmp/test.log"; then echo "[clean-clone] PASSED"; else
  echo "[clean-clone] FAILED: $test_cmd (log: $tmp/test.log; CLEAN_CLONE_KEEP=1 keeps it)" >&2; exit 1
fi
