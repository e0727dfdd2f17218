// One transcript item as a lit template. Agent text is markdown (sanitized); everything else the
// agent or a tool produced is shown as text, which lit escapes.
import { html, nothing, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { diffStats, formatDuration } from '../format';
import { renderMarkdown } from '../markdown';
import type { FileChange, Message } from '../types';
import { diffTemplate } from './diffView';
import { ITEM_STATUS_WORDS, INTERRUPTED_MARKER, displayPath, fileChangeHead } from '../../../src/engine/protocol/cardPolicy';
import { reviewTitle, reviewWhere } from '../../../src/engine/protocol/uiPolicy';

export interface MessageViewContext {
  isExpanded(id: string, part: string): boolean;
  setExpanded(id: string, part: string, open: boolean): void;
  openDiff(m: Message, change: FileChange): void;
  loadFullMessage(m: Message): void;
  copy(text: string): void;
  /** True while a pending approval of the session is about this item (it has not run yet). */
  awaitsApproval(id: string): boolean;
  /** The session's working directory: file paths are shown relative to it. */
  cwd(): string | null;
}

const markdownCache = new Map<string, { text: string; html: string }>();
const MARKDOWN_CACHE_SIZE = 400;

/** Markdown is re-parsed only when the text changed; rows scrolled back into view reuse it. */
function markdownHtml(m: Message): string {
  const hit = markdownCache.get(m.id);
  if (hit && hit.text === m.text) return hit.html;
  const rendered = renderMarkdown(m.text);
  if (markdownCache.size >= MARKDOWN_CACHE_SIZE) markdownCache.delete(markdownCache.keys().next().value!);
  markdownCache.set(m.id, { text: m.text, html: rendered });
  return rendered;
}

const blockCache = new Map<string, string>();
const BLOCK_CACHE_SIZE = 2_000;

/**
 * A reply that is still streaming, as markdown blocks: split at blank lines outside code fences (an
 * indented chunk stays with the one before: list continuations, indented code). Finished blocks are
 * rendered once and cached by their text; each delta renders only the growing last block, and lit
 * leaves the DOM of the unchanged ones alone — a 20,000-character reply is not re-parsed 200 times.
 * The finished message is rendered whole again (loose lists join up).
 */
export function streamingBlocks(text: string): string[] {
  const blocks: string[] = [];
  let open = false;
  for (const chunk of text.split(/\n[ \t]*\n/)) {
    const last = blocks.length - 1;
    if (last >= 0 && (open || /^[ \t]/.test(chunk))) blocks[last] += `\n\n${chunk}`;
    else blocks.push(chunk);
    if ((chunk.match(/^[ \t]{0,3}(```|~~~)/gm)?.length ?? 0) % 2 === 1) open = !open;
  }
  return blocks.map(b => {
    let rendered = blockCache.get(b);
    if (rendered === undefined) {
      rendered = renderMarkdown(b);
      if (blockCache.size >= BLOCK_CACHE_SIZE) blockCache.delete(blockCache.keys().next().value!);
      blockCache.set(b, rendered);
    }
    return rendered;
  });
}

function agentMarkdown(m: Message) {
  if (m.status === 'inProgress') return streamingBlocks(m.text).map(b => unsafeHTML(b));
  return unsafeHTML(markdownHtml(m));
}

function folded(m: Message, part: string, summary: TemplateResult | string, body: TemplateResult, ctx: MessageViewContext, cls = '') {
  return html`<details class="fold ${cls}" ?open=${ctx.isExpanded(m.id, part)}
    @toggle=${(e: Event) => ctx.setExpanded(m.id, part, (e.currentTarget as HTMLDetailsElement).open)}>
    <summary>${summary}</summary>${body}</details>`;
}

function truncatedNote(m: Message, ctx: MessageViewContext) {
  return m.truncated ? html`<button class="link-button" @click=${() => ctx.loadFullMessage(m)}>Cut for size — load the full item</button>` : nothing;
}

function lineCount(text: string): number {
  return text ? text.replace(/\n$/, '').split('\n').length : 0;
}

function commandTemplate(m: Message, ctx: MessageViewContext) {
  const waiting = m.status === 'inProgress' && ctx.awaitsApproval(m.id);
  const running = m.status === 'inProgress' && !waiting;
  const failed = !!m.isError || m.status === 'failed' || (m.exitCode !== null && m.exitCode !== undefined && m.exitCode !== 0);
  const badge = waiting ? html`<span class="badge warn">waiting for approval</span>`
    : running ? html`<span class="badge running">running…</span>`
    : m.exitCode !== null && m.exitCode !== undefined ? html`<span class="badge ${failed ? 'bad' : 'ok'}">exit ${m.exitCode}</span>`
      : failed ? html`<span class="badge bad">${m.status === 'declined' ? 'declined' : 'failed'}</span>` : html`<span class="badge">${ITEM_STATUS_WORDS[m.status ?? 'completed']}</span>`;
  const output = m.output ?? '';
  return html`<div class="card command ${failed ? 'failed' : ''}">
    <div class="card-head"><span class="glyph" aria-hidden="true">$</span><code class="cmd">${m.command ?? m.text}</code>${badge}
      ${m.durationMs ? html`<span class="muted">${formatDuration(m.durationMs)}</span>` : nothing}
      <button class="link-button copy" title="Copy the command" @click=${() => ctx.copy(m.command ?? m.text)}>Copy</button></div>
    ${m.cwd ? html`<div class="card-sub" title="working directory">in <code>${m.cwd}</code></div>` : nothing}
    ${output ? folded(m, 'output', `Output · ${lineCount(output)} line${lineCount(output) === 1 ? '' : 's'}`, html`<pre class="output">${output}</pre>`, ctx) : nothing}
    ${truncatedNote(m, ctx)}
  </div>`;
}

const KIND_LETTER: Record<FileChange['kind'], string> = { add: 'A', delete: 'D', update: 'M' };

/**
 * The row cuts a long path at its start ("…/deep/calc.py"): the text is an isolated left-to-right run
 * in a right-to-left box, so the ellipsis lands on the left and the slashes stay where they belong.
 */
export { displayPath };

export function fileRowTemplate(change: FileChange, onOpen: () => void, cwd: string | null = null) {
  const { added, removed } = diffStats(change.diff);
  const shown = displayPath(change.movePath ?? change.path, cwd);
  return html`<div class="file-row">
    <span class="file-kind ${change.kind}" title=${change.kind}>${KIND_LETTER[change.kind]}</span>
    <span class="file-path" title=${change.movePath ? `${change.path} → ${change.movePath}` : change.path}><bdi dir="ltr">${shown}</bdi></span>
    <span class="stat add">+${added}</span><span class="stat del">−${removed}</span>
    <button class="secondary small open-diff" title="Open in VS Code's diff editor" @click=${onOpen}>Open diff</button>
  </div>`;
}

function fileChangeTemplate(m: Message, ctx: MessageViewContext) {
  const changes = m.changes ?? [];
  const failed = m.status === 'failed' || m.status === 'declined';
  const head = fileChangeHead(m, changes.length, ctx.awaitsApproval(m.id));
  return html`<div class="card file-change ${failed ? 'failed' : ''}">
    <div class="card-head"><span class="glyph" aria-hidden="true">±</span><span class="title">${head.title}</span>
      ${head.badge ? html`<span class="badge ${head.badge.cls}">${head.badge.text}</span>` : nothing}</div>
    ${changes.map((c, i) => html`${fileRowTemplate(c, () => ctx.openDiff(m, c), ctx.cwd())}
      ${diffTemplate(c.diff, { maxLines: 12, expanded: ctx.isExpanded(m.id, `diff${i}`), onExpand: () => ctx.setExpanded(m.id, `diff${i}`, true) })}`)}
  </div>`;
}

const PLAN_MARK = { completed: '✓', inProgress: '◐', pending: '○' } as const;

export function planTemplate(steps: NonNullable<Message['plan']>, title = 'Plan') {
  const done = steps.filter(s => s.status === 'completed').length;
  return html`<div class="card plan">
    <div class="card-head"><span class="glyph" aria-hidden="true">☰</span><span class="title">${title}</span><span class="muted">${done}/${steps.length} done</span></div>
    <ul class="plan-steps">${steps.map(s => html`<li class="step ${s.status}"><span class="mark" aria-label=${s.status}>${PLAN_MARK[s.status]}</span>${s.step}</li>`)}</ul>
  </div>`;
}

function toolTemplate(m: Message, ctx: MessageViewContext, label: string, glyph: string) {
  const input = m.toolInput;
  return html`<div class="tool-line ${m.isError ? 'failed' : ''}"><span class="glyph" aria-hidden="true">${glyph}</span>
    <span class="tool-name">${label}</span><span class="tool-text">${m.text}</span></div>
    ${input ? folded(m, 'input', 'Input', html`<pre class="output">${input}</pre>`, ctx, 'tool-fold') : nothing}`;
}

/** "Read src/a.ts" under the label "Read" reads as "Read · src/a.ts": drop the repeated name. */
function withoutToolName(m: Message): Message {
  const name = m.toolName;
  return name && m.text.startsWith(name) && m.text.length > name.length ? { ...m, text: m.text.slice(name.length).trim() } : m;
}

export function messageTemplate(m: Message, ctx: MessageViewContext): TemplateResult {
  switch (m.kind) {
    case 'user':
      if (m.review?.length) return reviewTemplate(m);
      return html`<div class="msg user"><div class="bubble">${m.text}</div>${truncatedNote(m, ctx)}</div>`;
    case 'agent':
      return html`<div class="msg agent ${m.status === 'inProgress' ? 'streaming' : ''} ${m.status === 'interrupted' ? 'interrupted' : ''}"><div class="markdown">${agentMarkdown(m)}</div>
        ${m.status === 'interrupted' ? html`<div class="interrupted-marker" role="note">${INTERRUPTED_MARKER}</div>` : nothing}${truncatedNote(m, ctx)}</div>`;
    case 'reasoning':
      return html`<div class="msg reasoning">${folded(m, 'body', html`<span class="muted">Thinking</span> <span class="preview">${m.text.split('\n')[0]}</span>`, html`<div class="reasoning-text">${m.text}</div>`, ctx)}</div>`;
    case 'command':
      return commandTemplate(m, ctx);
    case 'fileChange':
      return fileChangeTemplate(m, ctx);
    case 'plan':
      return planTemplate(m.plan ?? [], m.text || 'Plan');
    case 'webSearch':
      return toolTemplate(m, ctx, 'Searched the web', '⌕');
    case 'mcpTool':
      return toolTemplate(withoutToolName(m), ctx, m.toolName ?? 'MCP tool', '⚙');
    case 'tool':
      return toolTemplate(withoutToolName(m), ctx, m.toolName ?? 'Tool', '⚙');
    case 'toolResult':
      return html`<div class="msg tool-result ${m.isError ? 'failed' : ''}">${folded(m, 'body', `${m.isError ? 'Tool error' : 'Result'}${m.toolName ? ` · ${m.toolName}` : ''} · ${lineCount(m.text)} line${lineCount(m.text) === 1 ? '' : 's'}`, html`<pre class="output">${m.text}</pre>`, ctx)}</div>`;
    case 'turn':
      return html`<div class="turn-separator" role="separator"><span>${m.text || 'Turn'}${m.durationMs ? ` · ${formatDuration(m.durationMs)}` : ''}${m.status && m.status !== 'completed' ? ` · ${m.status}` : ''}</span></div>`;
    case 'error':
      return html`<div class="card error-card" role="alert"><div class="card-head"><span class="glyph" aria-hidden="true">!</span><span class="title">Error</span></div><pre class="output">${m.text}</pre></div>`;
    case 'system':
      return html`<div class="msg system">${m.text}</div>`;
  }
}

/** A first guess of a row's height before it is measured (px); keeps the scrollbar roughly right. */
export function estimateHeight(m: Message): number {
  switch (m.kind) {
    case 'turn': case 'system': return 34;
    case 'webSearch': case 'mcpTool': case 'tool': case 'reasoning': case 'toolResult': return 36;
    case 'command': return 96;
    case 'fileChange': return 60 + (m.changes?.length ?? 1) * 230;
    case 'plan': return 52 + (m.plan?.length ?? 0) * 22;
    default: return 44 + Math.ceil(m.text.length / 90) * 20;
  }
}

/** A review sent to the agent (issue 18): one card listing file:line and each comment. */
function reviewTemplate(m: Message): TemplateResult {
  const comments = m.review ?? [];
  return html`<div class="msg user review"><div class="review-card" role="group" aria-label=${reviewTitle(comments)}>
    <div class="review-head">${reviewTitle(comments)}</div>
    <ul class="review-list">${comments.map(c => html`<li><code class="review-where">${reviewWhere(c)}</code><div class="review-body">${c.body}</div></li>`)}</ul>
  </div></div>`;
}
