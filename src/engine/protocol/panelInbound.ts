// The envelope from the VS Code host to the session panel, checked by the page where it arrives.
// Written with zod/mini: full zod would add some 450 kB to every panel's bundle (the web client,
// which takes its messages from the network, checks each ServerMessage in full; here they come from
// the host, which took them from the engine through the typed protocol client).
import * as z from 'zod/mini';
import type { ServerMessage } from './messages';

const id = z.string().check(z.minLength(1), z.maxLength(200));

export const HostToWebviewSchema = z.union([
  z.object({ channel: z.literal('protocol'), message: z.looseObject({ type: z.string() }) }),
  /** Scroll the transcript to this item (a search hit), once it is loaded. */
  z.object({ channel: z.literal('host'), type: z.literal('revealMessage'), messageId: id }),
]);

export type HostToWebview =
  | { channel: 'protocol'; message: ServerMessage }
  | { channel: 'host'; type: 'revealMessage'; messageId: string };

export function parseHostToWebview(raw: unknown): { ok: true; value: HostToWebview } | { ok: false; message: string } {
  const r = HostToWebviewSchema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data as HostToWebview };
  const issue = r.error.issues[0];
  return { ok: false, message: `invalid envelope: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'no match'}` };
}
