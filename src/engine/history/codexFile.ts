// One Codex rollout read as history: the same envelope schema and line mapper as the live watcher
// (rolloutMap.ts), applied to a HistorySession instead of the engine. Requests found in the file
// (approvals, questions) are long answered: a past session never asks for attention.
import type { FileChange } from '../protocol';
import { threadIdFromFileName } from '../codex/rollout/rolloutFiles';
import { fileKeyOf } from '../codex/rollout/rolloutIngest';
import { type MapperState, type RolloutOp, loadMapperState, mapRolloutLine, newMapperState, saveMapperState } from '../codex/rollout/rolloutMap';
import { RolloutEnvelope, SessionMeta } from '../codex/rollout/rolloutSchema';
import type { ThreadName } from '../codex/rollout/sessionIndex';
import type { SourceOffset } from '../store/types';
import { HistorySession, historySessionId } from './historySession';
import { codexUsageRecord } from './usageRecords';
import type { FileContext, HistoryFileReader, LineOutcome } from './fileReader';

/** kv key of the watcher's "name from session_index.jsonl applied" marker (codex/rollout/watcher.ts). */
const INDEX_KV_PREFIX = 'codex.sessionIndex.applied:';

export class CodexHistoryFile implements HistoryFileReader {
  target: HistorySession | null = null;
  providerSessionId: string | null = null;
  private mapState: MapperState = newMapperState();
  private readonly fileKey: string;
  private nameApplied: ThreadName | null = null;

  private readonly reason: string;

  constructor(private readonly c: FileContext & { names: Map<string, ThreadName>; reason: string }) {
    this.fileKey = fileKeyOf(c.path);
    this.reason = c.reason;
  }

  resume(known: SourceOffset): LineOutcome {
    this.providerSessionId = known.providerSessionId;
    // The mapper state saved with the offset (as the live watcher saves it): later lines keep their ids.
    this.mapState = loadMapperState(known.state);
    if (!known.sessionId) return 'ok';
    const stored = this.c.store.getSession(known.sessionId);
    if (!stored) return 'ok';
    return this.adopt(stored.providerSessionId ?? known.providerSessionId ?? '', () => HistorySession.resume(stored, this.c.store));
  }

  restart(): void {
    this.mapState = newMapperState();
  }

  line(text: string, offset: number): LineOutcome {
    let raw: unknown;
    try { raw = JSON.parse(text); } catch { this.c.stats.invalidJson++; return 'ok'; }
    const env = RolloutEnvelope.safeParse(raw);
    if (!env.success) { this.c.stats.invalidLines++; return 'ok'; }
    if (env.data.type === 'session_meta') {
      const meta = SessionMeta.safeParse(env.data.payload);
      if (!meta.success) { this.c.stats.invalidLines++; return 'ok'; }
      if (this.target) {
        // A copy or fork repeats its parent's meta: the first one names the file's thread.
        if (!this.target.session.gitBranch && meta.data.git?.branch) this.target.setMeta({ gitBranch: meta.data.git.branch });
        return 'ok';
      }
      return this.bind(meta.data.id, meta.data, env.data.timestamp);
    }
    if (!this.target) {
      const fromName = this.providerSessionId ?? threadIdFromFileName(this.c.path);
      if (!fromName) { this.c.stats.invalidLines++; return 'ok'; }
      const r = this.bind(fromName, null, env.data.timestamp);
      if (r !== 'ok') return r;
    }
    const t = this.target!;
    t.at(env.data.timestamp);
    const mapped = mapRolloutLine(env.data, {
      threadId: this.providerSessionId!, fileKey: this.fileKey, offset, now: t.now, state: this.mapState,
      approvalPolicy: t.session.approvalPolicy, sandboxMode: t.session.sandboxMode,
    });
    if (mapped.invalid) this.c.stats.invalidLines++;
    for (const op of mapped.ops) applyOp(t, op, this.reason);
    return 'ok';
  }

  checkpointState(): string | null {
    return saveMapperState(this.mapState);
  }

  checkpointKv(): [string, string][] {
    return this.nameApplied && this.providerSessionId ? [[INDEX_KV_PREFIX + this.providerSessionId, this.nameApplied.updatedAt]] : [];
  }

  private bind(threadId: string, meta: SessionMeta | null, lineTimestamp: string | null | undefined): LineOutcome {
    this.providerSessionId = threadId;
    return this.adopt(threadId, () => {
      const started = Date.parse(meta?.timestamp ?? lineTimestamp ?? '');
      const name = this.c.names.get(threadId) ?? null;
      this.nameApplied = name;
      return HistorySession.create({
        id: historySessionId('codex', threadId), provider: 'codex', mode: 'passive', providerSessionId: threadId,
        cwd: meta?.cwd ?? null, gitBranch: meta?.git?.branch ?? null, sourcePath: this.c.path, customName: name?.name ?? null,
        createdAt: Number.isFinite(started) ? started : undefined, fallbackAt: this.c.fileTimeMs,
      }, this.c.store);
    });
  }

  /** The thread's session: live ones belong to the watcher, direct ones to the app-server connector. */
  private adopt(threadId: string, make: () => HistorySession): LineOutcome {
    if (threadId && this.c.isLoaded('codex', threadId)) return 'live';
    const stored = threadId ? this.c.store.findSessionByProviderId('codex', threadId) : undefined;
    if (stored?.mode === 'direct') return 'excluded';
    this.target = stored ? HistorySession.resume(stored, this.c.store) : make();
    return 'ok';
  }
}

function applyOp(t: HistorySession, op: RolloutOp, reason: string): void {
  switch (op.op) {
    case 'usage':
      // The same token record as the live watcher's (usage report); its session row goes first (foreign key).
      t.ensureRow(reason);
      t.recordUsage(codexUsageRecord(t.id, t.session.model, op.tokens, op.at));
      return;
    case 'upsert': t.append(op.message); return;
    case 'patch': t.update(op.patch); return;
    case 'turnChanges': t.apply({ type: 'turnDiff', changes: mergeChanges(t.session.turnDiff, op.changes) }); return;
    case 'meta': return;
    case 'event': {
      const type = op.event.type;
      // Requests in a past file were answered long ago; a history session never needs attention.
      if (type === 'approvalRequested' || type === 'questionAsked') return;
      t.apply(op.event);
    }
  }
}

function mergeChanges(current: FileChange[], next: FileChange[]): FileChange[] {
  const paths = new Set(next.map(c => c.path));
  return [...current.filter(c => !paths.has(c.path)), ...next];
}
