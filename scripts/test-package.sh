#!/usr/bin/env bash
# Packaging test: builds flightdeck.vsix with `npm run package`, unpacks it and checks what it holds
# (runtime files only (vsce names LICENSE LICENSE.txt), no sources / tests / dev dependencies, a universal package), checks that the
# bundled better-sqlite3 loads with this Node, installs the .vsix into code-server 4.100.3 with
# --install-extension, and runs the newer-host suite against the INSTALLED copy in code-server
# 4.139.1 (Node 24): there the bundled native module cannot load, so this proves that the universal
# .vsix falls back to node:sqlite on its own, outside this repository's node_modules.
# Prints a mocha-style count at the end ("  N passing" / "  M failing"); exits non-zero on a failure.
# FLIGHTDECK_SKIP_PACKAGE=1 checks the existing flightdeck.vsix without rebuilding it.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export VSCODE_HOST_CACHE="${VSCODE_HOST_CACHE:-$ROOT/.cache/vscode-host}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/flightdeck-package.XXXXXX")"
passed=0 failed=0

check() { # check <name> <command...>: one counted test
  local name="$1"; shift
  local out t0=$SECONDS; if out="$("$@" 2>&1)"; then
    passed=$((passed + 1)); echo "  ✔ $name ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); echo "  ✘ $name ($((SECONDS - t0)) s)"; sed 's/^/      /' <<<"$out"
  fi
}

t0=$SECONDS
if [ -z "${FLIGHTDECK_SKIP_PACKAGE:-}" ]; then
  if ! npm run package > "$tmp/package.log" 2>&1; then
    cat "$tmp/package.log"; echo "  0 passing"; echo "  1 failing"; exit 1
  fi
fi
echo "npm run package: $((SECONDS - t0)) s"
VSIX="$ROOT/flightdeck.vsix"
[ -f "$VSIX" ] || { echo "no $VSIX"; echo "  0 passing"; echo "  1 failing"; exit 1; }
unzip -q "$VSIX" -d "$tmp/unpacked" && unzip -Z1 "$VSIX" | sort > "$tmp/files"
E="$tmp/unpacked/extension"
echo "flightdeck.vsix: $(du -k "$VSIX" | cut -f1) KB packed, $(du -sk "$E" | cut -f1) KB unpacked, $(grep -c '^extension/' "$tmp/files") files"

has_runtime_files() {
  local f missing=0
  for f in package.json LICENSE.txt readme.md dist/extension.js dist/engine.js dist/importWorker.js dist/importWriter.js dist/cli.js dist/cli-serve.js dist/cli-import.js dist/cli-import-via-engine.js dist/cli-usage.js dist/hook.js dist/web.js dist/usage.js dist/usage.css \
           node_modules/better-sqlite3/package.json node_modules/better-sqlite3/lib/index.js \
           node_modules/better-sqlite3/build/Release/better_sqlite3.node \
           media/flightdeck.svg media/walkthrough/detect.md media/walkthrough/claude-hooks.md \
           media/walkthrough/codex-session.md media/walkthrough/hub.md; do
    [ -s "$E/$f" ] || { echo "missing: extension/$f"; missing=1; }
  done
  return "$missing"
}

no_dev_files() {
  # Sources, tests, compiled tests, benchmarks, scripts, docs (screenshots excepted), maps, TypeScript.
  ! grep -E '^extension/(src|test|out|bench|scripts|webview|\.cache|\.ci|\.vscode|test-results)/|\.(map|ts)$|^extension/(tsconfig\.json|esbuild\.mjs|\.mocharc\.json|flightdeck\.vsix)$' "$tmp/files" &&
    ! grep '^extension/docs/' "$tmp/files" | grep -v '^extension/docs/screenshots/[^/]*\.png$'
}

only_runtime_node_modules() {
  ! grep -E '^extension/node_modules/' "$tmp/files" | grep -Ev '^extension/node_modules/(better-sqlite3|bindings|file-uri-to-path)/'
}

vsce_ls_agrees() {
  # `vsce ls` lists what `vsce package` puts in; it must match the archive (which names LICENSE
  # LICENSE.txt and README.md readme.md, and adds its manifest files outside extension/).
  npx --no-install vsce ls > "$tmp/vsce-ls.raw" && grep -v '^$' "$tmp/vsce-ls.raw" | sort > "$tmp/vsce-ls" &&
    sed -n 's#^extension/##p' "$tmp/files" | sed 's#^LICENSE\.txt$#LICENSE#; s#^readme\.md$#README.md#' | sort > "$tmp/zip-ls" &&
    diff "$tmp/vsce-ls" "$tmp/zip-ls"
}

