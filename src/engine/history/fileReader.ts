// What the importer's read loop needs from a provider's file reader (codexFile.ts, claudeFile.ts).
import type { LineDecoder } from '../platform/jsonMemberCut';
import type { Provider } from '../protocol';
import type { SourceOffset, Store } from '../store/types';
import type { HistorySession } from './historySession';

/**
 * - ok: go on;
 * - live: the session is held by the engine (a live rule picked it up): the file is the live rules' now;
 * - excluded: the file belongs to a session whose items come from elsewhere (Codex direct);
 * - orphan: a subagent transcript whose parent session is unknown.
 */
export type LineOutcome = 'ok' | 'live' | 'excluded' | 'orphan';

/** Ends the whole import, not just the file it happened in (the writing thread is gone). */
export class FatalImportError extends Error {}

/** Counts of what was skipped or odd, for the import summary. */
export interface ImportCounts {
  files: number;
  unchanged: number;
  sessionsCreated: number;
  items: number;
  lines: number;
  invalidJson: number;
  invalidLines: number;
  invalidUtf8: number;
  oversizedLines: number;
  partialLastLines: number;
  vanished: number;
  shrank: number;
  unreadable: number;
  notRegular: number;
  symlinksSkipped: number;
  live: number;
  excluded: number;
  orphans: number;
  recentSkipped: number;
  /** Files whose items the writing thread could not store (logged; the next import reads them again from their last commit). */
  notStored: number;
}

export function emptyCounts(): ImportCounts {
  return {
    files: 0, unchanged: 0, sessionsCreated: 0, items: 0, lines: 0, invalidJson: 0, invalidLines: 0, invalidUtf8: 0,
    oversizedLines: 0, partialLastLines: 0, vanished: 0, shrank: 0, unreadable: 0, notRegular: 0, symlinksSkipped: 0,
    live: 0, excluded: 0, orphans: 0, recentSkipped: 0, notStored: 0,
  };
}

/**
 * What the import needs of a store: the SQLite store itself (an import on one thread), or the mapping
 * thread's view of it when another thread writes (importPipe.ts: its reads see what was sent, not yet written).
 */
export type ImportStore = Pick<Store,
  | 'listOffsets' | 'getSession' | 'findSessionByProviderId' | 'maxSeq' | 'hasCommittedMessage' | 'hasTokenUsage'
  | 'recordTokenUsage' | 'insertTokenUsage' | 'saveSession' | 'saveImportBatch' | 'atomic' | 'beginGroup' | 'commitGroup'
  | 'beginBulkWrite' | 'fillSearchIndex' | 'endBulkWrite' | 'pauseAutoCheckpoint' | 'checkpointWal'>;

export interface FileContext {
  path: string;
  store: ImportStore;
  stats: ImportCounts;
  /** Whether the engine holds this session in memory (then it is live, not history). */
  isLoaded(provider: Provider, providerSessionId: string): boolean;
  /** The file's mtime: a session's start when no line says when. */
  fileTimeMs: number;
}

export interface HistoryFileReader {
  /** The session the file feeds, once a line (or the stored offset) named it. */
  readonly target: HistorySession | null;
  readonly providerSessionId: string | null;
  /** Continue from a stored offset: bind to its session and restore the per-file reading state. */
  resume(known: SourceOffset): LineOutcome;
  /** The file shrank or was replaced: it is read again from 0. */
  restart(): void;
  line(text: string, offset: number): LineOutcome;
  /** How this reader's lines are decoded (e.g. without a member it never reads: jsonMemberCut.ts); else as UTF-8. */
  readonly lineDecoder?: LineDecoder;
  /** The reader's state to commit with the offset (sources.state), so a resumed read gives the same items. */
  checkpointState(): string | null;
  /** Small state to commit with it (kv). */
  checkpointKv?(): [string, string][];
}
