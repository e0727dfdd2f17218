// The before/after texts of one file change, rebuilt from its unified diff (the engine keeps only the
// diff, never the files). Pure: no vscode import, so it is easy to reason about and to test.
import { applyPatch, parsePatch } from 'diff';
import type { FileChange } from '../engine/protocol';

export interface DiffSides { before: string; after: string; /** True when only the diff's hunks (not whole files) are shown. */ partial: boolean }

/** Stands for lines between two hunks that the diff does not carry; the same on both sides so they align. */
export const GAP_MARKER = '⋯ unchanged lines not in the diff ⋯';

export function diffSides(change: FileChange): DiffSides {
  const patch = safeParse(change.diff);
  const hunks = patch?.hunks ?? [];
  if (hunks.length === 0) {
    // Not a unified diff (some providers hand over a new file's content as is): show it whole.
    if (change.kind === 'delete') return { before: change.diff, after: '', partial: false };
    return { before: '', after: change.diff, partial: change.kind === 'update' };
  }
  if (change.kind === 'add' && patch) {
    // A new file's diff is its whole content: applying it to nothing gives the file exactly.
    const after = applyPatch('', patch);
    if (typeof after === 'string') return { before: '', after, partial: false };
  }
  // An update (or a delete) without the original file: each side is what the hunks give, context
  // plus removed lines before, context plus added lines after, with a marker where lines are skipped.
  const before: string[] = [];
  const after: string[] = [];
  let oldNext = 1;
  for (const h of hunks) {
    if (h.oldStart > oldNext) { before.push(GAP_MARKER); after.push(GAP_MARKER); }
    for (const line of h.lines) {
      const text = line.slice(1);
      if (line.startsWith(' ')) { before.push(text); after.push(text); }
      else if (line.startsWith('-')) before.push(text);
      else if (line.startsWith('+')) after.push(text);
      // "\ No newline at end of file" carries no line of its own.
    }
    oldNext = h.oldStart + h.oldLines;
  }
  const whole = hunks.length === 1 && hunks[0].oldStart <= 1 && change.kind === 'delete';
  return { before: joinLines(before), after: change.kind === 'delete' ? '' : joinLines(after), partial: !whole };
}

function safeParse(text: string): ReturnType<typeof parsePatch>[number] | undefined {
  try { return parsePatch(text)[0]; } catch { return undefined; }
}

function joinLines(lines: string[]): string { return lines.length ? `${lines.join('\n')}\n` : ''; }
