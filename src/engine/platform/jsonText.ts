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
