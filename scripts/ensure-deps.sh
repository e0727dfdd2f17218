#!/usr/bin/env bash
# The system programs the test suites need, checked before any suite runs (npm test calls this
# first, so that no suite depends on another one having installed something):
#   chromium        the webview / web-client suites (playwright-core drives /usr/bin/chromium) and the host suites
#   tmux            the Claude Code TUI suite drives `claude` in a terminal
#   python3 make g++ libkrb5-dev   native builds (better-sqlite3, code-server's kerberos module)
#   rg (ripgrep)    code-server 4.100's install seeds its ripgrep download with it
#   git             the clean-clone check and code-server's install
# Missing ones are installed with apt-get when running as root on Debian/Ubuntu (it says so);
# otherwise it stops with the list and the command to run. FLIGHTDECK_APT=0 never calls apt-get.
set -euo pipefail

# "check|debian-package": check = a command name, an absolute path, or dpkg:<package>
needs=(
  "/usr/bin/chromium|chromium"
  "tmux|tmux"
  "python3|python3"
  "make|make"
  "g++|g++"
  "dpkg:libkrb5-dev|libkrb5-dev"
  "rg|ripgrep"
  "git|git"
  "curl|curl"
)

has() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    dpkg:*) command -v dpkg >/dev/null && dpkg -s "${1#dpkg:}" >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null ;;
  esac
}

missing=()
for n in "${needs[@]}"; do has "${n%%|*}" || missing+=("${n##*|}"); done
if [ ${#missing[@]} -eq 0 ]; then echo "[deps] ok: chromium, tmux, python3, make, g++, libkrb5-dev, ripgrep, git, curl"; exit 0; fi

if [ "${FLIGHTDECK_APT:-1}" = 0 ] || [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "[deps] ERROR: the tests need these system packages, which are missing: ${missing[*]}" >&2
  echo "[deps] install them (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends ${missing[*]}) and run npm test again" >&2
  exit 2
fi

echo "[deps] installing with apt-get (running as root): ${missing[*]}"
log="${TMPDIR:-/tmp}/flightdeck-apt.log"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } </dev/null >"$log" 2>&1; then
  tail -20 "$log" >&2; echo "[deps] ERROR: apt-get failed (log: $log)" >&2; exit 2
fi
still=()
for n in "${needs[@]}"; do has "${n%%|*}" || still+=("${n##*|}"); done
[ ${#still[@]} -eq 0 ] || { echo "[deps] ERROR: still missing after apt-get: ${still[*]}" >&2; exit 2; }
echo "[deps] installed: ${missing[*]}"
