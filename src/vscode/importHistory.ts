// *Flightdeck: Import History*: asks the engine to import every past session (SPEC §11) and shows
// its progress (files done / total, MB/s) in a cancellable notification. The engine does the work
// in the background; cancelling stops it at its next commit, and the next import goes on from there.
import * as vscode from 'vscode';
import type { ProtocolClient } from '../engine/protocol/client';
import type { ImportProgressMessage } from '../engine/protocol/messages';

/** The progress line the notification shows. */
export function importProgressText(p: ImportProgressMessage): string {
  if (p.phase === 'scanning') return 'looking for past sessions…';
  return `${p.filesDone} / ${p.filesTotal} files · ${(p.bytesDone / 1e6).toFixed(1)} MB · ${p.mbPerSec} MB/s`;
}

/** What the import did, for the message at its end. */
export function importSummaryText(p: ImportProgressMessage): string {
  const c = p.counts ?? {};
  const skipped = ['unreadable', 'vanished', 'notRegular', 'invalidJson', 'invalidLines', 'oversizedLines']
    .filter(k => (c[k] ?? 0) > 0).map(k => `${k} ${c[k]}`);
  return `${p.cancelled ? 'History import stopped' : 'History imported'}: ${c.sessionsCreated ?? 0} new session(s), ` +
    `${c.items ?? 0} item(s) from ${p.filesDone} file(s) in ${(p.elapsedMs / 1000).toFixed(1)} s` +
    (skipped.length ? ` (skipped: ${skipped.join(', ')}; see the Flightdeck log)` : '.');
}

export function importWithProgress(client: ProtocolClient): Thenable<ImportProgressMessage> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Flightdeck: importing history', cancellable: true },
    (progress, token) => new Promise<ImportProgressMessage>((resolve, reject) => {
      let shown = 0;
      const off = client.on(m => {
        if (m.type !== 'import_progress') return;
        const p = m.progress;
        const pct = p.bytesTotal > 0 ? Math.min(100, (p.bytesDone / p.bytesTotal) * 100) : 0;
        progress.report({ increment: Math.max(0, pct - shown), message: importProgressText(p) });
        shown = Math.max(shown, pct);
        if (p.phase === 'done') { off(); resolve(p); }
      });
      token.onCancellationRequested(() => { void client.request({ type: 'cancel_import' }).catch(() => undefined); });
      client.request({ type: 'import_history' }).catch(e => { off(); reject(e); });
    }),
  );
}
