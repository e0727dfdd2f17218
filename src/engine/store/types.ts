// What the engine needs from persistence. One implementation (sqliteStore) over the Db interface.
import type { HistoryGroup, HistoryScope, Message, MessagePatch, SearchFilters, SearchHit, Session } from '../protocol';
import type { HistoryPageQuery } from './history';

export interface SourceOffset { path: string; sessionId: string | null; providerSessionId: string | null; offset: number }

export interface Store {
  readonly driver: string;
  readonly ftsAvailable: boolean;
  loadRecentSessions(limit: number): Session[];
  getSession(id: string): Session | undefined;
  findSessionByProviderId(provider: string, providerSessionId: string): Session | undefined;
  saveSession(session: Session): void;
  /** Removes the session and (cascade) its messages and their FTS rows. Queued like every write. */
  deleteSession(id: string): void;
  saveMessage(message: Message): void;
  patchMessage(patch: MessagePatch): void;
  getMessage(id: string): Message | undefined;
  /** Whether a message with this id was committed (queued writes are not seen: the engine tracks those). */
  hasCommittedMessage(id: string): boolean;
  /** Messages of a session in seq order: the `limit` before `beforeSeq` (or the latest). */
  getMessages(sessionId: string, opts?: { beforeSeq?: number; limit?: number }): Message[];
  maxSeq(sessionId: string): number;
  countMessages(sessionId: string): number;
  /** Newest hits first, with their session's name, agent and project. */
  search(query: string, limit: number, filters?: SearchFilters): SearchHit[];
  /** Projects of past sessions (cwd undefined) or the days of one project, with counts. */
  historyGroups(q: { cwd?: string | null; scope?: HistoryScope; utcOffsetMinutes?: number }): HistoryGroup[];
  historySessions(q: HistoryPageQuery): { sessions: Session[]; nextCursor: string | null };
  /** Ended sessions last active before the cutoff, oldest first (retention). */
  endedBefore(cutoffIso: string, limit: number): string[];
  getOffset(path: string): SourceOffset | undefined;
  /** Queued like every write, so an offset commits in the same flush as the messages read before it. */
  setOffset(o: SourceOffset): void;
  listOffsets(): SourceOffset[];
  getKv(key: string): string | undefined;
  setKv(key: string, value: string): void;
  flush(): void;
  close(): void;
}
