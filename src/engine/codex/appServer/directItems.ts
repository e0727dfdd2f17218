// Codex thread items (item/started, item/completed) as Flightdeck transcript items. Pure functions.
// Message ids join thread, turn and item id: the model's item ids (msg_…, call_…) repeat across
// turns, turn ids (uuid v7) do not, so ids stay unique across turns and engine restarts.
import type { FileChange, MessageStatus } from '../../protocol';
import type { NewMessage } from '../../sessions/engine';
import {
  AgentMessageItem, CommandExecutionItem, DynamicToolCallItem, FileChangeItem, type FileUpdateChange,
  McpToolCallItem, PlanItem, ReasoningItem, type ThreadItem, UserMessageItem, WebSearchItem,
} from './schemas';
import type { z } from 'zod';

export function codexMessageId(threadId: string, turnId: string, itemId: string): string {
  return `codex:${threadId}:${turnId}:${itemId}`;
}

export function fileChangesOf(changes: z.infer<typeof FileUpdateChange>[]): FileChange[] {
  return changes.map(c => ({ path: c.path, kind: c.kind.type, diff: c.diff, movePath: c.kind.move_path ?? null }));
}

function statusOf(s: 'inProgress' | 'completed' | 'failed' | 'declined'): MessageStatus { return s; }

function mcpOutput(content: unknown[]): string {
  return content.map(c => (c && typeof c === 'object' && 'text' in c ? String((c as { text: unknown }).text) : JSON.stringify(c))).join('\n');
}

function json(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export type ItemMapping = { ok: true; message: NewMessage } | { ok: false; reason: string };

/** The transcript item for a thread item, or why there is none (unknown type, invalid fields). */
export function messageFromItem(item: ThreadItem, ctx: { threadId: string; turnId: string; createdAt: string }): ItemMapping {
  const base = { id: codexMessageId(ctx.threadId, ctx.turnId, item.id), createdAt: ctx.createdAt, turnId: ctx.turnId };
  const invalid = (e: { message: string }): ItemMapping => ({ ok: false, reason: `invalid ${item.type} item: ${e.message}` });
  switch (item.type) {
    case 'userMessage': {
      const p = UserMessageItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      const text = p.data.content.map(c => c.text ?? '').filter(Boolean).join('\n');
      return { ok: true, message: { ...base, kind: 'user', text, status: 'completed' } };
    }
    case 'agentMessage': {
      const p = AgentMessageItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      return { ok: true, message: { ...base, kind: 'agent', text: p.data.text } };
    }
    case 'reasoning': {
      const p = ReasoningItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      const summary = (p.data.summary ?? []).join('\n');
      return { ok: true, message: { ...base, kind: 'reasoning', text: summary || (p.data.content ?? []).join('\n') } };
    }
    case 'commandExecution': {
      const p = CommandExecutionItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      const c = p.data;
      const failed = c.status === 'failed' || c.status === 'declined' || (c.exitCode !== null && c.exitCode !== undefined && c.exitCode !== 0);
      return {
        ok: true,
        message: {
          ...base, kind: 'command', text: c.command, command: c.command, cwd: c.cwd ?? null, status: statusOf(c.status),
          output: c.aggregatedOutput ?? null, exitCode: c.exitCode ?? null, durationMs: c.durationMs ?? null,
          isError: c.status === 'inProgress' ? null : failed,
        },
      };
    }
    case 'fileChange': {
      const p = FileChangeItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      const changes = fileChangesOf(p.data.changes);
      return {
        ok: true,
        message: {
          ...base, kind: 'fileChange', text: changes.map(c => `${c.kind} ${c.path}`).join('\n'), changes,
          status: statusOf(p.data.status), isError: p.data.status === 'failed' ? true : null,
        },
      };
    }
    case 'plan': {
      const p = PlanItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      return { ok: true, message: { ...base, kind: 'plan', text: p.data.text } };
    }
    case 'webSearch': {
      const p = WebSearchItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      return { ok: true, message: { ...base, kind: 'webSearch', text: p.data.query ?? '', toolInput: json(p.data.action) } };
    }
    case 'mcpToolCall': {
      const p = McpToolCallItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      const m = p.data;
      const status: MessageStatus = m.status === 'completed' || m.status === 'failed' ? m.status : 'inProgress';
      return {
        ok: true,
        message: {
          ...base, kind: 'mcpTool', text: `${m.server}/${m.tool}`, toolName: `${m.server}/${m.tool}`, toolInput: json(m.arguments),
          output: m.error ? m.error.message : m.result ? mcpOutput(m.result.content) : null,
          isError: m.error ? true : status === 'failed' ? true : null, status, durationMs: m.durationMs ?? null,
        },
      };
    }
    case 'dynamicToolCall': {
      const p = DynamicToolCallItem.safeParse(item);
      if (!p.success) return invalid(p.error);
      const d = p.data;
      const status: MessageStatus = d.status === 'completed' || d.status === 'failed' ? d.status : 'inProgress';
      return {
        ok: true,
        message: {
          ...base, kind: 'tool', text: d.tool, toolName: d.tool, toolInput: json(d.arguments), status,
          isError: d.success === false ? true : null, durationMs: d.durationMs ?? null,
        },
      };
    }
    case 'contextCompaction':
      return { ok: true, message: { ...base, kind: 'system', text: 'Context compacted' } };
    default:
      return { ok: false, reason: `no transcript item for codex item type ${item.type}` };
  }
}
