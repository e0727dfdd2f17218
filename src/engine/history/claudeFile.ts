// One Claude Code transcript read as history, through the live tailer's line mapper
// (transcriptMapper.ts) and its rules: tool results update the item of their call, usage counts once
// per API message id (the last counted id is kept under the tailer's own key, so a session that
// goes live later does not count it again: the store's token_usage records, keyed by session and API
// message id, are the ones the tailer uses). A subagent transcript only adds its usage to the parent.
import * as path from 'node:path';
import { assistantUsage, mapTranscriptLine, type MappedLine, type TurnUsage } from '../claude/transcriptMapper';
import { type ItemScope, itemScopeFor, keepsLegacyItemIds, SESSION_SCOPED_STATE } from '../claude/itemIds';
import { usageRecord } from '../claude/transcriptTailer';
import type { SourceOffset } from '../store/types';
import { ClaudeHistoryLines, type HeldOutput } from './claudeLines';
import { HistorySession, historySessionId } from './historySession';
import type { FileContext, HistoryFileReader, LineOutcome } from './fileReader';

export class ClaudeHistoryFile implements HistoryFileReader {
  /** Lines without `toolUseResult`, large tool outputs held back as JSON text (claudeLines.ts). */
  readonly lineDecoder = new ClaudeHistoryLines();
  target: HistorySession | null = null;
  providerSessionId: string | null = null;
  private readonly subagent: boolean;
  /** What the items' ids begin with (itemIds.ts): known once the file's session is. */
  private scope: ItemScope | null = null;

  /** `known`: the file's sources row, which says the scheme of its items' ids (the live tailer reads the same row). */
  constructor(private readonly c: FileContext, private readonly known?: SourceOffset) {
    this.subagent = /[\\/]subagents[\\/]agent-[^\\/]*\.jsonl$/.test(c.path);
  }

  resume(known: SourceOffset): LineOutcome {
    this.providerSessionId = known.providerSessionId;
    if (!known.sessionId) return 'ok';
    const stored = this.c.store.getSession(known.sessionId);
    if (!stored) return 'ok';
    if (stored.providerSessionId && this.c.isLoaded('claude', stored.providerSessionId)) return 'live';
    this.target = HistorySession.resume(stored, this.c.store);
    return 'ok';
  }

  restart(): void {
    // Usage already counted stays counted (ids are remembered); items land on the same ids.
  }

  line(text: string, offset: number): LineOutcome {
    let value: unknown;
    try { value = JSON.parse(text); } catch { this.c.stats.invalidJson++; return 'ok'; }
    if (typeof value !== 'object' || value === null) { this.c.stats.invalidLines++; return 'ok'; }
    const v = value as { sessionId?: unknown; timestamp?: unknown; cwd?: unknown; gitBranch?: unknown };
    if (!this.target) {
      const r = this.bind(typeof v.sessionId === 'string' && v.sessionId ? v.sessionId : null, v.timestamp);
      if (r !== 'ok') return r;
    }
    const t = this.target!;
    t.at(v.timestamp);
    if (this.subagent) {
      this.countSubagent(value);
      return 'ok';
    }
    if (typeof v.cwd === 'string' && v.cwd && !t.session.cwd) t.setMeta({ cwd: v.cwd });
    if (typeof v.gitBranch === 'string' && v.gitBranch && v.gitBranch !== t.session.gitBranch) t.setMeta({ gitBranch: v.gitBranch });
    this.scope ??= itemScopeFor(this.providerSessionId ?? t.session.providerSessionId ?? t.id, this.known);
    let m: MappedLine;
    try {
      m = mapTranscriptLine(value, t.nowIso, this.scope);
      const held = this.lineDecoder.held;
      if (held.length && !putHeldOutputs(t, m, held)) {
        // A placeholder the line did not hand back as the output of a known call: read the line whole.
        m = mapTranscriptLine(JSON.parse(this.lineDecoder.whole()), t.nowIso, this.scope);
      }
    } catch (e) {
      this.c.stats.invalidLines++;
      return 'ok';
    }
    this.apply(t, m);
    void offset;
    return 'ok';
  }

