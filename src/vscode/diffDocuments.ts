// Per-file diff review in VS Code's own diff editor (SPEC §6). The engine keeps diffs, not files, so
// the two sides are virtual documents on the flightdeck-diff: scheme, rebuilt from the unified diff
// (diffContents.ts). Documents are kept in memory, the most recent ones only.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileChange } from '../engine/protocol';
import { diffSides } from './diffContents';

export const DIFF_SCHEME = 'flightdeck-diff';
const KEEP_DOCUMENTS = 200;

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

  /** Opens `change` in the diff editor; `context` ends the tab title, e.g. "turn changes". */
  async open(change: FileChange, context: string): Promise<{ before: vscode.Uri; after: vscode.Uri }> {
    const sides = diffSides(change);
    // A fresh id per opening: the same path in another turn must not show stale text.
    const id = this.nextId++;
    const file = change.path.replace(/^\/+/, '');
    const before = this.put(vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${id}/before/${file}` }), sides.before);
    const after = this.put(vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${id}/after/${change.movePath?.replace(/^\/+/, '') ?? file}` }), sides.after);
    const title = `${path.basename(change.path)} (Flightdeck: ${context}${sides.partial ? ', changed lines only' : ''})`;
    await vscode.commands.executeCommand('vscode.diff', before, after, title, { preview: true });
    return { before, after };
  }

  dispose(): void { this.registration.dispose(); this.texts.clear(); }

  private put(uri: vscode.Uri, text: string): vscode.Uri {
    this.texts.set(uri.toString(), text);
    while (this.texts.size > KEEP_DOCUMENTS) this.texts.delete(this.texts.keys().next().value as string);
    return uri;
  }
}
