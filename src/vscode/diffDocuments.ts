// Per-file diff review in VS Code's own diff editor (SPEC §6). The engine keeps diffs, not files, so
// the two sides are virtual documents on the flightdeck-diff: scheme: whole files rebuilt from the
// file on disk and the unified diff (diffContents.ts), or the diff's hunks when the file is gone or
// changed again since, which the title then says. Documents are kept in memory, the most recent ones only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileChange } from '../engine/protocol';
import { type SidesSource, fileSides } from './diffContents';

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

export class DiffDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
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
  async open(change: FileChange, context: string, cwd: string | null = null, proposed = false, remoteHost: string | null = null): Promise<{ before: vscode.Uri; after: vscode.Uri; source: SidesSource }> {
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
    const title = `${path.basename(change.path)} (Flightdeck: ${context}${remoteHost === null ? '' : ` on ${remoteHost}`}${TITLE_NOTE[sides.source]})`;
    await vscode.commands.executeCommand('vscode.diff', before, after, title, { preview: true });
    return { before, after, source: sides.source };
  }

  dispose(): void { this.registration.dispose(); this.texts.clear(); }

  private put(uri: vscode.Uri, text: string): vscode.Uri {
    this.texts.set(uri.toString(), text);
    while (this.texts.size > KEEP_DOCUMENTS) this.texts.delete(this.texts.keys().next().value as string);
    return uri;
  }
}
