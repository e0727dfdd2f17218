// One transcript item per kind. Agent text is markdown (sanitized); everything else is text nodes.
import type { FileChange, Message } from '../src/engine/protocol';
import { INTERRUPTED_MARKER, awaitsApproval, commandPendingBadge, displayPath, fileChangeHead } from '../src/engine/protocol/cardPolicy';
import { reviewTitle, reviewWhere } from '../src/engine/protocol/uiPolicy';
import { h } from './dom';
import { renderMarkdown } from './markdown';

export interface TranscriptActions { showWhole(m: Message): void }

/** What a card needs of its session: the folder paths are shown relative to, what waits for approval. */
export interface TranscriptContext { cwd: string | null; pendingApprovals: readonly { itemId?: string | null }[] }

/**
 * A file path relative to the session folder, cut at its START when the row is too narrow: the text
 * sits at the end of a flex box that clips what overflows on its left, so the file name stays
 * visible and the slashes stay in their places (no right-to-left trick). The full path is the title.
 */
export function pathLabel(c: FileChange, cwd: string | null): HTMLElement {
  const full = c.movePath ? `${c.path} → ${c.movePath}` : c.path;
  return h('span', { class: 'path', title: full }, h('span', { class: 'path-text' }, displayPath(c.movePath ?? c.path, cwd)));
}

function cutNote(m: Message, act: TranscriptActions): HTMLElement | null {
  if (!m.truncated) return null;
  return h('div', { class: 'cut' }, 'Long output was cut. ', h('button', { class: 'link', type: 'button', onclick: () => act.showWhole(m) }, 'Show all'));
}

function markdown(text: string): HTMLElement {
  const el = h('div', { class: 'md' });
  el.innerHTML = renderMarkdown(text);
  return el;
}

export function renderMessage(m: Message, act: TranscriptActions, ctx: TranscriptContext = { cwd: null, pendingApprovals: [] }): HTMLElement {
  const waiting = awaitsApproval(ctx.pendingApprovals, m.id);
  const pending = commandPendingBadge(m, waiting);
  const status = pending ? h('span', { class: `chip st-${pending.cls}` }, pending.text)
    : m.status && m.status !== 'completed' ? h('span', { class: `chip st-${m.status}` }, m.status) : null;
  switch (m.kind) {
    case 'user':
      if (m.review?.length) {
        // A review sent to the agent (issue 18): one card, file:line and the comment each.
        return h('div', { class: 'msg user review', 'data-id': m.id }, h('div', { class: 'review-card' },
          h('div', { class: 'review-head' }, reviewTitle(m.review)),
          h('ul', { class: 'review-list' }, ...m.review.map(c => h('li', {}, h('code', { class: 'review-where' }, reviewWhere(c)), h('div', { class: 'review-body' }, c.body))))));
      }
      return h('div', { class: 'msg user', 'data-id': m.id }, h('div', { class: 'bubble' }, m.text));
    case 'agent':
      return h('div', { class: `msg agent${m.status === 'interrupted' ? ' interrupted' : ''}`, 'data-id': m.id }, markdown(m.text),
        m.status === 'interrupted' ? h('div', { class: 'interrupted-marker', role: 'note' }, INTERRUPTED_MARKER) : null, cutNote(m, act));
    case 'reasoning':
      return h('details', { class: 'msg reasoning', 'data-id': m.id }, h('summary', {}, 'Thinking'), h('div', { class: 'muted pre' }, m.text));
    case 'command': {
      const failed = m.isError || (m.exitCode !== null && m.exitCode !== undefined && m.exitCode !== 0);
      return h('details', { class: `msg tool${failed ? ' failed' : ''}`, 'data-id': m.id },
        h('summary', {}, h('span', { class: 'codicon' }, '›_'), h('code', { class: 'cmd' }, m.command ?? m.text),
          m.exitCode !== null && m.exitCode !== undefined ? h('span', { class: `chip ${failed ? 'st-failed' : 'st-ok'}` }, `exit ${m.exitCode}`) : null, status),
        m.output ? h('pre', { class: 'out' }, m.output) : h('div', { class: 'muted pad-s' }, 'No output'), cutNote(m, act));
    }
    case 'fileChange': {
      const changes = m.changes ?? [];
      const head = fileChangeHead(m, changes.length, waiting);
      return h('details', { class: `msg tool${m.status === 'failed' || m.status === 'declined' ? ' failed' : ''}`, 'data-id': m.id },
        h('summary', {}, h('span', { class: 'codicon' }, '±'), h('span', { class: 'change-title' }, head.title),
          changes.length === 1 ? pathLabel(changes[0], ctx.cwd) : null,
          head.badge ? h('span', { class: `chip st-${head.badge.cls}` }, head.badge.text) : null),
        ...changes.map(c => h('div', { class: 'file' }, h('div', { class: 'file-head' }, h('span', { class: `chip k-${c.kind}` }, c.kind), pathLabel(c, ctx.cwd)), h('pre', { class: 'out diff' }, c.diff))),
        cutNote(m, act));
    }
    case 'plan':
      return h('div', { class: 'msg plan', 'data-id': m.id }, h('div', { class: 'label' }, 'Plan'),
        h('ol', {}, ...(m.plan ?? []).map(p => h('li', { class: `plan-${p.status}` }, p.step))));
    case 'error':
      return h('div', { class: 'msg error', 'data-id': m.id }, m.text);
    case 'turn':
    case 'system':
      return h('div', { class: 'msg system muted', 'data-id': m.id }, m.text);
    default:
      return h('details', { class: `msg tool${m.isError ? ' failed' : ''}`, 'data-id': m.id },
        h('summary', {}, h('span', { class: 'codicon' }, '⚙'), h('code', { class: 'cmd' }, m.toolName ?? m.kind), status),
        m.toolInput ? h('pre', { class: 'out' }, m.toolInput) : null, m.text ? h('pre', { class: 'out' }, m.output ?? m.text) : null, cutNote(m, act));
  }
}
