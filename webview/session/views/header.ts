// The session header: name (click to rename), provider · mode, model, autonomy, status, context fill,
// tokens and rate-limit windows.
import { html, nothing } from 'lit';
import { MODE_DESCRIPTIONS, MODE_LABELS, UNREACHABLE_LABEL, hostDescription, hostLabel, isUnreachable } from '../../../src/engine/protocol/uiPolicy';
import { ref } from 'lit/directives/ref.js';
import { branchChip, worktreeDescription } from '../../../src/engine/protocol/worktreePolicy';
import { AUTONOMY_LEVELS, PROVIDER_LABELS, WORK_STATUS_LABELS, formatPercent, formatTokens, rateLimitLabel } from '../format';
import type { Autonomy, ModelInfo, Session } from '../types';

export interface HeaderActions {
  startRename(): void;
  commitRename(name: string): void;
  cancelRename(): void;
  setAutonomy(a: Autonomy): void;
  setModel(model: string): void;
  setEffort(effort: string): void;
  /** Asks for the model list once (the selects call it when the user first reaches for them). */
  loadModels(): void;
}

/** Why a control is disabled, said in its tooltip; null when it can be used. */
export function configBlockedReason(s: Session): string | null {
  if (isUnreachable(s)) return `${hostDescription(s)}.`;
  if (s.status === 'ended') return 'The session has ended; resume it to change this.';
  if (s.mode === 'passive') return s.provider === 'codex'
    ? 'Passive session: it runs in its terminal with the settings it was started with. Take it over to change this.'
    : 'Claude Code session: it runs in its terminal with the settings it was started with.';
  return null;
}

/**
 * Model and reasoning effort of a session that can be configured: a select that asks for the model
 * list (model/list) when first focused — asking at once would start a Codex app-server just to draw
 * the header — and the effort of the model where it offers several. Otherwise the model as text.
 */
function modelTemplate(s: Session, models: readonly ModelInfo[] | null, blocked: string | null, actions: HeaderActions) {
  if (blocked || s.provider !== 'codex') return s.model ? html`<span class="model" title=${blocked ? `Model. ${blocked}` : 'Model'}>${s.model}</span>` : nothing;
  const current = models?.find(m => m.id === s.model) ?? (s.model ? undefined : models?.find(m => m.isDefault));
  const efforts = current?.efforts ?? [];
  const effort = s.reasoningEffort ?? current?.defaultEffort ?? '';
  return html`<label class="model-choice" title="Model: applies from the next turn">
      <span class="muted">Model</span>
      <select aria-label="Model" @focus=${actions.loadModels} @mousedown=${actions.loadModels}
        @change=${(e: Event) => actions.setModel((e.currentTarget as HTMLSelectElement).value)}>
        ${!current ? html`<option value=${s.model ?? ''} selected disabled>${s.model ?? 'Codex default'}</option>` : nothing}
        ${models ? models.map(m => html`<option value=${m.id} title=${m.description ?? ''} ?selected=${m === current}>${m.displayName}</option>`) : nothing}
      </select>
    </label>
    ${efforts.length > 1 || (!models && s.reasoningEffort) ? html`<label class="effort-choice" title="Reasoning effort: applies from the next turn">
      <span class="muted">Effort</span>
      <select aria-label="Reasoning effort" @focus=${actions.loadModels} @mousedown=${actions.loadModels}
        @change=${(e: Event) => actions.setEffort((e.currentTarget as HTMLSelectElement).value)}>
        ${efforts.length ? efforts.map(x => html`<option value=${x.effort} title=${x.description ?? ''} ?selected=${x.effort === effort}>${x.effort}${x.effort === current?.defaultEffort ? ' (default)' : ''}</option>`)
          : html`<option value=${effort} selected>${effort}</option>`}
      </select>
    </label>` : nothing}`;
}

/** One function for every render, so lit calls it only when the input is created, not on each redraw. */
function focusAndSelect(el: Element | undefined): void {
  if (el) requestAnimationFrame(() => { (el as HTMLInputElement).focus(); (el as HTMLInputElement).select(); });
}

function nameTemplate(s: Session, editing: boolean, actions: HeaderActions) {
  if (!editing) {
    return html`<h1 class="session-name"><button class="name-button" title="Rename session" @click=${actions.startRename}>${s.displayName}</button></h1>`;
  }
  const onKey = (e: KeyboardEvent) => {
    const input = e.currentTarget as HTMLInputElement;
    if (e.key === 'Enter') { e.preventDefault(); actions.commitRename(input.value); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); actions.cancelRename(); }
  };
  return html`<h1 class="session-name"><input class="name-input" aria-label="Session name" .value=${s.customName ?? s.displayName}
    maxlength="500" @keydown=${onKey} @blur=${actions.cancelRename}
    ${ref(focusAndSelect)}></h1>`;
}