  checkpointState(): string | null {
    // kept for the live tailer too, which continues a file in the scheme its row names
    return keepsLegacyItemIds(this.known) ? null : SESSION_SCOPED_STATE;
  }

  /** The same steps as TranscriptTailer.apply, onto the history session. */
  private apply(t: HistorySession, m: MappedLine): void {
    if (m.model && t.session.model !== m.model) t.setMeta({ model: m.model });
    for (const msg of m.messages) t.append(msg);
    for (const { patch, fallback } of m.toolResults) {
      if (t.knows(patch.id)) t.update(patch);
      else t.append(fallback);
    }
    if (m.turnInterrupted) t.apply({ type: 'turnCompleted', status: 'interrupted' });
    if (m.usage && this.firstTime(t, m.usage)) {
      t.apply({ type: 'turnTokens', input: m.usage.input, output: m.usage.output, cached: m.usage.cached });
    }
  }

  private countSubagent(line: unknown): void {
    const u = assistantUsage(line);
    if (!u || !this.firstTime(this.target!, u)) return;
    const t = this.target!;
    const cur = t.session.tokenUsage;
    // Totals only: the context fill stays the main agent's (as the live tailer does).
    t.apply({ type: 'tokenTotals', usage: { input: cur.input + u.input, output: cur.output + u.output, cached: cur.cached + u.cached } });
  }

  /** Records the message's usage; false when it was counted before (another line of it, an earlier run). */
  private firstTime(t: HistorySession, u: TurnUsage): boolean {
    t.ensureRow('history');
    return t.recordUsage(usageRecord(t.id, u));
  }

  private bind(lineSessionId: string | null, timestamp: unknown): LineOutcome {
    // A subagent's lines carry the parent's session id; its folder is named after the parent too.
    const fromPath = this.subagent
      ? path.basename(path.dirname(path.dirname(this.c.path)))
      : path.basename(this.c.path, '.jsonl');
    const sid = this.providerSessionId ?? lineSessionId ?? fromPath;
    this.providerSessionId = sid;
    if (this.c.isLoaded('claude', sid)) return 'live';
    const stored = this.c.store.findSessionByProviderId('claude', sid);
    if (stored) {
      this.target = HistorySession.resume(stored, this.c.store);
      return 'ok';
    }
    if (this.subagent) return 'orphan';
    const started = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
    this.target = HistorySession.create({
      id: historySessionId('claude', sid), provider: 'claude', mode: 'passive', providerSessionId: sid,
      sourcePath: this.c.path, createdAt: Number.isFinite(started) ? started : undefined, fallbackAt: this.c.fileTimeMs,
    }, this.c.store);
    return 'ok';
  }
}

/**
 * Puts each held output (claudeLines.ts) into the patch of the tool result the parser found its
 * placeholder in, with the exit code the mapper could not read from the placeholder. False, and
 * nothing changed, unless every placeholder is a result's output and every such result's call is known
 * (a result without its call becomes an item whose text is the output: that needs the string).
 */
function putHeldOutputs(t: HistorySession, m: MappedLine, held: HeldOutput[]): boolean {
  const found: [MappedLine['toolResults'][number], HeldOutput][] = [];
  for (const r of m.toolResults) {
    const h = held.find(x => x.placeholder === r.patch.output);
    if (!h) continue;
    if (!t.knows(r.patch.id)) return false;
    found.push([r, h]);
  }
  if (found.length !== held.length) return false;
  for (const [r, h] of found) {
    // JSON text where the item type says string: it goes only into the stored data (sqliteStore.ts messageData).
    (r.patch as { output: unknown }).output = h.json;
    if (h.exitCode !== null) r.patch.exitCode = h.exitCode;
  }
  return true;
}
