// The envelope between the session webview and the VS Code panel host (contract: README.md).
// DOM-free, so the host side and the Node tests can import these types too.
import type { ClientMessage, ServerMessage } from '../../src/engine/protocol';

/** UI-only requests the host carries out itself (they never reach the engine). */
export type HostRequest =
  | { channel: 'host'; type: 'ready'; sessionId: string }
  | { channel: 'host'; type: 'openDiff'; sessionId: string; messageId: string | null; turnId: string | null; path: string }
  | { channel: 'host'; type: 'copy'; text: string }
  | { channel: 'host'; type: 'openLink'; href: string };

export type WebviewToHost = { channel: 'protocol'; message: ClientMessage } | HostRequest;
export type HostToWebview =
  | { channel: 'protocol'; message: ServerMessage }
  /** Scroll the transcript to this item (a search hit), once it is loaded. */
  | { channel: 'host'; type: 'revealMessage'; messageId: string };
