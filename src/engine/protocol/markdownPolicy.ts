// What agent markdown may become in any client (the session panel and the web client served to
// phones): one strict policy, as data, so both renderers apply exactly the same rules. markdown-it
// runs with raw HTML off; DOMPurify then applies this, so a bug in one layer alone cannot put a
// script, an event handler, an embed or a script URL into a page. Pure: no DOM, no Node imports.

/** markdown-it options: raw HTML is escaped, bare URLs become links, no typographic rewriting. */
export const MARKDOWN_OPTIONS = { html: false, linkify: true, breaks: false, typographer: false } as const;

/** DOMPurify options. */
export const SANITIZE_POLICY = {
  USE_PROFILES: { html: true },
  // Remote images would be blocked by the CSP anyway; forms and embeds have no business in a transcript.
  FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math'],
  FORBID_ATTR: ['style'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

/** Links a client may open on a click: web and mail only. */
export function isOpenableLink(href: string): boolean {
  return /^(?:https?:|mailto:)/i.test(href);
}
