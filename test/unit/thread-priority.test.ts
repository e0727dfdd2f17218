// The history import's thread runs at a lower priority than the engine's (platform/threadPriority.ts):
// on Linux, a real worker thread lowers only itself — the process's other threads keep their nice value.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_NICE, lowerThisThreadPriority } from '../../src/engine/platform/threadPriority';

const MODULE = path.join(__dirname, '..', '..', 'src', 'engine', 'platform', 'threadPriority.js');

/** Field 19 of /proc/self/task/<tid>/stat (after the parenthesised name). */
function niceOf(tid: number): number {
  const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('background thread priority', () => {
  it('a worker thread lowers its own priority, not the engine\'s thread (elsewhere than Linux: changes nothing)', async () => {
    if (process.platform !== 'linux') {
      // A nice value is per process there: lowering it would slow the engine too.
      assert.equal(lowerThisThreadPriority(), null);
      return;
    }
    const before = niceOf(process.pid);
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      const { lowerThisThreadPriority } = require(workerData);
      const tid = lowerThisThreadPriority();
      parentPort.postMessage(tid);
      parentPort.once('message', () => process.exit(0));
    `, { eval: true, workerData: MODULE });
    const tid = await new Promise<number | null>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    assert.ok(tid && tid !== process.pid, `the worker's own task id (${tid})`);
    assert.equal(niceOf(tid), Math.max(before, BACKGROUND_NICE), 'the import thread is niced');
    assert.equal(niceOf(process.pid), before, 'the engine\'s thread keeps its priority');
    worker.postMessage('end');
    await new Promise(r => worker.once('exit', r));
  });
});
