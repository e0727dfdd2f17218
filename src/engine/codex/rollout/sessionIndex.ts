// `$CODEX_HOME/session_index.jsonl`: Codex appends `{id, thread_name, updated_at}` each time a thread
// is named. The latest line for an id is its name (SPEC §3: it becomes the session's customName).
import { readAppended } from '../../platform/jsonlTail';
import { SessionIndexLine as IndexLine } from './rolloutSchema';

export interface ThreadName { name: string | null; updatedAt: string }

export interface SessionIndexRead { names: Map<string, ThreadName>; invalidLines: number; missing: boolean }

export function readSessionIndex(file: string): SessionIndexRead {
  const names = new Map<string, ThreadName>();
  let invalidLines = 0;
  let pos = { offset: 0, carry: null as ReturnType<typeof readAppended>['carry'] };
  for (;;) {
    const r = readAppended(file, pos, { maxLineBytes: 64 * 1024 });
    if (r.missing) return { names, invalidLines, missing: true };
    invalidLines += r.oversized.length;
    for (const line of r.lines) {
      const parsed = IndexLine.safeParse(safeJson(line.text));
      if (!parsed.success) { invalidLines++; continue; }
      const name = parsed.data.thread_name?.trim() || null;
      // Lines are appended in time order; the last one for an id wins.
      names.set(parsed.data.id, { name, updatedAt: parsed.data.updated_at ?? `@${line.offset}` });
    }
    pos = { offset: r.offset, carry: r.carry };
    if (!r.more) break;
  }
  return { names, invalidLines, missing: false };
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}
