// Agent text is markdown from a model: rendered under the one markdown policy of every client
// (src/engine/protocol/markdownPolicy.ts, the same as the VS Code panel's), since it ends up in
// innerHTML. Links open in a new tab, without access to this page.
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { MARKDOWN_OPTIONS, SANITIZE_POLICY, isOpenableLink } from '../src/engine/protocol/markdownPolicy';

const md = new MarkdownIt(MARKDOWN_OPTIONS);

DOMPurify.addHook('afterSanitizeAttributes', node => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (!isOpenableLink(href) && !href.startsWith('#')) node.removeAttribute('href');
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const cache = new Map<string, string>();

export function renderMarkdown(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const html = DOMPurify.sanitize(md.render(text), SANITIZE_POLICY) as string;
  if (cache.size > 2_000) cache.clear();
  cache.set(text, html);
  return html;
}
