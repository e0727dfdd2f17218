// Every Flightdeck command, registered in one place. Each returns an Outcome (also shown to the
// user), so tests and other callers learn exactly what happened.
//
// What each entry point passes, and so all a command accepts (anything else is ignored):
//  - a tree row's inline button / context menu: (node, selectedNodes[]);
//  - a view-title button: the focused tree row, or nothing — never a folder or a prompt;
//  - the palette and keybindings without args: nothing;
//  - notifications, the session panel, search hits, tests: a session id string (and for
//    approve / deny the approval id the user saw; for openSession a message id).
// Without a session (palette, keybinding, view title) a command acts on the focused session panel,
// or asks with a Quick Pick of the sessions it applies to.
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ApprovalDecision, FileChange, SearchHit, Session } from '../engine/protocol';
import { ErrorCode } from '../engine/protocol/errorCodes';
import { parseSearchInput } from '../engine/protocol/searchInput';
import { TAKE_OVER_AND_SEND_LABEL, TAKE_OVER_LABEL, approvalActions, canTakeOver, hostLabel, remoteFilesNotice } from '../engine/protocol/uiPolicy';
import { engineModule, isErrorNamed } from './engineModule';
import type { DiffDocuments } from './diffDocuments';
import type { ReviewComments } from './reviewComments';
import type { HubQrPanel } from './hubQrPanel';
import { EngineUnavailableError, type EngineConnection } from './engineConnection';
import { needsAttention } from './sessionPresentation';
import type { SessionPanels } from './sessionPanels';
import { importSummaryText, importWithProgress } from './importHistory';
import { askNewCodexSession } from './newSessionFlow';
import { worktreeCommands } from './worktreeCommands';
import { type SearchPick, showSearchPick } from './searchPick';
import { pickApproval, pickSession } from './sessionPicker';
import { confirmDelete, resumeClaudeInTerminal } from './historyActions';
import type { HistoryMoreNode, HistorySessionNode } from './historyTree';
import type { SessionNode, SessionsTree } from './sessionsTree';
import { type RemoteCommandContext, addRemoteEngine, removeRemoteEngine, showRemoteEngines } from './remoteCommands';

export type Outcome =
  | { ok: true; message?: string; data?: unknown; actions?: { label: string; run: () => unknown }[] }
  | { ok: false; code: ErrorCode; message: string };

export interface CommandContext {
  connection: EngineConnection;
  tree: SessionsTree;
  panels: SessionPanels;
  diffs: DiffDocuments;
  /** Review comments written in those diffs, not sent yet. */
  reviews: ReviewComments;
  log: vscode.LogOutputChannel;
  /** Writes Flightdeck's hooks into Claude Code's settings (a local file edit, not an engine request). */
  installClaudeHooks: () => { settingsFile: string; changed: boolean; hooks: number };
  /** Opens (or reveals) the usage report panel. */
  showUsage: () => void;
  /** The History node of the Sessions tree (past sessions); refreshed after archive / delete / resume. */
  history?: { refresh(): Promise<void>; loadMore(node: HistoryMoreNode): Promise<void> };
  /** The claude binary setting, for Resume in Terminal. */
  claudePath?: () => string | undefined;
  /** Starts the WebSocket hub where the engine runs (or returns the running one). */
  startHub: () => Promise<{ url: string; httpUrl: string; token: string }>;
  /** The hub running in this window, if any. */
  hubAccess: () => Promise<{ url: string; httpUrl: string; token: string } | undefined>;
  /** A new hub token; a running hub drops the clients of the old one. */
  rotateHubToken: () => Promise<{ running: boolean; dropped: number }>;
  /** The panel that shows the hub's sign-in link as a QR code. */
  hubQr: HubQrPanel;
  /** Remote engines (issue 20): the setting, the tokens in SecretStorage, the engine's states. */
  remotes?: RemoteCommandContext;
}

/** The web client's address that signs in by itself: the token rides in the fragment, never sent to the server. */
export function hubLoginUrl(httpUrl: string, token: string): string {
  return `${httpUrl}#token=${token}`;
}

