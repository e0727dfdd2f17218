// Which files a transcript item changes: Codex patches and file changes (`changes[].path`, or the
// patch text of an apply_patch call), Claude Edit/Write/MultiEdit/NotebookEdit (`file_path`).
// Plain functions over the protocol's Message; paths come back as the item names them.
import type { Message, MessagePatch } from '../protocol';

/** Claude Code's tools that write a file, and the input field that names it. */
const CLAUDE_FILE_TOOLS: Readonly<Record<string, string>> = {
  Edit: 'file_path', Write: 'file_path', MultiEdit: 'file_path', NotebookEdit: 'notebook_path',
};

/** apply_patch's file headers: `*** Add File: x`, `*** Update File: x`, `*** Delete File: x`, `*** Move to: y`. */
const PATCH_HEADER = /^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+)$/gm;

type ItemFields = Pick<Message, 'kind'> & Partial<Pick<Message, 'toolName' | 'toolInput' | 'changes'>>;

/** Whether an item of this kind and tool may change files (so its later updates are worth following). */
export function isFileChangeItem(m: Pick<Message, 'kind'> & Partial<Pick<Message, 'toolName'>>): boolean {
  return m.kind === 'fileChange' || (m.kind === 'tool' && !!m.toolName && m.toolName in CLAUDE_FILE_TOOLS);
}

/** The paths an item (or an update to one) names; relative ones are left for the caller to resolve. */
export function filesOfItem(m: ItemFields | (MessagePatch & Partial<ItemFields>)): string[] {
  const out = new Set<string>();
  for (const c of m.changes ?? []) {
    if (c.path) out.add(c.path);
    if (c.movePath) out.add(c.movePath);
  }
  if (m.kind === 'fileChange' && out.size === 0 && m.toolInput) {
    for (const match of m.toolInput.matchAll(PATCH_HEADER)) out.add(match[1].trim());
  }
  const field = m.kind === 'tool' && m.toolName ? CLAUDE_FILE_TOOLS[m.toolName] : undefined;
  if (field && m.toolInput) {
    try {
      const input = JSON.parse(m.toolInput) as Record<string, unknown>;
      if (typeof input[field] === 'string' && input[field]) out.add(input[field] as string);
    } catch { /* a cut or malformed input names no file */ }
  }
  return [...out];
}
