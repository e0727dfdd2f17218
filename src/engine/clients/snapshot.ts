// Session snapshots for clients (SPEC §8): state + the last 200 messages, long fields cut at
// 16,000 characters with a marker (the whole item is fetched with get_message).
import type { Message } from '../protocol';

export const SNAPSHOT_MESSAGES = 200;
export const FIELD_CUT_CHARS = 16_000;
export const CUT_MARKER = '\n… [cut: fetch the whole item with get_message]';
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;
/** Sessions per `sessions_list` page: ~200 KB of JSON at typical sizes, far below a slow reader's limits. */
export const LIST_PAGE_SESSIONS = 200;

const LONG_FIELDS = ['text', 'output', 'toolInput', 'command'] as const;

export function cutLongFields(m: Message): Message {
  let out: Message | null = null;
  for (const f of LONG_FIELDS) {
    const v = m[f];
    if (typeof v === 'string' && v.length > FIELD_CUT_CHARS) {
      out ??= { ...m };
      (out as Record<string, unknown>)[f] = v.slice(0, FIELD_CUT_CHARS) + CUT_MARKER;
      out.truncated = true;
    }
  }
  if (m.changes?.some(c => c.diff.length > FIELD_CUT_CHARS)) {
    out ??= { ...m };
    out.changes = m.changes.map(c => c.diff.length > FIELD_CUT_CHARS ? { ...c, diff: c.diff.slice(0, FIELD_CUT_CHARS) + CUT_MARKER } : c);
    out.truncated = true;
  }
  return out ?? m;
}
