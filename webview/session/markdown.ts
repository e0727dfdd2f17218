// Agent text → safe HTML under the one markdown policy of every client
// (src/engine/protocol/markdownPolicy.ts: markdown-it with raw HTML off, then DOMPurify).
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { MARKDOWN_OPTIONS, SANITIZE_POLICY } from '../../src/engine/protocol/markdownPolicy';

export { isOpenableLink } from '../../src/engine/protocol/markdownPolicy';

const md = new MarkdownIt(MARKDOWN_OPTIONS);

export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(md.render(text), SANITIZE_POLICY) as string;
}
