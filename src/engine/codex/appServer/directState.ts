// What the Codex direct connector remembers about its threads while it runs. Nothing here is
// persisted: the session state lives in the engine, the thread history in Codex's rollout.
import type { FileChange } from '../../protocol';
import type { RpcId } from './schemas';

/** A transcript item still streaming: the text (and command output) received so far. */
export interface LiveItem { messageId: string; kind: 'agent' | 'reasoning' | 'command' | 'plan' | 'other'; text: string; output: string }

export interface ThreadState {
  threadId: string;
  sessionId: string;
  /** The app-server generation this thread is loaded in; null = must be resumed before use. */
  loadedGen: number | null;
  loading: Promise<void> | null;
  /** Was loaded when its process died: resumed as soon as the new process is up. */
  resumeAfterRestart: boolean;
  turnId: string | null;
  /** Turns already finished (a late turn/start answer must not reopen them). */
  finishedTurns: Set<string>;
  live: Map<string, LiveItem>;
  /** file-change items of the current turn, by Codex item id: their diff goes into the approval. */
  fileChanges: Map<string, FileChange[]>;
}

/** A server request Flightdeck has to answer: an approval or a question. */
export interface OpenRequest {
  id: string;
  kind: 'exec' | 'fileChange' | 'question';
  threadId: string;
  sessionId: string;
  generation: number;
  rpcId: RpcId;
  /** The exec-policy amendment Codex proposed ("approved_always" sends it back). */
  amendment: string[] | null;
}

const FINISHED_TURNS_KEPT = 64;

export class DirectState {
  readonly threads = new Map<string, ThreadState>();
  readonly requests = new Map<string, OpenRequest>();

  track(threadId: string, sessionId: string): ThreadState {
    let st = this.threads.get(threadId);
    if (!st) {
      st = {
        threadId, sessionId, loadedGen: null, loading: null, resumeAfterRestart: false, turnId: null,
        finishedTurns: new Set(), live: new Map(), fileChanges: new Map(),
      };
      this.threads.set(threadId, st);
    }
    st.sessionId = sessionId;
    return st;
  }

  /** A thread got a new id (restarted from scratch): keep its state under the new key. */
  rekey(st: ThreadState, threadId: string): void {
    this.threads.delete(st.threadId);
    st.threadId = threadId;
    this.threads.set(threadId, st);
  }

  markFinished(st: ThreadState, turnId: string): void {
    st.finishedTurns.add(turnId);
    if (st.finishedTurns.size > FINISHED_TURNS_KEPT) st.finishedTurns.delete(st.finishedTurns.values().next().value as string);
  }

  requestsOf(threadId: string): OpenRequest[] { return [...this.requests.values()].filter(r => r.threadId === threadId); }

  findRequest(threadId: string, generation: number, rpcId: RpcId): OpenRequest | undefined {
    for (const r of this.requests.values()) if (r.threadId === threadId && r.generation === generation && r.rpcId === rpcId) return r;
    return undefined;
  }
}
