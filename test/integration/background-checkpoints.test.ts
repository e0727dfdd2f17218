// The import writer's checkpoints with fsyncs ahead of them (store/backgroundCheckpoints.ts), on a real
// SQLite file: a checkpoint copies no frame written after the snapshot its cycle began with, the
// database's fsync comes after the checkpoint, the WAL still starts again when it grows, and a failed
// fsync leaves SQLite's plain checkpoints.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Fsync, backgroundFsyncWanted } from '../../src/engine/store/backgroundCheckpoints';
import type { Db } from '../../src/engine/store/db';
import { FakeClock } from '../../src/engine/platform/clock';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { TEST_DRIVER, openTestDb } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

interface Setup { file: string; store: Store; writer: Db; results: { log: number; checkpointed: number }[]; logs: string[] }

/** A store, and a second connection that writes (as the engine does while an import runs). */
function setup(): Setup {
  const file = path.join(tmpDir(), 'flightdeck.db');
  const store = openStore({ file, clock: new FakeClock(Date.parse('2026-12-05T12:00:00Z')), driver: TEST_DRIVER });
  store.pauseAutoCheckpoint();
  const writer = openTestDb(file);
  writer.exec('PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0');
  return { file, store, writer, results: [], logs: [] };
}

let row = 0;
function write(db: Db, rows: number, bytes = 200): void {
  const insert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
  db.exec('BEGIN');
  for (let i = 0; i < rows; i++) insert.run(`k${row++}`, 'x'.repeat(bytes));
  db.exec('COMMIT');
}

/** Frames in the WAL now (it has not started again in these tests when this is read). */
function walFrames(s: Setup): number {
  const page = Number(s.writer.prepare('PRAGMA page_size').get()?.page_size);
  return (fs.statSync(`${s.file}-wal`).size - 32) / (page + 24);
}

const inode = (p: string) => fs.statSync(p).ino;
const fdInode = (fd: number) => fs.fstatSync(fd).ino;

