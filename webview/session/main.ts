// Entry of the session webview bundle (dist/session.js + dist/session.css). The host page puts the
// session id in <body data-session-id>; on a reload VS Code hands back the state saved last time.
import './session.css';
import { SessionApp, type SavedState } from './app';
import { connectHost } from './hostBridge';
import { VsCodeTransport } from './vscodeTransport';

function boot(): void {
  const root = document.getElementById('app') ?? document.body;
  const port = connectHost();
  const saved = port.getState() as SavedState | undefined;
  const sessionId = document.body.dataset.sessionId || saved?.sessionId;
  if (!sessionId) {
    root.textContent = 'Flightdeck: this panel was opened without a session.';
    return;
  }
  new SessionApp(root, port, new VsCodeTransport(port), sessionId, saved).start();
}

boot();
