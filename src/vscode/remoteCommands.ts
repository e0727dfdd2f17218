// Flightdeck: Add Remote Engine / Remove Remote Engine / Show Remote Engines (issue 20). The name and
// URL go into the `flightdeck.remotes` setting, the token into SecretStorage; the engine (in this
// window or the window that leads) joins the remote and its sessions appear under its name.
import * as vscode from 'vscode';
import { ErrorCode } from '../engine/protocol/errorCodes';
import type { Outcome } from './commands';
import {
  REMOTE_STATE_ICONS, type RemoteStatus, configuredRemotes, forgetRemote, remoteNameProblem, remoteStateText, remoteTokenProblem,
  remoteUrlProblem, saveRemote,
} from './remoteEngines';

export interface RemoteCommandContext {
  secrets: vscode.SecretStorage;
  /** The remotes as the engine reports them; undefined when this window cannot ask (an engine without remote support). */
  status(): Promise<RemoteStatus[] | undefined>;
  /** Why a configured remote is not joined (no token, refused), as this window's sync saw it. */
  problems(): ReadonlyMap<string, string>;
  /** Applies the setting now when this window runs the engine (other windows follow the setting's change). */
  sync(): Promise<void>;
}

const TITLE = 'Add Remote Engine';
const cancelled: Outcome = { ok: false, code: ErrorCode.cancelled, message: '' };
const usage = (message: string): Outcome => ({ ok: false, code: ErrorCode.usage, message });
const text = (x: unknown): string | undefined => typeof x === 'string' ? x : undefined;

/** Name, URL and token: given by a caller (tests) or asked one by one; the token box hides what is typed. */
export async function addRemoteEngine(ctx: RemoteCommandContext, nameArg?: unknown, urlArg?: unknown, tokenArg?: unknown): Promise<Outcome> {
  const given = { name: text(nameArg), url: text(urlArg), token: text(tokenArg) };
  const existing = configuredRemotes();
  const name = given.name ?? await vscode.window.showInputBox({
    title: `${TITLE} (1/3)`, prompt: 'A short name for the machine: its sessions are shown under it (e.g. devbox, buildbox)',
    placeHolder: 'devbox', ignoreFocusOut: true, validateInput: v => remoteNameProblem(v.trim()),
  });
  if (name === undefined) return cancelled;
  const url = given.url ?? await vscode.window.showInputBox({
    title: `${TITLE} (2/3)`, prompt: `Where ${name.trim()}'s Flightdeck engine answers: its hub's WebSocket URL`,
    placeHolder: 'ws://127.0.0.1:4100/ws (through ssh -L 4100:127.0.0.1:4000 …) or wss://devbox.example.com/ws',
    value: existing.find(r => r.name === name.trim())?.url, ignoreFocusOut: true, validateInput: v => remoteUrlProblem(v.trim()),
  });
  if (url === undefined) return cancelled;
  const token = given.token ?? await vscode.window.showInputBox({
    title: `${TITLE} (3/3)`, prompt: `${name.trim()}'s hub token (its data folder's file "token", or Copy Hub URL and Token there). Kept in VS Code's SecretStorage, never in settings.`,
    password: true, ignoreFocusOut: true, validateInput: v => remoteTokenProblem(v.trim()),
  });
  if (token === undefined) return cancelled;
  const entry = { name: name.trim(), url: url.trim() };
  const problem = remoteNameProblem(entry.name) ?? remoteUrlProblem(entry.url) ?? remoteTokenProblem(token.trim());
  if (problem) return usage(`Remote engine not added: ${problem}`);
  await saveRemote(ctx.secrets, entry, token.trim());
  await ctx.sync();
  return {
    ok: true, data: entry,
    message: `Joining "${entry.name}" at ${entry.url}: its sessions appear in the Sessions view named ${entry.name}.`,
    actions: [{ label: 'Show Remote Engines', run: () => vscode.commands.executeCommand('flightdeck.showRemoteEngines') }],
  };
}

export async function removeRemoteEngine(ctx: RemoteCommandContext, nameArg?: unknown): Promise<Outcome> {
  const remotes = configuredRemotes();
  let name = text(nameArg);
  if (name === undefined) {
    if (!remotes.length) return usage('No remote engine is configured (flightdeck.remotes is empty).');
    const chosen = await vscode.window.showQuickPick(remotes.map(r => ({ label: r.name, description: r.url })), {
      title: 'Remove Remote Engine', placeHolder: 'Its sessions leave the lists; the remote machine keeps them',
    });
    if (!chosen) return cancelled;
    name = chosen.label;
  }
  if (!await forgetRemote(ctx.secrets, name)) return usage(`No remote engine named "${name}" is configured.`);
  await ctx.sync();
  return { ok: true, data: name, message: `Removed the remote engine "${name}" and its token.` };
}

/** Every remote with its state; picking one offers to change its token or remove it. */
export async function showRemoteEngines(ctx: RemoteCommandContext, pick = true): Promise<Outcome> {
  const reported = await ctx.status();
  const configured = configuredRemotes();
  const rows: RemoteStatus[] = [...reported ?? []];
  // Configured here but not joined by the engine: say why (no token, refused, or another engine leads).
  for (const r of configured) {
    if (rows.some(x => x.name === r.name)) continue;
    rows.push({ ...r, state: 'unreachable', sessions: 0, lastError: ctx.problems().get(r.name) ?? (reported ? 'not joined by the engine yet' : 'the engine in use reports no remote engines') });
  }
  if (!pick) return { ok: true, data: rows };
  if (!rows.length) {
    return { ok: true, data: rows, message: 'No remote engine is configured.', actions: [{ label: TITLE, run: () => vscode.commands.executeCommand('flightdeck.addRemoteEngine') }] };
  }
  const chosen = await vscode.window.showQuickPick(rows.map(r => ({
    label: `${REMOTE_STATE_ICONS[r.state]} ${r.name}`, description: r.url, detail: remoteStateText(r), remote: r,
  })), { title: 'Remote Engines', placeHolder: 'Pick one to change its token or remove it', matchOnDescription: true, matchOnDetail: true });
  if (!chosen) return { ok: true, data: rows };
  const action = await vscode.window.showQuickPick(['Change Token…', 'Remove'], { title: chosen.remote.name });
  if (action === 'Remove') return removeRemoteEngine(ctx, chosen.remote.name);
  if (action) return addRemoteEngine(ctx, chosen.remote.name, chosen.remote.url);
  return { ok: true, data: rows };
}
