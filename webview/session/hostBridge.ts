// How the session webview reaches its host (envelope types: envelope.ts, contract: README.md).
// The page talks through acquireVsCodeApi() (a test page provides its own); messages to the page
// arrive as window "message" events.
import type { ServerMessage } from '../../src/engine/protocol';
import { parseHostToWebview } from '../../src/engine/protocol/panelInbound';
import type { WebviewToHost } from './envelope';

export type { HostRequest, HostToWebview, WebviewToHost } from './envelope';

/** What the page needs from its host: a way to post, and a small persisted state (survives reloads). */
export interface HostPort {
  postMessage(envelope: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => HostPort;
  }
}

export function connectHost(): HostPort {
  // acquireVsCodeApi may be called once per page load; keep the handle.
  if (typeof window.acquireVsCodeApi === 'function') return window.acquireVsCodeApi();
  throw new Error('Flightdeck session view: no host (not in a VS Code webview)');
}

/** Calls back with every protocol message the host delivers (validated); other window messages are ignored. */
export function onHostMessage(cb: (m: ServerMessage) => void): () => void {
  const listener = (e: MessageEvent) => {
    const data = e.data as { channel?: unknown } | null;
    if (!data || data.channel !== 'protocol') return;
    const parsed = parseHostToWebview(data);
    if (!parsed.ok) { console.warn(`Flightdeck session view: ignored a message from the host: ${parsed.message}`); return; }
    if (parsed.value.channel === 'protocol') cb(parsed.value.message);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

/** Calls back with the id of every transcript item the host asks the page to scroll to. */
export function onRevealRequest(cb: (messageId: string) => void): () => void {
  const listener = (e: MessageEvent) => {
    const data = e.data as { channel?: unknown } | null;
    if (!data || data.channel !== 'host') return;
    const parsed = parseHostToWebview(data);
    if (parsed.ok && parsed.value.channel === 'host') cb(parsed.value.messageId);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
