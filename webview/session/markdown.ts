// Agent text → safe HTML. markdown-it with raw HTML off escapes any markup in the text and refuses
// javascript:/vbscript:/data: links; DOMPurify then sanitizes the result again, so a bug in one layer
// alone cannot put a script, an event handler or a script URL into the page.
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

const purifyConfig = {
  USE_PROFILES: { html: true },
  // Remote images would be blocked by the CSP anyway; forms and embeds have no business in a transcript.
  FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math'],
  FORBID_ATTR: ['style'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(md.render(text), purifyConfig) as string;
}

/** Links the host may open: the only ones a click in the transcript forwards. */
export function isOpenableLink(href: string): boolean {
  return /^(?:https?:|mailto:)/i.test(href);
}
