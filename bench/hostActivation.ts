// Activation in the real extension host: scripts/vscode-host.sh starts code-server (default 4.100.3 =
// VS Code 1.100.3, extension host on Node 20) and headless Chromium with bench/host/activation-entry.ts
// as the test entry, which activates Flightdeck once and prints `FD-ACTIVATION {…}`. One activation per
// host start; every run gets fresh data and leader dirs and empty Codex / Claude homes.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface HostActivationRun {
  /** `await getExtension('flightdeck.flightdeck').activate()` inside the extension host. */
  activateMs: number;
  /**
   * Its parts: the host before it evaluated dist/extension.js, the evaluation, the host between the
   * evaluation and calling activate() (the extension context: storage, secrets), activate() itself, the host after.
   */
  hostBeforeLoadMs: number; bundleEvalMs: number; hostBetweenMs: number; activateBodyMs: number; hostAfterMs: number;
  /** The slowest top-level require() calls made while activating, ms each (`vscode` is the host's API factory). */
  requires: Record<string, number>;
  /** From the same start until the API's ready() resolved (engine started, client connected). */
  engineReadyMs: number;
  /** From the same start until the Sessions tree holds the engine's list. */
  treeLoadedMs: number;
  role: string;
  vscode: string;
  node: string;
  /** The whole vscode-host.sh run: server start, workbench, extension host, the entry, shutdown. */
  wallMs: number;
}

const LINE = /^FD-ACTIVATION (\{.*\})\s*$/m;
const ENTRY = path.join('out', 'bench', 'host', 'activation-entry.js');

/** code-server version vscode-host.sh runs (its default unless VSCODE_HOST_CS_VERSION says otherwise). */
export const NEWER_CODE_SERVER = '4.139.1';
export function hostCodeServerVersion(): string { return process.env.VSCODE_HOST_CS_VERSION || '4.100.3'; }

function hostEnv(): NodeJS.ProcessEnv {
  return { ...process.env, VSCODE_HOST_CACHE: process.env.VSCODE_HOST_CACHE || path.resolve('.cache', 'vscode-host') };
}

/** Compiles the entry with the root tsconfig (`tsc -p .`) and makes sure the host is installed (idempotent). */
export function prepareHostActivation(repo: string, log: (m: string) => void, csVersions: string[] = [hostCodeServerVersion()]): string {
  log('host activation: tsc -p . (bench/host/activation-entry.ts → out/bench/host/)');
  const tsc = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: repo, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc -p . failed (${tsc.status}):\n${tsc.stdout}${tsc.stderr}`);
  const entry = path.join(repo, ENTRY);
  if (!fs.existsSync(entry)) throw new Error(`tsc -p . did not produce ${entry}`);
  for (const cs of csVersions) {
    log(`host activation: bash scripts/vscode-host.sh setup (code-server ${cs})`);
    const setup = spawnSync('bash', ['scripts/vscode-host.sh', 'setup'], { cwd: repo, env: { ...hostEnv(), VSCODE_HOST_CS_VERSION: cs }, encoding: 'utf8' });
    if (setup.status !== 0) {
      throw new Error(`scripts/vscode-host.sh setup failed (${setup.status}); skip this part with --skip hostActivation\n${setup.stdout}${setup.stderr}`);
    }
  }
  return ENTRY;
}

/**
 * The extension as the host loads it, but without `onStartupFinished`: the shipped manifest activates
 * Flightdeck as soon as the window starts, which would leave nothing cold to time. Everything else
 * (dist/, media/, node_modules/) is the checkout's own, linked.
 */
function coldCopy(repo: string, tmp: string): string {
  const dir = path.join(tmp, 'ext');
  fs.mkdirSync(dir);
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { activationEvents?: string[] };
  manifest.activationEvents = (manifest.activationEvents ?? []).filter(e => e !== 'onStartupFinished');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const f of ['dist', 'media', 'node_modules', 'out', 'README.md', 'LICENSE']) {
    if (fs.existsSync(path.join(repo, f))) fs.symlinkSync(path.join(repo, f), path.join(dir, f));
  }
  return dir;
}

/** One host start with one activation. Keeps the run's folder (logs) when it fails, removes it otherwise. */
export function hostActivationRun(repo: string, entry: string, csVersion = hostCodeServerVersion()): Promise<HostActivationRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-host-act-'));
  const ext = coldCopy(repo, tmp);
  const isolation = {
    FLIGHTDECK_DATA_DIR: path.join(tmp, 'data'), FLIGHTDECK_LEADER_DIR: path.join(tmp, 'run'),
    CODEX_HOME: path.join(tmp, 'codex-home'), CLAUDE_CONFIG_DIR: path.join(tmp, 'claude-home'),
  };
  fs.mkdirSync(isolation.CODEX_HOME);
  fs.mkdirSync(isolation.CLAUDE_CONFIG_DIR);
  const env = { ...hostEnv(), ...isolation, VSCODE_HOST_CS_VERSION: csVersion, VSCODE_HOST_RUN_DIR: path.join(tmp, 'host'), VSCODE_HOST_TIMEOUT: process.env.VSCODE_HOST_TIMEOUT || '240' };
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('bash', ['scripts/vscode-host.sh', 'test', ext, path.join(repo, entry)], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    p.on('error', reject);
    p.on('exit', code => {
      const wallMs = performance.now() - t0;
      const m = LINE.exec(out);
      if (code !== 0 || !m) {
        fs.writeFileSync(path.join(tmp, 'vscode-host.out.log'), `${out}\n--- stderr ---\n${err}`);
        const tail = `${out}\n${err}`.trim().split('\n').slice(-25).join('\n');
        return reject(new Error(`host activation run exited ${code}${m ? '' : ' without an FD-ACTIVATION line'}; logs in ${tmp}\n${tail}`));
      }
      fs.rmSync(tmp, { recursive: true, force: true });
      resolve({ ...(JSON.parse(m[1]) as Omit<HostActivationRun, 'wallMs'>), wallMs });
    });
  });
}
