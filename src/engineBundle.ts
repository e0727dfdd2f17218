// The engine side of the VS Code extension, bundled apart as dist/engine.js and required lazily after
// activate() returns (src/vscode/engineModule.ts). Everything heavy lives here — zod schemas, SQLite,
// chokidar, ws, the providers — so that loading dist/extension.js in every window costs little.
export { installFlightdeckHooks } from './engine/claude/hookSetup';
export { HubLifecycle } from './engine/hub/lifecycle';
export { generateToken, isWellFormedToken } from './engine/hub/token';
export { qrCodeSvg } from './engine/hub/qrCode';
export { startRuntime } from './engine/runtime';
export { StoreLoadError } from './engine/store/db';
export { ErrorCode, parseClientMessage } from './engine/protocol';
export { parseWebviewToHost } from './engine/protocol/panelEnvelope';
