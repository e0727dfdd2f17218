// Follows the transcript JSONL of each live Claude session: reads appended lines from the persisted
// byte offset and feeds the items and token usage to the engine. Reads happen when a hook reports
// activity, on file events (debounced) and on a periodic sweep, so no line waits long.
// Each read commits in one transaction (Store.atomic): items, usage records and the offset after
// them, so after a crash exactly the lines whose items were not stored are read again. Usage counts
// once per API message id (token_usage table), whichever run and whichever line of the message.
import * as fs from 'node:fs';
import { isAbsolute } from 'node:path';
import type { SessionEngine } from '../sessions/engine';
import type { LogFn } from '../platform/log';
import type { Clock, TimerHandle } from '../platform/clock';
import type { Store, TokenUsageRecord } from '../store/types';
import { readAppended, type TailCarry } from '../platform/jsonlTail';
import { LiveText } from './liveText';
import { assistantUsage, mapTranscriptLine, type MappedLine, type TurnUsage, UNREAD_MEMBER } from './transcriptMapper';
import { type ItemScope, itemScopeFor, LEGACY_ITEM_SCOPE, SESSION_SCOPED_STATE, sessionItemScope, toolItemId } from './itemIds';

export interface TranscriptTailerOptions {
  engine: SessionEngine;
  store: Store;
  clock: Clock;
  log: LogFn;
  sweepMs?: number;
  debounceMs?: number;
  /** Use fs.watch for prompt reads (off in tests that drive reads by hand). */
  watch?: boolean;
}

interface Tail {
  sessionId: string;
  path: string;
  offset: number;
  carry: TailCarry | null;
  watcher: fs.FSWatcher | null;
  debounce: TimerHandle | null;
  /** The last counted message id as stores before token_usage kept it (counted, though not recorded). */
  legacyCounted: string | null;
  toolItems: Set<string>;
  /** What its items' ids begin with (itemIds.ts), from the file's sources row when following began. */
  scope: ItemScope;
}

/** Where stores before the token_usage table kept the one message id they remembered as counted. */
const legacyUsageKey = (sessionId: string) => `claude:lastUsageMessage:${sessionId}`;

export class TranscriptTailer {
  private tails = new Map<string, Tail>();
  /** Paths that were not regular files (FIFOs, devices): said once, not followed. */
  private notRegular = new Set<string>();
  private sweep: TimerHandle | null = null;

  /** Claude's reply as it is written (MessageDisplay deltas); transcript items take over its items. */
  readonly liveText: LiveText;

  constructor(private readonly opts: TranscriptTailerOptions) {
    this.liveText = new LiveText(opts.engine);
  }

  start(): void {
    this.sweep = this.opts.clock.setInterval(() => { for (const t of this.tails.values()) this.read(t); }, this.opts.sweepMs ?? 3_000);
  }

  stop(): void {
    this.sweep?.cancel();
    this.sweep = null;
    for (const id of [...this.tails.keys()]) this.unfollow(id);
  }

  isFollowing(sessionId: string): boolean { return this.tails.has(sessionId); }

  /** The id of the item of a tool call in a session's transcript (an approval names it). */
  toolItemId(sessionId: string, toolUseId: string): string {
    return toolItemId(this.tails.get(sessionId)?.scope ?? sessionItemScope(this.claudeSessionId(sessionId)), toolUseId);
  }

  private claudeSessionId(sessionId: string): string {
    return this.opts.engine.getSession(sessionId)?.providerSessionId ?? sessionId;
  }

  /** Starts (or continues) following a session's transcript, and reads what is there now. */
  follow(sessionId: string, path: string): void {
    if (!isAbsolute(path) || !path.endsWith('.jsonl')) {
      this.opts.log('warn', `claude transcript: ignored transcript path that is not an absolute .jsonl file: ${path.slice(0, 300)}`);
      return;
    }
    if (this.notRegular.has(path)) return;
    let tail = this.tails.get(sessionId);
    if (tail && tail.path !== path) { this.unfollow(sessionId); tail = undefined; }
    if (!tail) {
      const saved = this.opts.store.getOffset(path);
      tail = {
        sessionId, path, offset: saved && saved.sessionId === sessionId ? saved.offset : 0, carry: null,
        watcher: null, debounce: null, legacyCounted: this.opts.store.getKv(legacyUsageKey(sessionId)) ?? null, toolItems: new Set(),
        // From the row whoever read the file last left (the history import included): one scheme per file.
        scope: itemScopeFor(this.claudeSessionId(sessionId), saved),
      };
      this.tails.set(sessionId, tail);
    }
    if (!tail.watcher && this.opts.watch !== false) this.watch(tail);
    this.read(tail);
  }

