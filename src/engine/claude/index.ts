export { createClaudeIntegration, DEFAULT_APPROVAL_TIMEOUT_MS, type ClaudeIntegration, type ClaudeIntegrationOptions } from './integration';
export {
  installClaudeHooks, uninstallClaudeHooks, installedHookCount, buildHookCommand, defaultClaudeHome, ClaudeSettingsError,
  DEFAULT_PERMISSION_TIMEOUT_SEC, type InstallOptions, type InstallResult,
} from './installer';
export { HOOK_EVENTS, type HookEventName } from './hookPayload';
export { HOOK_MARKER } from './settingsMerge';
