// The per-session worktree commands (issue 18): Open Worktree in New Window, Show Changes Against
// Base, Remove Worktree. Like every session command they take a tree row (a context-menu click
// passes the row and the selection), a session id, or nothing (the focused panel, else a pick).
// The base side of a diff comes from the engine (git show of the merge base) as a virtual document.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Session, WorktreeFileChange } from '../engine/protocol';
import { ErrorCode } from '../engine/protocol/errorCodes';
import { remoteFilesNotice } from '../engine/protocol/uiPolicy';
import { isErrorNamed } from './engineModule';
import type { EngineConnection } from './engineConnection';
import type { Outcome } from './commands';

export const WORKTREE_BASE_SCHEME = 'flightdeck-worktree-base';

export interface WorktreeCommandKit {
  connection: EngineConnection;
  /** The command factory of commands.ts (failures become Outcomes, shown to the user). */
  command: (id: string, body: (...args: never[]) => Promise<Outcome>) => vscode.Disposable;
  /** The session an invocation means (row, id, focused panel, else a pick among those `applies` to). */
  sessionOf: (arg: unknown, action: string, applies?: (s: Session) => boolean) => Promise<Session | undefined>;
}

const hasWorktree = (s: Session) => !!s.worktree;
const cancelled: Outcome = { ok: false, code: ErrorCode.cancelled, message: '' };
const FORCE = 'Force Remove';

/** The base side of one file: flightdeck-worktree-base:/<path>?<session id> (empty: no query path). */
function baseUri(sessionId: string, file: string, empty = false): vscode.Uri {
  return vscode.Uri.from({ scheme: WORKTREE_BASE_SCHEME, path: `/${file}`, query: new URLSearchParams({ session: sessionId, ...(empty ? { empty: '1' } : {}) }).toString() });
}

/** Serves the base side of the diffs from the engine. */
export function registerWorktreeBaseDocuments(connection: EngineConnection): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(WORKTREE_BASE_SCHEME, {
    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
      const q = new URLSearchParams(uri.query);
      const sessionId = q.get('session');
      if (!sessionId || q.get('empty')) return '';
      const answer = await (await connection.client()).request({ type: 'worktree_base_file', sessionId, path: uri.path.replace(/^\//, '') });
      return answer.text ?? '';
    },
  });
}

/** One row of the multi-diff editor: [the file, its base side, its side now]. */
function changeRow(s: Session, worktreePath: string, f: WorktreeFileChange): [vscode.Uri, vscode.Uri, vscode.Uri] {
  const now = vscode.Uri.file(path.join(worktreePath, f.path));
  const before = f.status === 'added' ? baseUri(s.id, f.path, true) : baseUri(s.id, f.oldPath ?? f.path);
  const after = f.status === 'deleted' ? baseUri(s.id, f.path, true) : now;
  return [now, before, after];
}

export function worktreeCommands(kit: WorktreeCommandKit): vscode.Disposable[] {
  const { connection, command, sessionOf } = kit;
  const client = () => connection.client();
  const noWorktree = (s: Session): Outcome => ({ ok: false, code: ErrorCode.noWorktree, message: `"${s.displayName}" does not run in a linked git worktree.` });

  return [
    command('openWorktree', async (arg: unknown) => {
      const s = await sessionOf(arg, 'Open the worktree of', hasWorktree);
      if (!s) return cancelled;
      const wt = s.worktree;
      if (!wt) return noWorktree(s);
      const remote = remoteFilesNotice(s);
      if (remote) return { ok: false, code: ErrorCode.onRemoteHost, message: `${remote} Its worktree is ${wt.path} there.` };
      const uri = vscode.Uri.file(wt.path);
      try { await vscode.workspace.fs.stat(uri); } catch {
        return { ok: false, code: ErrorCode.noFolder, message: `The worktree of "${s.displayName}" (${wt.path}) is not there any more.` };
      }
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      return { ok: true, data: { path: wt.path } };
    }),

    command('showWorktreeChanges', async (arg: unknown) => {
      const s = await sessionOf(arg, 'Show the changes of', hasWorktree);
      if (!s) return cancelled;
      if (!s.worktree) return noWorktree(s);
      const answer = await (await client()).request({ type: 'worktree_changes', sessionId: s.id });
      const branch = s.worktree?.branch ?? 'the worktree';
      if (answer.files.length === 0) return { ok: true, data: answer, message: `${branch} has no changes against ${answer.baseRef}.` };
      const rows = answer.files.map(f => changeRow(s, answer.worktreePath, f));
      const title = `${branch} ↔ ${answer.baseRef} (${answer.files.length} file${answer.files.length === 1 ? '' : 's'})`;
      try {
        await vscode.commands.executeCommand('vscode.changes', title, rows);
      } catch {
        // A host without the multi-diff editor: one diff editor per file.
        for (const [uri, before, after] of rows) await vscode.commands.executeCommand('vscode.diff', before, after, `${path.basename(uri.fsPath)} (${branch} ↔ ${answer.baseRef})`, { preview: false });
      }
      return { ok: true, data: { ...answer, left: rows.map(r => r[1].toString()), right: rows.map(r => r[2].toString()) } };
    }),

    // The second argument: true forces, false refuses without asking (callers, tests); a click's
    // selection array or nothing asks in a modal when the engine refuses.
    command('removeWorktree', async (arg: unknown, force?: unknown) => {
      const s = await sessionOf(arg, 'Remove the worktree of', hasWorktree);
      if (!s) return cancelled;
      const wt = s.worktree;
      if (!wt) return noWorktree(s);
      const remove = async (forced: boolean): Promise<Outcome> => {
        await (await client()).request({ type: 'remove_worktree', sessionId: s.id, force: forced });
        return { ok: true, data: { path: wt.path, forced }, message: `Removed the worktree ${wt.path}${forced ? ' (forced)' : ''}; the branch ${wt.branch ?? ''} is kept.` };
      };
      if (force === true) return remove(true);
      try {
        return await remove(false);
      } catch (e) {
        if (!isErrorNamed(e, 'ProtocolError') || e.code !== ErrorCode.conflict || force === false) throw e;
        const choice = await vscode.window.showWarningMessage(
          `Remove the worktree of "${s.displayName}"?`, { modal: true, detail: `${(e as Error).message}\n\n${FORCE} deletes the folder with its uncommitted changes; the branch ${wt.branch ?? ''} stays.` }, FORCE);
        return choice === FORCE ? remove(true) : cancelled;
      }
    }),
  ];
}