/** Who can open the hub at that address: only this machine, the network (any address), or that address. */
function hubReach(host: string): 'loopback' | 'wildcard' | 'address' {
  if (host === '127.0.0.1' || host === '::1' || host === 'localhost') return 'loopback';
  return host === '0.0.0.0' || host === '::' ? 'wildcard' : 'address';
}

type SessionArg = SessionNode | HistorySessionNode | string | undefined;

/** The session id an entry point passed: a session row or an id string; anything else is none. */
export function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg || undefined;
  const node = arg as Partial<SessionNode | HistorySessionNode> | null | undefined;
  return node && typeof node === 'object' && (node.kind === 'session' || node.kind === 'historySession') && typeof node.id === 'string' ? node.id : undefined;
}

/** flightdeck.worktrees.folder: where new worktrees go (empty: the engine's default, beside the repository). */
function worktreeParent(): { parentDir?: string } {
  const dir = vscode.workspace.getConfiguration('flightdeck').get<string>('worktrees.folder')?.trim();
  return dir ? { parentDir: dir.replace(/^~(?=$|[\\/])/, os.homedir()) } : {};
}

/** A string argument, or undefined for whatever else an entry point put in that position. */
const text = (x: unknown): string | undefined => typeof x === 'string' ? x : undefined;

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
        if (failed.code === ErrorCode.internal) ctx.log.error(`flightdeck.${id} failed: ${(e as Error)?.stack ?? e}`);
      }
      // Every failure the user sees is in the log too (internal ones above, with their stack).
      if (!outcome.ok && outcome.code !== ErrorCode.cancelled && outcome.code !== ErrorCode.internal) ctx.log.warn(`flightdeck.${id}: ${outcome.code}: ${outcome.message}`);
      report(outcome);
      return outcome;
    });

  /**
   * The session a command acts on: the one given, else the focused session panel's, else one the
   * user picks among those `applies` to. Undefined when the user cancelled the pick.
   */
  const sessionOf = async (arg: SessionArg, action: string, applies: (s: Session) => boolean = () => true): Promise<Session | undefined> => {
    const id = sessionIdOf(arg) ?? panels.activeSessionId;
    if (!id) {
      if (!tree.loaded) throw new UsageError('Pick a session in the Flightdeck view first (the list is still loading).');
      return pickSession(tree.allSessions().filter(applies), action);
    }
    return requireListed(id);
  };
  const requireListed = (id: string): Session => {
    const s = tree.getSession(id);
    if (!s) throw new UsageError(`Session ${id} is not in the list (ended and removed?).`);
    return s;
  };
  const cancelled: Outcome = { ok: false, code: ErrorCode.cancelled, message: '' };
  const isActive = (s: Session) => s.status === 'active';

  /** Only approvals Flightdeck can answer with this decision (uiPolicy: an approval's own options). */
  const decidable = (s: Session, decision: ApprovalDecision) =>
    s.status === 'active' && !!s.pendingApproval && approvalActions(s.pendingApproval).some(a => a.decision === decision);
  /**
   * The session a decision is for: the one given; else the focused panel's when it has something
   * pending; else the one the user picks from the pending approvals, seeing what each would allow.
   */
  const approvalTarget = async (arg: unknown, decision: ApprovalDecision): Promise<{ session: Session; approvalId?: string } | undefined> => {
    const id = sessionIdOf(arg);
    if (id) return { session: requireListed(id) };
    const active = panels.activeSessionId ? tree.getSession(panels.activeSessionId) : undefined;
    if (active && decidable(active, decision)) return { session: active };
    if (!tree.loaded) throw new UsageError('The session list is still loading; try again in a moment.');
    const picked = await pickApproval(tree.allSessions().filter(x => decidable(x, decision)), decision === 'denied' ? 'Deny' : 'Approve');
    return picked && { session: picked.session, approvalId: picked.approval.approvalId };
  };

  /** `expectedApprovalId`: the approval the user saw (a notification, the picker); a newer one is not decided blindly. */
  const decide = async (arg: unknown, decision: ApprovalDecision, expectedId?: unknown): Promise<Outcome> => {
    const target = await approvalTarget(arg, decision);
    if (!target) return cancelled;
    const s = target.session;
    const expectedApprovalId = text(expectedId) ?? target.approvalId;
    const approval = s.pendingApproval;
    if (!approval) return { ok: false, code: ErrorCode.nothingPending, message: `"${s.displayName}" has no pending approval.` };
    if (expectedApprovalId && approval.approvalId !== expectedApprovalId) {
      return { ok: false, code: ErrorCode.staleApproval, message: `"${s.displayName}" now waits for another approval; open it to decide.` };
    }
    const client = await connection.client();
    await client.request({ type: 'approve_tool', sessionId: s.id, approvalId: approval.approvalId, version: approval.version, decision });
    return { ok: true, message: `${decision === 'denied' ? 'Denied' : 'Approved'}: ${approval.command ?? approval.toolName ?? approval.kind}` };
  };

  /** The remote engines a session can be created on now (issue 20): the connected ones. */
  const connectedRemotes = async (): Promise<string[]> => {
    try { return (await ctx.remotes?.status() ?? []).filter(r => r.state === 'connected').map(r => r.name); } catch { return []; }
  };

  /** Opens a new session's panel (its title comes from the list, which learns of it a moment later). */
  const openWhenListed = async (sessionId: string): Promise<void> => {
    if (!tree.getSession(sessionId)) {
      await new Promise<void>(resolve => {
        const t = setTimeout(() => { sub.dispose(); resolve(); }, 5_000);
        const sub = tree.onDidChangeSession(c => { if (c.after?.id === sessionId) { clearTimeout(t); sub.dispose(); resolve(); } });
      });
    }
    panels.open(sessionId);
  };

  /** The file change the page means: of a transcript item, of a pending approval, or of the turn's diff. */
  const findChange = async (sessionId: string, messageId: string | null, filePath: string): Promise<{ change: FileChange; context: string }> => {
    const s = tree.getSession(sessionId);
    if (messageId) {
      const answer = await (await connection.client()).request({ type: 'get_message', sessionId, messageId });
      const change = answer.message.changes?.find(c => c.path === filePath);
      if (change) return { change, context: 'change' };
    }
    const approvalChange = s?.pendingApprovals.flatMap(a => a.changes ?? []).find(c => c.path === filePath);
    if (approvalChange) return { change: approvalChange, context: 'proposed change' };
    const turnChange = s?.turnDiff.find(c => c.path === filePath);
    if (turnChange) return { change: turnChange, context: 'turn changes' };
    throw new UsageError(`No change of ${filePath} in this session any more.`);
  };

  return [
    ...worktreeCommands({ connection, command, sessionOf: (arg, action, applies) => sessionOf(arg as SessionArg, action, applies) }),
    command('approve', (arg: unknown, approvalId?: unknown) => decide(arg, 'approved', approvalId)),
    command('deny', (arg: unknown, approvalId?: unknown) => decide(arg, 'denied', approvalId)),

    command('rename', async (arg: SessionArg, name?: unknown) => {
      const s = await sessionOf(arg, 'Rename');
      if (!s) return cancelled;
      const newName = text(name) ?? await vscode.window.showInputBox({
        title: 'Rename session', value: s.customName ?? s.displayName, prompt: 'Empty resets the name to the first prompt.',
      });
      if (newName === undefined) return { ok: false, code: ErrorCode.cancelled, message: '' };
      const client = await connection.client();
      await client.request({ type: 'rename_session', sessionId: s.id, name: newName });
      return { ok: true };
    }),

    command('interrupt', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'Interrupt', x => isActive(x) && x.workStatus !== 'idle' && x.workStatus !== 'waiting');
      if (!s) return cancelled;
      if (s.status !== 'active') return { ok: false, code: ErrorCode.notActive, message: `"${s.displayName}" has ended; there is nothing to interrupt.` };
      await (await connection.client()).request({ type: 'interrupt_session', sessionId: s.id });
      return { ok: true, message: `Interrupted "${s.displayName}".` };
    }),

    command('endSession', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'End', isActive);
      if (!s) return cancelled;
      if (s.status === 'ended') return { ok: false, code: ErrorCode.notActive, message: `"${s.displayName}" has already ended.` };
      await (await connection.client()).request({ type: 'end_session', sessionId: s.id });
      return { ok: true };
    }),

    command('openSession', async (arg: SessionArg, messageId?: unknown) => {
      const s = await sessionOf(arg, 'Open');
      if (!s) return cancelled;
      panels.open(s.id, text(messageId));
      return { ok: true };
    }),

    command('resume', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'Resume', x => x.status === 'ended');
      if (!s) return cancelled;
      if (s.status === 'active') return { ok: false, code: ErrorCode.notEnded, message: `"${s.displayName}" is still active.` };
      await (await connection.client()).request({ type: 'resume_session', sessionId: s.id });
      await ctx.history?.refresh();
      return { ok: true, message: `Resumed "${s.displayName}".` };
    }),

    // ---- History (past sessions) ----
    command('archiveSession', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'Archive', x => x.status === 'ended' && !x.archivedAt);
      if (!s) return cancelled;
      await (await connection.client()).request({ type: 'archive_session', sessionId: s.id, archived: true });
      await ctx.history?.refresh();
      return { ok: true, message: `Archived "${s.displayName}": hidden from the lists, still found by search.` };
    }),
    command('unarchiveSession', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'Un-archive', x => !!x.archivedAt);
      if (!s) return cancelled;
      await (await connection.client()).request({ type: 'archive_session', sessionId: s.id, archived: false });
      await ctx.history?.refresh();
      return { ok: true, message: `"${s.displayName}" is back in History.` };
    }),
    command('deleteSession', async (arg: SessionArg, confirmed?: boolean) => {
      const s = await sessionOf(arg, 'Delete', x => x.status === 'ended');
      if (!s) return cancelled;
      if (s.status === 'active') return { ok: false, code: ErrorCode.notEnded, message: `"${s.displayName}" is still active: end it before deleting it.` };
      if (confirmed !== true && !await confirmDelete(s)) return cancelled;
      await (await connection.client()).request({ type: 'delete_session', sessionId: s.id });
      await ctx.history?.refresh();
      return { ok: true, message: `Deleted "${s.displayName}".` };
    }),
    command('resumeInTerminal', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'Resume in Terminal', x => x.provider === 'claude');
      if (!s) return cancelled;
      if (s.provider !== 'claude') return { ok: false, code: ErrorCode.notClaude, message: `"${s.displayName}" is a Codex session: use Resume.` };
      const remote = remoteFilesNotice(s);
      if (remote) return { ok: false, code: ErrorCode.onRemoteHost, message: `${remote} Resume it in a terminal there: claude --resume ${s.providerSessionId ?? s.id}` };
      const { terminal, command: line } = resumeClaudeInTerminal(s, ctx.claudePath?.());
      return { ok: true, data: { terminal: terminal.name, command: line, cwd: s.cwd } };
    }),
    command('historyLoadMore', async (node?: HistoryMoreNode) => {
      if (node?.kind !== 'historyMore') throw new UsageError('Load more from the History view.');
      await ctx.history?.loadMore(node);
      return { ok: true };
    }),
    command('refreshHistory', async () => {
      await ctx.history?.refresh();
      return { ok: true };
    }),

    command('takeOver', async (arg: SessionArg) => {
      const s = await sessionOf(arg, TAKE_OVER_LABEL, x => x.provider === 'codex' && x.mode === 'passive');
      if (!s) return cancelled;
      if (s.mode === 'direct') return { ok: false, code: ErrorCode.alreadyDirect, message: `Flightdeck already drives "${s.displayName}".` };
      await (await connection.client()).request({ type: 'takeover_session', sessionId: s.id });
      return { ok: true, message: `Flightdeck now drives "${s.displayName}": write to it from its panel.` };
    }),

    command('copyId', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'Copy the id of');
      if (!s) return cancelled;
      // The provider's id is what `codex resume` / `claude --resume` take; Flightdeck's own when unknown.
      const id = s.providerSessionId ?? s.id;
      await vscode.env.clipboard.writeText(id);
      return { ok: true, data: id, message: `Copied ${s.providerSessionId ? `the ${s.provider} session id` : 'the Flightdeck session id'} ${id}.` };
    }),

    command('revealCwd', async (arg: SessionArg) => {
      const s = await sessionOf(arg, 'Reveal the folder of');
      if (!s) return cancelled;
      if (!s.cwd) return { ok: false, code: ErrorCode.noFolder, message: `"${s.displayName}" has no known folder.` };
      // A remote engine's folder is not on this machine: never look it up here; its path is copied.
      const remote = remoteFilesNotice(s);
      if (remote) {
        await vscode.env.clipboard.writeText(s.cwd);
        return { ok: true, data: { revealed: 'clipboard', path: s.cwd }, message: `${remote} Its path ${s.cwd} is copied.` };
      }
      const uri = vscode.Uri.file(s.cwd);
      try { await vscode.workspace.fs.stat(uri); } catch {
        return { ok: false, code: ErrorCode.noFolder, message: `The folder of "${s.displayName}" (${s.cwd}) does not exist on this machine.` };
      }
      // In the workspace: the Explorer. Elsewhere: the OS file manager, which a browser (code-server,
      // vscode.dev) does not have; there the path is copied instead.
      if (vscode.workspace.getWorkspaceFolder(uri)) {
        await vscode.commands.executeCommand('revealInExplorer', uri);
        return { ok: true, data: { revealed: 'explorer', path: s.cwd } };
      }
      if (vscode.env.uiKind === vscode.UIKind.Desktop) {
        await vscode.commands.executeCommand('revealFileInOS', uri);
        return { ok: true, data: { revealed: 'os', path: s.cwd } };
      }
      await vscode.env.clipboard.writeText(s.cwd);
      return { ok: true, data: { revealed: 'clipboard', path: s.cwd }, message: `${s.cwd} is outside this workspace; its path is copied.` };
    }),

    command('filter', async () => {
      const s = await pickSession(tree.allSessions(), 'Open a session');
      if (!s) return cancelled;
      panels.open(s.id);
      return { ok: true, data: s.id };
    }),

    command('pickSession', async () => {
      const s = await pickSession(tree.allSessions().filter(x => needsAttention(x) || x.workStatus === 'working'), 'Open a session that needs you or works');
      if (!s) return cancelled;
      panels.open(s.id);
      return { ok: true, data: s.id };
    }),

    command('openDiff', async (sessionId?: unknown, messageId?: unknown, filePath?: unknown) => {
      if (typeof sessionId !== 'string' || typeof filePath !== 'string') throw new UsageError('Open a diff from a session panel\'s file change.');
      const found = await findChange(sessionId, text(messageId) ?? null, filePath);
      const session = tree.getSession(sessionId);
      const { before, after, source } = await ctx.diffs.open(found.change, found.context, session?.cwd ?? null, found.context === 'proposed change', session ? hostLabel(session) : null, sessionId);
      return { ok: true, data: { before: before.toString(), after: after.toString(), source } };
    }),

    // Issue 18: every unsent review comment of the session as one message. From a comment thread, a
    // Flightdeck diff's title bar (its document), the palette (the active diff, else a pick), or an id.
    command('sendReview', async (arg?: unknown) => {
      let sessionId = ctx.reviews.sessionOf(arg);
      if (!sessionId) {
        const withDrafts = ctx.reviews.sessionsWithDrafts().map(id => tree.getSession(id)).filter((x): x is Session => !!x);
        if (!withDrafts.length) return { ok: false, code: ErrorCode.nothingPending, message: 'No review comments to send: add comments on the lines of a session\'s diff first.' };
        sessionId = withDrafts.length === 1 ? withDrafts[0].id : (await pickSession(withDrafts, 'Send the review comments to'))?.id;
        if (!sessionId) return cancelled;
      }
      const s = requireListed(sessionId);
      const comments = ctx.reviews.drafts(s.id);
      if (!comments.length) return { ok: false, code: ErrorCode.nothingPending, message: `No review comments for "${s.displayName}" to send.` };
      const client = await connection.client();
      const n = `${comments.length} review comment${comments.length === 1 ? '' : 's'}`;
      if (canTakeOver(s)) {
        // A watched session: only Flightdeck-driven ones take messages; taking it over is the user's call.
        const choice = await vscode.window.showWarningMessage(
          `"${s.displayName}" runs outside Flightdeck, which only watches it. Take it over (Flightdeck drives it from now on) and send the ${n}?`,
          { modal: true }, TAKE_OVER_AND_SEND_LABEL);
        if (choice !== TAKE_OVER_AND_SEND_LABEL) return cancelled;
        await client.request({ type: 'takeover_session', sessionId: s.id });
      }
      await client.request({ type: 'send_review', sessionId: s.id, comments });
      ctx.reviews.clear(s.id);
      return { ok: true, message: `Sent ${n} to "${s.displayName}".`, data: { sessionId: s.id, comments } };
    }),

    // The view title passes its focused row and the palette nothing: both ask every step. A caller
    // that passes a folder and a prompt (strings) starts at once with Codex's defaults.
    command('newCodexSession', async (cwd?: unknown, prompt?: unknown) => {
      const folder = text(cwd), first = text(prompt);
      const client = await connection.client();
      const choice = folder !== undefined && first !== undefined ? { cwd: folder, prompt: first }
        : await askNewCodexSession(folder, async host => {
          const answer = await client.request({ type: 'list_models', provider: 'codex', ...(host ? { host } : {}) });
          return answer.models;
        }, ctx.log, await connectedRemotes(), { propose: (dir, p) => client.request({ type: 'propose_worktree', cwd: dir, prompt: p, ...worktreeParent() }) });
      if (!choice) return cancelled;
      const { prompt: firstPrompt, worktree, ...rest } = choice as typeof choice & { worktree?: { branch: string } };
      const answer = await client.request({
        type: 'create_session', provider: 'codex', ...rest, prompt: firstPrompt || undefined, ...(worktree ? { worktree: { ...worktree, ...worktreeParent() } } : {}),
      });
      const sessionId = answer.sessionId;
      if (sessionId) await openWhenListed(sessionId);
      return { ok: true, data: sessionId };
    }),

    command('addRemoteEngine', (name?: unknown, url?: unknown, token?: unknown) => addRemoteEngine(remotesOf(ctx), name, url, token)),
    command('removeRemoteEngine', (name?: unknown) => removeRemoteEngine(remotesOf(ctx), name)),
    command('showRemoteEngines', (pick?: unknown) => showRemoteEngines(remotesOf(ctx), pick !== false)),

    command('showUsage', async () => {
      ctx.showUsage();
      return { ok: true };
    }),

    command('search', async (query?: unknown) => {
      const open = (id: string, messageId: string) => vscode.commands.executeCommand('flightdeck.openSession', id, messageId);
      const client = () => connection.client();
      // With words (a caller, a test): answer with the hits, and show them in the pick, where typing searches again.
      const typedText = text(query)?.trim() ?? '';
      let hits: SearchHit[] = [];
      if (typedText) {
        const { query: words, filters } = parseSearchInput(typedText);
        const answer = words ? await (await client()).request({ type: 'search', query: words.slice(0, 1000), limit: 100, filters }) : undefined;
        hits = answer?.results ?? [];
      }
      lastSearchPick = showSearchPick({ client, open, log: ctx.log, initial: typedText ? { text: typedText, hits } : undefined });
      return { ok: true, data: hits };
    }),

    command('importHistory', async () => {
      const done = await importWithProgress(await connection.client());
      return { ok: true, data: done, message: importSummaryText(done) };
    }),

    command('refresh', async () => {
      await tree.refresh();
      return { ok: true };
    }),

    command('startHub', async () => {
      const h = await ctx.startHub();
      return {
        ok: true, data: { url: h.url, httpUrl: h.httpUrl },
        message: `Flightdeck hub: ${h.httpUrl} (WebSocket ${h.url}). Browsers sign in with its token: "Copy URL and Token" copies a link that signs in by itself (later: Flightdeck: Copy Hub URL and Token).`,
        actions: [
          { label: 'Copy URL and Token', run: () => vscode.env.clipboard.writeText(hubLoginUrl(h.httpUrl, h.token)) },
          { label: 'Open in Browser', run: () => vscode.env.openExternal(vscode.Uri.parse(hubLoginUrl(h.httpUrl, h.token))) },
          { label: 'Show QR Code', run: () => vscode.commands.executeCommand('flightdeck.showHubQrCode') },
        ],
      };
    }),
    command('copyHubUrl', async () => {
      const h = await ctx.hubAccess();
      if (!h) {
        return { ok: false, code: ErrorCode.hubStopped, message: 'The hub is not running in this window: run "Flightdeck: Start WebSocket Hub" (or turn on flightdeck.hub.enabled) first.' };
      }
      await vscode.env.clipboard.writeText(hubLoginUrl(h.httpUrl, h.token));
      return { ok: true, data: { httpUrl: h.httpUrl }, message: `Copied ${h.httpUrl} with its token: opened in a browser it signs in, and the token stays in that browser only.` };
    }),
    command('showHubQrCode', async () => {
      const h = await ctx.hubAccess();
      if (!h) {
        return { ok: false, code: 'hub_stopped', message: 'The hub is not running in this window: run "Flightdeck: Start WebSocket Hub" (or turn on flightdeck.hub.enabled) first.' };
      }
      const link = hubLoginUrl(h.httpUrl, h.token);
      const host = new URL(h.httpUrl).hostname.replace(/^\[|\]$/g, '');
      ctx.hubQr.show({ httpUrl: h.httpUrl, svg: await engineModule().qrCodeSvg(link), reach: hubReach(host) });
      return { ok: true, data: { httpUrl: h.httpUrl } };
    }),
    command('rotateHubToken', async () => {
      const r = await ctx.rotateHubToken();
      return {
        ok: true, data: r,
        message: r.running
          ? `New hub token. ${r.dropped} connected client${r.dropped === 1 ? ' was' : 's were'} disconnected ("token rotated") and must sign in with the new one (Flightdeck: Copy Hub URL and Token).`
          : 'New hub token; the hub uses it when it starts.',
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

/** The search pick last shown (host tests type into it). */
export let lastSearchPick: SearchPick | undefined;

class UsageError extends Error {}

function remotesOf(ctx: CommandContext): RemoteCommandContext {
  if (!ctx.remotes) throw new UsageError('Remote engines are not available in this window.');
  return ctx.remotes;
}

function failure(e: unknown): Outcome & { ok: false } {
  if (e instanceof UsageError) return { ok: false, code: ErrorCode.usage, message: e.message };
  if (e instanceof EngineUnavailableError) return { ok: false, code: ErrorCode.engineUnavailable, message: e.message };
  if (isErrorNamed(e, 'ProtocolError')) return { ok: false, code: String(e.code) as ErrorCode, message: e.message };
  return { ok: false, code: ErrorCode.internal, message: `Flightdeck: ${(e as Error)?.message ?? String(e)}` };
}

function report(o: Outcome): void {
  if (o.ok) {
    const actions = o.actions ?? [];
    if (o.message) void vscode.window.showInformationMessage(o.message, ...actions.map(a => a.label)).then(choice => actions.find(a => a.label === choice)?.run());
    return;
  }
  if (o.code === ErrorCode.cancelled) return;
  const text = o.message.startsWith('Flightdeck') ? o.message : `Flightdeck: ${o.message}`;
  if (o.code === ErrorCode.internal || o.code === ErrorCode.engineUnavailable) void vscode.window.showErrorMessage(text);
  else void vscode.window.showWarningMessage(text);
}
