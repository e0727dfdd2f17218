// Every Flightdeck command, registered in one place. Each returns an Outcome (also shown to the
// user), so tests and other callers learn exactly what happened. Commands that act on a session take
// a tree node or a session id as first argument.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { type ApprovalDecision, ProtocolError, type Session } from '../engine/protocol';
import { EngineUnavailableError, type EngineConnection } from './engineConnection';
import type { SessionPanels } from './sessionPanels';
import type { SessionNode, SessionsTree } from './sessionsTree';

export type Outcome =
  | { ok: true; message?: string; data?: unknown; actions?: { label: string; run: () => unknown }[] }
  | { ok: false; code: string; message: string };

export interface CommandContext {
  connection: EngineConnection;
  tree: SessionsTree;
  panels: SessionPanels;
  log: vscode.LogOutputChannel;
  /** Writes Flightdeck's hooks into Claude Code's settings (a local file edit, not an engine request). */
  installClaudeHooks: () => { settingsFile: string; changed: boolean; hooks: number };
  /** Starts the WebSocket hub where the engine runs (or returns the running one). */
  startHub: () => Promise<{ url: string; httpUrl: string; token: string }>;
}

type SessionArg = SessionNode | string | undefined;

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { connection, tree, panels } = ctx;

  /** Runs a command body; turns every failure into an Outcome and tells the user. */
  const command = (id: string, body: (...args: never[]) => Promise<Outcome>) =>
    vscode.commands.registerCommand(`flightdeck.${id}`, async (...args: unknown[]): Promise<Outcome> => {
      let outcome: Outcome;
      try {
        outcome = await (body as (...a: unknown[]) => Promise<Outcome>)(...args);
      } catch (e) {
        const failed = failure(e);
        outcome = failed;
        if (failed.code === 'internal') ctx.log.error(`flightdeck.${id} failed: ${(e as Error)?.stack ?? e}`);
      }
      report(outcome);
      return outcome;
    });

  const sessionOf = (arg: SessionArg): Session => {
    const id = typeof arg === 'string' ? arg : arg?.kind === 'session' ? arg.id : undefined;
    if (!id) throw new UsageError('Pick a session in the Flightdeck view first.');
    const s = tree.getSession(id);
    if (!s) throw new UsageError(`Session ${id} is not in the list (ended and removed?).`);
    return s;
  };

  /** `expectedApprovalId`: the approval the user saw (a notification); a newer one is not decided blindly. */
  const decide = async (arg: SessionArg, decision: ApprovalDecision, expectedApprovalId?: string): Promise<Outcome> => {
    const s = sessionOf(arg);
    const approval = s.pendingApproval;
    if (!approval) return { ok: false, code: 'nothing_pending', message: `"${s.displayName}" has no pending approval.` };
    if (expectedApprovalId && approval.approvalId !== expectedApprovalId) {
      return { ok: false, code: 'stale_approval', message: `"${s.displayName}" now waits for another approval; open it to decide.` };
    }
    const client = await connection.client();
    await client.request({ type: 'approve_tool', sessionId: s.id, approvalId: approval.approvalId, version: approval.version, decision });
    return { ok: true, message: `${decision === 'denied' ? 'Denied' : 'Approved'}: ${approval.command ?? approval.toolName ?? approval.kind}` };
  };

  return [
    command('approve', (arg: SessionArg, approvalId?: string) => decide(arg, 'approved', approvalId)),
    command('deny', (arg: SessionArg, approvalId?: string) => decide(arg, 'denied', approvalId)),

    command('rename', async (arg: SessionArg, name?: string) => {
      const s = sessionOf(arg);
      const newName = name ?? await vscode.window.showInputBox({
        title: 'Rename session', value: s.customName ?? s.displayName, prompt: 'Empty resets the name to the first prompt.',
      });
      if (newName === undefined) return { ok: false, code: 'cancelled', message: '' };
      const client = await connection.client();
      await client.request({ type: 'rename_session', sessionId: s.id, name: newName });
      return { ok: true };
    }),

    command('interrupt', async (arg: SessionArg) => {
      const s = sessionOf(arg);
      if (s.status !== 'active') return { ok: false, code: 'not_active', message: `"${s.displayName}" has ended; there is nothing to interrupt.` };
      await (await connection.client()).request({ type: 'interrupt_session', sessionId: s.id });
      return { ok: true, message: `Interrupted "${s.displayName}".` };
    }),

    command('endSession', async (arg: SessionArg) => {
      const s = sessionOf(arg);
      if (s.status === 'ended') return { ok: false, code: 'not_active', message: `"${s.displayName}" has already ended.` };
      await (await connection.client()).request({ type: 'end_session', sessionId: s.id });
      return { ok: true };
    }),

    command('openSession', async (arg: SessionArg) => {
      const s = sessionOf(arg);
      await panels.open(await connection.client(), s.id);
      return { ok: true };
    }),

    command('newCodexSession', async (cwd?: string, prompt?: string) => {
      const folder = cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
      const text = prompt ?? await vscode.window.showInputBox({ title: `New Codex session in ${folder}`, prompt: 'What should Codex do? (optional)' });
      if (text === undefined) return { ok: false, code: 'cancelled', message: '' };
      const answer = await (await connection.client()).request({ type: 'create_session', provider: 'codex', cwd: folder, prompt: text || undefined });
      return { ok: true, data: answer.type === 'result' ? answer.sessionId : undefined };
    }),

    command('search', async (query?: string) => {
      const q = query ?? await vscode.window.showInputBox({ title: 'Search transcripts', prompt: 'Words to find in every Codex and Claude transcript' });
      if (!q?.trim()) return { ok: false, code: 'cancelled', message: '' };
      const answer = await (await connection.client()).request({ type: 'search', query: q.trim(), limit: 50 });
      if (answer.type !== 'search_results') throw new Error(`unexpected answer ${answer.type} to search`);
      showSearchResults(q.trim(), answer.results, id => vscode.commands.executeCommand('flightdeck.openSession', id));
      return { ok: true, data: answer.results };
    }),

    command('refresh', async () => {
      await tree.refresh();
      return { ok: true };
    }),

    command('startHub', async () => {
      const h = await ctx.startHub();
      return {
        ok: true, data: { url: h.url, httpUrl: h.httpUrl },
        message: `Flightdeck hub: ${h.httpUrl} (WebSocket ${h.url}). Clients sign in with its token.`,
        actions: [
          { label: 'Copy Token', run: () => vscode.env.clipboard.writeText(h.token) },
          { label: 'Open in Browser', run: () => vscode.env.openExternal(vscode.Uri.parse(h.httpUrl)) },
        ],
      };
    }),
    command('installClaudeHooks', async () => {
      const r = ctx.installClaudeHooks();
      return {
        ok: true, data: r,
        message: r.changed
          ? `Flightdeck hooks installed in ${r.settingsFile}. Claude Code sessions started from now on appear in Flightdeck.`
          : `Flightdeck hooks were already installed in ${r.settingsFile}.`,
      };
    }),
  ];
}

