// Crash-exact ingest (issue 19, SPEC §7): a child process reads growing Codex rollouts (both formats)
// and Claude transcripts through the real watcher and tailer into a real SQLite file and is SIGKILLed
// at seeded random moments, then started again until it has read everything. The result must be
// EXACTLY what a run that was never killed stores: the same items (ids, order, kind, text, fields) and
// the same token totals; every message id a client was told about is among them; and the list
// revision never starts below one that was published.
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDatabase } from '../../src/engine/store/driver';
import { between, seededRng } from '../fixtures/bench/rng';
import { type CorpusFile, writeCrashCorpus } from '../fixtures/crashCorpus';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const CHILD = path.join(__dirname, '..', 'helpers', 'crashIngestChild.js');
const SEED = Number(process.env.FD_CRASH_SEED ?? 20261203);
const ROUNDS = 4;
const KILLS_PER_ROUND = 4;

interface Run { ids: string[]; startRevision: number; lastRevision: number; steps: number; done: boolean; ms: number }

/**
 * Starts the child; resolves when it exits, on its own or killed once it reported `killAt.steps`
 * steps, `killAt.ms` later (the kill lands wherever the child is by then: reading, mapping, committing).
 */
function runChild(dir: string, seed: number, killAt?: { steps: number; ms: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CHILD, dir, String(seed), TEST_DRIVER], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { ids: [], startRevision: -1, lastRevision: -1, steps: 0, done: false, ms: 0 };
    let buf = '', err = '', started = 0;
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child did not finish in time; stderr: ${err}`)); }, 60_000);
    child.stderr!.on('data', d => { err += d; });
    child.stdout!.on('data', d => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const sp = line.indexOf(' ');
        const word = sp < 0 ? line : line.slice(0, sp);
        const arg = line.slice(sp + 1);
        if (word === 'id') run.ids.push(arg);
        else if (word === 'rev') {
          run.lastRevision = Number(arg);
          if (++run.steps === killAt?.steps) setTimeout(() => child.kill('SIGKILL'), killAt.ms);
        } else if (line === 'done') run.done = true;
        else if (word === 'start') {
          run.startRevision = Number(arg);
          started = Date.now();
          // Step 0: while it restores its sessions and reads what is on disk already.
          if (killAt?.steps === 0) setTimeout(() => child.kill('SIGKILL'), killAt.ms);
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      run.ms = started ? Date.now() - started : 0;
      if (signal === 'SIGKILL' || (code === 0 && run.done)) resolve(run);
      else reject(new Error(`child exited with ${code ?? signal}: ${err}`));
    });
  });
}

interface Stored { items: Record<string, Record<string, unknown>[]>; tokens: Record<string, unknown> }

/** Every item of every session, in seq order, and each session's token usage, keyed by provider session id. */
function readStore(dir: string): Stored {
  const db = openDatabase(path.join(dir, 'data', 'flightdeck.db'), { prefer: TEST_DRIVER });
  try {
    const items: Stored['items'] = {};
    const tokens: Stored['tokens'] = {};
    for (const s of db.prepare('SELECT id, provider, provider_session_id, data FROM sessions').all()) {
      const key = `${s.provider}:${s.provider_session_id}`;
      assert.equal(items[key], undefined, `one session for ${key}`);
      tokens[key] = JSON.parse(String(s.data)).tokenUsage;
      // The items read from the file, in seq order. Left out: the engine's own notices (an approval
      // "no longer waiting": raised or not depending on how lines were batched, stamped with the
      // clock), and so the seq numbers themselves, which such a notice shifts; the order stays.
      items[key] = db.prepare('SELECT id, kind, text, created_at, data FROM messages WHERE session_id = ? ORDER BY seq').all(String(s.id))
        .filter(m => String(m.id).startsWith(`${String(s.provider)}:`))
        .map(m => ({ id: m.id, kind: m.kind, text: m.text, createdAt: m.created_at, data: JSON.parse(String(m.data)) }));
    }
    return { items, tokens };
  } finally {
    db.close();
  }
}

function newWorkDir(): { dir: string; corpus: CorpusFile[] } {
  const dir = tmpDir('fd-crash-exact-');
  return { dir, corpus: writeCrashCorpus(dir) };
}

/** JSON with sorted keys: the order fields were merged in is not part of an item. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x));
}

/** What differs between a crashed run's store and the reference, in a few lines. */
function differences(got: Stored, want: Stored): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(want.items), ...Object.keys(got.items)])) {
    const g = got.items[key] ?? [], w = want.items[key] ?? [];
    const wantIds = new Set(w.map(m => m.id));
    const gotIds = new Set(g.map(m => m.id));
    const extra = g.filter(m => !wantIds.has(m.id)).length;
    const missing = w.filter(m => !gotIds.has(m.id)).length;
    let changed = 0;
    let example = '';
    for (let i = 0; i < Math.min(g.length, w.length); i++) {
      if (canonical(g[i]) === canonical(w[i])) continue;
      if (!changed++) example = `; e.g. ${canonical(g[i]).slice(0, 400)} vs ${canonical(w[i]).slice(0, 400)}`;
    }
    if (extra || missing || changed || g.length !== w.length) {
      out.push(`${key}: ${g.length} items (reference ${w.length}), ${extra} not in the reference, ${missing} missing, ${changed} differ at their position${example}`);
    }
    if (canonical(got.tokens[key]) !== canonical(want.tokens[key])) {
      out.push(`${key}: tokens ${JSON.stringify(got.tokens[key])} (reference ${JSON.stringify(want.tokens[key])})`);
    }
  }
  return out;
}

describe(`crash-exact ingest: SIGKILL at random points, both providers, both rollout formats [${TEST_DRIVER}]`, function () {
  this.timeout(180_000);
  let reference: Stored;
  let referenceMs = 0;
  let referenceSteps = 0;
  after(() => cleanupTmpDirs());

  before(async () => {
    const { dir, corpus } = newWorkDir();
    const run = await runChild(dir, SEED);
    referenceMs = run.ms;
    referenceSteps = run.steps;
    reference = readStore(dir);
    for (const f of corpus) {
      const key = `${f.provider}:${f.providerSessionId}`;
      assert.ok((reference.items[key]?.length ?? 0) > 10, `the never-killed run stored the items of ${f.name}`);
    }
  });

  it('a second never-killed run, cut into other slices, stores exactly the same (the check below is meaningful)', async () => {
    const { dir } = newWorkDir();
    const run = await runChild(dir, SEED + 1);
    console.log(`      a whole ingest: ${referenceMs} ms, then ${run.ms} ms`);
    assert.deepEqual(differences(readStore(dir), reference), []);
  });

  it(`${ROUNDS * KILLS_PER_ROUND} kills: the same items and tokens as a run never killed (seed ${SEED})`, async () => {
    console.log(`      crash seed: ${SEED} (FD_CRASH_SEED to repeat); a whole ingest: ${referenceSteps} steps, ${referenceMs} ms`);
    const rng = seededRng(SEED);
    const failures: string[] = [];
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { dir } = newWorkDir();
      const told = new Set<string>();
      let highestRevision = -1;
      let done = false;
      for (let k = 0; k < KILLS_PER_ROUND && !done; k++) {
        const killAt = { steps: between(rng, 0, Math.ceil(referenceSteps / (KILLS_PER_ROUND + 1))), ms: between(rng, 0, 3) };
        const run = await runChild(dir, between(rng, 1, 1e9), killAt);
        if (run.startRevision < highestRevision) failures.push(`round ${round}: restarted at list revision ${run.startRevision} after ${highestRevision} was published`);
        highestRevision = Math.max(highestRevision, run.lastRevision);
        for (const id of run.ids) told.add(id);
        done = run.done;
        if (!done) kills++;
      }
      const last = await runChild(dir, between(rng, 1, 1e9));
      if (last.startRevision < highestRevision) failures.push(`round ${round}: restarted at list revision ${last.startRevision} after ${highestRevision} was published`);
      const got = readStore(dir);
      for (const d of differences(got, reference)) failures.push(`round ${round}: ${d}`);
      const stored = new Set(Object.values(got.items).flat().map(m => m.id));
      const lost = [...told].filter(id => /^(codex|claude):/.test(id) && !stored.has(id));
      if (lost.length) failures.push(`round ${round}: ${lost.length} message id(s) a client was told about are not stored (came back under other ids), e.g. ${lost[0]}`);
    }
    console.log(`      ${kills} kills mid-ingest`);
    assert.ok(kills >= ROUNDS * KILLS_PER_ROUND / 2, `most kills landed mid-ingest (${kills})`);
    assert.deepEqual(failures, []);
  });
});
