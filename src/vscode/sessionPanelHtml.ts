// The page of every Flightdeck webview (session panel, usage report), as webview/session/README.md
// specifies it: one bundled script and stylesheet from dist/ under a CSP that allows only that script
// (by nonce) and our own styles — no inline code, nothing remote.
import * as vscode from 'vscode';

export interface WebviewPage {
  /** Base name of the bundle in dist/: `<bundle>.js` and `<bundle>.css`. */
  bundle: string;
  nonce: string;
  /** data-* attributes of <body> (values escaped here). */
  data?: Record<string, string>;
  /** Also allow images from the extension's own files (img-src). */
  images?: boolean;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', file)).toString();
  const { nonce } = page;
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${webview.cspSource}; font-src ${webview.cspSource}${page.images ? `; img-src ${webview.cspSource}` : ''}`;
  const data = Object.entries(page.data ?? {}).map(([k, v]) => ` data-${k}="${escapeAttr(v)}"`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(asset(`${page.bundle}.css`))}">
</head>
<body${data}>
<div id="app"></div>
<script nonce="${nonce}" src="${escapeAttr(asset(`${page.bundle}.js`))}"></script>
</body></html>`;
}

export function sessionPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, sessionId: string, nonce: string): string {
  return webviewHtml(webview, extensionUri, { bundle: 'session', nonce, data: { 'session-id': sessionId } });
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
