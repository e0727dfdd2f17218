// A unified diff as coloured lines (+ added, - removed, @@ hunk headers). The engine already sends
// unified diffs, so nothing is computed here; long diffs are cut to a few lines unless expanded.
import { html, nothing, type TemplateResult } from 'lit';

function lineClass(line: string): string {
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'ctx';
}

/** Body lines of a unified diff: the ---/+++ file headers are dropped (the path is shown above). */
export function diffLines(diff: string): string[] {
  const lines = diff.replace(/\n$/, '').split('\n');
  return lines.filter(l => !l.startsWith('--- ') && !l.startsWith('+++ ') && !l.startsWith('diff --git') && !l.startsWith('index '));
}

export function diffTemplate(diff: string, opts: { maxLines?: number; expanded?: boolean; onExpand?: () => void } = {}): TemplateResult {
  const lines = diffLines(diff);
  const limit = opts.expanded || !opts.maxLines ? lines.length : opts.maxLines;
  const shown = lines.slice(0, limit);
  const hidden = lines.length - shown.length;
  return html`<div class="diff" role="figure" aria-label="diff">${shown.map(l => html`<div class="diff-line ${lineClass(l)}">${l || ' '}</div>`)}${hidden > 0
    ? html`<button class="link-button diff-more" @click=${opts.onExpand}>Show ${hidden} more line${hidden === 1 ? '' : 's'}</button>`
    : nothing}</div>`;
}
