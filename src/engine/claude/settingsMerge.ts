// Pure merge rules for Claude's settings.json (recipes/claude.md §4): add one matcher group per event
// for Flightdeck, keep every other key and hook untouched, and recognise our own entries by a marker
// inside the command, since the settings schema has no id field.
import type { HookEventName } from './hookPayload';

/** The argument that marks a hook command as Flightdeck's. */
export const HOOK_MARKER = '--flightdeck-hook';

export type JsonObject = Record<string, unknown>;

export interface HookSpec {
  event: HookEventName;
  timeoutSec: number;
  /** Runs in the background: Claude does not wait for it (pure reports such as MessageDisplay). */
  async?: boolean;
}

export function isFlightdeckHook(h: unknown): boolean {
  return isObject(h) && typeof h.command === 'string' && h.command.includes(HOOK_MARKER);
}

/** Settings with Flightdeck's hooks (re)installed: marked entries are replaced, never added twice. */
export function withFlightdeckHooks(settings: JsonObject, command: string, specs: readonly HookSpec[]): JsonObject {
  const cleaned = withoutFlightdeckHooks(settings);
  const hooks: JsonObject = isObject(cleaned.hooks) ? { ...cleaned.hooks } : {};
  for (const { event, timeoutSec, async } of specs) {
    const groups = Array.isArray(hooks[event]) ? [...(hooks[event] as unknown[])] : [];
    groups.push({ matcher: '*', hooks: [{ type: 'command', command, timeout: timeoutSec, ...(async ? { async: true } : {}) }] });
    hooks[event] = groups;
  }
  return { ...cleaned, hooks };
}

/**
 * Settings without Flightdeck's entries: groups left empty are dropped, event arrays left empty are
 * dropped, and `hooks` is dropped if nothing is left. Everything else is returned as it was.
 */
export function withoutFlightdeckHooks(settings: JsonObject): JsonObject {
  if (!isObject(settings.hooks)) return settings;
  const hooks: JsonObject = {};
  for (const [event, groups] of Object.entries(settings.hooks)) {
    if (!Array.isArray(groups)) { hooks[event] = groups; continue; }
    const kept: unknown[] = [];
    for (const g of groups) {
      if (!isObject(g) || !Array.isArray(g.hooks)) { kept.push(g); continue; }
      const entries = g.hooks.filter(h => !isFlightdeckHook(h));
      if (entries.length === g.hooks.length) kept.push(g);
      else if (entries.length > 0) kept.push({ ...g, hooks: entries });
    }
    if (kept.length > 0 || groups.length === 0) hooks[event] = kept;
  }
  const { hooks: _old, ...rest } = settings;
  return Object.keys(hooks).length > 0 ? { ...rest, hooks } : rest;
}

export function countFlightdeckHooks(settings: JsonObject): number {
  if (!isObject(settings.hooks)) return 0;
  let n = 0;
  for (const groups of Object.values(settings.hooks)) {
    if (!Array.isArray(groups)) continue;
    for (const g of groups) if (isObject(g) && Array.isArray(g.hooks)) n += g.hooks.filter(isFlightdeckHook).length;
  }
  return n;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
