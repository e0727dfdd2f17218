// The folder a new session runs in, as a client named it. Clients are other processes (a browser
// through the hub), so the path is checked here, once, for every transport: absolute, resolved
// (`..` and `.` gone), and an existing directory. The error says which rule failed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode } from '../protocol';
import { EngineError } from './errors';

export function requireWorkingDir(cwd: string): string {
  if (!path.isAbsolute(cwd)) throw new EngineError(ErrorCode.badRequest, `cwd must be an absolute path (got "${cwd.slice(0, 200)}")`);
  const resolved = path.resolve(cwd);
  let st: fs.Stats;
  try {
    st = fs.statSync(resolved);
  } catch {
    throw new EngineError(ErrorCode.badRequest, `cwd ${resolved} does not exist`);
  }
  if (!st.isDirectory()) throw new EngineError(ErrorCode.badRequest, `cwd ${resolved} is not a directory`);
  return resolved;
}
