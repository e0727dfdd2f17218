// Which codex binary to run: the path from settings, else `codex` on PATH, else the one bundled with
// the @openai/codex npm package. For the npm package we run its native binary directly: on Node 20 the
// package's `bin/codex.js` wrapper spawns it as a child, so killing the wrapper would orphan it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ResolveCodexOptions {
  /** The user's setting; used as is when it points at a file. */
  setting?: string | null;
  /** PATH to search (defaults to process.env.PATH). */
  pathEnv?: string;
  /** Folders whose node_modules may hold @openai/codex (the extension / CLI root). */
  searchRoots?: string[];
}

const TRIPLES: Record<string, string> = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
  'win32-arm64': 'aarch64-pc-windows-msvc',
};

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

function onPath(name: string, pathEnv: string): string | null {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isFile(candidate)) return candidate;
    }
  }
  return null;
}

/** The native binary inside node_modules of `root`, if the platform package is installed there. */
export function bundledCodexBinary(root: string): string | null {
  const key = `${process.platform}-${process.arch}`;
  const triple = TRIPLES[key];
  if (!triple) return null;
  const exe = process.platform === 'win32' ? 'codex.exe' : 'codex';
  const native = path.join(root, 'node_modules', '@openai', `codex-${key}`, 'vendor', triple, 'bin', exe);
  if (isFile(native)) return native;
  const wrapper = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'codex.cmd' : 'codex');
  return isFile(wrapper) ? wrapper : null;
}

/** Folders from `start` up to the filesystem root: where a node_modules may be. */
function ancestors(start: string): string[] {
  const out: string[] = [];
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    out.push(dir);
    if (path.dirname(dir) === dir) return out;
  }
}

export function resolveCodexBinary(o: ResolveCodexOptions = {}): string {
  const setting = o.setting?.trim();
  if (setting) {
    if (isFile(setting)) return setting;
    throw new Error(`the codex path in the settings does not exist: ${setting}`);
  }
  const found = onPath('codex', o.pathEnv ?? process.env.PATH ?? '');
  if (found) return found;
  for (const root of o.searchRoots ?? ancestors(__dirname)) {
    const bundled = bundledCodexBinary(root);
    if (bundled) return bundled;
  }
  throw new Error('codex was not found: set the codex path in the settings, put `codex` on PATH, or install @openai/codex');
}
