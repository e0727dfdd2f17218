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
import type { LineDecoder } from './jsonMemberCut';
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
  /** Decode each line without a member its reader never reads (jsonMemberCut.ts). */
  cut?: LineDecoder;
  chunkBytes?: number;
  maxBytesPerCall?: number;
}

export const TAIL_DEFAULTS = {
  maxLineBytes: 8 * 1024 * 1024,
  chunkBytes: 1024 * 1024,
  maxBytesPerCall: 16 * 1024 * 1024,
} as const;

const NEWLINE = 0x0a;

/** Where a complete line's bytes are: src[from, to), the line itself from `offset` to `end` in the file. */
type LineSink = (offset: number, end: number, src: Buffer, from: number, to: number) => void;

export function readAppended(file: string, from: TailPosition, opts: TailOptions = {}): TailRead {
  const lines: TailLine[] = [];
  const r = scanAppended(file, from, opts, (offset, end, src, a, b) => { lines.push({ offset, end, text: lineText(src, a, b, opts.cut) }); }, false);
  return { ...r, lines };
}

/**
 * The lines of one read, decoded only when asked for: `text(i)` makes line i's string. The history
 * import reads a megabyte per call; with every line decoded up front, the strings of lines not yet
 * parsed outlived a few young-generation collections and were promoted — about the size of the input,
 * collected later by full collections.
 */
export interface LazyLines {
  readonly length: number;
  offset(i: number): number;
  end(i: number): number;
  /** `cut`: how to decode the line (e.g. without a member its reader never reads: jsonMemberCut.ts). */
  text(i: number, cut?: LineDecoder): string;
}

export function readAppendedLazily(file: string, from: TailPosition, opts: TailOptions = {}): Omit<TailRead, 'lines'> & { lines: LazyLines } {
  const srcs: Buffer[] = [];
  const froms: number[] = [];
  const tos: number[] = [];
  const offsets: number[] = [];
  const ends: number[] = [];
  const r = scanAppended(file, from, opts, (offset, end, src, a, b) => {
    srcs.push(src); froms.push(a); tos.push(b); offsets.push(offset); ends.push(end);
  }, true);
  const lines: LazyLines = {
    length: offsets.length,
    offset: i => offsets[i],
    end: i => ends[i],
    text: (i, cut) => lineText(srcs[i], froms[i], tos[i], cut),
  };
  return { ...r, lines };
}

/** A line's text, as `cut` decodes it when there is one. */
function lineText(src: Buffer, from: number, to: number, cut: LineDecoder | undefined): string {
  return cut ? cut.decode(src, from, to) : src.toString('utf8', from, to);
}

/** The scan both share; `keepsBuffers`: the sink holds on to `src`, so no read reuses a buffer. */
function scanAppended(file: string, from: TailPosition, opts: TailOptions, sink: LineSink, keepsBuffers: boolean): Omit<TailRead, 'lines'> {
  const maxLine = opts.maxLineBytes ?? TAIL_DEFAULTS.maxLineBytes;
  const chunkBytes = opts.chunkBytes ?? TAIL_DEFAULTS.chunkBytes;
  const budget = opts.maxBytesPerCall ?? TAIL_DEFAULTS.maxBytesPerCall;
  const out: Omit<TailRead, 'lines'> = {
    offset: from.offset, carry: from.carry ?? null, oversized: [], invalidUtf8: 0,
    restarted: false, missing: false, more: false, size: 0,
  };
  /** The bytes read last are valid UTF-8 as a whole, so each line cut from them at a newline is too. */
  let chunkValid = false;
  /** A complete line: trailing `\r` dropped, empty lines skipped, invalid UTF-8 counted. */
  const pushLine = (offset: number, end: number, src: Buffer, a: number, b: number, inChunk: boolean) => {
    if (b > a && src[b - 1] === 0x0d) b--;
    if (b === a) return;
    if (!(inChunk && chunkValid) && !isUtf8(src.subarray(a, b))) out.invalidUtf8++;
    sink(offset, end, src, a, b);
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
    let buf = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, st.size - pos)));

    while (pos < st.size && readThisCall < budget) {
      // Lines handed out undecoded point into the buffer: then each read gets its own.
      if (keepsBuffers && readThisCall > 0) buf = Buffer.allocUnsafe(buf.length);
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, st.size - pos), pos);
      if (n <= 0) break;
      // One check per read instead of one per line (a cut multi-byte character at either end of the
      // read fails it: then each line is checked).
      chunkValid = isUtf8(buf.subarray(0, n));
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(NEWLINE, start);
        if (nl === -1 || nl >= n) {
          const restLen = n - start;
          if (!oversized && pendingLen + restLen > maxLine) { oversized = true; pending = []; }
          if (!oversized) pending.push(Buffer.from(buf.subarray(start, n)));
          pendingLen += restLen;
          break;
        }
        const lineLen = pendingLen + (nl - start);
        const end = pos + nl + 1;
        if (oversized || lineLen > maxLine) {
          out.oversized.push({ offset: lineStart, bytes: lineLen });
        } else if (pending.length) {
          const bytes = Buffer.concat([...pending, buf.subarray(start, nl)]);
          pushLine(lineStart, end, bytes, 0, bytes.length, false);
        } else {
          pushLine(lineStart, end, buf, start, nl, true);
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
