// What History's context actions do beyond one protocol request: the confirmation before a delete,
// and Resume in Terminal for Claude Code (a VS Code terminal in the session's cwd running
// `claude --resume <id>`; the session goes live again through Flightdeck's hooks).
import * as vscode from 'vscode';
import type { Session } from '../engine/protocol';

/** Asks before deleting; true when the user confirmed. */
export async function confirmDelete(s: Session): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `Delete "${s.displayName}" and its transcript from Flightdeck?`,
    { modal: true, detail: 'It disappears from every list and from search. The agent\'s own files (rollout or transcript) stay where they are.' },
    'Delete',
  );
  return choice === 'Delete';
}

/** A POSIX shell word: safe whatever the id or path holds. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function claudeResumeCommand(s: Session, claudePath: string | undefined): string {
  if (!s.providerSessionId) throw new Error(`"${s.displayName}" has no Claude Code session id to resume`);
  return `${shellQuote(claudePath || 'claude')} --resume ${shellQuote(s.providerSessionId)}`;
}

/** Opens a terminal in the session's folder and runs `claude --resume <id>` in it. */
export function resumeClaudeInTerminal(s: Session, claudePath: string | undefined): { terminal: vscode.Terminal; command: string } {
  const command = claudeResumeCommand(s, claudePath);
  const terminal = vscode.window.createTerminal({ name: `Claude: ${s.displayName}`.slice(0, 60), cwd: s.cwd ?? undefined });
  terminal.show();
  terminal.sendText(command, true);
  return { terminal, command };
}
