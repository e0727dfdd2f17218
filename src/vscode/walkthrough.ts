// The first-run walkthrough's commands. Its steps (package.json contributes.walkthroughs) complete on
// these commands and on context keys set here, so "Detect" ticks itself once an agent was found.
import * as vscode from 'vscode';
import { type DetectOptions, type DetectedAgents, describeAgents, detectAgents } from './detectAgents';

export const WALKTHROUGH_ID = 'flightdeck.flightdeck#flightdeck.gettingStarted';

export interface WalkthroughContext {
  log: vscode.LogOutputChannel;
  /** Read at each call: a changed codex / claude path or home applies without a reload. */
  settings: () => DetectOptions;
}

export function registerWalkthrough(ctx: WalkthroughContext): vscode.Disposable[] {
  return [
    // Returns what it found (tests and the walkthrough use it) and tells the user in one message.
    vscode.commands.registerCommand('flightdeck.detectAgents', async (): Promise<DetectedAgents> => {
      const found = detectAgents(ctx.settings());
      await Promise.all([
        vscode.commands.executeCommand('setContext', 'flightdeck.codexFound', !!found.codex.binary),
        vscode.commands.executeCommand('setContext', 'flightdeck.claudeFound', !!found.claude.binary),
        vscode.commands.executeCommand('setContext', 'flightdeck.claudeHooksInstalled', found.claude.hooksInstalled),
      ]);
      const text = describeAgents(found);
      ctx.log.info(`detect agents: ${text}`);
      const show = found.codex.binary || found.claude.binary ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(`Flightdeck found ${text}`);
      return found;
    }),
    vscode.commands.registerCommand('flightdeck.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false)),
  ];
}
