// Maps Claude transcript lines (recipes/claude.md §7) to transcript items. Pure: one line in, what it
// means out. Ids are stable across restarts: the line's uuid, or the tool_use id for tool items, so a
// tool_result updates the item of its call and keeps the error flag there; both within the
// transcript's scope (itemIds.ts).
import type { MessagePatch } from '../protocol';
import type { NewMessage } from '../sessions/engine';
import { ISO_MS, canonicalIsoMs, iso } from '../platform/clock';
import { JsonMemberCut } from '../platform/jsonMemberCut';
import { type ItemScope, lineItemId, toolItemId } from './itemIds';

// The line shapes the mapper reads, checked by hand: a zod safeParse of each line was 13 % of reading
// Claude history (it copies every object it checks). test/unit/claude-transcript-shape.test.ts holds
// the zod schemas these checks replaced and requires the same verdict on the real transcripts and on
// thousands of mutations of them. Unknown fields pass, as with looseObject.

interface Block {
  type: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

interface Common { uuid: string; timestamp?: string; isSidechain?: boolean; promptId?: string }

export interface UserEntry extends Common {
  type: 'user';
  isMeta?: boolean;
  isCompactSummary?: boolean;
  toolDenialKind?: string;
  message: { content: string | Block[] };
}

export interface AssistantEntry extends Common {
  type: 'assistant';
  message: { id: string; model?: string; content: Block[]; usage?: Usage };
}

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown) => v === undefined || typeof v === 'string';
const optBoolean = (v: unknown) => v === undefined || typeof v === 'boolean';
const isCount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const optCount = (v: unknown) => v === undefined || isCount(v);
const nullishCount = (v: unknown) => v == null || isCount(v);
/** 1–200 characters, counted as code points (as zod counts them). */
const isBoundedId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && (v.length <= 200 || [...v].length <= 200);

function isBlock(b: unknown): b is Block {
  return isFields(b) && typeof b.type === 'string' && optString(b.text) && optString(b.thinking) && optString(b.id)
    && optString(b.name) && optString(b.tool_use_id) && optBoolean(b.is_error);
}

function isUsage(u: unknown): u is Usage {
  return isFields(u) && optCount(u.input_tokens) && optCount(u.output_tokens)
    && nullishCount(u.cache_creation_input_tokens) && nullishCount(u.cache_read_input_tokens);
}

const hasCommon = (e: Fields) => isBoundedId(e.uuid) && optString(e.timestamp) && optBoolean(e.isSidechain) && optString(e.promptId);

/** The line as a user entry, or null when it is not one the mapper can read. */
export function userEntryOf(line: unknown): UserEntry | null {
  if (!isFields(line) || line.type !== 'user' || !hasCommon(line)) return null;
  if (!optBoolean(line.isMeta) || !optBoolean(line.isCompactSummary) || !optString(line.toolDenialKind)) return null;
  const m = line.message;
  if (!isFields(m)) return null;
  const c = m.content;
  return typeof c === 'string' || (Array.isArray(c) && c.every(isBlock)) ? line as unknown as UserEntry : null;
}

/** The line as an assistant entry, or null when it is not one the mapper can read. */
export function assistantEntryOf(line: unknown): AssistantEntry | null {
  if (!isFields(line) || line.type !== 'assistant' || !hasCommon(line)) return null;
  const m = line.message;
  if (!isFields(m) || !isBoundedId(m.id) || !optString(m.model) || !Array.isArray(m.content) || !m.content.every(isBlock)) return null;
  return m.usage === undefined || isUsage(m.usage) ? line as unknown as AssistantEntry : null;
}

export interface TurnUsage {
  messageId: string;
  /** Everything the model read: fresh input + cache writes + cache reads (the context fill's numerator). */
  input: number;
  output: number;
  /** Cache reads. */
  cached: number;
  /** The parts of `input`, as Claude reports them (ccusage counts these). */
  freshInput: number;
  cacheCreation: number;
  model: string | null;
  at: string | null;
}

