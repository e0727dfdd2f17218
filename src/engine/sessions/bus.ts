// The event bus clients subscribe to. Events are the protocol's broadcast messages, so a transport
// forwards them as they are.
import type { ServerMessage } from '../protocol';

export type EngineEvent = Extract<ServerMessage, {
  type: 'session_created' | 'session_delta' | 'session_ended' | 'session_removed' | 'message_appended' |
  'message_updated' | 'approval_requested' | 'tokens_updated' | 'import_progress' |
  // A mirrored remote session lost events (issue 20): its followers ask again.
  'resync';
}>;

export type Listener = (e: EngineEvent) => void;

export class EventBus {
  private listeners = new Set<Listener>();
  constructor(private onListenerError: (e: unknown) => void = () => {}) {}
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }
  publish(e: EngineEvent): void {
    for (const l of this.listeners) {
      // A failing subscriber must not stop the others or the engine.
      try { l(e); } catch (err) { this.onListenerError(err); }
    }
  }
  get size(): number { return this.listeners.size; }
}