/** Sizes the meter through CSSOM: a style attribute would be blocked by the webview's CSP. */
function setWidth(el: Element | undefined, fraction: number): void {
  if (el) (el as HTMLElement).style.width = `${fraction * 100}%`;
}

/** The machine of a remote engine's session (issue 20); nothing for this machine's sessions. */
function hostTemplate(s: Session) {
  const host = hostLabel(s);
  return host ? html`<span class="host ${isUnreachable(s) ? 'unreachable' : ''}" title=${hostDescription(s) ?? ''}>${host}</span>` : nothing;
}

/** The branch, and the worktree the session runs in (issue 18); nothing outside git. */
function branchTemplate(s: Session) {
  const chip = branchChip(s);
  return chip ? html`<span class="branch ${s.worktree ? 'worktree' : ''}" title=${worktreeDescription(s) ?? 'Git branch of the session\'s folder'}>${chip}</span>` : nothing;
}

function statusTemplate(s: Session) {
  if (isUnreachable(s)) return html`<span class="status unreachable" title=${hostDescription(s) ?? ''}>${UNREACHABLE_LABEL}</span>`;
  if (s.status === 'ended') return html`<span class="status ended" title=${s.endReason ? `ended: ${s.endReason}` : 'ended'}>Ended</span>`;
  return html`<span class="status ${s.workStatus}">${WORK_STATUS_LABELS[s.workStatus]}</span>`;
}

function usageTemplate(s: Session) {
  const t = s.tokenUsage;
  const fill = Math.max(0, Math.min(1, s.contextFill));
  const level = fill >= 0.9 ? 'critical' : fill >= 0.7 ? 'high' : '';
  const windows = [s.rateLimits?.primary, s.rateLimits?.secondary].filter((w): w is NonNullable<typeof w> => !!w);
  return html`<div class="usage">
    <span class="meter-group" title=${`Context: ${formatTokens(t.lastTurnInput)} of ${formatTokens(t.contextWindow)} tokens (last turn input ÷ context window)`}>
      <span class="muted">Context</span>
      <span class="meter ${level}" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(fill * 100)} aria-label="Context fill">
        <span class="meter-fill" ${ref(el => setWidth(el, fill))}></span></span>
      <span>${formatPercent(fill)}</span>
    </span>
    <span class="tokens" title="Tokens used by this session">
      <span>${formatTokens(t.input)} <span class="muted">in</span></span>
      <span>${formatTokens(t.output)} <span class="muted">out</span></span>
      <span>${formatTokens(t.cached)} <span class="muted">cached</span></span>
    </span>
    ${windows.map(w => html`<span class="rate-limit ${w.usedPercent >= 90 ? 'critical' : ''}" title=${w.resetsAt ? `Resets ${new Date(w.resetsAt).toLocaleString()}` : 'Rate-limit window'}>
      <span class="muted">${rateLimitLabel(w)}</span> ${Math.round(w.usedPercent)}%</span>`)}
  </div>`;
}

export function headerTemplate(s: Session, editingName: boolean, actions: HeaderActions, models: readonly ModelInfo[] | null = null) {
  const blocked = configBlockedReason(s);
  const canConfigure = !blocked;
  return html`<div class="header-top">
      ${nameTemplate(s, editingName, actions)}
      ${statusTemplate(s)}
    </div>
    <div class="header-facts">
      ${hostTemplate(s)}
      <span class="provider ${s.provider}">${PROVIDER_LABELS[s.provider]}</span>
      <span class="mode" title=${MODE_DESCRIPTIONS[s.mode]}>${MODE_LABELS[s.mode]}</span>
      ${branchTemplate(s)}
      ${modelTemplate(s, models, blocked, actions)}
      <label class="autonomy" title=${blocked ? `Autonomy. ${blocked}` : 'Autonomy: what the agent may do without asking'}>
        <span class="muted">Autonomy</span>
        <select aria-label="Autonomy" ?disabled=${!canConfigure} @change=${(e: Event) => actions.setAutonomy((e.currentTarget as HTMLSelectElement).value as Autonomy)}>
          ${s.autonomy ? nothing : html`<option value="" selected disabled>—</option>`}
          ${AUTONOMY_LEVELS.map(l => html`<option value=${l.value} title=${l.description} ?selected=${s.autonomy === l.value}>${l.label}</option>`)}
        </select>
      </label>
    </div>
    ${usageTemplate(s)}`;
}