export interface MappedLine {
  messages: NewMessage[];
  /**
   * Results for tool items created from earlier lines (possibly in an earlier run): the patch for the
   * call's item, or the fallback item when the call is unknown.
   */
  toolResults: { patch: MessagePatch; fallback: NewMessage }[];
  usage: TurnUsage | null;
  model: string | null;
  /** The user stopped the turn (Esc, or "No" in a permission dialog): no Stop hook follows. */
  turnInterrupted?: boolean;
}

const EMPTY: MappedLine = { messages: [], toolResults: [], usage: null, model: null };
const INTERRUPTED = '[Request interrupted by user';

/** How a failed command's output starts ("Exit code 2"): the item's exit code (the history import reads it from the bytes too). */
export const EXIT_CODE = /^Exit code (\d+)/;

/** Prompts Claude injects as user lines: shown as system items, never a session's name. */
const SYSTEM_PROMPT_PREFIXES = ['<task-notification>', '<command-name>', '<command-message>', '<local-command-', '[Request interrupted'];

/**
 * The member of a transcript line nothing here reads, left out before the line is decoded and parsed
 * (platform/jsonMemberCut.ts): `toolUseResult` repeats the tool's output (a command's stdout, a read
 * file, an edit's whole original file) that the line's `tool_result` block holds. Lines under 4 KB
 * are decoded whole: on them the search cost about what the cut saved.
 */
export const UNREAD_MEMBER = new JsonMemberCut('toolUseResult', 4096);

export function mapTranscriptLine(line: unknown, nowIso: string, scope: ItemScope): MappedLine {
  const type = typeof line === 'object' && line !== null ? (line as { type?: unknown }).type : undefined;
  if (type === 'user') {
    const e = userEntryOf(line);
    return e && !e.isSidechain ? mapUser(e, nowIso, scope) : EMPTY;
  }
  if (type === 'assistant') {
    const e = assistantEntryOf(line);
    return e && !e.isSidechain ? mapAssistant(e, nowIso, scope) : EMPTY;
  }
  return EMPTY;
}

/** The usage of an assistant line, sidechain (subagent) lines included. */
export function assistantUsage(line: unknown): TurnUsage | null {
  const e = assistantEntryOf(line);
  return e ? usageOf(e) : null;
}

function mapUser(e: UserEntry, nowIso: string, scope: ItemScope): MappedLine {
  const createdAt = timestampOf(e.timestamp, nowIso);
  const turnId = e.promptId ?? null;
  const out: MappedLine = { messages: [], toolResults: [], usage: null, model: null };
  const content = e.message.content;
  if (typeof content === 'string') {
    out.messages.push({ createdAt, turnId, id: lineItemId(scope, e.uuid, 0), kind: userKind(content, e), text: content });
    if (content.startsWith(INTERRUPTED)) out.turnInterrupted = true;
    return out;
  }
  content.forEach((b, i) => {
    const id = lineItemId(scope, e.uuid, i);
    if (b.type === 'text' && b.text !== undefined) {
      out.messages.push({ createdAt, turnId, id, kind: userKind(b.text, e), text: b.text });
      if (b.text.startsWith(INTERRUPTED)) out.turnInterrupted = true;
    } else if (b.type === 'tool_result' && b.tool_use_id) {
      const output = resultText(b.content);
      const isError = b.is_error === true;
      const declined = isError && e.toolDenialKind !== undefined;
      const exit = EXIT_CODE.exec(output);
      const status = declined ? 'declined' as const : isError ? 'failed' as const : 'completed' as const;
      const callId = toolItemId(scope, b.tool_use_id);
      // Literals, not spreads: spreads that add fields gave each result a hidden class of its own
      // (several times the size; test/unit/history-item-shape.test.ts), and history reads every tool
      // result of every transcript. The keys keep the order the spreads gave them (an item's stored
      // data is its keys in order).
      out.toolResults.push(exit
        ? {
          patch: { id: callId, output, isError, status, exitCode: Number(exit[1]) },
          fallback: { createdAt, turnId, id, output, isError, status, exitCode: Number(exit[1]), kind: 'toolResult', text: output },
        }
        : {
          patch: { id: callId, output, isError, status },
          fallback: { createdAt, turnId, id, output, isError, status, kind: 'toolResult', text: output },
        });
    }
  });
  return out;
}

