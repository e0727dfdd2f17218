// Where `flightdeck serve --remote <name>=<url>` finds each remote's token: never the command line
// (every local user can read it). FLIGHTDECK_REMOTE_<NAME>_TOKEN (the name upper-cased, - as _), else
// the file <data-dir>/remotes/<name>.token, which must be a regular file only its owner can read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkRemoteSpec, validRemoteName } from '../engine/remotes';
import { readTokenLine } from './tokenSource';

export interface RemoteArg { name: string; url: string }

/** Parses one --remote value, `<name>=<ws-url>`. */
export function parseRemoteArg(value: string): RemoteArg {
  const at = value.indexOf('=');
  if (at <= 0) throw new Error(`--remote ${value}: expected <name>=<ws-url>, e.g. box=ws://127.0.0.1:7777/ws`);
  const name = value.slice(0, at);
  const url = value.slice(at + 1);
  if (!validRemoteName(name)) throw new Error(`--remote ${name}: a name is 1-32 letters, digits, - or _ (starting with a letter or digit)`);
  return { name, url };
}

export function remoteTokenEnv(name: string): string {
  return `FLIGHTDECK_REMOTE_${name.toUpperCase().replace(/-/g, '_')}_TOKEN`;
}

export function remoteTokenPath(dataDir: string, name: string): string {
  return path.join(dataDir, 'remotes', `${name}.token`);
}

/** The token for a remote; throws a message naming where it was looked for. */
export function remoteToken(name: string, dataDir: string, env: NodeJS.ProcessEnv): string {
  const envName = remoteTokenEnv(name);
  const fromEnv = env[envName]?.trim();
  if (fromEnv) return fromEnv;
  const file = remoteTokenPath(dataDir, name);
  let st: fs.Stats;
  try { st = fs.lstatSync(file); } catch {
    throw new Error(`remote ${name}: no token: set ${envName} or write it to ${file} (mode 0600)`);
  }
  if (!st.isFile()) throw new Error(`remote ${name}: ${file} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new Error(`remote ${name}: ${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${file}`);
  }
  return readTokenLine(file);
}

/** Every --remote with its token, checked (name, ws:// or wss:// URL, token) before the engine starts. */
export function resolveRemotes(args: RemoteArg[], dataDir: string, env: NodeJS.ProcessEnv): { name: string; url: string; token: string }[] {
  const seen = new Set<string>();
  return args.map(a => {
    if (seen.has(a.name)) throw new Error(`--remote ${a.name} is given twice`);
    seen.add(a.name);
    const spec = { ...a, token: remoteToken(a.name, dataDir, env) };
    checkRemoteSpec(spec);
    return spec;
  });
}
