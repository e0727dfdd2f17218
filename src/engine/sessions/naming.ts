// SPEC §3: how a session gets its name. The bootstrap markers are kept here and nowhere else.

/** Case-insensitive markers of payloads that agents inject; such a message never names a session. */
export const BOOTSTRAP_MARKERS: readonly string[] = [
  '<environment_context>',
  '<permissions instructions>',
  '<collaboration_mode>',
  '<skill>',
  '<turn_aborted>',
  'the user interrupted the previous turn on purpose',
  'agents.md instructions for',
];

export const NAME_MAX_CHARS = 72;

export function isBootstrapPayload(text: string): boolean {
  const lower = text.toLowerCase();
  return BOOTSTRAP_MARKERS.some(m => lower.includes(m));
}

/** Collapses whitespace, trims, and cuts to 72 characters plus "…" (counting code points, not UTF-16 units). */
export function promptToName(text: string): string {
  const collapsed = text.replace(/\s+/gu, ' ').trim();
  const chars = Array.from(collapsed);
  return chars.length > NAME_MAX_CHARS ? chars.slice(0, NAME_MAX_CHARS).join('') + '…' : collapsed;
}

/** The name a user prompt gives a session, or null when it is bootstrap or blank. */
export function nameFromPrompt(text: string | null | undefined): string | null {
  if (!text || isBootstrapPayload(text)) return null;
  const name = promptToName(text);
  return name.length > 0 ? name : null;
}


/** customName > firstPrompt > projectName; deterministic, no generated slugs. */
export function displayNameOf(s: { customName: string | null; firstPrompt: string | null; projectName: string | null }): string {
  const custom = s.customName?.trim();
  if (custom) return custom;
  if (s.firstPrompt) return s.firstPrompt;
  return s.projectName ?? 'Untitled session';
}
