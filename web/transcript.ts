// One transcript item per kind. Agent text is markdown (sanitized); everything else is text nodes.
import type { Message } from '../src/engine/protocol';
import { h } from './dom';
import { renderMarkdown } from './markdown';

export interface TranscriptActions { showWhole(m: Message): void }

function cutNote(m: Message, act: TranscriptActions): HTMLElement | null {
  if (!m.truncated) return null;
  return h('div', { class: 'cut' }, 'Long output was cut. ', h('button', { class: 'link', type: 'button', onclick: () => act.showWhole(m) }, 'Show all'));
}

function markdown(text: string): HTMLElement {
  const el = h('div', { class: 'md' });
  el.innerHTML = renderMarkdown(text);
  return el;
}

export function renderMessage(m: Message, act: TranscriptActions): HTMLElement {
  const status = m.status && m.status !== 'completed' ? h('span', { class: `chip st-${m.status}` }, m.status === 'inProgress' ? 'running' : m.status) : null;
  switch (m.kind) {
    case 'user':
      return h('div', { class: 'msg user', 'data-id': m.id }, h('div', { class: 'bubble' }, m.text));
    case 'agent':
      return h('div', { class: 'msg agent', 'data-id': m.id }, markdown(m.text), cutNote(m, act));
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
      return h('details', { class: 'msg tool', 'data-id': m.id },
        h('summary', {}, h('span', { class: 'codicon' }, '±'), `${changes.length === 1 ? 'Changed' : `Changed ${changes.length} files`}`,
          changes.length === 1 ? h('code', { class: 'cmd' }, changes[0].path) : null, status),
        ...changes.map(c => h('div', { class: 'file' }, h('div', { class: 'file-head' }, h('span', { class: `chip k-${c.kind}` }, c.kind), h('code', {}, c.path)), h('pre', { class: 'out diff' }, c.diff))),
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