  /**
   * Adds a finished subagent's usage (it lives only in the subagent's own transcript) to the session
   * totals, once per API message. Its items are not shown, and the context fill stays the main agent's.
   */
  countSubagentUsage(sessionId: string, path: string): void {
    const { engine, store, log } = this.opts;
    if (!isAbsolute(path) || !path.endsWith('.jsonl') || !engine.getSession(sessionId)) return;
    try {
      const start = store.getOffset(path)?.offset ?? 0;
      let pos: { offset: number; carry: TailCarry | null } = { offset: start, carry: null };
      for (let more = true; more;) {
        const r = readAppended(path, pos, { cut: UNREAD_MEMBER });
        more = r.more;
        if (r.notRegular) log('warn', `claude transcript: ${r.notRegular}`);
        store.atomic(() => {
          const sum = { input: 0, output: 0, cached: 0 };
          for (const line of r.lines) {
            let value: unknown;
            try { value = JSON.parse(line.text); } catch { continue; }
            const u = assistantUsage(value);
            if (!u || !store.recordTokenUsage(usageRecord(sessionId, u))) continue;
            sum.input += u.input; sum.output += u.output; sum.cached += u.cached;
          }
          pos = { offset: r.offset, carry: r.carry };
          if (r.offset !== start) store.setOffset({ path, sessionId, providerSessionId: engine.getSession(sessionId)!.providerSessionId, offset: r.offset });
          if (sum.input || sum.output || sum.cached) {
            const t = engine.getSession(sessionId)!.tokenUsage;
            engine.apply(sessionId, { type: 'tokenTotals', usage: { input: t.input + sum.input, output: t.output + sum.output, cached: t.cached + sum.cached } });
          }
        });
      }
    } catch (e) {
      log('error', `claude transcript: reading subagent transcript ${path} failed: ${(e as Error).message}`);
    }
  }

  /** Reads what was appended since the last read. */
  readNow(sessionId: string): void {
    const tail = this.tails.get(sessionId);
    if (tail) this.read(tail);
  }

  unfollow(sessionId: string): void {
    const tail = this.tails.get(sessionId);
    if (!tail) return;
    tail.watcher?.close();
    tail.debounce?.cancel();
    this.tails.delete(sessionId);
  }

  private watch(tail: Tail): void {
    try {
      tail.watcher = fs.watch(tail.path, { persistent: false }, () => {
        if (tail.debounce) return;
        tail.debounce = this.opts.clock.setTimeout(() => { tail.debounce = null; if (this.tails.get(tail.sessionId) === tail) this.read(tail); }, this.opts.debounceMs ?? 100);
      });
      tail.watcher.on('error', () => { tail.watcher?.close(); tail.watcher = null; });
    } catch {
      // Not there yet: the next hook event or sweep reads it (and tries to watch again).
      tail.watcher = null;
    }
  }

  /** A transcript that cannot be read (permissions, I/O) is logged; the hooks keep the session going. */
  private read(tail: Tail): void {
    try {
      this.readAppendedLines(tail);
    } catch (e) {
      this.opts.log('error', `claude transcript: reading ${tail.path} failed: ${(e as Error).message}`);
    }
  }

