// Per-file diff review in VS Code's own diff editor (SPEC §6). The engine keeps diffs, not files, so
// the two sides are virtual documents on the flightdeck-diff: scheme: whole files rebuilt from the
// file on disk and the unified diff (diffContents.ts), or the diff's hunks when the file is gone or
// changed again since, which the title then says. Documents are kept in memory, the most recent ones only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileChange } from '../engine/protocol';
import { type SidesSource, fileSides, hunkLineNumbers } from './diffContents';

export const DIFF_SCHEME = 'flightdeck-diff';
const KEEP_DOCUMENTS = 200;
/** Larger files are not read: the diff editor shows the changed lines only. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** What the title adds after the context, by how the sides were made. */
const TITLE_NOTE: Record<SidesSource, string> = {
  whole: '', proposed: '', hunks: ', changed lines only', changedSince: ', the file changed since: changed lines only',
};

/** The file's text now, or null: only a regular file under the size cap is read. */
export function readCurrentFile(file: string | null): string | null {
  if (!file) return null;
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
    return fs.readFileSync(file, 'utf8');
  } catch { return null; }
}

/** What a review comment on a line of a Flightdeck diff document is about (issue 18). */
export interface ReviewTarget {
  sessionId: string;
  /** The file, relative to the session's folder (absolute when outside it). */
  path: string;
  side: 'original' | 'modified';
  /** The file's line (1-based) shown at a 0-based line of the document; null for a gap marker. */
  lineOf(docLine: number): number | null;
}

/** A path as a review names it: relative to the session folder when inside it. */
function reviewPath(p: string, cwd: string | null): string {
  if (!cwd || !path.isAbsolute(p)) return p.replace(/^\/+/, '');
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

export class DiffDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  /** The documents opened for a session's change: review comments can be written on them. */
  private readonly targets = new Map<string, ReviewTarget>();
  private readonly registration: vscode.Disposable;
  private nextId = 1;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '(this Flightdeck diff is no longer in memory: open it again from the session)';
  }

  /**
   * Opens `change` in the diff editor; `context` ends the tab title, e.g. "turn changes". A relative
   * path is the session folder's (`cwd`); `proposed`: the change is not applied yet (an approval).
   */
  async open(change: FileChange, context: string, cwd: string | null = null, proposed = false, remoteHost: string | null = null, sessionId: string | null = null): Promise<{ before: vscode.Uri; after: vscode.Uri; source: SidesSource }> {
    const target = change.movePath ?? change.path;
    const file = path.isAbsolute(target) ? target : cwd ? path.join(cwd, target) : null;
    // A proposed move still has its content at the old path.
    const onDisk = proposed && change.movePath ? (path.isAbsolute(change.path) ? change.path : cwd ? path.join(cwd, change.path) : null) : file;
    // A remote engine's session (remoteHost set): its paths name files on that machine, so nothing
    // here is read — a path that happens to exist on this machine is another file. The diff alone.
    const sides = fileSides(change, remoteHost === null ? readCurrentFile(onDisk) : null, proposed);
    // A fresh id per opening: the same path in another turn must not show stale text.
    const id = this.nextId++;
    const name = change.path.replace(/^\/+/, '');
    const before = this.put(vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${id}/before/${name}` }), sides.before);
    const after = this.put(vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${id}/after/${change.movePath?.replace(/^\/+/, '') ?? name}` }), sides.after);
    if (sessionId) this.addTargets(sessionId, change, cwd, before, after, sides.source);
    const title = `${path.basename(change.path)} (Flightdeck: ${context}${remoteHost === null ? '' : ` on ${remoteHost}`}${TITLE_NOTE[sides.source]})`;
    await vscode.commands.executeCommand('vscode.diff', before, after, title, { preview: true });
    return { before, after, source: sides.source };
  }

  /** The review target of a Flightdeck diff document, if it shows a session's change. */
  reviewTarget(uri: vscode.Uri): ReviewTarget | undefined { return this.targets.get(uri.toString()); }

  dispose(): void { this.registration.dispose(); this.texts.clear(); this.targets.clear(); }

  private addTargets(sessionId: string, change: FileChange, cwd: string | null, before: vscode.Uri, after: vscode.Uri, source: SidesSource): void {
    // Whole files: a document line is the file's line. Sides made from the hunks: looked up.
    const lines = source === 'hunks' || source === 'changedSince' ? hunkLineNumbers(change) : null;
    const lookup = (side: (number | null)[] | undefined) => (l: number) => (side ? side[l] ?? null : l + 1);
    this.targets.set(before.toString(), { sessionId, path: reviewPath(change.path, cwd), side: 'original', lineOf: lookup(lines?.before) });
    this.targets.set(after.toString(), { sessionId, path: reviewPath(change.movePath ?? change.path, cwd), side: 'modified', lineOf: lookup(lines?.after) });
  }

  private put(uri: vscode.Uri, text: string): vscode.Uri {
    this.texts.set(uri.toString(), text);
    while (this.texts.size > KEEP_DOCUMENTS) {
      const oldest = this.texts.keys().next().value as string;
      this.texts.delete(oldest);
      this.targets.delete(oldest);
    }
    return uri;
  }
}
