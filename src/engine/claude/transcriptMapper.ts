// Maps Claude transcript lines (recipes/claude.md §7) to transcript items. Pure: one line in, what it
// means out. Ids are stable across restarts: the line's uuid, or the tool_use id for tool items, so a
// tool_result updates the item of its call and keeps the error flag there.
import { z } from 'zod';
import type { MessagePatch } from '../protocol';
import type { NewMessage } from '../sessions/engine';

const Block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  tool_use_id: z.string().optional(),
  content: z.unknown().optional(),
  is_error: z.boolean().optional(),
});
type Block = z.infer<typeof Block>;

const Usage = z.looseObject({
  input_tokens: z.number().nonnegative().optional(),
  output_tokens: z.number().nonnegative().optional(),
  cache_creation_input_tokens: z.number().nonnegative().nullish(),
  cache_read_input_tokens: z.number().nonnegative().nullish(),
});

const common = {
  uuid: z.string().min(1).max(200),
  timestamp: z.string().optional(),
  isSidechain: z.boolean().optional(),
  promptId: z.string().optional(),
};

const UserEntry = z.looseObject({
  ...common,
  type: z.literal('user'),
  isMeta: z.boolean().optional(),
  isCompactSummary: z.boolean().optional(),
  toolDenialKind: z.string().optional(),
  message: z.looseObject({ content: z.union([z.string(), z.array(Block)]) }),
});

const AssistantEntry = z.looseObject({
  ...common,
  type: z.literal('assistant'),
  message: z.looseObject({
    id: z.string().min(1).max(200),
    model: z.string().optional(),
    content: z.array(Block),
    usage: Usage.optional(),
  }),
});

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
  /** Results for tool items created from earlier lines (possibly in an earlier run). */
  toolResults: (MessagePatch & { fallback: NewMessage })[];
  usage: TurnUsage | null;
  model: string | null;
  /** The user stopped the turn (Esc, or "No" in a permission dialog): no Stop hook follows. */
  turnInterrupted?: boolean;
}

const EMPTY: MappedLine = { messages: [], toolResults: [], usage: null, model: null };
const INTERRUPTED = '[Request interrupted by user';

/** Prompts Claude injects as user lines: shown as system items, never a session's name. */
const SYSTEM_PROMPT_PREFIXES = ['<task-notification>', '<command-name>', '<command-message>', '<local-command-', '[Request interrupted'];

export function toolItemId(toolUseId: string): string { return `claude:tool:${toolUseId}`; }

export function mapTranscriptLine(line: unknown, nowIso: string): MappedLine {
  const type = typeof line === 'object' && line !== null ? (line as { type?: unknown }).type : undefined;
  if (type === 'user') {
    const e = UserEntry.safeParse(line);
    return e.success && !e.data.isSidechain ? mapUser(e.data, nowIso) : EMPTY;
  }
  if (type === 'assistant') {
    const e = AssistantEntry.safeParse(line);
    return e.success && !e.data.isSidechain ? mapAssistant(e.data, nowIso) : EMPTY;
  }
  return EMPTY;
}

/** The usage of an assistant line, sidechain (subagent) lines included. */
export function assistantUsage(line: unknown): TurnUsage | null {
  const e = AssistantEntry.safeParse(line);
  return e.success ? usageOf(e.data) : null;
}

function mapUser(e: z.infer<typeof UserEntry>, nowIso: string): MappedLine {
  const createdAt = timestampOf(e.timestamp, nowIso);
  const base = { createdAt, turnId: e.promptId ?? null };
  const out: MappedLine = { messages: [], toolResults: [], usage: null, model: null };
  const content = e.message.content;
  if (typeof content === 'string') {
    out.messages.push({ ...base, id: `claude:${e.uuid}`, kind: userKind(content, e), text: content });
    if (content.startsWith(INTERRUPTED)) out.turnInterrupted = true;
    return out;
  }
  content.forEach((b, i) => {
    const id = i === 0 ? `claude:${e.uuid}` : `claude:${e.uuid}:${i}`;
    if (b.type === 'text' && b.text !== undefined) {
      out.messages.push({ ...base, id, kind: userKind(b.text, e), text: b.text });
      if (b.text.startsWith(INTERRUPTED)) out.turnInterrupted = true;
    } else if (b.type === 'tool_result' && b.tool_use_id) {
      const output = resultText(b.content);
      const isError = b.is_error === true;
      const declined = isError && e.toolDenialKind !== undefined;
      const exit = /^Exit code (\d+)/.exec(output);
      const patch = {
        id: toolItemId(b.tool_use_id), output, isError,
        status: declined ? 'declined' as const : isError ? 'failed' as const : 'completed' as const,
        ...(exit ? { exitCode: Number(exit[1]) } : {}),
      };
      out.toolResults.push({
        ...patch,
        fallback: { ...base, ...patch, id, kind: 'toolResult', text: output },
      });
    }
  });
  return out;
}

function mapAssistant(e: z.infer<typeof AssistantEntry>, nowIso: string): MappedLine {
  const createdAt = timestampOf(e.timestamp, nowIso);
  const base = { createdAt, turnId: e.promptId ?? null };
  const messages: NewMessage[] = [];
  e.message.content.forEach((b, i) => {
    const id = i === 0 ? `claude:${e.uuid}` : `claude:${e.uuid}:${i}`;
    if (b.type === 'text' && b.text) messages.push({ ...base, id, kind: 'agent', text: b.text });
    else if (b.type === 'thinking' && b.thinking) messages.push({ ...base, id, kind: 'reasoning', text: b.thinking });
    else if ((b.type === 'tool_use' || b.type === 'server_tool_use') && b.id && b.name) messages.push(toolItem(b, base));
  });
  return { messages, toolResults: [], usage: usageOf(e), model: e.message.model ?? null };
}

function usageOf(e: z.infer<typeof AssistantEntry>): TurnUsage | null {
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
    at: e.timestamp && Number.isFinite(Date.parse(e.timestamp)) ? new Date(Date.parse(e.timestamp)).toISOString() : null,
  };
}

function toolItem(b: Block, base: { createdAt: string; turnId: string | null }): NewMessage {
  const input = typeof b.input === 'object' && b.input !== null ? b.input as Record<string, unknown> : {};
  const toolInput = JSON.stringify(input);
  const command = b.name === 'Bash' && typeof input.command === 'string' ? input.command : null;
  const description = typeof input.description === 'string' ? input.description : null;
  const filePath = typeof input.file_path === 'string' ? input.file_path : null;
  return {
    ...base,
    id: toolItemId(b.id!),
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

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function timestampOf(t: string | undefined, nowIso: string): string {
  if (t && ISO_MS.test(t)) return t;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : nowIso;
}
