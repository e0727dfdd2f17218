// Remote engines from VS Code (issue 20). The `flightdeck.remotes` setting lists them by name and URL
// only; each token lives in SecretStorage (never in settings, never on a command line). The window
// that runs the engine (the leader) joins them through the engine's RemoteEngines, and applies every
// change of the setting or of a token, whichever window made it — a window that only attaches to the
// engine writes the setting and the secret, and the leader's change events carry them over.
import * as vscode from 'vscode';

/** One entry of `flightdeck.remotes`. */
export interface RemoteEntry { name: string; url: string }

export type RemoteState = 'connecting' | 'connected' | 'unreachable' | 'unauthorized';

/** A remote engine as the engine reports it (RemoteEngines.list(); never holds the token). */
export interface RemoteStatus { name: string; url: string; state: RemoteState; lastError?: string; sessions: number }

/** The leader's RemoteEngines, as much as this side uses of it. */
export interface RemoteTarget {
  add(spec: { name: string; url: string; token: string }): void;
  remove(name: string): boolean;
  list(): RemoteStatus[];
}

export const REMOTES_SETTING = 'remotes';
/** The engine's rule for a remote's name (it becomes the host part of session ids: `<name>/<id>`). */
export const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
/** The hub token format (hub/token.ts): what a remote's token must look like. */
export const REMOTE_TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

export function remoteTokenKey(name: string): string { return `flightdeck.remote.${name}.token`; }

/** Why a name or URL cannot be used, in words a user can act on; null when it can. */
export function remoteNameProblem(name: string): string | null {
  return REMOTE_NAME.test(name) ? null : 'Use 1–32 letters, digits, - or _, starting with a letter or digit.';
}
export function remoteUrlProblem(url: string): string | null {
  let u: URL;
  try { u = new URL(url); } catch { return 'Not a URL: expected ws://host:port/ws or wss://host/ws.'; }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return 'The URL must start with ws:// or wss://.';
  if (u.username || u.password || /token/i.test(u.search)) return 'Leave the token out of the URL: it is asked for next and kept in SecretStorage.';
  return null;
}
export function remoteTokenProblem(token: string): string | null {
  return REMOTE_TOKEN.test(token) ? null : 'A Flightdeck token is 20–200 characters of A–Z a–z 0–9 - _ (the file "token" in the remote\'s data folder).';
}

/** The valid entries of the setting, the first of each name (a hand-edited list may repeat one). */
export function configuredRemotes(): RemoteEntry[] {
  const raw = vscode.workspace.getConfiguration('flightdeck').get<unknown[]>(REMOTES_SETTING, []);
  const out: RemoteEntry[] = [];
  for (const r of Array.isArray(raw) ? raw : []) {
    const e = r as Partial<RemoteEntry> | null;
    if (!e || typeof e.name !== 'string' || typeof e.url !== 'string') continue;
    if (remoteNameProblem(e.name) || remoteUrlProblem(e.url) || out.some(x => x.name === e.name)) continue;
    out.push({ name: e.name, url: e.url });
  }
  return out;
}

/** Stores the token first, then the entry: the leader reads the token when the setting changes. */
export async function saveRemote(secrets: vscode.SecretStorage, entry: RemoteEntry, token: string): Promise<void> {
  await secrets.store(remoteTokenKey(entry.name), token);
  const rest = configuredRemotes().filter(r => r.name !== entry.name);
  await vscode.workspace.getConfiguration('flightdeck').update(REMOTES_SETTING, [...rest, entry], vscode.ConfigurationTarget.Global);
}

/** Removes the entry, then its token. False when no entry had that name. */
export async function forgetRemote(secrets: vscode.SecretStorage, name: string): Promise<boolean> {
  const before = configuredRemotes();
  const rest = before.filter(r => r.name !== name);
  if (rest.length !== before.length) await vscode.workspace.getConfiguration('flightdeck').update(REMOTES_SETTING, rest, vscode.ConfigurationTarget.Global);
  await secrets.delete(remoteTokenKey(name));
  return rest.length !== before.length;
}

/**
 * Keeps the leader's RemoteEngines equal to the setting and the stored tokens: joins what is new or
 * changed (URL or token), leaves what was removed. Changes are applied one after another.
 */
export class RemoteSync {
  private applied = new Map<string, { url: string; token: string }>();
  private appliedTo: RemoteTarget | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** The problem of each remote that could not be joined (no token, a refused spec); read by the status pick. */
  readonly problems = new Map<string, string>();

  constructor(private readonly secrets: vscode.SecretStorage, private readonly target: () => RemoteTarget | undefined, private readonly log: vscode.LogOutputChannel) {}

  /** Applies the current setting and tokens (queued behind any apply still running). */
  sync(): Promise<void> {
    this.queue = this.queue.then(() => this.apply()).catch(e => { this.log.error(`remote engines: ${(e as Error).message}`); });
    return this.queue;
  }

  private async apply(): Promise<void> {
    const target = this.target();
    if (!target) return;
    // A new engine (this window became the leader again): nothing of the old one is joined there.
    if (target !== this.appliedTo) { this.applied.clear(); this.appliedTo = target; }
    const wanted = configuredRemotes();
    for (const r of wanted) {
      const token = await this.secrets.get(remoteTokenKey(r.name));
      const prev = this.applied.get(r.name);
      if (!token) {
        this.problems.set(r.name, 'no token in SecretStorage: run Flightdeck: Add Remote Engine for it again');
        this.log.warn(`remote ${r.name}: ${this.problems.get(r.name)}`);
        if (prev) { target.remove(r.name); this.applied.delete(r.name); }
        continue;
      }
      if (prev && prev.url === r.url && prev.token === token) continue;
      try {
        target.add({ ...r, token });
        this.applied.set(r.name, { url: r.url, token });
        this.problems.delete(r.name);
      } catch (e) {
        this.problems.set(r.name, (e as Error).message);
        this.log.warn(`remote ${r.name}: not joined: ${(e as Error).message}`);
      }
    }
    for (const name of [...this.applied.keys()]) {
      if (wanted.some(w => w.name === name)) continue;
      target.remove(name);
      this.applied.delete(name);
    }
    for (const name of [...this.problems.keys()]) if (!wanted.some(w => w.name === name)) this.problems.delete(name);
  }
}

/** A remote's state in words, the same in every pick: "connected · 3 sessions", "unauthorized: …". */
export function remoteStateText(r: RemoteStatus): string {
  const sessions = `${r.sessions} session${r.sessions === 1 ? '' : 's'}`;
  if (r.state === 'connected') return `connected · ${sessions}`;
  if (r.state === 'connecting') return 'connecting…';
  return `${r.state}${r.lastError ? `: ${r.lastError}` : ''}`;
}

export const REMOTE_STATE_ICONS: Record<RemoteState, string> = {
  connected: '$(vm-active)', connecting: '$(loading~spin)', unreachable: '$(debug-disconnect)', unauthorized: '$(lock)',
};
