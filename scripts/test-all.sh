#!/usr/bin/env bash
# Every test suite of Flightdeck: unit + integration (mocha, real SQLite / codex / claude / sockets)
# and the host suite inside a real VS Code (code-server + Chromium). Ends with one line
# "N passed, N failed" summing all suites; exits non-zero when anything failed.
# First it sets up everything the suites need, so that no suite depends on another one having
# installed something: system packages (scripts/ensure-deps.sh: Chromium, tmux, build tools; apt-get
# when root), code-server + playwright in .cache/vscode-host (the one location `npm start` uses too).
# A suite that reports fewer tests than its floor in scripts/test-floors counts as failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export VSCODE_HOST_CACHE="${VSCODE_HOST_CACHE:-$ROOT/.cache/vscode-host}"
LOGS="$ROOT/test-results"; mkdir -p "$LOGS"
passed=0; failed=0; broken=()

floor() { awk -v s="$1" '$1 == s { print $2 }' scripts/test-floors; }
check_floor() { # check_floor <suite> <count>: a suite that ran fewer tests than its floor is broken
  local want; want="$(floor "$1")"
  if [ -z "$want" ]; then broken+=("$1 has no floor in scripts/test-floors"); return; fi
  if [ "$2" -lt "$want" ]; then broken+=("$1 reported $2 tests, fewer than its floor $want (scripts/test-floors)"); fi
}

count_mocha() { # count_mocha <log> <suite>: adds mocha's "N passing" / "N failing" to the totals
  local p f
  p=$(grep -Eo '^ +[0-9]+ passing' "$1" | tail -1 | grep -Eo '[0-9]+' || true)
  f=$(grep -Eo '^ +[0-9]+ failing' "$1" | tail -1 | grep -Eo '[0-9]+' || true)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  echo "== $2: ${p:-0} passed, ${f:-0} failed"
  check_floor "$2" $(( ${p:-0} + ${f:-0} ))
}

echo "== setup: system packages, code-server and playwright in $VSCODE_HOST_CACHE"
if ! bash scripts/ensure-deps.sh || ! bash scripts/vscode-host.sh setup; then
  echo "== setup failed: nothing was tested"; echo "0 passed, 1 failed"; exit 1
fi

echo "== build (out/ cleaned first: a deleted test cannot keep running from an old compile)"
rm -rf out
if ! (node esbuild.mjs && npx tsc -p . && npx tsc -p webview && npx tsc -p web) > "$LOGS/build.log" 2>&1; then
  cat "$LOGS/build.log"; echo "0 passed, 1 failed"; exit 1
fi

echo "== unit + integration (mocha)"
npx mocha 2>&1 | tee "$LOGS/mocha.log"
rc=${PIPESTATUS[0]}
count_mocha "$LOGS/mocha.log" mocha
if [ "$rc" != 0 ] && ! grep -Eq '^ +[0-9]+ failing' "$LOGS/mocha.log"; then broken+=("mocha exited $rc"); fi

echo "== store suites on node:sqlite (Node 24 from npm)"
bash scripts/test-node-sqlite.sh 2>&1 | tee "$LOGS/node-sqlite.log"
rc=${PIPESTATUS[0]}
count_mocha "$LOGS/node-sqlite.log" node-sqlite
if [ "$rc" != 0 ] && ! grep -Eq '^ +[0-9]+ failing' "$LOGS/node-sqlite.log"; then broken+=("node:sqlite suite exited $rc"); fi

echo "== host (VS Code in code-server + Chromium): main suite, broken-store suite, screenshot"
bash scripts/test-host.sh 2>&1 | tee "$LOGS/host.log"
rc=${PIPESTATUS[0]}
summary=$(grep -Eo 'HOST-SUMMARY passed=[0-9]+ failed=[0-9]+' "$LOGS/host.log" | tail -1 || true)
hp=0; hf=0
if [ -n "$summary" ]; then
  hp=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$summary"); hf=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + hp)); failed=$((failed + hf))
fi
echo "== host: $hp passed, $hf failed"
check_floor host $((hp + hf))
if [ "$rc" != 0 ] && [ "$hf" = 0 ]; then broken+=("host suite exited $rc"); fi

echo "== packaging (.vsix contents, install into code-server, activation on node:sqlite)"
bash scripts/test-package.sh 2>&1 | tee "$LOGS/package.log"
rc=${PIPESTATUS[0]}
count_mocha "$LOGS/package.log" package
if [ "$rc" != 0 ] && ! grep -Eq '^ +[0-9]+ failing' "$LOGS/package.log"; then broken+=("packaging test exited $rc"); fi

# CI keeps only the end of this output: name what failed here, next to the total, so a red run says
# which test it was without the full log.
if [ "$failed" != 0 ] || [ "${#broken[@]}" != 0 ]; then
  echo "== what failed (full logs in $LOGS)"
  for log in mocha node-sqlite host package; do
    [ -f "$LOGS/$log.log" ] || continue
    # mocha's failure reports: from "N failing" on, each numbered title with its first error lines
    awk -v suite="$log" '/^ +[0-9]+ failing/ { on = 1 } on && /^ +[0-9]+\) / { n = 0 } on { if (n++ < 12) print suite ": " $0 }' "$LOGS/$log.log" | head -150
    grep -E '\[driver\] FAILED: ' "$LOGS/$log.log" | cut -c1-400 | head -20 | sed "s/^/$log: /"
  done
fi
for b in "${broken[@]}"; do echo "== suite error: $b"; failed=$((failed + 1)); done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
