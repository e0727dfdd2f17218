// Entry point of the VS Code extension. Wiring only: start the runtime (this window leads and runs
// the engine, or attaches to the window / `flightdeck serve` that does), then the views and commands,
// which talk to the engine only through the protocol client.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProtocolClient } from './engine/protocol';
import type { HubLifecycle } from './engine/hub/lifecycle';
import type { Runtime } from './engine/runtime';
import type { Services } from './engine/services';
import { AttentionNotifier } from './vscode/attentionNotifier';
import { ConflictNotifier } from './vscode/conflictNotifier';
import { AttentionStatusBar } from './vscode/attentionStatusBar';
import { lastSearchPick, registerCommands } from './vscode/commands';
import type { SearchPick } from './vscode/searchPick';
import { UsagePanel } from './vscode/usagePanel';
import { HubQrPanel } from './vscode/hubQrPanel';
import { EngineConnection, EngineUnavailableError } from './vscode/engineConnection';
import { DiffDocuments } from './vscode/diffDocuments';
import { registerWorktreeBaseDocuments } from './vscode/worktreeCommands';
import { ReviewComments } from './vscode/reviewComments';
import { SessionPanels } from './vscode/sessionPanels';
import type { HistorySection } from './vscode/historyTree';
import { SessionsTree } from './vscode/sessionsTree';
import { registerWalkthrough } from './vscode/walkthrough';
import { type RemoteStatus, RemoteSync, type RemoteTarget } from './vscode/remoteEngines';
import { RemoteStatusBar } from './vscode/remoteStatusBar';
import { engineModule, isErrorNamed } from './vscode/engineModule';
import type { DriverPreference } from './engine/store/driver';

/** Set by the bundle's first and last lines (esbuild.mjs banner and footer); absent when this file runs unbundled. */
declare const __flightdeckEvalStart: number | undefined;
declare const __flightdeckEvalEnd: number | undefined;

/**
 * performance.now() marks of this window's activation (the extension host's clock), so the activation
 * bench can tell the host's own work from ours: when the bundle began and finished evaluating, when
 * activate() was entered and when it returned.
 */
export interface ActivationMarks { evalStart: number | null; evalEnd: number | null; activateStart: number; activateEnd: number }

/** What activate() returns: used by the host tests (and by nothing else). */
export interface FlightdeckApi {
  /** Undefined until the runtime started (see ready()). runtime.engine is set when this window leads. */
  readonly runtime: Runtime | undefined;
  readonly client: ProtocolClient | undefined;
  readonly connection: EngineConnection;
  readonly tree: SessionsTree;
  /** The History node of the Sessions tree: past sessions by project and day (the same as tree.history). */
  readonly history: HistorySection;
  /** The search quick pick last shown (flightdeck.search). */
  readonly searchPick: SearchPick | undefined;
  readonly panels: SessionPanels;
  readonly diffs: DiffDocuments;
  /** Review comments written in Flightdeck's diff editors, not sent yet (issue 18). */
  readonly reviews: ReviewComments;
  readonly notifier: AttentionNotifier;
  /** One notification per new conflict (conflict radar, issue 18). */
  readonly conflictNotifier: ConflictNotifier;
  readonly statusBar: AttentionStatusBar;
  /** The remote engines' states in the status bar (issue 20). */
  readonly remoteStatus: RemoteStatusBar;
  readonly usage: UsagePanel;
  /** The WebSocket hub's http URL while it runs in this window (flightdeck.hub.* start and stop it). */
  readonly hubUrl: string | undefined;
  /** The hub QR code panel (Flightdeck: Show Hub QR Code). */
  readonly hubQr: HubQrPanel;
  /** Resolves when the runtime started and a client is connected; rejects with the reason it cannot. */
  ready(): Promise<void>;
  readonly activationMarks: ActivationMarks;
}

