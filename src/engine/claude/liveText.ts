// Claude's reply as it is written. The MessageDisplay hook streams an assistant message's text in
// deltas (TUI: line by line, `index` 0..n, the last `final: true`; `-p`: one whole block), while the
// transcript gets the message only once it is complete (recipes/claude.md §5, §7). The deltas grow
// one live agent item, streamed through the engine (coalesced at 50 ms, like Codex); when the
// transcript's item arrives it takes over the live item's id, so the finished text replaces the
// live one in place — no second copy.
//
// Hook processes run concurrently, so deltas arrive out of order (index 3 before 2): the live text
// is the run of deltas from index 0 without a gap. They can also arrive after the transcript line:
// text already settled by the transcript is not shown again. And they can come before the transcript
// holds the prompt they answer (Claude Code writes its transcript a little later): a reply to a prompt
// submitted (UserPromptSubmit) whose line has not been read waits for it, so the reply's item never
// takes a place in the session ahead of its prompt.
import type { SessionEngine } from '../sessions/engine';
import { iso } from '../platform/clock';

export interface DisplayDelta {
  messageId: string;
  index: number;
  final: boolean;
  delta: string;
  /** The user prompt the reply belongs to (transcript items use it as their turn id). */
  turnId: string | null;
}

interface LiveMessage {
  id: string;
  turnId: string | null;
  deltas: Map<number, string>;
  /** The contiguous text shown so far. */
  text: string;
  shown: boolean;
  /** Claimed by its transcript item, or dropped as already settled: later deltas change nothing. */
  done: boolean;
}

/** Live messages kept per session (old ones are done long before this many follow). */
const KEPT = 32;
const SETTLED_KEPT = 16;
/** Prompt ids remembered per session, submitted or read (a turn's prompt is read long before this many follow). */
const PROMPTS_KEPT = 16;

export class LiveText {
  private live = new Map<string, Map<string, LiveMessage>>();
  /** Recent agent texts the transcript delivered, per session, for deltas that come late. */
  private settled = new Map<string, string[]>();
  /** Prompts submitted whose transcript line has not been read yet, per session: their replies wait. */
  private awaited = new Map<string, string[]>();
  /** Prompts whose transcript line was read, per session (a submit hook may come after the line was read). */
  private read = new Map<string, string[]>();

  constructor(private readonly engine: SessionEngine) {}

  /** A prompt was submitted (UserPromptSubmit): replies to it show once its transcript line is read. */
  promptSubmitted(sessionId: string, promptId: string): void {
    if (this.read.get(sessionId)?.includes(promptId)) return;
    remember(this.awaited, sessionId, promptId);
  }

  /** The transcript delivered an item of this prompt's turn: its line is read, and replies waiting for it show. */
  promptRead(sessionId: string, promptId: string): void {
    const read = this.read.get(sessionId);
    if (read?.[read.length - 1] === promptId) return;
    remember(this.read, sessionId, promptId);
    const awaited = this.awaited.get(sessionId);
    const at = awaited?.indexOf(promptId) ?? -1;
    if (at === -1) return;
    awaited!.splice(at, 1);
    for (const m of this.live.get(sessionId)?.values() ?? []) {
      if (m.turnId !== promptId || m.shown || m.done || !m.text) continue;
      if (this.isSettled(sessionId, m.text)) m.done = true;
      else this.show(sessionId, m);
    }
  }

  /** One MessageDisplay delta. */
  onDelta(sessionId: string, d: DisplayDelta): void {
    let msgs = this.live.get(sessionId);
    if (!msgs) { msgs = new Map(); this.live.set(sessionId, msgs); }
    let m = msgs.get(d.messageId);
    if (!m) {
      m = { id: liveItemId(d.messageId), turnId: d.turnId, deltas: new Map(), text: '', shown: false, done: false };
      msgs.set(d.messageId, m);
      if (msgs.size > KEPT) msgs.delete(msgs.keys().next().value!);
    }
    if (m.done) return;
    m.deltas.set(d.index, d.delta);
    let text = '';
    for (let i = 0; m.deltas.has(i); i++) text += m.deltas.get(i);
    if (!text || text === m.text) return;
    if (!m.shown && this.isSettled(sessionId, text)) { m.done = true; return; }
    m.text = text;
    if (m.shown) this.engine.streamMessage(sessionId, { id: m.id, text });
    else if (!(m.turnId && this.awaited.get(sessionId)?.includes(m.turnId))) this.show(sessionId, m);
  }

  private show(sessionId: string, m: LiveMessage): void {
    m.shown = true;
    this.engine.appendMessage(sessionId, {
      id: m.id, kind: 'agent', text: m.text, status: 'inProgress', turnId: m.turnId, createdAt: iso(this.engine.clock.now()),
    });
  }

  /**
   * The transcript delivered an agent text: the id it should be stored under — the live item it
   * completes (same text, or the live text is its beginning), or null when none was shown.
   */
  claim(sessionId: string, text: string): string | null {
    const recent = this.settled.get(sessionId) ?? [];
    recent.push(text);
    if (recent.length > SETTLED_KEPT) recent.shift();
    this.settled.set(sessionId, recent);
    for (const m of this.live.get(sessionId)?.values() ?? []) {
      if (m.shown && !m.done && sameStart(text, m.text)) {
        m.done = true;
        // A pending coalesced update must not land after the final text.
        this.engine.flushStream(sessionId);
        return m.id;
      }
    }
    return null;
  }

  /** The turn was interrupted: live text the transcript will never complete is marked so. */
  interrupted(sessionId: string): void {
    for (const m of this.live.get(sessionId)?.values() ?? []) {
      if (!m.shown || m.done) continue;
      m.done = true;
      this.engine.flushStream(sessionId);
      this.engine.updateMessage(sessionId, { id: m.id, status: 'interrupted' });
    }
  }

  forget(sessionId: string): void {
    this.live.delete(sessionId);
    this.settled.delete(sessionId);
    this.awaited.delete(sessionId);
    this.read.delete(sessionId);
  }

  private isSettled(sessionId: string, text: string): boolean {
    return (this.settled.get(sessionId) ?? []).some(s => sameStart(s, text));
  }
}

export function liveItemId(messageId: string): string { return `claude:live:${messageId}`; }

function remember(lists: Map<string, string[]>, sessionId: string, id: string): void {
  let list = lists.get(sessionId);
  if (!list) { list = []; lists.set(sessionId, list); }
  list.push(id);
  if (list.length > PROMPTS_KEPT) list.shift();
}

/** The live text is the beginning of the whole one (whitespace at the ends aside). */
function sameStart(whole: string, live: string): boolean {
  const w = whole.trim();
  const l = live.trim();
  return l.length > 0 && w.startsWith(l);
}