universal_workspace_extension() {
  # No TargetPlatform: one .vsix for every OS (the native driver is optional, node:sqlite the fallback).
  ! grep -q 'TargetPlatform=' "$tmp/unpacked/extension.vsixmanifest" &&
    node -e '
      const p = require(process.argv[1]);
      const ok = JSON.stringify(p.extensionKind) === JSON.stringify(["workspace"]) &&
        p.contributes.walkthroughs?.[0]?.steps?.length === 4 && p.contributes.configuration.properties["flightdeck.sqliteDriver"];
      if (!ok) { console.error("extensionKind / walkthroughs / sqliteDriver setting missing from the packaged package.json"); process.exit(1); }' "$E/package.json"
}

bundled_driver_loads() {
  # With the Node this package was built for (the system Node, as in code-server 4.100.x), from the .vsix alone.
  node -e '
    const Database = require(process.argv[1]);
    const db = new Database(":memory:");
    db.exec("CREATE VIRTUAL TABLE t USING fts5(body); INSERT INTO t VALUES (\x27hello world\x27)");
    if (db.prepare("SELECT count(*) AS n FROM t WHERE t MATCH \x27hello\x27").get().n !== 1) process.exit(1);' "$E/node_modules/better-sqlite3"
}

CS_OLD="$VSCODE_HOST_CACHE/code-server-4.100.3/node_modules/code-server/out/node/entry.js"
installs_into_code_server() {
  bash scripts/vscode-host.sh setup >/dev/null || return 1
  XDG_CONFIG_HOME="$tmp/xdg" XDG_DATA_HOME="$tmp/xdg" EXTENSIONS_GALLERY='{}' \
    node "$CS_OLD" --user-data-dir "$tmp/user-data" --extensions-dir "$tmp/extensions" --install-extension "$VSIX" &&
    [ -s "$tmp/extensions/flightdeck.flightdeck-$(node -p 'require("./package.json").version')/dist/extension.js" ]
}

installed_copy_activates_on_node_sqlite() {
  local installed; installed="$(ls -d "$tmp"/extensions/flightdeck.flightdeck-* 2>/dev/null | head -1)"
  [ -n "$installed" ] || { echo "not installed"; return 1; }
  [ -f out/test/host/index.js ] || npx tsc -p . || return 1
  VSCODE_HOST_CS_VERSION=4.139.1 bash scripts/vscode-host.sh setup >/dev/null || return 1
  # Its own leader and data folders, so no other engine on the machine is joined; empty agent homes.
  mkdir -p "$tmp/codex-home" "$tmp/claude-home"
  VSCODE_HOST_CS_VERSION=4.139.1 FLIGHTDECK_HOST_SUITE=newer-host \
    FLIGHTDECK_LEADER_DIR="$tmp/run" FLIGHTDECK_DATA_DIR="$tmp/data" CODEX_HOME="$tmp/codex-home" CLAUDE_CONFIG_DIR="$tmp/claude-home" \
    bash scripts/vscode-host.sh test "$installed" out/test/host/index.js > "$tmp/installed-host.log" 2>&1
  local rc=$?
  grep -E 'HOST-SUMMARY|✔|[0-9]+\)' "$tmp/installed-host.log" | sed 's/^HOST-SUMMARY /installed copy: /'
  [ "$rc" = 0 ] && grep -q 'HOST-SUMMARY passed=[1-9][0-9]* failed=0' "$tmp/installed-host.log"
}

echo "packaging"
check "has the runtime files (dist, LICENSE, native driver, walkthrough media)" has_runtime_files
check "holds no sources, tests, benchmarks, docs (but screenshots), maps or TypeScript" no_dev_files
check "its node_modules hold only better-sqlite3, bindings, file-uri-to-path" only_runtime_node_modules
check "vsce ls lists exactly the archive's files" vsce_ls_agrees
check "is universal (no target platform), a workspace extension with the walkthrough and driver setting" universal_workspace_extension
check "its better-sqlite3 loads with Node $(node -v) and has FTS5" bundled_driver_loads
check "installs into code-server 4.100.3 with --install-extension" installs_into_code_server
check "the installed copy activates in code-server 4.139.1 (Node 24) on node:sqlite and shows sessions" installed_copy_activates_on_node_sqlite

echo "  $passed passing"
[ "$failed" = 0 ] || echo "  $failed failing"
[ "$failed" = 0 ]
