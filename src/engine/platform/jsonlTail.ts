/**
 * Reading what was appended to a growing JSONL file, from a byte offset. Shared by the Codex
 * rollout watcher and the Claude transcript tailer.
 *
 * Rules:
 * - `offset` is the committed position: the byte just after the last complete line handed out.
 *   It is always on a line boundary, so it is safe to persist and to resume from after a crash.
 * - A line is complete when its `\n` has arrived. The bytes of an unfinished last line are carried
 *   in memory (`carry`) until the newline comes; the offset does not move past them.
 * - Lines are decoded as UTF-8 with replacement characters; lines that were not valid UTF-8 are
 *   counted. A trailing `\r` is dropped; empty lines are skipped.
 * - A line longer than `maxLineBytes` is never buffered whole: once it passes the cap its bytes are
 *   dropped while scanning on to its newline, and it is reported in `oversized`.
 * - The file shrank below the offset, or was replaced (another inode) → start over from 0
 *   (`restarted`). A missing file is reported (`missing`), not thrown; so is anything that is not a
 *   regular file (a FIFO, a symlink to a device: `notRegular`), which is never opened blocking.
 * - Reads go in chunks of `chunkBytes`, at most `maxBytesPerCall` per call; `more` says that the
 *   file has unread bytes left, so the caller can yield and call again.
 */
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { NotRegularFileError, openRegularFile } from './regularFile';

export interface TailCarry {
  /** Where scanning resumes (≥ offset): the bytes in [offset, scanFrom) were already seen. */
  scanFrom: number;
  /** Bytes of the unfinished line that starts at offset (empty when the line is oversized). */
  pending: Buffer;
  /** The line that starts at offset already passed the cap; its bytes are being dropped. */
  oversized: boolean;
  /** Identity of the file read, to notice a replaced file. */
  ino: number;
}

export interface TailPosition { offset: number; carry?: TailCarry | null }

export interface TailLine {
  /** Byte offset where the line starts: a stable id for it within the file. */
  offset: number;
  /** Byte offset just after its newline. */
  end: number;
  text: string;
}

export interface TailRead {
  lines: TailLine[];
  /** The new committed offset (after the last complete line, skipped ones included). */
  offset: number;
  /** Pass back in the next call (null only when the file is missing). */
  carry: TailCarry | null;
  /** Lines dropped for being longer than maxLineBytes, with their start and length. */
  oversized: { offset: number; bytes: number }[];
  /** Lines that were not valid UTF-8 (handed out with replacement characters). */
  invalidUtf8: number;
  /** The file shrank or was replaced, so reading started over from 0. */
  restarted: boolean;
  missing: boolean;
  /** Set (with missing) when the path is not a regular file: what it is, for the log. */
  notRegular?: string;
  /** Unread bytes remain (the per-call budget ran out). */
  more: boolean;
  size: number;
}

export interface TailOptions {
  maxLineBytes?: number;
  chunkBytes?: number;
  maxBytesPerCall?: number;
}

export const TAIL_DEFAULTS = {
  maxLineBytes: 8 * 1024 * 1024,
  chunkBytes: 1024 * 1024,
  maxBytesPerCall: 16 * 1024 * 1024,
} as const;

const NEWLINE = 0x0a;

export function readAppended(file: string, from: TailPosition, opts: TailOptions = {}): TailRead {
  const maxLine = opts.maxLineBytes ?? TAIL_DEFAULTS.maxLineBytes;
  const chunkBytes = opts.chunkBytes ?? TAIL_DEFAULTS.chunkBytes;
  const budget = opts.maxBytesPerCall ?? TAIL_DEFAULTS.maxBytesPerCall;
  const out: TailRead = {
    lines: [], offset: from.offset, carry: from.carry ?? null, oversized: [], invalidUtf8: 0,
    restarted: false, missing: false, more: false, size: 0,
  };

  let fd: number;
  try {
    fd = openRegularFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') { out.missing = true; out.carry = null; return out; }
    if (e instanceof NotRegularFileError) { out.missing = true; out.carry = null; out.notRegular = e.message; return out; }
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    out.size = st.size;
    let carry = from.carry ?? null;
    let offset = from.offset;
    const replaced = carry !== null && carry.ino !== st.ino;
    if (replaced || st.size < offset || (carry !== null && st.size < carry.scanFrom)) {
      offset = 0;
      carry = null;
      out.restarted = true;
    }

    let lineStart = offset;
    let pending: Buffer[] = carry && carry.pending.length ? [carry.pending] : [];
    // Bytes of the unfinished line seen so far (dropped ones included when it is oversized).
    let pendingLen = carry ? carry.scanFrom - offset : 0;
    let oversized = carry?.oversized ?? false;
    let pos = carry?.scanFrom ?? offset;
    let readThisCall = 0;
    // No bigger than what is left to read: a chunk-sized buffer per call for a 2 KB file is external
    // memory V8 must collect (50,000 small transcripts spent a quarter of the import in GC).
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, st.size - pos)));

    while (pos < st.size && readThisCall < budget) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, st.size - pos), pos);
      if (n <= 0) break;
      const chunk = buf.subarray(0, n);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, start);
        if (nl === -1) {
          const restLen = n - start;
          if (!oversized && pendingLen + restLen > maxLine) { oversized = true; pending = []; }
          if (!oversized) pending.push(Buffer.from(chunk.subarray(start, n)));
          pendingLen += restLen;
          break;
        }
        const piece = chunk.subarray(start, nl);
        const lineLen = pendingLen + piece.length;
        const end = pos + nl + 1;
        if (oversized || lineLen > maxLine) {
          out.oversized.push({ offset: lineStart, bytes: lineLen });
        } else {
          const bytes = pending.length ? Buffer.concat([...pending, piece]) : piece;
          pushLine(out, lineStart, end, bytes);
        }
        pending = [];
        pendingLen = 0;
        oversized = false;
        lineStart = end;
        offset = end;
        start = nl + 1;
      }
      pos += n;
      readThisCall += n;
    }

    out.offset = offset;
    out.more = pos < st.size;
    out.carry = { scanFrom: pos, pending: oversized ? Buffer.alloc(0) : Buffer.concat(pending), oversized, ino: st.ino };
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

function pushLine(out: TailRead, offset: number, end: number, bytes: Buffer): void {
  let len = bytes.length;
  if (len > 0 && bytes[len - 1] === 0x0d) len--;
  if (len === 0) return;
  const body = bytes.subarray(0, len);
  if (!isUtf8(body)) out.invalidUtf8++;
  out.lines.push({ offset, end, text: body.toString('utf8') });
}