let runtime: Runtime | undefined;
/** The engine's services while this window leads (the hub needs them). */
let leading: Services | undefined;
/** The hub next to the engine while this window leads (engine/hub/lifecycle.ts, shared with serve). */
let hubs: HubLifecycle | undefined;
let hubChange: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): FlightdeckApi {
  const activateStart = performance.now();
  const log = vscode.window.createOutputChannel('Flightdeck', { log: true });
  const connection = new EngineConnection(log);
  const tree = new SessionsTree(connection, context.extensionUri, log);
  const history = tree.history;
  const diffs = new DiffDocuments();
  const reviews = new ReviewComments(diffs, id => tree.getSession(id)?.displayName ?? 'this session');
  const panels = new SessionPanels(context.extensionUri, connection, {
    openDiff: (sessionId, messageId, filePath) => vscode.commands.executeCommand('flightdeck.openDiff', sessionId, messageId, filePath),
  }, log, id => {
    const s = tree.getSession(id);
    // A remote engine's session names its machine in the tab too (issue 20).
    return { title: s ? s.host ? `${s.displayName} · ${s.host.name}` : s.displayName : 'Flightdeck session', provider: s?.provider };
  });
  const usage = new UsagePanel(context.extensionUri, connection, log);
  const hubQr = new HubQrPanel(context.extensionUri);
  const notifier = new AttentionNotifier(tree, panels);
  const conflictNotifier = new ConflictNotifier(tree);
  const statusBar = new AttentionStatusBar(tree);
  const remoteStatus = new RemoteStatusBar(connection, log);
  const settings = readSettings(context);
  // Remote engines (issue 20): the window that runs the engine joins what flightdeck.remotes lists.
  const remoteSync = new RemoteSync(context.secrets, leaderRemotes, log);
  context.subscriptions.push(log, connection, tree, diffs, reviews, panels, usage, hubQr, notifier, conflictNotifier, statusBar, remoteStatus,
    tree.onDidChangeSession(({ after }) => { if (after) panels.retitle(after.id); }),
    registerWorktreeBaseDocuments(connection),
    ...registerCommands({
      connection, tree, panels, diffs, reviews, log, showUsage: () => usage.show(), history, claudePath: () => readSettings(context).claudePath,
      installClaudeHooks: () => installHooks(context, readSettings(context)),
      startHub: () => ensureHub(context, log),
      hubAccess: async () => {
        const hub = hubs?.running;
        return hub ? { url: hub.url, httpUrl: hub.httpUrl, token: (await context.secrets.get(HUB_TOKEN_KEY)) ?? '' } : undefined;
      },
      rotateHubToken: () => rotateHubToken(context, log),
      hubQr,
      remotes: {
        secrets: context.secrets, problems: () => remoteSync.problems, sync: () => remoteSync.sync(),
        status: () => remoteStates(connection),
      },
    }),
    context.secrets.onDidChange(e => { if (e.key.startsWith('flightdeck.remote.')) void remoteSync.sync(); }),
    ...registerWalkthrough({ log, settings: () => readSettings(context) }),
    vscode.workspace.onDidChangeConfiguration(e => {
      // Live: notifications.enabled (read per event), codex.path (read when the app-server starts),
      // claude.* (read by the hook installer and the agent detection), hub.* (below). The rest
      // shapes the engine itself, which may run in another window: that needs a reload.
      // Chained: quick successive edits (host, then port) must not start two hubs.
      if (e.affectsConfiguration('flightdeck.remotes')) void remoteSync.sync();
      if (e.affectsConfiguration('flightdeck.hub')) {
        const change = { enabled: e.affectsConfiguration('flightdeck.hub.enabled'), address: ['host', 'port', 'allowNonLoopback', 'allowedOrigins'].some(k => e.affectsConfiguration(`flightdeck.hub.${k}`)) };
        hubChange = hubChange.then(() => applyHubSetting(context, log, change));
      }
      if (['dataDir', 'codex.home', 'sqliteDriver', 'claude.approvalsFromFlightdeck', 'claude.approvalTimeoutSeconds', 'history.retentionDays'].some(k => e.affectsConfiguration(`flightdeck.${k}`))) void offerReload();
    }));

  // Not awaited: activation returns at once; views show "Starting…" until the engine answers.
  const started = startEngine(context, settings, connection, log, () => remoteSync.sync());
  return {
    get runtime() { return runtime; },
    get client() { return connection.current; },
    connection, tree, history, panels, diffs, reviews, notifier, conflictNotifier, statusBar, remoteStatus, usage, hubQr,
    get searchPick() { return lastSearchPick; },
    get hubUrl() { return hubs?.running?.httpUrl; },
    async ready() { await started; await connection.client(); },
    activationMarks: {
      evalStart: typeof __flightdeckEvalStart === 'number' ? __flightdeckEvalStart : null,
      evalEnd: typeof __flightdeckEvalEnd === 'number' ? __flightdeckEvalEnd : null, activateStart, activateEnd: performance.now(),
    },
  };
}

