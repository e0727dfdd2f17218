// Claude transcript lines as the history import decodes them: without `toolUseResult` (the mapper
// never reads it: claude/transcriptMapper.ts UNREAD_MEMBER), and with each large tool output held back
// as JSON text (platform/jsonText.ts) — in its place the parser sees a short placeholder string, which
// claudeFile.ts swaps for the held text in the patch of the output's call. The output then goes from
// the file's bytes to the stored item's data without being decoded, parsed, copied to the writing
// thread as a string, stringified and encoded again (on few large messages, most of the import).
//
// Safe by construction, and checked: inside a JSON string every quote is escaped, so the bytes
// `"type":"tool_result","content":"` are a tool result block's members (Claude Code writes them in that
// order; another order is decoded whole). The reader accepts the line as held only when each
// placeholder came back as the output of a tool result whose call is known; anything else (a
// placeholder somewhere else, a result without its call) and the line is decoded again whole. An output
// that is not valid UTF-8, or that the line's parse would reject (a raw control character, a bad
// escape), is not held: the line is decoded and parsed as before (read with replacement characters,
// or rejected as invalid JSON).
import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { EXIT_CODE, UNREAD_MEMBER } from '../claude/transcriptMapper';
import { type LineDecoder, NO_INSERT, decodeSpliced, valueEnd } from '../platform/jsonMemberCut';
import { type JsonText, isJsonStringLiteral } from '../platform/jsonText';

/** Shorter lines are decoded whole (as the member cut: the searches would cost more than they save). */
export const HELD_LINE_BYTES = 4096;
/** Shorter outputs are parsed: holding one back costs a copy and a placeholder. */
export const HELD_OUTPUT_BYTES = 2048;

const RESULT_CONTENT = Buffer.from('"type":"tool_result","content":"', 'latin1');
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
/** Bytes of an output's start in which the mapper's EXIT_CODE is read from the bytes. */
const EXIT_WINDOW = 64;

/** Placeholders name this process's nonce: a transcript cannot spell one in advance. */
const NONCE = randomBytes(8).toString('hex');

export interface HeldOutput {
  /** The string the parser sees in the output's place. */
  placeholder: string;
  /** The output as it is in the file: one JSON string, quotes included, valid UTF-8. */
  json: JsonText;
  /** The exit code the output starts with ("Exit code 2"), as the mapper would read it; null when none. */
  exitCode: number | null;
}

export class ClaudeHistoryLines implements LineDecoder {
  /** The outputs held back from the line decoded last. */
  held: HeldOutput[] = [];
  private src: Buffer | null = null;
  private from = 0;
  private to = 0;

  decode(src: Buffer, from: number, to: number): string {
    if (this.held.length) this.held = [];
    this.src = src;
    this.from = from;
    this.to = to;
    if (to - from < HELD_LINE_BYTES) return src.toString('utf8', from, to);
    const line = src.subarray(from, to);
    const member = UNREAD_MEMBER.find(line);
    // Tool results are in `message`, before the member (searched in a view: indexOf runs to its end).
    const before = member ? line.subarray(0, member.at) : line;
    /** Byte ranges of the line that are held back, in order. */
    const cuts: number[] = [];
    for (let p = 0; ;) {
      const k = before.indexOf(RESULT_CONTENT, p);
      if (k === -1) break;
      const start = k + RESULT_CONTENT.length - 1;
      const end = valueEnd(before, start);
      if (end === -1) break;
      p = end;
      if (end - start < HELD_OUTPUT_BYTES) continue;
      const json = before.subarray(start, end);
      const exitCode = exitCodeOf(json);
      // What the line's parse would have rejected stays in the line, and the parse rejects it as before.
      if (exitCode === undefined || !isUtf8(json) || !isJsonStringLiteral(json)) continue;
      const placeholder = `\u0000flightdeck-output:${NONCE}:${this.held.length}`;
      // Its own buffer: the read's buffer is reused, and postMessage would copy all of it with a view.
      const own = Buffer.allocUnsafeSlow(json.length);
      json.copy(own);
      this.held.push({ placeholder, json: own, exitCode });
      cuts.push(start, end);
    }
    if (!cuts.length && !member) return line.toString('utf8');
    // Each held output becomes its placeholder (a JSON string); the member, after them, is left out.
    const inserts = this.held.map(h => Buffer.from(JSON.stringify(h.placeholder), 'latin1'));
    if (member) { cuts.push(member.at, member.end); inserts.push(NO_INSERT); }
    return decodeSpliced(line, cuts, inserts);
  }

  /** The line decoded last, without the member but with its outputs: for a line the reader cannot take as held. */
  whole(): string {
    if (this.held.length) this.held = [];
    return this.src ? UNREAD_MEMBER.decode(this.src, this.from, this.to) : '';
  }
}

/**
 * The exit code at the start of an output held as JSON text, as EXIT_CODE finds it in the decoded
 * string; null when it finds none; undefined when the bytes cannot tell (a \u escape near the start,
 * which could spell a letter or digit; digits running past the window): that output is parsed.
 * Other escapes (\n, \t, \", \\ ...) stand for characters the pattern does not match either.
 */
function exitCodeOf(json: Buffer): number | null | undefined {
  const end = Math.min(json.length - 1, 1 + EXIT_WINDOW);
  for (let i = 1; i < end; i++) {
    if (json[i] === BACKSLASH) {
      if (json[i + 1] === LOWER_U) return undefined;
      i++; // the escaped character
    }
  }
  const head = json.toString('latin1', 1, end);
  const m = EXIT_CODE.exec(head);
  if (!m) return null;
  if (m[0].length >= head.length) return undefined;
  return Number(m[1]);
}
