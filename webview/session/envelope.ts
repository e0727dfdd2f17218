// The envelope between the session webview and the VS Code panel host: its zod schema and types live
// with the protocol (src/engine/protocol/panelEnvelope.ts, panelInbound.ts); contract: README.md.
export type { HostRequest, WebviewToHost } from '../../src/engine/protocol/panelEnvelope';
export type { HostToWebview } from '../../src/engine/protocol/panelInbound';
