import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FailureLimiter, tokenMatches } from '../../src/engine/hub/auth';
import { generateToken, isWellFormedToken, loadOrCreateToken, rotateToken, tokenPath } from '../../src/engine/hub/token';

describe('hub token file (headless)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-token-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const mode = () => fs.statSync(tokenPath(dir)).mode & 0o777;

  it('creates <dataDir>/token with mode 0600 and returns the same token afterwards', () => {
    const sub = path.join(dir, 'nested', 'data');
    const t = loadOrCreateToken(sub);
    assert.ok(isWellFormedToken(t));
    assert.equal(fs.statSync(tokenPath(sub)).mode & 0o777, 0o600);
    assert.equal(loadOrCreateToken(sub), t);
  });

  it('a generated token never starts with "-", so `--token <token>` is never read as an option', () => {
    // One in 64 base64url strings starts with '-': 2,000 draws without one are certain only with the rule.
    for (let i = 0; i < 2000; i++) {
      const t = generateToken();
      assert.ok(isWellFormedToken(t) && !t.startsWith('-'), t);
    }
  });

  it('rotation writes a different token, still 0600', () => {
    const t = loadOrCreateToken(dir);
    const r = rotateToken(dir);
    assert.notEqual(r, t);
    assert.equal(loadOrCreateToken(dir), r);
    assert.equal(mode(), 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['token'], 'no temp files left behind');
  });

  it('tightens a too-open token file and replaces a malformed one', () => {
    const t = loadOrCreateToken(dir);
    fs.chmodSync(tokenPath(dir), 0o644);
    assert.equal(loadOrCreateToken(dir), t);
    assert.equal(mode(), 0o600);
    fs.writeFileSync(tokenPath(dir), 'not a token!');
    const fresh = loadOrCreateToken(dir);
    assert.ok(isWellFormedToken(fresh));
    assert.equal(mode(), 0o600);
  });
});

describe('hub auth helpers', () => {
  it('compares tokens exactly', () => {
    assert.equal(tokenMatches('abc', 'abc'), true);
    assert.equal(tokenMatches('abc', 'abd'), false);
    assert.equal(tokenMatches('abc', 'abcd'), false);
    assert.equal(tokenMatches(null, 'abc'), false);
    assert.equal(tokenMatches('', ''), false);
  });

  it('limits failures per address within a window', () => {
    let now = 0;
    const l = new FailureLimiter({ maxFailures: 2, windowMs: 1000 }, () => now);
    l.fail('a');
    assert.equal(l.blocked('a'), false);
    l.fail('a');
    assert.equal(l.blocked('a'), true);
    assert.equal(l.blocked('b'), false);
    now = 1000;
    assert.equal(l.blocked('a'), false, 'the window ends');
  });
});