/** A non-blocking quick pick (the command returns at once; choosing a hit opens its session). */
function showSearchResults(query: string, hits: { sessionId: string; displayName: string; snippet: string }[], open: (id: string) => unknown): void {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { sessionId: string }>();
  pick.title = `${hits.length} result${hits.length === 1 ? '' : 's'} for "${query}"`;
  pick.matchOnDetail = true;
  pick.items = hits.map(h => ({ label: h.displayName, detail: h.snippet.replace(/\s+/g, ' '), sessionId: h.sessionId }));
  pick.placeholder = hits.length ? 'Open a session' : 'Nothing found';
  pick.onDidAccept(() => { const chosen = pick.selectedItems[0]; pick.hide(); if (chosen) void open(chosen.sessionId); });
  pick.onDidHide(() => pick.dispose());
  pick.show();
}

class UsageError extends Error {}

function failure(e: unknown): Outcome & { ok: false } {
  if (e instanceof UsageError) return { ok: false, code: 'usage', message: e.message };
  if (e instanceof EngineUnavailableError) return { ok: false, code: 'engine_unavailable', message: e.message };
  if (e instanceof ProtocolError) return { ok: false, code: e.code, message: e.message };
  return { ok: false, code: 'internal', message: `Flightdeck: ${(e as Error)?.message ?? String(e)}` };
}

function report(o: Outcome): void {
  if (o.ok) {
    const actions = o.actions ?? [];
    if (o.message) void vscode.window.showInformationMessage(o.message, ...actions.map(a => a.label)).then(choice => actions.find(a => a.label === choice)?.run());
    return;
  }
  if (o.code === 'cancelled') return;
  const text = o.message.startsWith('Flightdeck') ? o.message : `Flightdeck: ${o.message}`;
  if (o.code === 'internal' || o.code === 'engine_unavailable') void vscode.window.showErrorMessage(text);
  else void vscode.window.showWarningMessage(text);
}
