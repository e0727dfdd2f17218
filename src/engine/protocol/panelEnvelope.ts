// The envelope from the session panel (webview/session) to its VS Code host, checked by the host where
// it arrives (the page is untrusted input). The protocol message inside is then validated by
// parseClientMessage, so an invalid one is answered with an error that carries its requestId. The
// other direction: panelInbound.ts. Contract: webview/session/README.md.
import { z } from 'zod';
import type { ClientMessage } from './messages';

const id = z.string().min(1).max(200);

/** UI-only requests the host carries out itself (they never reach the engine). */
export const HostRequest = z.discriminatedUnion('type', [
  z.object({ channel: z.literal('host'), type: z.literal('ready'), sessionId: id }),
  /** The change of transcript item messageId, or (messageId null) of the turn's diff turnId. */
  z.object({
    channel: z.literal('host'), type: z.literal('openDiff'), sessionId: id, messageId: id.nullable(), turnId: id.nullable(),
    path: z.string().min(1).max(4096),
  }),
  z.object({ channel: z.literal('host'), type: z.literal('copy'), text: z.string().max(16 * 1024 * 1024) }),
  /** Opens another session's panel (the conflict banner's "Open Other Session"). */
  z.object({ channel: z.literal('host'), type: z.literal('openSession'), sessionId: id }),
  /** Only web and mail links leave the panel; command:, file:, vscode: ... are refused here. */
  z.object({ channel: z.literal('host'), type: z.literal('openLink'), href: z.string().max(8192).regex(/^(https?:|mailto:)/i, 'only http(s): and mailto: links open') }),
]);

/** Page → host. The protocol message is checked apart (parseClientMessage), see above. */
export const WebviewToHostSchema = z.union([
  z.object({ channel: z.literal('protocol'), message: z.unknown() }),
  HostRequest,
]);

export type HostRequest = z.infer<typeof HostRequest>;
export type WebviewToHost = { channel: 'protocol'; message: ClientMessage } | HostRequest;

export type EnvelopeResult<T> = { ok: true; value: T } | { ok: false; message: string };

function result<T>(r: { success: true; data: T } | { success: false; error: z.ZodError }): EnvelopeResult<T> {
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, message: `invalid envelope: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'no match'}` };
}

export function parseWebviewToHost(raw: unknown): EnvelopeResult<z.infer<typeof WebviewToHostSchema>> {
  return result(WebviewToHostSchema.safeParse(raw));
}
