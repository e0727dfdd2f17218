import * as crypto from 'node:crypto';

/**
 * SHA-256 of a string, as lowercase hex. crypto.hash (Node 20.12+) is the one-shot form: about half the
 * cost of createHash().update().digest() for short texts, and a Codex history import hashes every
 * message's text for its id. Older runtimes (an older editor's Node) take the long form, same result.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text) : crypto.createHash('sha256').update(text).digest('hex');
}
