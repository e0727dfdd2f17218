// The before/after texts of one file change, rebuilt from its unified diff (the engine keeps only the
// diff, never the files). Pure: no vscode import, so it is easy to reason about and to test.
import { applyPatch, parsePatch, reversePatch } from 'diff';
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

/**
 * For sides made from the diff's hunks (diffSides): the file's line number (1-based) of every line of
 * each side, null for a gap marker; null when the diff has no hunks (the sides are the whole text).
 * A review comment on such a side names the line of the file, not of the shown text.
 */
export function hunkLineNumbers(change: FileChange): { before: (number | null)[]; after: (number | null)[] } | null {
  const hunks = safeParse(change.diff)?.hunks ?? [];
  if (hunks.length === 0) return null;
  const before: (number | null)[] = [];
  const after: (number | null)[] = [];
  let oldNext = 1;
  for (const h of hunks) {
    if (h.oldStart > oldNext) { before.push(null); after.push(null); }
    let oldLine = h.oldStart, newLine = h.newStart;
    for (const line of h.lines) {
      if (line.startsWith(' ')) { before.push(oldLine++); after.push(newLine++); }
      else if (line.startsWith('-')) before.push(oldLine++);
      else if (line.startsWith('+')) after.push(newLine++);
    }
    oldNext = h.oldStart + h.oldLines;
  }
  return { before, after };
}

function safeParse(text: string): ReturnType<typeof parsePatch>[number] | undefined {
  try { return parsePatch(text)[0]; } catch { return undefined; }
}

function joinLines(lines: string[]): string { return lines.length ? `${lines.join('\n')}\n` : ''; }

/**
 * How the two sides were made: from the file on disk (whole files; `proposed` when the change is not
 * applied yet), from the diff alone (`hunks`, no file to read), or from the diff because the file on
 * disk no longer matches it (`changedSince`: edited again after the change).
 */
export type SidesSource = 'whole' | 'proposed' | 'hunks' | 'changedSince';
export interface FileSides extends DiffSides { source: SidesSource }

/**
 * Whole files where the file on disk allows it: the file now is the right side and the left side is
 * the file with the patch reversed; a change not applied yet (a proposal) is the file now on the
 * left and the patch applied on the right. `current` is the file's text now, or null when there is
 * none (deleted, not created yet, unreadable).
 */
export function fileSides(change: FileChange, current: string | null, proposed = false): FileSides {
  const fromDiff = diffSides(change);
  const patch = safeParse(change.diff);
  if (!patch?.hunks.length || change.kind !== 'update') {
    // An added file's diff is the whole file, and so is a deleted one's (one hunk from line 1): the
    // file on disk only tells whether it moved on since (an added file edited again, a deleted one back).
    if (fromDiff.partial) return { ...fromDiff, source: 'hunks' };
    const expected = change.kind === 'add' ? (proposed ? null : fromDiff.after) : (proposed ? fromDiff.before : null);
    // No file to compare (not found, or not on this machine): the diff is all there is, and whole.
    return { ...fromDiff, source: current === null || current === expected ? 'whole' : 'changedSince' };
  }
  if (current === null) return { ...fromDiff, source: 'hunks' };
  const tries: (() => FileSides | null)[] = [
    () => { const before = applyPatch(current, reversePatch(patch)); return typeof before === 'string' ? { before, after: current, partial: false, source: 'whole' } : null; },
    () => { const after = applyPatch(current, patch); return typeof after === 'string' ? { before: current, after, partial: false, source: 'proposed' } : null; },
  ];
  if (proposed) tries.reverse();
  for (const t of tries) { const r = t(); if (r) return r; }
  return { ...fromDiff, source: 'changedSince' };
}