  private readAppendedLines(tail: Tail): void {
    const { engine, log } = this.opts;
    if (!engine.getSession(tail.sessionId)) { this.unfollow(tail.sessionId); return; }
    if (!tail.watcher && this.opts.watch !== false && fs.existsSync(tail.path)) this.watch(tail);
    const nowIso = new Date(this.opts.clock.now()).toISOString();
    for (let more = true; more;) {
      const r = readAppended(tail.path, { offset: tail.offset, carry: tail.carry }, { cut: UNREAD_MEMBER });
      more = r.more;
      if (r.notRegular) {
        // Said once: the hooks keep the session going without its transcript.
        log('warn', `claude transcript: ${r.notRegular}`);
        this.notRegular.add(tail.path);
        this.unfollow(tail.sessionId);
        return;
      }
      if (r.restarted) log('warn', `claude transcript: ${tail.path} shrank or was replaced; reading it again from the start`);
      for (const o of r.oversized) log('warn', `claude transcript: ${tail.path}: skipped a line of ${o.bytes} bytes at offset ${o.offset}`);
      if (r.lines.length || r.offset !== tail.offset) this.commit(tail, r.lines, r.offset, nowIso);
      tail.offset = r.offset;
      tail.carry = r.carry;
    }
  }

  /** The items and usage of these lines commit with the offset after them (Store.atomic). */
  private commit(tail: Tail, lines: { offset: number; text: string }[], offset: number, nowIso: string): void {
    const { engine, store } = this.opts;
    try {
      store.atomic(() => {
        for (const line of lines) this.applyLine(tail, line.text, line.offset, nowIso);
        const s = engine.getSession(tail.sessionId);
        store.setOffset({
          path: tail.path, sessionId: tail.sessionId, providerSessionId: s?.providerSessionId ?? null, offset,
          // a file of the old scheme keeps its row's state (none), so it stays in that scheme
          state: tail.scope === LEGACY_ITEM_SCOPE ? undefined : SESSION_SCOPED_STATE,
        });
      });
    } catch (e) {
      // Nothing of this read was stored: the next follow() reads it again from what was.
      this.unfollow(tail.sessionId);
      throw e;
    }
  }

  private applyLine(tail: Tail, text: string, offset: number, nowIso: string): void {
    let value: unknown;
    try { value = JSON.parse(text); } catch (e) {
      this.opts.log('warn', `claude transcript: ${tail.path}: invalid JSON line at offset ${offset} skipped: ${(e as Error).message.slice(0, 200)}`);
      return;
    }
    try {
      this.apply(tail, mapTranscriptLine(value, nowIso, tail.scope));
    } catch (e) {
      this.opts.log('error', `claude transcript: ${tail.path}: line at offset ${offset} could not be applied: ${(e as Error).message}`);
    }
  }

  private apply(tail: Tail, m: MappedLine): void {
    const { engine, store } = this.opts;
    const sid = tail.sessionId;
    if (m.model && engine.getSession(sid)?.model !== m.model) engine.apply(sid, { type: 'metadata', model: m.model });
    for (const msg of m.messages) {
      // The finished text replaces the live one shown from MessageDisplay deltas, under its id.
      const live = msg.kind === 'agent' ? this.liveText.claim(sid, msg.text) : null;
      engine.appendMessage(sid, live ? { ...msg, id: live, status: 'completed' } : msg);
      if (msg.kind === 'command' || msg.kind === 'tool') tail.toolItems.add(msg.id);
      // The prompt's line is read: a reply shown live from MessageDisplay may follow it now (liveText.ts).
      if (msg.turnId) this.liveText.promptRead(sid, msg.turnId);
    }
    for (const { patch, fallback } of m.toolResults) {
      if (tail.toolItems.has(patch.id) || engine.getMessage(patch.id)) engine.updateMessage(sid, patch);
      else engine.appendMessage(sid, fallback);
    }
    if (m.turnInterrupted) {
      this.liveText.interrupted(sid);
      engine.apply(sid, { type: 'turnCompleted', status: 'interrupted' });
    }
    if (m.usage && m.usage.messageId !== tail.legacyCounted && store.recordTokenUsage(usageRecord(sid, m.usage))) {
      engine.apply(sid, { type: 'turnTokens', input: m.usage.input, output: m.usage.output, cached: m.usage.cached });
    }
  }
}

/** The token_usage row of one API message (shared with the history import). */
export function usageRecord(sessionId: string, u: TurnUsage): TokenUsageRecord {
  return {
    sessionId, messageKey: u.messageId, model: u.model, input: u.freshInput, output: u.output,
    cacheRead: u.cached, cacheCreation: u.cacheCreation, at: u.at,
  };
}
