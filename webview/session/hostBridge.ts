// How the session webview reaches its host (envelope types: envelope.ts, contract: README.md).
// In VS Code the page talks through acquireVsCodeApi(); in a plain browser test page through
// window.__flightdeckTestTransport. Messages to the page arrive as window "message" events in both.
import type { ServerMessage } from '../../src/engine/protocol';
import type { HostToWebview, WebviewToHost } from './envelope';

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
    __flightdeckTestTransport?: Partial<HostPort> & { postMessage(envelope: WebviewToHost): void };
  }
}

export function connectHost(): HostPort {
  // acquireVsCodeApi may be called once per page load; keep the handle.
  if (typeof window.acquireVsCodeApi === 'function') return window.acquireVsCodeApi();
  const test = window.__flightdeckTestTransport;
  if (test) {
    let state: unknown = test.getState?.();
    return {
      postMessage: e => test.postMessage(e),
      getState: () => state,
      setState: s => { state = s; test.setState?.(s); },
    };
  }
  throw new Error('Flightdeck session view: no host (not in a VS Code webview and no test transport)');
}

/** Calls back with every protocol message the host delivers; other window messages are ignored. */
export function onHostMessage(cb: (m: ServerMessage) => void): () => void {
  const listener = (e: MessageEvent) => {
    const data = e.data as Partial<HostToWebview> | null;
    if (data && data.channel === 'protocol' && data.message && typeof data.message.type === 'string') cb(data.message);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

/** Calls back with the id of every transcript item the host asks the page to scroll to. */
export function onRevealRequest(cb: (messageId: string) => void): () => void {
  const listener = (e: MessageEvent) => {
    const data = e.data as Partial<{ channel: string; type: string; messageId: unknown }> | null;
    if (data && data.channel === 'host' && data.type === 'revealMessage' && typeof data.messageId === 'string') cb(data.messageId);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
