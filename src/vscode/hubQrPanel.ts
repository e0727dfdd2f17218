// Flightdeck: Show Hub QR Code — a webview with a QR code of the hub's sign-in link (the web client's
// address with the token in its fragment, which the client sends as the `bearer.<token>` subprotocol).
// A phone on the same network, or behind a tunnel or forwarded port, joins by scanning it. The page
// is static (no script): the SVG is drawn in the extension host, under a CSP that allows nothing else.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export const HUB_QR_VIEW_TYPE = 'flightdeck.hubQr';

export class HubQrPanel implements vscode.Disposable {
  /** The open panel (tests read its HTML through the extension API). */
  panel: vscode.WebviewPanel | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Opens (or refreshes and reveals) the panel for this link; `svg` is the QR code of `link`. */
  show(link: HubQrLink): vscode.WebviewPanel {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(HUB_QR_VIEW_TYPE, 'Flightdeck Hub QR Code', vscode.ViewColumn.Active,
        { enableScripts: false, localResourceRoots: [] });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'flightdeck.svg');
      this.panel.onDidDispose(() => { this.panel = undefined; });
    } else {
      this.panel.reveal(undefined, false);
    }
    this.panel.webview.html = hubQrHtml(link, randomBytes(16).toString('base64'));
    return this.panel;
  }

  dispose(): void { this.panel?.dispose(); }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

export interface HubQrLink {
  /** The hub's web address (the QR code holds it with the token). */
  httpUrl: string;
  /** The QR code of the sign-in link, as SVG. */
  svg: string;
  /** Who can reach that address: loopback (this machine), a wildcard bind, or one address. */
  reach: 'loopback' | 'wildcard' | 'address';
}

const REACH: Record<HubQrLink['reach'], string> = {
  loopback: 'The hub listens on loopback, so a phone reaches it only through a tunnel or a forwarded port (VS Code\'s <em>Ports</em> view): open the forwarded address with the token from <em>Flightdeck: Copy Hub URL and Token</em>, and list that origin in <code>flightdeck.hub.allowedOrigins</code>.',
  wildcard: 'The hub listens on every address of this machine: a phone opens it at this machine\'s network address (list that origin in <code>flightdeck.hub.allowedOrigins</code>).',
  address: 'A phone on the same network opens the hub by scanning this code and signs in by itself.',
};

export function hubQrHtml(link: HubQrLink, nonce: string): string {
  const reach = REACH[link.reach];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Flightdeck Hub QR Code</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 1.5em; max-width: 42em; }
  .qr { background: #fff; padding: 8px; width: min(320px, 80vw); border-radius: 4px; }
  .qr svg { display: block; width: 100%; height: auto; }
  .warn { color: var(--vscode-editorWarning-foreground); }
  code { font-family: var(--vscode-editor-font-family); }
</style></head>
<body>
<h2>Open the Flightdeck hub on a phone</h2>
<div class="qr" id="qr" role="img" aria-label="QR code of the hub's sign-in link">${link.svg}</div>
<p>It opens <code>${escapeHtml(link.httpUrl)}</code> with the hub's token. ${reach}</p>
<p class="warn">The code holds the token: whoever scans it can read every session and approve commands until
the token is rotated (<em>Flightdeck: Rotate Hub Token</em>, which also signs out every browser).</p>
</body></html>`;
}