export async function deactivate(): Promise<void> {
  const r = runtime, h = hubs;
  runtime = undefined; hubs = undefined; leading = undefined;
  await h?.stop('deactivated');
  await r?.stop();
}

interface Settings {
  dataDir: string; codexHome?: string; claudeHome?: string; codexPath?: string; claudePath?: string; sqliteDriver: DriverPreference;
  claudeApprovals: boolean; claudeApprovalTimeoutMs: number; retentionDays: number;
}

/** dataDir, codex.home and sqliteDriver are read once at start (offerReload); the rest is re-read where used. */
function readSettings(context: vscode.ExtensionContext): Settings {
  const cfg = vscode.workspace.getConfiguration('flightdeck');
  const setting = (key: string) => expandHome(cfg.get<string>(key, '').trim()) || undefined;
  return {
    dataDir: setting('dataDir') ?? (process.env.FLIGHTDECK_DATA_DIR || context.globalStorageUri.fsPath),
    codexHome: setting('codex.home'), claudeHome: setting('claude.home'),
    codexPath: setting('codex.path'), claudePath: setting('claude.path'),
    sqliteDriver: cfg.get<DriverPreference>('sqliteDriver', 'auto'),
    claudeApprovals: cfg.get<boolean>('claude.approvalsFromFlightdeck', true),
    claudeApprovalTimeoutMs: Math.max(5, cfg.get<number>('claude.approvalTimeoutSeconds', 600)) * 1000,
    retentionDays: Math.max(0, Math.floor(cfg.get<number>('history.retentionDays', 365))),
  };
}

async function startEngine(context: vscode.ExtensionContext, settings: Settings, connection: EngineConnection, log: vscode.LogOutputChannel, joinRemotes: () => Promise<void>): Promise<void> {
  const { dataDir } = settings;
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');
  try {
    // Past activate(): the engine bundle (zod, SQLite, watchers) loads after the window's activation returned.
    await new Promise(resolve => setImmediate(resolve));
    const { startRuntime } = engineModule();
    runtime = await startRuntime({
      ...settings, version, log: (level, msg) => log[level](msg),
      // Re-read when the codex app-server starts, so a changed path needs no reload.
      codexPath: () => readSettings(context).codexPath,
      onLeader: async services => {
        leading = services;
        await joinRemotes();
        log.info(`Flightdeck store: SQLite driver ${services.store.driver}, full-text search ${services.store.ftsAvailable ? 'on' : 'off (no FTS5)'}`);
        if (!services.store.ftsAvailable) {
          void vscode.window.showInformationMessage(`Flightdeck: this VS Code's SQLite (${services.store.driver}) has no full-text search (FTS5); transcript search uses a slower substring match.`);
        }
        if (!vscode.workspace.getConfiguration('flightdeck').get<boolean>('hub.enabled', false)) return;
        // A hub that cannot start (port taken) must not stop the engine.
        try { await ensureHub(context, log); } catch (e) {
          void vscode.window.showWarningMessage(`Flightdeck: the WebSocket hub did not start: ${(e as Error).message}`);
        }
      },
    });
    log.info(`Flightdeck ${version}: ${runtime.role}${runtime.role === 'leader' ? `, data in ${dataDir}` : ''}`);
    context.subscriptions.push({ dispose: runtime.onRoleChange(role => log.info(`Flightdeck: this window is now the ${role}`)) });
    connection.attach(() => runtime!.connect());
  } catch (e) {
    const message = isErrorNamed(e, 'StoreLoadError') ? e.message : `Flightdeck could not start its engine: ${(e as Error)?.message ?? e}`;
    log.error(e instanceof Error && e.stack ? e.stack : String(e));
    connection.fail(message);
    void vscode.window.showErrorMessage(message, 'Show Log').then(choice => { if (choice) log.show(); });
  }
}

