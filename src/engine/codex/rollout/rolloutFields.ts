// Reading the values inside rollout lines: message text, tool arguments and outputs, commands,
// file changes, plans, questions, timestamps. Plain functions over parsed JSON.
import { structuredPatch } from 'diff';
import type { FileChange, PendingQuestion, PlanStep } from '../../protocol';
import { canonicalIsoMs, iso } from '../../platform/clock';
import { isBootstrapPayload } from '../../sessions/naming';

export type Part = { type?: string | null; text?: string | null };

export function joinText(content: Part[] | string | null | undefined): string {
  if (!content) return '';
  if (typeof content === 'string') return content.trim();
  return content.map(p => p.text ?? '').filter(Boolean).join('\n').trim();
}

/**
 * The text of a user message without injected parts. Codex 0.169 labels each part
 * (`content_item_kinds`: `user.text` for what the user typed); older files have no labels, so the
 * bootstrap markers of naming.ts decide.
 */
export function realUserText(content: Part[] | string | null | undefined, kinds: string[] | null | undefined): string {
  const parts: Part[] = typeof content === 'string' ? [{ text: content }] : content ?? [];
  const kept = parts.filter((p, i) => {
    const text = p.text ?? '';
    if (!text.trim() || isBootstrapPayload(text)) return false;
    const k = kinds?.[i];
    return k === undefined || k === 'user.text';
  });
  return kept.map(p => p.text ?? '').join('\n').trim();
}

export function parseArgs(raw: string | null | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

export function strOr(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** `["/bin/bash","-lc","ls"]` → `ls`; other argv forms are joined with spaces. */
export function commandText(cmd: unknown): string {
  if (typeof cmd === 'string') return cmd;
  if (Array.isArray(cmd) && cmd.every(x => typeof x === 'string')) {
    if (cmd.length === 3 && /(^|\/)(ba|z)?sh$/.test(cmd[0]) && /^-l?c$/.test(cmd[1])) return cmd[2];
    return cmd.join(' ');
  }
  return '';
}

export function policyOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (output && typeof output === 'object' && typeof (output as { content?: unknown }).content === 'string') {
    return (output as { content: string }).content;
  }
  return output === undefined || output === null ? '' : JSON.stringify(output);
}

/** Codex wraps tool output: "…Process exited with code N…Output:\n<output>" / "Exit code: N…Output:\n<output>". */
export function parseToolOutput(text: string): { output: string; exitCode?: number; declined: boolean } {
  const declined = /rejected by user/i.test(text);
  const code = /Process exited with code (-?\d+)/.exec(text) ?? /^Exit code: (-?\d+)/m.exec(text);
  const marker = text.indexOf('\nOutput:\n');
  const output = marker >= 0 ? text.slice(marker + '\nOutput:\n'.length) : text;
  return { output, exitCode: code ? Number(code[1]) : undefined, declined };
}

export function itemStatus(status: string | null | undefined, exitCode: number | null): 'completed' | 'failed' | 'declined' | 'inProgress' | 'interrupted' {
  switch (status) {
    case 'declined': case 'rejected': return 'declined';
    case 'failed': return 'failed';
    case 'in_progress': case 'inProgress': return 'inProgress';
    case 'interrupted': case 'aborted': return 'interrupted';
    default: return exitCode !== null && exitCode !== 0 ? 'failed' : 'completed';
  }
}

export function fileUrlToPath(cwd: string | null | undefined): string | null {
  if (!cwd) return null;
  return cwd.startsWith('file://') ? decodeURIComponent(cwd.slice('file://'.length)) : cwd;
}

export type ChangeSpec = { type: string; content?: string | null; unified_diff?: string | null; move_path?: string | null };

export function fileChangesOf(changes: Record<string, ChangeSpec>): FileChange[] {
  return Object.entries(changes).map(([path, c]) => {
    if (c.type === 'add') return { path, kind: 'add' as const, diff: hunksOf('', c.content ?? '') };
    if (c.type === 'delete') return { path, kind: 'delete' as const, diff: hunksOf(c.content ?? '', '') };
    return { path, kind: 'update' as const, diff: c.unified_diff ?? '', movePath: c.move_path ?? null };
  });
}

/** Hunks only (no file header), the same form Codex gives for updates. */
export function hunksOf(before: string, after: string): string {
  const p = structuredPatch('a', 'b', before, after, '', '', { context: 3 });
  return p.hunks.map(h => `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@\n${h.lines.join('\n')}\n`).join('');
}

export function planOf(raw: unknown): PlanStep[] {
  if (!Array.isArray(raw)) return [];
  const out: PlanStep[] = [];
  for (const s of raw) {
    if (!s || typeof s !== 'object') continue;
    const step = (s as { step?: unknown }).step;
    const status = String((s as { status?: unknown }).status ?? 'pending');
    if (typeof step !== 'string') continue;
    out.push({ step, status: status === 'completed' ? 'completed' : /progress/i.test(status) ? 'inProgress' : 'pending' });
  }
  return out;
}

export function questionOf(callId: string, raw: unknown, at: string): PendingQuestion | null {
  if (!Array.isArray(raw)) return null;
  const questions: PendingQuestion['questions'] = [];
  for (const q of raw) {
    if (!q || typeof q !== 'object') continue;
    const o = q as Record<string, unknown>;
    if (typeof o.question !== 'string') continue;
    const options = Array.isArray(o.options)
      ? o.options.filter((x): x is { label: string; description?: string } => !!x && typeof (x as { label?: unknown }).label === 'string')
        .map(x => ({ label: x.label, description: typeof x.description === 'string' ? x.description : null }))
      : null;
    questions.push({ id: typeof o.id === 'string' ? o.id : `q${questions.length}`, header: strOr(o.header), question: o.question, options, allowFreeText: true });
  }
  return questions.length ? { questionId: callId, questions, requestedAt: at } : null;
}

export function rateWindow(w: { used_percent?: number | null; window_minutes?: number | null; resets_at?: number | null } | null | undefined) {
  if (!w || typeof w.used_percent !== 'number') return null;
  return { usedPercent: w.used_percent, windowMinutes: w.window_minutes ?? null, resetsAt: typeof w.resets_at === 'number' ? iso(w.resets_at * 1000) : null };
}

/**
 * A line's timestamp as iso() writes it. One already in that form (the agents write them so) is returned
 * as it is, sparing a Date and a string per line (toISOString was ~5 % of a Codex history import of
 * short messages); other forms, and days V8 rolls over, take the long way.
 */
export function timestampOf(t: string | null | undefined, now: number): string {
  if (!t) return iso(now);
  if (!Number.isNaN(canonicalIsoMs(t))) return t;
  const ms = Date.parse(t);
  return iso(Number.isFinite(ms) ? ms : now);
}
