// "New Codex Session": the steps the walkthrough promises, in one Quick Input flow — the folder
// (workspace folders or Browse…), in that folder or in a new git worktree, the autonomy, the model the app-server lists (model/list) and its
// reasoning effort where it offers several, then the first prompt (and for a worktree its branch,
// proposed from the prompt and editable). Escape at any step cancels.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Autonomy, ModelInfo } from '../engine/protocol';
import { AUTONOMY_DESCRIPTIONS, AUTONOMY_LABELS } from '../engine/protocol/uiPolicy';

export interface NewSessionChoice {
  cwd: string; autonomy: Autonomy; model?: string; effort?: string; prompt: string; host?: string;
  /** Start in a new worktree on this new branch. */
  worktree?: { branch: string };
}

/** What the flow asks the engine about worktrees: a branch and folder for a prompt (rejects outside git). */
export interface WorktreeProposer {
  propose(cwd: string, prompt?: string): Promise<{ branch: string; path: string; baseRef: string }>;
}

const TITLE = 'New Codex Session';
const DEFAULT_AUTONOMY: Autonomy = 'autoEdit';

type Item<T> = vscode.QuickPickItem & { value: T };

/** One step of the flow: a Quick Pick with the step count and a preselected item. */
function pickStep<T>(step: number, totalSteps: number, placeholder: string, items: Item<T>[], active?: Item<T>): Promise<Item<T> | undefined> {
  return new Promise(resolve => {
    const pick = vscode.window.createQuickPick<Item<T>>();
    pick.title = TITLE;
    // Step 0: the machine, asked before the numbered steps only when remote engines are joined.
    if (step > 0) { pick.step = step; pick.totalSteps = totalSteps; }
    pick.placeholder = placeholder;
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    // A multi-step flow: a panel finishing its load (or the engine's answer arriving) must not close it; Escape does.
    pick.ignoreFocusOut = true;
    pick.items = items;
    if (active) pick.activeItems = [active];
    let chosen: Item<T> | undefined;
    pick.onDidAccept(() => { chosen = pick.selectedItems[0] ?? pick.activeItems[0]; pick.hide(); });
    pick.onDidHide(() => { pick.dispose(); resolve(chosen); });
    pick.show();
  });
}

