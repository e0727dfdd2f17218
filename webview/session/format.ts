// Small display formatters shared by the views.
import type { Autonomy, Provider, RateLimitWindowLike, WorkStatus } from './types';

export const AUTONOMY_LEVELS: { value: Autonomy; label: string; description: string }[] = [
  { value: 'suggest', label: 'Suggest', description: 'Asks before running anything (untrusted, workspace-write)' },
  { value: 'autoEdit', label: 'Auto Edit', description: 'Edits and runs in the workspace, asks when it needs more (on-request, workspace-write)' },
  { value: 'fullAuto', label: 'Full Auto', description: 'Never asks; sandboxed to the workspace (never, workspace-write)' },
  { value: 'fullAccess', label: 'Full Access', description: 'Never asks; no sandbox (never, danger-full-access)' },
];

export { PROVIDER_LABELS } from '../../src/engine/protocol/uiPolicy';

export { WORK_STATUS_LABELS } from '../../src/engine/protocol/uiPolicy';

export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (n >= 1_000) return `${trim(n / 1_000)}k`;
  return String(n);
}

function trim(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toFixed(1).replace(/\.0$/, '');
}

export function formatPercent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** "5h" / "weekly" / "90m" from the window length the provider reports. */
export function rateLimitLabel(w: RateLimitWindowLike): string {
  const m = w.windowMinutes;
  if (m === null) return 'limit';
  if (m === 10_080) return 'weekly';
  if (m % 1440 === 0) return `${m / 1440}d`;
  if (m % 60 === 0) return `${m / 60}h`;
  return `${m}m`;
}

/** Counts added and removed lines of a unified diff (headers excluded). */
/** Shared with the web client (uiPolicy.ts). */
export { diffStats } from '../../src/engine/protocol/uiPolicy';

export const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
/** A shortcut as the user's platform writes it: "Ctrl+Enter" / "⌘Enter". */
export function shortcut(keys: string): string {
  return IS_MAC ? keys.replace(/Ctrl\+/g, '⌘').replace(/Shift\+/g, '⇧') : keys;
}
