// SPEC §7, direct sessions after an engine crash: the turn that was open when the engine died is
// re-read from the thread's rollout, so what Codex wrote while (or just before) the engine was gone
// is not lost — items the store never committed (the writer flushes every 100 ms), items that were
// still streaming and finished in the file, and the end of the turn (Codex aborts a turn when its
// stdin closes, and writes turn_aborted). The rollout mapper gives each item the id the live
// connector gave it (`codex:<thread>:<turn>:<item>`), so nothing appears twice.
import type { SessionEngine } from '../../sessions/engine';
import type { LogFn } from '../../platform/log';
import { readAppended, type TailPosition } from '../../platform/jsonlTail';
import { mapRolloutLine, newMapperState, type RolloutOp } from '../rollout/rolloutMap';
import { RolloutEnvelope } from '../rollout/rolloutSchema';
import { fileKeyOf } from '../rollout/rolloutIngest';

/** A rollout larger than this is not re-read at start (the turn's items then stay as the store has them). */
const MAX_REREAD_BYTES = 256 * 1024 * 1024;

export interface CatchUpResult { added: number; finished: number; turnStatus: 'completed' | 'interrupted' | 'failed' | null }

/**
 * Applies the rollout's account of one turn to its session: items the store lacks are added, items
 * the store holds unfinished take the file's final fields; a completed item is left as the live
 * connector stored it. Returns how the turn ended in the file (null: the file has no end for it).
 */
export function catchUpTurn(engine: SessionEngine, sessionId: string, threadId: string, turnId: string, path: string, log: LogFn): CatchUpResult {
  const res: CatchUpResult = { added: 0, finished: 0, turnStatus: null };
  const ops: RolloutOp[] = [];
  const state = newMapperState();
  const fileKey = fileKeyOf(path);
  let pos: TailPosition = { offset: 0 };
  for (let read = 0; pos.offset < MAX_REREAD_BYTES; read++) {
    const r = readAppended(path, pos);
    if (r.missing) { log('info', `codex direct: rollout ${path} is gone; the turn ${turnId} stays as stored`); return res; }
    for (const line of r.lines) {
      let raw: unknown;
      try { raw = JSON.parse(line.text); } catch { continue; }
      const env = RolloutEnvelope.safeParse(raw);
      if (!env.success) continue;
      const mapped = mapRolloutLine(env.data, { threadId, fileKey, offset: line.offset, now: engine.clock.now(), state, approvalPolicy: null, sandboxMode: null });
      ops.push(...mapped.ops);
    }
    pos = { offset: r.offset, carry: r.carry };
    if (!r.more) break;
  }

  const prefix = `codex:${threadId}:${turnId}:`;
  // The live connector keys items by the app-server's item id; the rollout mapper keys calls by
  // `call:<call id>` (the same id) and messages by a hash of their text (the file's messages carry
  // no item id). So a call maps to the connector's id, and a message is the stored message of this
  // turn with the same kind and text, if there is one.
  const stored = engine.getMessages(sessionId, { limit: 500 }).filter(m => m.turnId === turnId || m.id.startsWith(prefix));
  const byText = new Map(stored.filter(m => m.kind === 'user' || m.kind === 'agent' || m.kind === 'reasoning').map(m => [`${m.kind}\n${m.text}`, m.id]));
  const resolve = (id: string, kind?: string, text?: string): string => {
    if (!id.startsWith(prefix)) return id;
    const key = id.slice(prefix.length);
    if (key.startsWith('call:')) return prefix + key.slice('call:'.length);
    return (kind !== undefined && text !== undefined && byText.get(`${kind}\n${text}`)) || id;
  };
  const known = new Map(stored.map(m => [m.id, m]));
  /** Items this catch-up may write: the ones the store lacked or held unfinished. */
  const open = new Set<string>();
  const kinds = new Map<string, string>();
  for (const op of ops) {
    if (op.op === 'upsert' && op.message.id.startsWith(prefix) && op.message.kind !== 'turn') {
      // Direct sessions show no turn rows; the rest of the file's items are the connector's items.
      const id = resolve(op.message.id, op.message.kind, op.message.text);
      const have = known.get(id);
      kinds.set(id, op.message.kind);
      if (!have && !open.has(id)) { engine.appendMessage(sessionId, { ...op.message, id }); res.added++; open.add(id); }
      else if (open.has(id) || have?.status === 'inProgress') {
        engine.updateMessage(sessionId, { ...op.message, id });
        if (!open.has(id)) res.finished++;
        open.add(id);
      }
    } else if (op.op === 'patch' && op.patch.id.startsWith(prefix)) {
      const id = resolve(op.patch.id);
      if (!open.has(id) && known.get(id)?.status !== 'inProgress') continue;
      // A command with no exit code in its output never ran to its end (cut by the abort, or it was
      // still waiting for approval): it stays unfinished and is marked interrupted below.
      if ((kinds.get(id) ?? known.get(id)?.kind) === 'command' && op.patch.exitCode === undefined && op.patch.status === 'completed') continue;
      engine.updateMessage(sessionId, { ...op.patch, id });
      if (!open.has(id)) res.finished++;
      open.add(id);
    } else if (op.op === 'event' && op.event.type === 'turnCompleted' && op.event.turnId === turnId) {
      res.turnStatus = op.event.status;
    }
  }
  return res;
}