async function askFolder(totalSteps: number): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const browse: Item<string | null> = { label: '$(folder-opened) Browse…', description: 'another folder on this machine', value: null };
  const items: Item<string | null>[] = folders.length
    ? folders.map(f => ({ label: `$(root-folder) ${f.name}`, description: f.uri.fsPath, value: f.uri.fsPath }))
    : [{ label: '$(home) Home folder', description: os.homedir(), value: os.homedir() }];
  const chosen = await pickStep(1, totalSteps, 'The folder Codex works in', [...items, browse], items[0]);
  if (!chosen) return undefined;
  if (chosen.value) return chosen.value;
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: the folder Codex works in`, canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
    openLabel: 'Start Codex here', defaultUri: folders[0]?.uri ?? vscode.Uri.file(os.homedir()),
  });
  return picked?.[0]?.fsPath;
}

/** Issue 20: this machine or a joined remote engine; null = this machine, undefined = cancelled. */
async function askHost(hosts: readonly string[]): Promise<string | null | undefined> {
  const items: Item<string | null>[] = [
    { label: '$(device-desktop) This machine', value: null },
    ...hosts.map(h => ({ label: `$(remote) ${h}`, description: 'remote engine', value: h })),
  ];
  const chosen = await pickStep(0, 0, 'The machine Codex runs on', items, items[0]);
  return chosen ? chosen.value : undefined;
}

/** A remote machine's folder is typed: nothing on this machine can be browsed for it. */
async function askRemoteFolder(host: string): Promise<string | undefined> {
  const folder = await vscode.window.showInputBox({
    title: `${TITLE} on ${host}`, prompt: `The folder Codex works in, on ${host} (an absolute path there)`,
    placeHolder: '/home/me/project', ignoreFocusOut: true,
    validateInput: v => v.trim().startsWith('/') || /^[A-Za-z]:[\\/]/.test(v.trim()) ? null : 'An absolute path on that machine',
  });
  return folder?.trim() || undefined;
}

async function askAutonomy(totalSteps: number): Promise<Autonomy | undefined> {
  const items: Item<Autonomy>[] = (Object.keys(AUTONOMY_LABELS) as Autonomy[]).map(a => ({
    label: AUTONOMY_LABELS[a], description: a === DEFAULT_AUTONOMY ? 'default' : undefined, detail: AUTONOMY_DESCRIPTIONS[a], value: a,
  }));
  return (await pickStep(3, totalSteps, 'What Codex may do without asking (changeable later in the panel)', items, items.find(i => i.value === DEFAULT_AUTONOMY)))?.value;
}

/** The model, or null for "Codex's default" (when the list could not be read); undefined = cancelled. */
async function askModel(models: ModelInfo[], listError: string | undefined, totalSteps: number): Promise<ModelInfo | null | undefined> {
  const items: Item<ModelInfo | null>[] = models.map(m => ({
    label: m.displayName, description: [m.id !== m.displayName ? m.id : '', m.isDefault ? 'default' : ''].filter(Boolean).join(' · ') || undefined,
    detail: m.description ?? undefined, value: m,
  }));
  if (items.length === 0) {
    items.push({ label: "Codex's default model", detail: listError ? `The model list is unavailable: ${listError}` : 'Codex lists no models.', value: null });
  }
  const chosen = await pickStep(4, totalSteps, 'The model (changeable later in the panel)', items, items.find(i => i.value?.isDefault));
  return chosen ? chosen.value : undefined;
}

async function askEffort(model: ModelInfo, totalSteps: number): Promise<string | undefined> {
  const items: Item<string>[] = (model.efforts ?? []).map(e => ({
    label: e.effort, description: e.effort === model.defaultEffort ? 'default' : undefined, detail: e.description ?? undefined, value: e.effort,
  }));
  return (await pickStep(5, totalSteps, `Reasoning effort of ${model.displayName}`, items, items.find(i => i.value === model.defaultEffort)))?.value;
}

/**
 * Asks every step; `cwd` given (a caller that knows the folder) skips the first. `listModels` fails
 * softly: the flow goes on with Codex's default model and says why the list is missing.
 */
export async function askNewCodexSession(
  cwd: string | undefined, listModels: (host: string | null) => Promise<ModelInfo[]>, log: vscode.LogOutputChannel, hosts: readonly string[] = [],
  worktrees?: WorktreeProposer,
): Promise<NewSessionChoice | undefined> {
  const totalSteps = 6;
  // With remote engines joined, first where: a remote's folder is typed, and its own models listed.
  const host = cwd === undefined && hosts.length ? await askHost(hosts) : null;
  if (host === undefined) return undefined;
  const folder = cwd ?? (host ? await askRemoteFolder(host) : await askFolder(totalSteps));
  if (!folder) return undefined;
  // A worktree is offered on this machine's engine only (a remote's repository is not asked here).
  const inWorktree = await askWhere(folder, host ? undefined : worktrees, log, totalSteps);
  if (inWorktree === undefined) return undefined;
  const autonomy = await askAutonomy(totalSteps);
  if (!autonomy) return undefined;
  let models: ModelInfo[] = [];
  let listError: string | undefined;
  try { models = await listModels(host); } catch (e) {
    listError = (e as Error).message;
    log.warn(`New Codex Session: the model list is unavailable: ${listError}`);
  }
  const model = await askModel(models, listError, totalSteps);
  if (model === undefined) return undefined;
  let effort: string | undefined;
  if (model && (model.efforts?.length ?? 0) > 1) {
    effort = await askEffort(model, totalSteps);
    if (!effort) return undefined;
  }
  const prompt = await vscode.window.showInputBox({
    title: `New Codex session in ${folder}${host ? ` on ${host}` : ''}`, prompt: 'What should Codex do? (Enter with nothing starts the session without a prompt)',
    placeHolder: `${AUTONOMY_LABELS[autonomy]}${model ? ` · ${model.displayName}` : ''}${effort ? ` · ${effort} effort` : ''}`,
    ignoreFocusOut: true,
  });
  if (prompt === undefined) return undefined;
  if (!inWorktree || !worktrees) return { cwd: folder, autonomy, model: model?.id, effort, prompt, ...(host ? { host } : {}) };
  const branch = await askBranch(folder, prompt, worktrees);
  return branch ? { cwd: folder, autonomy, model: model?.id, effort, prompt, worktree: { branch } } : undefined;
}

/**
 * In the folder, or in a new worktree: asked only when the folder is in git (the engine's proposal
 * answers); true = a new worktree, undefined = cancelled.
 */
async function askWhere(folder: string, worktrees: WorktreeProposer | undefined, log: vscode.LogOutputChannel, totalSteps: number): Promise<boolean | undefined> {
  if (!worktrees) return false;
  let proposal: { path: string; baseRef: string };
  try { proposal = await worktrees.propose(folder); } catch (e) {
    log.info(`New Codex Session: no worktree offered for ${folder}: ${(e as Error).message}`);
    return false;
  }
  const items: Item<boolean>[] = [
    { label: '$(folder) In this folder', description: folder, value: false },
    {
      label: '$(git-branch) In a new worktree', description: `a new branch from ${proposal.baseRef}`,
      detail: `git worktree add, beside the repository (${path.dirname(proposal.path)}); the branch is named from your prompt`, value: true,
    },
  ];
  return (await pickStep(2, totalSteps, 'Where Codex works', items, items[0]))?.value;
}

/** The new branch: proposed from the prompt (unique in the repository), editable. */
async function askBranch(folder: string, prompt: string, worktrees: WorktreeProposer): Promise<string | undefined> {
  const proposal = await worktrees.propose(folder, prompt);
  return vscode.window.showInputBox({
    title: 'New Codex session in a new worktree', prompt: `The new branch (from ${proposal.baseRef}); its worktree goes to ${path.dirname(proposal.path)}`,
    value: proposal.branch, ignoreFocusOut: true,
    validateInput: v => (v.trim() ? (/[\s~^:?*[\\]|\.\.|@\{/.test(v.trim()) ? 'Not a valid branch name' : undefined) : 'A branch name is needed'),
  });
}