function mapAssistant(e: AssistantEntry, nowIso: string, scope: ItemScope): MappedLine {
  const createdAt = timestampOf(e.timestamp, nowIso);
  const turnId = e.promptId ?? null;
  const base = { createdAt, turnId };
  const messages: NewMessage[] = [];
  // Object literals of one shape, not spreads of `base`: every item of a transcript is made here.
  e.message.content.forEach((b, i) => {
    const id = lineItemId(scope, e.uuid, i);
    if (b.type === 'text' && b.text) messages.push({ createdAt, turnId, id, kind: 'agent', text: b.text });
    else if (b.type === 'thinking' && b.thinking) messages.push({ createdAt, turnId, id, kind: 'reasoning', text: b.thinking });
    else if ((b.type === 'tool_use' || b.type === 'server_tool_use') && b.id && b.name) messages.push(toolItem(b, base, scope));
  });
  return { messages, toolResults: [], usage: usageOf(e), model: e.message.model ?? null };
}

function usageOf(e: AssistantEntry): TurnUsage | null {
  const u = e.message.usage;
  if (!u) return null;
  const cached = u.cache_read_input_tokens ?? 0;
  const freshInput = u.input_tokens ?? 0;
  const cacheCreation = u.cache_creation_input_tokens ?? 0;
  return {
    messageId: e.message.id,
    // Everything the model read this turn, so input ÷ context window is the context fill (SPEC §5).
    input: freshInput + cacheCreation + cached,
    output: u.output_tokens ?? 0,
    cached, freshInput, cacheCreation,
    model: e.message.model ?? null,
    at: e.timestamp ? isoOrNull(e.timestamp) : null,
  };
}

function toolItem(b: Block, base: { createdAt: string; turnId: string | null }, scope: ItemScope): NewMessage {
  const input = typeof b.input === 'object' && b.input !== null ? b.input as Record<string, unknown> : {};
  const toolInput = JSON.stringify(input);
  const command = b.name === 'Bash' && typeof input.command === 'string' ? input.command : null;
  const description = typeof input.description === 'string' ? input.description : null;
  const filePath = typeof input.file_path === 'string' ? input.file_path : null;
  return {
    createdAt: base.createdAt,
    turnId: base.turnId,
    id: toolItemId(scope, b.id!),
    kind: command !== null ? 'command' : 'tool',
    text: command ?? description ?? filePath ?? b.name!,
    toolName: b.name,
    toolInput,
    command,
    status: 'inProgress',
  };
}

function userKind(text: string, e: { isMeta?: boolean; isCompactSummary?: boolean }): 'user' | 'system' {
  if (e.isMeta || e.isCompactSummary) return 'system';
  const t = text.trimStart();
  return SYSTEM_PROMPT_PREFIXES.some(p => t.startsWith(p)) ? 'system' : 'user';
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map(c => (typeof c === 'object' && c !== null && typeof (c as { text?: unknown }).text === 'string' ? (c as { text: string }).text : '')).join('');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** The timestamp as an ISO string; null when it is not a date. Claude's own form is kept as it is (no Date and string per usage record). */
function isoOrNull(t: string): string | null {
  if (!Number.isNaN(canonicalIsoMs(t))) return t;
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) return null;
  return ISO_MS.test(t) ? t : iso(ms);
}

function timestampOf(t: string | undefined, nowIso: string): string {
  if (t && ISO_MS.test(t)) return t;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? iso(ms) : nowIso;
}
