// The ids of a Claude session's transcript items. They begin with the Claude session id, as Codex
// items begin with their thread's (`codex:<thread>:…`): `claude:<session>:<line uuid>[:<block>]` and
// `claude:<session>:tool:<tool_use id>`. Two reasons:
// - `messages.id` is unique across the store and Claude's uuids are random: with the bare uuid every
//   item of a history import landed on a random page of that index, and each commit rewrote hundreds
//   of its pages. With the session first a session's items share a few neighbouring pages: the Claude
//   half of 1 GB of short messages imports in 0.70× the time (docs/benchmarks.md, session eleven);
// - a transcript forked with `--fork-session` repeats its parent's lines: with the bare uuid those
//   items merged into the parent's rows and the fork's transcript lacked them.
// A transcript read before this scheme (its sources row has an offset and no marker in its state)
// keeps the old one, `claude:<uuid>`, for all its items: tool results still find their calls, and a
// file read again from the start merges into its rows instead of showing every item twice.

/** What a transcript's items' ids begin with. */
export type ItemScope = string;

/** The ids of transcripts read before the session came first: `claude:<uuid>`, `claude:tool:<id>`. */
export const LEGACY_ITEM_SCOPE: ItemScope = 'claude:';

/** The sources row state of a transcript whose items have session-scoped ids. */
export const SESSION_SCOPED_STATE = '{"itemIds":"bySession"}';

export function sessionItemScope(claudeSessionId: string): ItemScope {
  return `claude:${claudeSessionId}:`;
}

type KnownSource = { offset: number; state?: string | null } | undefined;

/** A transcript whose items were stored with the old ids (its sources row; undefined: never read). */
export function keepsLegacyItemIds(known: KnownSource): boolean {
  return known !== undefined && known.offset > 0 && known.state !== SESSION_SCOPED_STATE;
}

/** The scope of a transcript's items, from what its sources row says. */
export function itemScopeFor(claudeSessionId: string, known: KnownSource): ItemScope {
  return keepsLegacyItemIds(known) ? LEGACY_ITEM_SCOPE : sessionItemScope(claudeSessionId);
}

/** A line's item: block 0 has the line's uuid alone (one item per line is the common case). */
export function lineItemId(scope: ItemScope, uuid: string, block: number): string {
  return block === 0 ? `${scope}${uuid}` : `${scope}${uuid}:${block}`;
}

/** A tool call's item, which its result (a later line) updates. */
export function toolItemId(scope: ItemScope, toolUseId: string): string {
  return `${scope}tool:${toolUseId}`;
}
