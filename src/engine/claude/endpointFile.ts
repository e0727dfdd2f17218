// Where the hook command finds the running engine: `<dataDir>/claude-hook.json` with the receiver's
// Unix socket (in the same 0700 folder) and a random token. Mode 0600 (the token is a secret);
// removed when the receiver stops, so a hook run while the engine is down finds nothing and exits at
// once. Version 2: version 1 named a TCP port, which any local user could bind once the engine was
// gone (issue 19); the hook command refuses it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ENDPOINT_FILE_NAME } from './hookWire';

export const Endpoint = z.object({
  version: z.literal(2),
  socket: z.string().min(1).max(1024),
  token: z.string().min(32).max(200),
  pid: z.number().int(),
  /** How long the receiver may hold a PermissionRequest waiting for a decision in Flightdeck. */
  permissionWaitMs: z.number().int().nonnegative(),
});
export type Endpoint = z.infer<typeof Endpoint>;

export function endpointFileOf(dataDir: string): string {
  return path.join(dataDir, ENDPOINT_FILE_NAME);
}

export function writeEndpointFile(dataDir: string, endpoint: Endpoint): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = endpointFileOf(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(Endpoint.parse(endpoint)), { mode: 0o600 });
  // writeFileSync's mode only applies to new files; make sure a leftover temp file is 0600 too.
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

/** Removes the file only if it is still ours (another engine may have taken over the data dir). */
export function removeEndpointFile(dataDir: string, token: string): void {
  const file = endpointFileOf(dataDir);
  try {
    const cur = Endpoint.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (cur.success && cur.data.token === token) fs.rmSync(file, { force: true });
  } catch { /* missing or unreadable: nothing of ours to remove */ }
}
