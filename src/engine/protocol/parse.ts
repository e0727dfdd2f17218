// Validation at the edge: raw text in, a typed message or a clear error out. Never throws.
import { ClientMessage, ErrorCode } from './messages';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string; requestId?: string };

export function parseClientMessage(raw: string | unknown): ParseResult<ClientMessage> {
  let data: unknown = raw;
  if (typeof raw === 'string') {
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
