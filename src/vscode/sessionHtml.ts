// The read-only session page: the session's last messages as static HTML. No scripts; agent text is
// rendered by markdown-it with raw HTML off (so it is escaped), everything else through escapeHtml.
import MarkdownIt from 'markdown-it';
import type { Message, Session } from '../engine/protocol';
import { PROVIDER_LABELS, describeSession, formatTokens, percent } from './sessionPresentation';

const markdown = new MarkdownIt({ html: false, linkify: false, breaks: false });

export const MESSAGES_SHOWN = 50;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface PageContext { cspSource: string; nonce: string; now: number }

export function sessionPageHtml(session: Session, messages: Message[], ctx: PageContext): string {
  const shown = messages.slice(-MESSAGES_SHOWN);
  const older = messages.length - shown.length;
  const csp = `default-src 'none'; style-src 'nonce-${ctx.nonce}'; img-src ${ctx.cspSource} data:;`;
  const t = session.tokenUsage;
  const facts = [
    `${PROVIDER_LABELS[session.provider]} · ${session.mode}`,
    describeSession(session, ctx.now),
    session.model,
    `${formatTokens(t.input)} in · ${formatTokens(t.output)} out · context ${percent(session.contextFill)}`,
  ].filter((x): x is string => !!x);
  return `<!DOCTYPE html>
<html lang="en"><head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${ctx.nonce}">${STYLE}</style>
<title>${escapeHtml(session.displayName)}</title>
</head><body>
<header>
  <h1 id="title">${escapeHtml(session.displayName)}</h1>
  <p class="facts">${facts.map(escapeHtml).join(' <span class="sep">•</span> ')}</p>
  ${session.cwd ? `<p class="cwd"><code>${escapeHtml(session.cwd)}</code></p>` : ''}
</header>
${pendingHtml(session)}
<main id="messages">
${older > 0 ? `<p class="more">${older} earlier messages not shown</p>` : ''}
${shown.length ? shown.map(renderMessage).join('\n') : '<p class="empty">No messages yet.</p>'}
</main>
</body></html>`;
}

/** What the session waits for, on top: deciding happens in the sidebar (or the notification) for now. */
function pendingHtml(s: Session): string {
  const a = s.pendingApproval;
  if (a) {
    const what = a.command ? `<pre>$ ${escapeHtml(a.command)}</pre>` : `<p>${escapeHtml(a.toolName ?? a.kind)}</p>`;
    const files = (a.changes ?? []).map(c => `<li><code>${escapeHtml(c.path)}</code> <span class="dim">${escapeHtml(c.kind)}</span></li>`).join('');
    return `<section id="pending" class="pending"><div class="who">Waiting for your approval</div>${what}` +
      `${files ? `<ul>${files}</ul>` : ''}${a.reason ? `<p class="dim">${escapeHtml(a.reason)}</p>` : ''}` +
      '<p class="hint">Approve or deny it from the Flightdeck sidebar.</p></section>';
  }
  const q = s.pendingQuestion;
  if (q) {
    const items = q.questions.map(x => `<p>${escapeHtml(x.question)}</p>` +
      (x.options?.length ? `<ul>${x.options.map(o => `<li>${escapeHtml(o.label)}</li>`).join('')}</ul>` : '')).join('');
    return `<section id="pending" class="pending"><div class="who">The agent asks</div>${items}</section>`;
  }
  return '';
}

function renderMessage(m: Message): string {
  const kind = escapeHtml(m.kind);
  switch (m.kind) {
    case 'user':
    case 'agent':
      return `<section class="msg ${kind}"><div class="who">${m.kind === 'user' ? 'You' : 'Agent'}</div><div class="body">${markdown.render(m.text)}</div></section>`;
    case 'command': {
      const exit = m.exitCode !== null && m.exitCode !== undefined ? ` <span class="exit${m.exitCode === 0 ? '' : ' bad'}">exit ${m.exitCode}</span>` : '';
      const output = m.output ? `<pre class="output">${escapeHtml(m.output)}</pre>` : '';
      return `<section class="msg command"><div class="who">Command${exit}</div><pre>$ ${escapeHtml(m.command ?? m.text)}</pre>${output}</section>`;
    }
    case 'fileChange': {
      const files = (m.changes ?? []).map(c => `<li><code>${escapeHtml(c.path)}</code> <span class="dim">${escapeHtml(c.kind)}</span></li>`).join('');
      return `<section class="msg fileChange"><div class="who">Files changed</div><ul>${files || `<li>${escapeHtml(m.text)}</li>`}</ul></section>`;
    }
    case 'error':
      return `<section class="msg error"><div class="who">Error</div><pre>${escapeHtml(m.text)}</pre></section>`;
    default:
      return `<section class="msg ${kind}"><div class="who">${kind}</div><pre>${escapeHtml(m.toolName ? `${m.toolName}: ${m.text}` : m.text)}</pre></section>`;
  }
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); padding: 0 20px 24px; max-width: 920px; }
header { border-bottom: 1px solid var(--vscode-panel-border); padding: 8px 0 12px; margin-bottom: 12px; }
h1 { font-size: 1.35em; font-weight: 600; margin: 8px 0 6px; }
.facts, .cwd, .more, .empty, .dim { color: var(--vscode-descriptionForeground); margin: 2px 0; }
.sep { opacity: .6; }
.msg { margin: 10px 0; padding: 8px 12px; border-radius: 6px; background: var(--vscode-editorWidget-background);
  border: 1px solid var(--vscode-widget-border, transparent); }
.msg.user { border-left: 3px solid var(--vscode-textLink-foreground); }
.msg.error { border-left: 3px solid var(--vscode-errorForeground); }
.who { font-size: .85em; font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
  color: var(--vscode-descriptionForeground); margin-bottom: 4px; }
.body > :first-child { margin-top: 0; } .body > :last-child { margin-bottom: 0; }
pre { white-space: pre-wrap; word-break: break-word; font-family: var(--vscode-editor-font-family); margin: 4px 0; }
pre.output { color: var(--vscode-descriptionForeground); max-height: 16em; overflow: auto; }
code { font-family: var(--vscode-editor-font-family); }
.exit { font-weight: normal; text-transform: none; } .exit.bad { color: var(--vscode-errorForeground); }
ul { margin: 4px 0; padding-left: 20px; }
.pending { margin: 0 0 14px; padding: 10px 14px; border-radius: 6px; border: 1px solid var(--vscode-editorWarning-foreground);
  background: var(--vscode-inputValidation-warningBackground, transparent); }
.pending p { margin: 4px 0; } .pending .who { color: var(--vscode-editorWarning-foreground); }
.hint { color: var(--vscode-descriptionForeground); font-size: .9em; }
`;
