// `flightdeck import` when an engine already leads on the same data folder: the engine imports (one
// writer per database) and this process shows its progress, over the leader's socket. A module of its
// own so the usual import, with no engine running, does not load the protocol client.
import { type ImportProgress, type ImportSummary, describeSummary } from '../engine/history/importer';
import { connectFollower } from '../engine/leader/socketTransport';
import { ProtocolClient } from '../engine/protocol/client';
import type { ImportProgressMessage } from '../engine/protocol/messages';

/**
 * The import asked of the engine that leads on this data folder, its progress shown here; true once it
 * reported done (the summary written to `out`), false if the engine did not answer.
 */
export async function importViaEngine(socketPath: string, show: (p: ImportProgress) => void, out: NodeJS.WritableStream, signal?: AbortSignal): Promise<boolean> {
  const p = await viaLeader(socketPath, show, signal);
  if (!p) return false;
  out.write(`flightdeck: import ${p.cancelled ? 'cancelled' : 'done'}: ${describeProgress(p)}\n`);
  return true;
}

async function viaLeader(socketPath: string, show: (p: ImportProgress) => void, signal?: AbortSignal): Promise<ImportProgressMessage | null> {
  let client: ProtocolClient;
  try { client = new ProtocolClient(await connectFollower(socketPath), `import${process.pid}-`); } catch { return null; }
  try {
    const done = new Promise<ImportProgressMessage>((resolve, reject) => {
      client.on(m => {
        if (m.type !== 'import_progress') return;
        show(m.progress);
        if (m.progress.phase === 'done') resolve(m.progress);
      });
      client.onClose(reason => reject(new Error(reason)));
    });
    signal?.addEventListener('abort', () => { void client.request({ type: 'cancel_import' }).catch(() => undefined); });
    await client.request({ type: 'import_history' });
    return await done;
  } catch {
    return null;
  } finally {
    client.close();
  }
}

function describeProgress(p: ImportProgressMessage): string {
  const counts = p.counts ?? {};
  return describeSummary({ ...p, counts: counts as unknown as ImportSummary['counts'], cancelled: !!p.cancelled });
}
