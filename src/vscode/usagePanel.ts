// The usage report panel (Flightdeck: Show Usage Report): one webview that draws the reports the
// engine answers to `usage_report` (by day, project, model and session, for the chosen range). It is
// live: a session's token usage changing (a session_delta carrying tokenUsage, on the list
// subscription the tree keeps) asks again, at most once a second.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ProtocolClient, ServerMessage, UsageGroupBy, UsageReport } from '../engine/protocol';
import type { EngineConnection } from './engineConnection';
import { webviewHtml } from './sessionPanelHtml';

export const USAGE_VIEW_TYPE = 'flightdeck.usage';
const REFRESH_MS = 1_000;
const GROUPS: UsageGroupBy[] = ['day', 'project', 'model', 'session'];

export class UsagePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private rangeDays: number | null = 30;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private listening: { client: ProtocolClient; off: () => void } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Reports posted so far (tests read it through the extension API). */
  posted = 0;

  constructor(private readonly extensionUri: vscode.Uri, private readonly connection: EngineConnection, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(connection.onDidChangeState(() => { if (this.panel) { this.listen(); this.schedule(0); } }));
  }

  show(): void {
    if (this.panel) { this.panel.reveal(undefined, false); return; }
    const panel = vscode.window.createWebviewPanel(USAGE_VIEW_TYPE, 'Flightdeck Usage', vscode.ViewColumn.Active, {
      enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'flightdeck.svg');
    panel.webview.html = usageHtml(panel.webview, this.extensionUri, randomBytes(16).toString('base64'));
    panel.webview.onDidReceiveMessage((m: { type?: string; days?: unknown }) => {
      if (m?.type === 'ready') this.schedule(0);
      if (m?.type === 'range') {
        this.rangeDays = typeof m.days === 'number' && Number.isInteger(m.days) && m.days > 0 ? m.days : null;
        this.schedule(0);
      }
    }, undefined, this.disposables);
    panel.onDidChangeViewState(() => { if (panel.visible) this.schedule(0); }, undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.listening?.off();
      this.listening = undefined;
      if (this.timer) clearTimeout(this.timer);
    }, undefined, this.disposables);
    this.panel = panel;
    this.listen();
  }

  dispose(): void {
    this.panel?.dispose();
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Follows token changes on the window's current client (a new one after a reconnect). */
  private listen(): void {
    const client = this.connection.current;
    if (!client || this.listening?.client === client) return;
    this.listening?.off();
    const off = client.on((m: ServerMessage) => {
      if ((m.type === 'session_delta' && m.changes.tokenUsage) || m.type === 'tokens_updated') this.schedule(REFRESH_MS);
    });
    this.listening = { client, off };
  }

  private schedule(delayMs: number): void {
    if (!this.panel) return;
    if (this.timer) { if (delayMs > 0) return; clearTimeout(this.timer); }
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, delayMs);
  }

  private async refresh(): Promise<void> {
    const panel = this.panel;
    if (!panel || !panel.visible) return;
    try {
      const client = await this.connection.client();
      const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      const since = this.rangeDays === null ? undefined : localDay(-(this.rangeDays - 1));
      const until = this.rangeDays === null ? undefined : localDay(0);
      const answers = await Promise.all(GROUPS.map(by => client.request({ type: 'usage_report', by, since, until, timezone })));
      const reports = Object.fromEntries(answers.map((a, i) => [GROUPS[i], a.report])) as Record<UsageGroupBy, UsageReport>;
      await panel.webview.postMessage({ type: 'usage', reports, rangeDays: this.rangeDays, updatedAt: new Date().toISOString() });
      this.posted++;
    } catch (e) {
      this.log.warn(`usage report: ${(e as Error).message}`);
      await panel.webview.postMessage({ type: 'error', message: `The usage report could not be loaded: ${(e as Error).message}` });
    }
  }
}

/** Today plus `offset` days, as YYYY-MM-DD in this machine's timezone. */
function localDay(offset: number): string {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The page: the bundled UI (dist/usage.js + .css) under the same CSP as the session panel. */
export function usageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce: string): string {
  return webviewHtml(webview, extensionUri, { bundle: 'usage', nonce, images: true });
}
