// The command line's help texts, in a module of their own: `flightdeck` with no command, or a wrong
// one, prints them without loading any command.

export const USAGE_HELP = `usage: flightdeck usage [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--by day|project|model|session]
                       [--timezone ZONE] [--json] [--data-dir DIR]

  usage   tokens (input, cache write, cache read, output, reasoning) and estimated cost per day
          (default), project, model or session, from Flightdeck's store; days in --timezone
          (default: this machine's)`;

export const USAGE = `usage: flightdeck serve [--host 127.0.0.1] [--port 4000] [--data-dir DIR] [--codex-home DIR]
                       [--claude-home DIR] [--token-file FILE] [--allow-non-loopback] [--allowed-origin URL]...
                       [--log-level debug|info|warn|error] [--install-claude-hooks] [--retention-days 365]
                       [--remote NAME=ws://HOST:PORT/ws]...

  serve   run the Flightdeck engine headless, with the WebSocket hub (GET /health, /ws, web client at /)
          --token-file FILE       the hub token is the first line of FILE (or set FLIGHTDECK_TOKEN);
                                  by default it is <data-dir>/token, created on first use (mode 0600).
                                  --token TOKEN still works but shows the token to every local user
          --install-claude-hooks  first add Flightdeck's hooks to <claude-home>/settings.json (kept
                                  idempotent; the user's own hooks stay), then serve
          --retention-days N      delete ended sessions last active more than N days ago, with their
                                  items, at start and daily (default 365; 0 keeps everything)
          --remote NAME=URL       join another Flightdeck engine (repeatable; ws:// or wss://, e.g. through
                                  ssh -L): its sessions are listed and driven from here. Its token comes
                                  from FLIGHTDECK_REMOTE_<NAME>_TOKEN or <data-dir>/remotes/<NAME>.token (0600)

       flightdeck import [--codex-home DIR] [--claude-home DIR] [--data-dir DIR] [--log-level LEVEL]

  import  bring every past Codex and Claude Code session into the store (SPEC §11): a progress line on
          stderr, a summary on stdout. Stopped (Ctrl-C, kill), it goes on where it stopped next time;
          run again, it reads only what was added since. A running engine on the same data folder
          does the import itself.

${USAGE_HELP}`;
