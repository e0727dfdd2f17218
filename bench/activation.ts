// Activation cost of the built extension (dist/extension.js) in a plain Node process. A stand-in for
// the host: the `vscode` module is injected through Node's module resolution and answers every API
// call with inert objects (configuration getters return their defaults; Uri, EventEmitter and
// Disposable are small real classes). This measures the extension's own synchronous work — loading
// its bundle and running activate() — not VS Code's; the engine starts in the background afterwards.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ms, now } from './stats';

type Any = Record<string | symbol, unknown>;

/** A callable, constructible object whose every property is another such object. */
function inert(name: string): Any {
  const props = new Map<string | symbol, unknown>();
  const target = function () { /* stand-in */ } as unknown as Any;
  return new Proxy(target, {
    get(_t, p) {
      if (p === 'then') return undefined; // not a promise
      if (p === Symbol.toPrimitive) return () => name;
      if (p === Symbol.iterator) return undefined;
      if (p === 'toString' || p === 'toJSON') return () => name;
      if (!props.has(p)) props.set(p, inert(`${name}.${String(p)}`));
      return props.get(p);
    },
    set(_t, p, v) { props.set(p, v); return true; },
    apply: () => inert(`${name}()`),
    construct: () => inert(`new ${name}`),
  }) as Any;
}

class Uri {
  constructor(readonly scheme: string, readonly fsPath: string) {}
  get path(): string { return this.fsPath; }
  static file(p: string): Uri { return new Uri('file', p); }
  static parse(s: string): Uri { return new Uri('file', s.replace(/^file:\/\//, '')); }
  static joinPath(base: Uri, ...parts: string[]): Uri { return new Uri(base.scheme, path.join(base.fsPath, ...parts)); }
  with(): Uri { return this; }
  toString(): string { return `${this.scheme}://${this.fsPath}`; }
}

class EventEmitter<T> {
  private listeners = new Set<(e: T) => void>();
  event = (l: (e: T) => void) => { this.listeners.add(l); return { dispose: () => this.listeners.delete(l) }; };
  fire(e: T): void { for (const l of this.listeners) l(e); }
  dispose(): void { this.listeners.clear(); }
}

class Disposable {
  constructor(private fn: () => void) {}
  static from(...ds: { dispose(): unknown }[]): Disposable { return new Disposable(() => ds.forEach(d => d.dispose())); }
  dispose(): void { this.fn(); }
}

/** The module: a plain object (a bundler copies its own keys), every namespace and class inert. */
function standInVscode(): Any {
  const configuration = { get: (_k: string, d?: unknown) => d, has: () => false, inspect: () => undefined, update: async () => {} };
  const vscode: Any = { Uri, EventEmitter, Disposable, version: '1.100.0' };
  for (const name of ['window', 'commands', 'env', 'languages', 'extensions', 'debug', 'tasks', 'scm', 'authentication', 'l10n',
    'TreeItem', 'ThemeIcon', 'ThemeColor', 'MarkdownString', 'TreeItemCollapsibleState', 'StatusBarAlignment', 'ViewColumn',
    'ConfigurationTarget', 'ProgressLocation', 'UIKind', 'Range', 'Position', 'Selection', 'RelativePattern', 'CancellationTokenSource',
    'QuickPickItemKind', 'TextEditorRevealType', 'FileType', 'ExtensionMode', 'LogLevel', 'DiagnosticSeverity']) vscode[name] = inert(name);
  vscode.workspace = Object.assign(inert('workspace'), { getConfiguration: () => configuration, workspaceFolders: undefined });
  return vscode;
}

/** Makes `require('vscode')` in this process answer with the stand-in (also used by the History tree bench). */
export function installVscodeStandIn(): void {
  const Module = require('node:module') as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string; _cache: Record<string, unknown> };
  if (Module._cache['vscode-stand-in']) return;
  const original = Module._resolveFilename;
  Module._resolveFilename = function (req: string, ...rest: unknown[]) { return req === 'vscode' ? 'vscode-stand-in' : original.call(this, req, ...rest); };
  Module._cache['vscode-stand-in'] = { id: 'vscode-stand-in', filename: 'vscode-stand-in', loaded: true, exports: standInVscode(), children: [], paths: [] };
}

export async function activationRun(repo: string): Promise<{ activateMs: number; requireMs: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-act-'));
  // The engine that activate() starts in the background must not touch this machine's real folders.
  process.env.HOME = home;
  process.env.FLIGHTDECK_LEADER_DIR = path.join(home, 'run');
  process.env.FLIGHTDECK_DATA_DIR = path.join(home, 'data');
  process.env.CODEX_HOME = path.join(home, 'codex');
  installVscodeStandIn();

  const storage = path.join(home, 'globalStorage');
  const context = {
    subscriptions: [] as unknown[],
    extensionUri: Uri.file(repo), extensionPath: repo, globalStorageUri: Uri.file(storage), globalStoragePath: storage,
    storageUri: undefined, logUri: Uri.file(path.join(home, 'logs')),
    extension: { id: 'flightdeck.flightdeck', packageJSON: JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) },
    secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: () => ({ dispose() {} }) },
    globalState: { get: (_k: string, d?: unknown) => d, update: async () => {}, keys: () => [], setKeysForSync: () => {} },
    workspaceState: { get: (_k: string, d?: unknown) => d, update: async () => {}, keys: () => [] },
    extensionMode: 1,
    environmentVariableCollection: inert('environmentVariableCollection'),
  };
  const req = createRequire(path.join(repo, 'package.json'));
  const t0 = now();
  const ext = req(path.join(repo, 'dist', 'extension.js')) as { activate(c: unknown): unknown };
  const requireMs = ms(t0);
  const t1 = now();
  ext.activate(context);
  const activateMs = ms(t1);
  return { activateMs, requireMs };
}
