// Validation at the edge: raw text in, a typed message or a clear error out. Never throws.
import { ClientMessage, ErrorCode } from './messages';

/** No client message nests deeper than this; the protocol's deepest field is a few levels down. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests objects/arrays deeper than `max`, found by one cheap pass over the
 * characters (strings skipped) before anything is parsed: a deeply nested frame is refused at the
 * cost of a scan, instead of being parsed, validated and described at length.
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) { if (++depth > max) return true; }
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string; requestId?: string };

export function parseClientMessage(raw: string | unknown): ParseResult<ClientMessage> {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    if (jsonTooDeep(raw)) return { ok: false, code: ErrorCode.badRequest, message: `a message nests deeper than ${MAX_JSON_DEPTH} levels` };
    try { data = JSON.parse(raw); } catch (e) {
      return { ok: false, code: ErrorCode.invalidJson, message: `invalid JSON: ${(e as Error).message}` };
    }
  }
  const requestId = data && typeof data === 'object' && typeof (data as { requestId?: unknown }).requestId === 'string'
    ? (data as { requestId: string }).requestId : undefined;
  if (!data || typeof data !== 'object' || typeof (data as { type?: unknown }).type !== 'string') {
    return { ok: false, code: ErrorCode.badRequest, message: 'a message is a JSON object with a string "type"', requestId };
  }
  const type = (data as { type: string }).type;
  if (!ClientMessage.options.some(o => o.shape.type.value === type)) {
    return { ok: false, code: ErrorCode.unknownType, message: `unknown message type "${type.slice(0, 100)}"`, requestId };
  }
  const parsed = ClientMessage.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: ErrorCode.badRequest, message: `invalid ${type}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, requestId };
  }
  return { ok: true, value: parsed.data };
}
