/**
 * Decoding a JSON line without one object member its reader never looks at.
 *
 * Claude Code writes each tool's result twice on a line: as the `tool_result` block the model saw
 * and again under `toolUseResult` (a command's stdout, a read file's content, an edit's whole
 * original file). Nothing Flightdeck maps reads `toolUseResult`, yet decoding and `JSON.parse`
 * of it was about half of the work on lines with large outputs. Cutting the member out of the bytes
 * first costs a search for its key (native), one `indexOf` per string inside the value, and a copy
 * of the rest of the line.
 *
 * Why the key is found safely by a byte search: inside a JSON string every `"` is escaped, so
 * `,"name":` (a quote right after a comma) can only be a member's key. A value that does not end
 * where the scan expects (a truncated or malformed line) leaves the line whole: `JSON.parse` then
 * reports it as before. The cut happens at ASCII bytes, so the UTF-8 of the rest stays intact.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const SCRATCH_KEPT = 256 * 1024;

/** Turns one line of a file (src[from, to), without its newline) into the text its reader parses. */
export interface LineDecoder {
  decode(src: Buffer, from: number, to: number): string;
}

export const NO_INSERT = Buffer.alloc(0);

/**
 * Where a line is put together before decoding (reused: an allocation per line cost more than the cut
 * saved on short lines). Made at the first splice, not when a process loads a decoder.
 */
let scratch = Buffer.alloc(0);

/**
 * `line` decoded as UTF-8 with the byte ranges of `cuts` (start, end pairs, in order) replaced by
 * `inserts` (one per range; an empty one leaves the range out). The ranges must fall at ASCII bytes,
 * so the UTF-8 around them stays intact.
 */
export function decodeSpliced(line: Buffer, cuts: readonly number[], inserts: readonly Buffer[]): string {
  let length = line.length;
  for (let i = 0; i < cuts.length; i += 2) length += inserts[i / 2].length - (cuts[i + 1] - cuts[i]);
  if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, SCRATCH_KEPT));
  let at = 0;
  let from = 0;
  for (let i = 0; i < cuts.length; i += 2) {
    at += line.copy(scratch, at, from, cuts[i]);
    at += inserts[i / 2].copy(scratch, at);
    from = cuts[i + 1];
  }
  at += line.copy(scratch, at, from, line.length);
  const text = scratch.toString('utf8', 0, at);
  // A buffer sized for one huge line is not kept for the rest of the import.
  if (scratch.length > SCRATCH_KEPT) scratch = Buffer.alloc(0);
  return text;
}

export class JsonMemberCut implements LineDecoder {
  private readonly needle: Buffer;

  /** `minBytes`: shorter lines are decoded whole (the search would cost more than it saves). */
  constructor(name: string, private readonly minBytes = 0) {
    this.needle = Buffer.from(`,"${name}":`, 'utf8');
  }

  /** src[from, to) decoded as UTF-8, without the member (its first occurrence as a non-first member). */
  decode(src: Buffer, from: number, to: number): string {
    if (to - from < this.minBytes) return src.toString('utf8', from, to);
    // Searches in a view of the line alone: on the whole read buffer a line without the member had
    // its search run on through the lines after it, up to a megabyte for each line.
    const line = src.subarray(from, to);
    const member = this.find(line);
    return member ? decodeSpliced(line, [member.at, member.end], [NO_INSERT]) : line.toString('utf8');
  }

  /** Where the member is in a line (from its comma to the end of its value), or null. */
  find(line: Buffer): { at: number; end: number } | null {
    const at = line.indexOf(this.needle);
    if (at === -1) return null;
    const end = valueEnd(line, at + this.needle.length);
    return end === -1 ? null : { at, end };
  }
}

/**
 * Where the JSON value starting at `p` ends (the index just after it), or -1 when it does not end in
 * `src` as a value followed by `,` or `}`. Strings are skipped with a native search for their closing
 * quote, which runs to the end of `src`: hence a view of the line, not bounds within a larger buffer.
 */
export function valueEnd(src: Buffer, p: number): number {
  const to = src.length;
  /** The closing byte each open object or array expects, innermost last. */
  const closers: number[] = [];
  while (p < to) {
    const c = src[p];
    if (c === QUOTE) {
      p = stringEnd(src, p + 1);
      if (p === -1) return -1;
      if (closers.length === 0) return followedByEnd(src, p) ? p : -1;
      continue;
    }
    if (c === OPEN_BRACE) closers.push(CLOSE_BRACE);
    else if (c === OPEN_BRACKET) closers.push(CLOSE_BRACKET);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (closers.length === 0) return c === CLOSE_BRACE ? p : -1; // a scalar ended by its object's end
      if (closers.pop() !== c) return -1;
      if (closers.length === 0) return followedByEnd(src, p + 1) ? p + 1 : -1;
    } else if (c === COMMA && closers.length === 0) return p; // a scalar ended by the next member
    p++;
  }
  return -1;
}

/** The index just after the closing quote of a string whose contents start at `p`, or -1. */
function stringEnd(src: Buffer, p: number): number {
  for (;;) {
    const q = src.indexOf(QUOTE, p);
    if (q === -1) return -1;
    let backslashes = 0;
    while (src[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    p = q + 1;
  }
}

/** After a member's value comes the next member or the object's end (whitespace aside). */
function followedByEnd(src: Buffer, p: number): boolean {
  while (p < src.length && (src[p] === 0x20 || src[p] === 0x09 || src[p] === 0x0a || src[p] === 0x0d)) p++;
  return p < src.length && (src[p] === COMMA || src[p] === CLOSE_BRACE);
}
