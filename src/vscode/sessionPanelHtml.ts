// The page of a session panel, exactly as webview/session/README.md specifies it: the bundled UI
// (dist/session.js + .css) under a CSP that allows only that script (by nonce) and our own styles.
import * as vscode from 'vscode';

export function sessionPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, sessionId: string, nonce: string): string {
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', file)).toString();
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${webview.cspSource}; font-src ${webview.cspSource}`;
  return `<!DOCTYPE html>
<html lang="en"><head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(asset('session.css'))}">
</head>
<body data-session-id="${escapeAttr(sessionId)}">
<div id="app"></div>
<script nonce="${nonce}" src="${escapeAttr(asset('session.js'))}"></script>
</body></html>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
