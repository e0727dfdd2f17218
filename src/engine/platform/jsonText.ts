/**
 * JSON text carried as bytes: a value read from a file that is stored as JSON again, never looked at
 * in between (a Claude tool's output on its way from a transcript into an item's stored data).
 *
 * Why: a large output parsed into a string and written back with JSON.stringify is decoded from
 * UTF-8, parsed, copied to the writing thread, scanned again and encoded again; as bytes it is copied
 * twice. The bytes must be one complete JSON value in valid UTF-8 (the reader checks both).
 *
 * A Uint8Array survives postMessage as a Uint8Array (a Buffer arrives as one), so any view stands
 * for JSON text: nothing else an item holds is binary.
 */
export type JsonText = Uint8Array;

export function isJsonText(v: unknown): v is JsonText {
  return ArrayBuffer.isView(v);
}

/** A character JSON forbids raw in a string. */
const CONTROL = /[\x00-\x1f]/;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
/** The characters a backslash may escape (besides u, which takes four hex digits). */
const ESCAPED = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPED[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/**
 * Whether bytes that run from a quote to its closing quote (jsonMemberCut.ts valueEnd found the end)
 * are a string JSON.parse accepts, given that they are valid UTF-8: what a line's parse would have
 * checked had the string not been held back. A regular expression for raw control characters over a
 * one-byte copy, then each backslash (a native search) and what follows it: about a quarter of what
 * parsing the string costs.
 */
export function isJsonStringLiteral(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = b.length - 1;
  if (CONTROL.test(b.toString('latin1', 1, end))) return false;
  for (let i = b.indexOf(BACKSLASH, 1); i !== -1 && i < end; i = b.indexOf(BACKSLASH, i)) {
    const c = b[i + 1];
    if (c === LOWER_U) {
      if (!(HEX[b[i + 2]] && HEX[b[i + 3]] && HEX[b[i + 4]] && HEX[b[i + 5]])) return false;
      i += 6;
    } else if (ESCAPED[c]) {
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

/**
 * JSON.stringify of a plain object whose values may be JSON text: the same bytes JSON.stringify gives
 * with each text parsed and put in its place, where the text is written as JSON.stringify would (as
 * Claude Code, a Node program, writes its transcripts). Undefined values are left out, as
 * JSON.stringify does. Its own buffer: a view into a larger one would be copied whole by postMessage.
 */
export function objectJson(o: Record<string, unknown>): Uint8Array {
  const parts: (string | JsonText)[] = [];
  let text = '{';
  let first = true;
  for (const k in o) {
    const v = o[k];
    if (v === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    if (isJsonText(v)) {
      parts.push(text, v);
      text = '';
    } else {
      text += JSON.stringify(v);
    }
  }
  parts.push(`${text}}`);
  let bytes = 0;
  for (const p of parts) bytes += typeof p === 'string' ? Buffer.byteLength(p) : p.byteLength;
  const out = Buffer.allocUnsafeSlow(bytes);
  let at = 0;
  for (const p of parts) {
    if (typeof p === 'string') at += out.write(p, at);
    else { out.set(p, at); at += p.byteLength; }
  }
  return out;
}