describe('checkpoints with fsyncs ahead of them (the import writer, issue 14)', function () {
  this.timeout(60_000);
  after(cleanupTmpDirs);

  it('copies only frames written before its WAL fsync began, then fsyncs the database, then starts the next cycle', () => {
    const s = setup();
    const held: { fd: number; done: Parameters<Fsync>[1] }[] = [];
    const bc = s.store.backgroundCheckpoints!({ log: () => {}, everyMs: 0, fsync: (fd, done) => { held.push({ fd, done }); }, onCheckpoint: r => s.results.push(r) })!;
    write(s.writer, 50);
    const before = walFrames(s);
    bc.due();
    assert.equal(held.length, 1);
    assert.equal(fdInode(held[0].fd), inode(`${s.file}-wal`), 'the WAL is fsynced first');
    write(s.writer, 50);
    const all = walFrames(s);
    assert.ok(all > before);
    bc.due();
    assert.equal(s.results.length, 0, 'no checkpoint before the WAL fsync completed');
    held[0].done(null);
    bc.due();
    assert.deepEqual(s.results, [{ log: all, checkpointed: before }], 'the checkpoint stopped at the frames the fsync covered');
    assert.equal(held.length, 2);
    assert.equal(fdInode(held[1].fd), inode(s.file), 'then the database is fsynced');
    write(s.writer, 10);
    bc.due();
    assert.equal(held.length, 2, 'nothing more until the database fsync completed');
    held[1].done(null);
    bc.due();
    assert.equal(held.length, 3);
    assert.equal(fdInode(held[2].fd), inode(`${s.file}-wal`), 'the next cycle');
    bc.finish();
    const last = s.results[s.results.length - 1];
    assert.equal(last.checkpointed, last.log, 'finish copies all');
    s.writer.close();
    s.store.close();
  });

  it('lets the WAL start again once it passes restartWalBytes; finish leaves no snapshot and every row', async () => {
    const s = setup();
    let inflight: Promise<void> = Promise.resolve();
    const fsync: Fsync = (fd, done) => { inflight = new Promise(resolve => fs.fsync(fd, err => { done(err); resolve(); })); };
    const restartWalBytes = 256 * 1024;
    const bc = s.store.backgroundCheckpoints!({ log: () => {}, everyMs: 0, restartWalBytes, fsync, onCheckpoint: r => s.results.push(r) })!;
    for (let i = 0; i < 150; i++) {
      write(s.writer, 10, 2_000);
      bc.due();
      await inflight;
    }
    // ~3 MB written in all, ~50 KB of frames a write. The WAL's frames at each checkpoint: once past the
    // threshold (seen at a cycle's end: two writes, and the one before the check) all are copied, and
    // the WAL starts again.
    const frameBytes = Number(s.writer.prepare('PRAGMA page_size').get()?.page_size) + 24;
    const copiedAll = s.results.filter(r => r.checkpointed === r.log && r.log > 0);
    assert.ok(copiedAll.length >= 5, JSON.stringify(s.results));
    const afterFirst = s.results.slice(s.results.indexOf(copiedAll[0]) + 1);
    const most = Math.max(...afterFirst.map(r => r.log)) * frameBytes;
    assert.ok(most <= restartWalBytes + 160 * 1024, `the WAL held ${most} bytes`);
    assert.ok(s.results.some(r => r.checkpointed < r.log), 'the others stopped at their snapshot');
    bc.finish();
    const truncate = s.writer.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    assert.equal(Number(truncate?.busy), 0, 'no reader left holding the WAL');
    assert.equal(Number(s.writer.prepare("SELECT COUNT(*) AS n FROM kv WHERE key LIKE 'k%'").get()?.n), 150 * 10);
    s.writer.close();
    s.store.close();
  });

  it('a failed fsync: said once, then SQLite\'s plain checkpoints, which copy all', async () => {
    const s = setup();
    const fsync: Fsync = (_fd, done) => { process.nextTick(() => done(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }))); };
    const bc = s.store.backgroundCheckpoints!({ log: (level, m) => s.logs.push(`${level} ${m}`), everyMs: 0, fsync, onCheckpoint: r => s.results.push(r) })!;
    write(s.writer, 20);
    bc.due();
    await new Promise<void>(resolve => process.nextTick(resolve));
    for (let i = 0; i < 3; i++) {
      write(s.writer, 20);
      bc.due();
    }
    assert.equal(s.logs.length, 1);
    assert.match(s.logs[0], /^warn store: checkpoints with fsyncs ahead of them stopped \(fsync: EIO/);
    const last = s.results[s.results.length - 1];
    assert.ok(last.log > 0 && last.checkpointed === last.log, JSON.stringify(s.results));
    bc.finish();
    s.writer.close();
    s.store.close();
  });

  it('fsyncs only the store\'s own regular files: a FIFO or a symlink in the WAL\'s place ends it, without blocking', () => {
    for (const swap of ['fifo', 'symlink'] as const) {
      const s = setup();
      const bc = s.store.backgroundCheckpoints!({ log: (level, m) => s.logs.push(`${level} ${m}`), everyMs: 0, fsync: () => assert.fail('no fsync'), onCheckpoint: r => s.results.push(r) })!;
      write(s.writer, 20);
      // The WAL moved aside (SQLite keeps its descriptor) and something else put at its path.
      const wal = `${s.file}-wal`;
      fs.renameSync(wal, `${wal}.aside`);
      if (swap === 'fifo') execFileSync('mkfifo', [wal]);
      else fs.symlinkSync(`${wal}.aside`, wal);
      bc.due();
      assert.equal(s.logs.length, 1, swap);
      assert.match(s.logs[0], swap === 'fifo' ? /is a FIFO, not a regular file/ : /is a symlink, not a regular file/);
      fs.rmSync(wal);
      fs.renameSync(`${wal}.aside`, wal);
      bc.finish();
      s.writer.close();
      s.store.close();
    }
  });

  it('is on unless FLIGHTDECK_BACKGROUND_FSYNC says no, and off on Windows', () => {
    assert.equal(backgroundFsyncWanted({}, 'linux'), true);
    assert.equal(backgroundFsyncWanted({ FLIGHTDECK_BACKGROUND_FSYNC: '0' }, 'linux'), false);
    assert.equal(backgroundFsyncWanted({ FLIGHTDECK_BACKGROUND_FSYNC: 'no' }, 'darwin'), false);
    assert.equal(backgroundFsyncWanted({}, 'win32'), false);
  });

  it('is off for a store in memory', () => {
    const store = openStore({ file: ':memory:', clock: new FakeClock(0), driver: TEST_DRIVER });
    assert.equal(store.backgroundCheckpoints!({ log: () => {} }), null);
    store.close();
  });
});