/** SPEC §8: the hub runs next to the engine (so only in the leading window); its token lives in SecretStorage. */
async function ensureHub(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<{ url: string; httpUrl: string; token: string }> {
  const running = hubs?.running;
  if (running) return { url: running.url, httpUrl: running.httpUrl, token: (await context.secrets.get(HUB_TOKEN_KEY)) ?? '' };
  const services = leading;
  if (!services || runtime?.role !== 'leader') {
    throw new EngineUnavailableError('Another window or `flightdeck serve` runs the Flightdeck engine: start the hub there.');
  }
  const cfg = vscode.workspace.getConfiguration('flightdeck');
  const { HubLifecycle, generateToken, isWellFormedToken } = engineModule();
  let token = await context.secrets.get(HUB_TOKEN_KEY);
  if (!token || !isWellFormedToken(token)) {
    token = generateToken();
    await context.secrets.store(HUB_TOKEN_KEY, token);
  }
  hubs ??= new HubLifecycle({
    log: (level, msg) => log[level](msg),
    version: String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0'),
    webRoot: context.asAbsolutePath('dist'),
  });
  const hub = await hubs.start(services, token, {
    host: cfg.get<string>('hub.host', '127.0.0.1'), port: cfg.get<number>('hub.port', 4000),
    allowNonLoopback: cfg.get<boolean>('hub.allowNonLoopback', false),
    allowedOrigins: cfg.get<string[]>('hub.allowedOrigins', []).filter(o => typeof o === 'string' && o.trim()).map(o => o.trim()),
  });
  return { url: hub.url, httpUrl: hub.httpUrl, token };
}

const HUB_TOKEN_KEY = 'flightdeck.hub.token';

/** The engine's remote engines while this window runs it; elsewhere the leader applies the setting. */
function leaderRemotes(): RemoteTarget | undefined {
  // onLeader runs before startRuntime() returns the runtime: no runtime yet means this window is starting as the leader.
  if (runtime && runtime.role !== 'leader') return undefined;
  return leading?.remotes;
}

/** The remotes' states as the engine that runs (here or in another window) reports them (list_remotes). */
async function remoteStates(connection: EngineConnection): Promise<RemoteStatus[] | undefined> {
  const answer = await (await connection.client()).request({ type: 'list_remotes' });
  return answer.remotes;
}

/**
 * A new hub token in SecretStorage; a hub running in this window takes it at once and closes the
 * connections that used the old one (close code 4001, "token rotated": the web client asks again).
 */
async function rotateHubToken(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<{ running: boolean; dropped: number }> {
  if (!hubs?.running && runtime?.role !== 'leader') {
    throw new EngineUnavailableError('Another window or `flightdeck serve` runs the Flightdeck engine and its hub: rotate the token there.');
  }
  const token = engineModule().generateToken();
  await context.secrets.store(HUB_TOKEN_KEY, token);
  if (!hubs?.running) { log.info('Flightdeck hub token rotated (the hub is not running)'); return { running: false, dropped: 0 }; }
  const dropped = hubs.rotateToken(token);
  log.info(`Flightdeck hub token rotated; ${dropped} connected client(s) closed`);
  return { running: true, dropped };
}

/**
 * flightdeck.hub.* changed, in the window that may run the hub: turning it off stops it; a new address
 * restarts a running hub there (also one started by the command); turning it on starts it.
 */
async function applyHubSetting(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, change: { enabled: boolean; address: boolean }): Promise<void> {
  const enabled = vscode.workspace.getConfiguration('flightdeck').get<boolean>('hub.enabled', false);
  const running = hubs?.running;
  const restart = !!running && change.address;
  if (running && ((change.enabled && !enabled) || restart)) await hubs?.stop('settings changed');
  if (!(enabled || restart) || hubs?.running || runtime?.role !== 'leader') return;
  // Through the command: the user sees the URL and how to get the token, or why it did not start.
  await vscode.commands.executeCommand('flightdeck.startHub');
}

/**
 * Claude runs dist/hook.js with this host's own runtime (Electron as Node in desktop VS Code). The
 * hook finds the engine through the per-machine leader folder, whichever process leads.
 */
function installHooks(context: vscode.ExtensionContext, settings: Settings) {
  return engineModule().installFlightdeckHooks({
    hookScript: context.asAbsolutePath(path.join('dist', 'hook.js')), nodePath: process.execPath, electronRunAsNode: !!process.versions.electron,
    claudeHome: settings.claudeHome, approvalTimeoutMs: settings.claudeApprovalTimeoutMs,
  });
}

async function offerReload(): Promise<void> {
  const choice = await vscode.window.showInformationMessage('Flightdeck: reload the window to apply the changed settings.', 'Reload Window');
  if (choice) await vscode.commands.executeCommand('workbench.action.reloadWindow');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}
