// The per-turn diff Codex reports (one unified git diff of every file of the turn) as per-file changes.
import { formatPatch, parsePatch } from 'diff';
import type { FileChange } from '../../protocol';

function stripPrefix(name: string | undefined): string | null {
  if (!name || name === '/dev/null') return null;
  return name.replace(/^[ab]\//, '');
}

export function turnDiffChanges(diff: string): FileChange[] {
  if (!diff.trim()) return [];
  const patches = parsePatch(diff);
  // Keep each file's own text (git headers included) when the sections line up with the patches.
  const sections = diff.split(/^(?=diff --git )/m).filter(s => s.startsWith('diff --git '));
  const raw = sections.length === patches.length ? sections : null;
  const out: FileChange[] = [];
  patches.forEach((p, i) => {
    const oldPath = stripPrefix(p.oldFileName);
    const newPath = stripPrefix(p.newFileName);
    const path = newPath ?? oldPath;
    if (!path) return;
    const kind = !oldPath ? 'add' : !newPath ? 'delete' : 'update';
    out.push({
      path: kind === 'update' && oldPath ? oldPath : path,
      kind,
      diff: raw ? raw[i] : formatPatch(p),
      movePath: kind === 'update' && oldPath !== newPath ? newPath : null,
    });
  });
  return out;
}
