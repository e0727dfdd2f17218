// The ids of Claude transcript items (src/engine/claude/itemIds.ts), on a real transcript of the
// claude binary and real SQLite files: they begin with the Claude session id, in the history import
// and the live tailer alike; a transcript read before that scheme keeps its old ids in both, so a
// tool result still lands on its call and nothing shows twice; a forked transcript that repeats its
// parent's lines keeps its own copy of them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SESSION_SCOPED_STATE } from '../../src/engine/claude/itemIds';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import { historySessionId } from '../../src/engine/history/historySession';
import { importHistory } from '../../src/engine/history/importer';
import { FakeClock } from '../../src/engine/platform/clock';
import type { Message } from '../../src/engine/protocol';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { CLAUDE_FIXTURES, MAIN_CLAUDE } from '../fixtures/history/world';
import { openTestDb, TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const LINES = fs.readFileSync(path.join(CLAUDE_FIXTURES, 'main-bash-write-edit-resume.jsonl'), 'utf8').split('\n').filter(Boolean);
/** Lines 1–22: the first Bash call (line 22) is in, its result (line 24) is not. */
const FIRST = LINES.slice(0, 22).map(l => `${l}\n`).join('');
const REST = LINES.slice(22).map(l => `${l}\n`).join('');
const BASH_CALL = 'toolu_fake_0001_34319';
const SCOPE = `claude:${MAIN_CLAUDE}:`;
const LOG = () => {};

interface Home { dir: string; claudeHome: string; codexHome: string; file: string; db: string }

function home(): Home {
  const dir = tmpDir('fd-claude-ids-');
  const project = path.join(dir, 'claude', 'projects', '-home-dev-claude-lab-ws');
  fs.mkdirSync(project, { recursive: true });
  fs.mkdirSync(path.join(dir, 'codex'));
  return { dir, claudeHome: path.join(dir, 'claude'), codexHome: path.join(dir, 'codex'), file: path.join(project, `${MAIN_CLAUDE}.jsonl`), db: path.join(dir, 'fd.db') };
}

const open = (h: Home) => openStore({ file: h.db, clock: new FakeClock(Date.parse('2026-12-03T12:00:00.000Z')), driver: TEST_DRIVER });
const importAll = (h: Home, store: Store) => importHistory({ store, log: LOG, claudeHome: h.claudeHome, codexHome: h.codexHome });

/** A session's items as a user sees them: ids left out (they are what differs between the schemes). */
const shown = (ms: Message[]) => ms.map(({ id: _id, ...rest }) => rest);

/** Turns a store into one an earlier Flightdeck left: items under `claude:<uuid>`, sources rows without state. */
function makeLegacy(h: Home): void {
  const db = openTestDb(h.db);
  try {
    db.prepare("UPDATE messages SET id = 'claude:' || substr(id, ?) WHERE id LIKE ?").run(SCOPE.length + 1, `${SCOPE}%`);
    db.prepare('UPDATE sources SET state = NULL').run();
  } finally { db.close(); }
}

/** The history import of the whole file, then its items: what the other paths must equal (imported once). */
let whole: Promise<Message[]> | undefined;
const wholeFileImported = (): Promise<Message[]> => (whole ??= importWholeFile());

async function importWholeFile(): Promise<Message[]> {
  const h = home();
  fs.writeFileSync(h.file, FIRST + REST);
  const store = open(h);
  try {
    await importAll(h, store);
    return store.getMessages(historySessionId('claude', MAIN_CLAUDE), { limit: 1000 });
  } finally { store.close(); }
}

describe('Claude item ids: scoped by session, old transcripts keep theirs (itemIds.ts)', () => {
  after(cleanupTmpDirs);

  it('the import gives every item an id under the Claude session and marks the file\'s row', async () => {
    const items = await wholeFileImported();
    assert.ok(items.length > 8, `items: ${items.length}`);
    for (const m of items) assert.ok(m.id.startsWith(SCOPE), m.id);
    const bash = items.find(m => m.id === `${SCOPE}tool:${BASH_CALL}`);
    assert.ok(bash, 'the Bash call under its tool_use id');
    assert.equal(bash.status, 'completed');
    assert.equal(bash.output, 'hello-from-bash\nnotes.md');
  });

  it('an import that goes on with a file read in two parts marks it too, and its tool result finds its call', async () => {
    const h = home();
    fs.writeFileSync(h.file, FIRST);
    const store = open(h);
    try {
      await importAll(h, store);
      assert.equal(store.getOffset(h.file)?.state, SESSION_SCOPED_STATE);
      fs.appendFileSync(h.file, REST);
      await importAll(h, store);
      const items = store.getMessages(historySessionId('claude', MAIN_CLAUDE), { limit: 1000 });
      const want = await wholeFileImported();
      assert.deepEqual(shown(items), shown(want));
      assert.deepEqual(items.map(m => m.id), want.map(m => m.id));
    } finally { store.close(); }
  });

  it('a file an earlier version imported keeps the old ids: the result lands on its call, nothing twice', async () => {
    const h = home();
    fs.writeFileSync(h.file, FIRST);
    let store = open(h);
    await importAll(h, store);
    store.close();
    makeLegacy(h);
    fs.appendFileSync(h.file, REST);
    store = open(h);
    try {
      await importAll(h, store);
      const items = store.getMessages(historySessionId('claude', MAIN_CLAUDE), { limit: 1000 });
      for (const m of items) assert.ok(m.id.startsWith('claude:') && !m.id.startsWith(SCOPE), m.id);
      assert.equal(items.find(m => m.id === `claude:tool:${BASH_CALL}`)?.status, 'completed');
      assert.deepEqual(shown(items), shown(await wholeFileImported()));
      assert.equal(store.getOffset(h.file)?.state, null, 'still the old scheme');
    } finally { store.close(); }
  });

  it('a file an earlier version imported and that is read again from the start (it shrank) merges into its items', async () => {
    const h = home();
    fs.writeFileSync(h.file, FIRST + REST);
    let store = open(h);
    await importAll(h, store);
    store.close();
    makeLegacy(h);
    fs.writeFileSync(h.file, FIRST); // replaced by a shorter copy
    store = open(h);
    try {
      const sum = await importAll(h, store);
      assert.equal(sum.counts.lines, 22, 'read again from the start');
      const items = store.getMessages(historySessionId('claude', MAIN_CLAUDE), { limit: 1000 });
      assert.equal(items.length, (await wholeFileImported()).length, 'no item twice');
    } finally { store.close(); }
  });

  describe('the live tailer', () => {
    function live(h: Home) {
      const clock = new FakeClock(Date.parse('2026-12-03T12:00:00.000Z'));
      const store = openStore({ file: h.db, clock, driver: TEST_DRIVER });
      const engine = new SessionEngine({ store, clock, log: LOG });
      engine.start();
      const tailer = new TranscriptTailer({ engine, store, clock, log: LOG, watch: false });
      const close = () => { tailer.stop(); engine.stop(); store.close(); };
      return { store, engine, tailer, close };
    }

    it('scopes a new transcript\'s items, marks its row, and names the tool item an approval points at', () => {
      const h = home();
      fs.writeFileSync(h.file, FIRST);
      const { store, engine, tailer, close } = live(h);
      try {
        const sid = engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: MAIN_CLAUDE, cwd: '/p', sourcePath: h.file }).id;
        tailer.follow(sid, h.file);
        const call = engine.getMessages(sid).find(m => m.kind === 'command');
        assert.equal(call?.id, `${SCOPE}tool:${BASH_CALL}`);
        assert.equal(tailer.toolItemId(sid, BASH_CALL), call.id, 'a PermissionRequest of that call names this item');
        assert.equal(store.getOffset(h.file)?.state, SESSION_SCOPED_STATE);
        fs.appendFileSync(h.file, REST);
        tailer.readNow(sid);
        const items = engine.getMessages(sid);
        for (const m of items) assert.ok(m.id.startsWith(SCOPE), m.id);
        assert.equal(items.find(m => m.id === call.id)?.status, 'completed');
      } finally { close(); }
    });

    it('goes on with a file the history import read, in the import\'s scheme: the result lands on the imported call', async () => {
      for (const legacy of [false, true]) {
        const h = home();
        fs.writeFileSync(h.file, FIRST);
        const store = open(h);
        await importAll(h, store);
        store.close();
        if (legacy) makeLegacy(h);
        fs.appendFileSync(h.file, REST);
        const { engine, tailer, close } = live(h);
        try {
          // as a hook of the resumed session does: the past session comes back into the list
          const sid = engine.findByProviderId('claude', MAIN_CLAUDE)!.id;
          assert.equal(sid, historySessionId('claude', MAIN_CLAUDE));
          tailer.follow(sid, h.file);
          const items = engine.getMessages(sid, { limit: 1000 });
          const call = legacy ? `claude:tool:${BASH_CALL}` : `${SCOPE}tool:${BASH_CALL}`;
          assert.equal(items.find(m => m.id === call)?.status, 'completed', `legacy: ${legacy}`);
          assert.equal(tailer.toolItemId(sid, BASH_CALL), call);
          assert.ok(!items.some(m => m.kind === 'toolResult'), 'no stray result item');
          assert.deepEqual(shown(items).map(m => [m.kind, m.text]), shown(await wholeFileImported()).map(m => [m.kind, m.text]), `legacy: ${legacy}`);
        } finally { close(); }
      }
    });
  });

  it('a forked transcript that repeats its parent\'s lines keeps its own copy of them; the parent keeps its items', async () => {
    const h = home();
    const FORK = '0f0f0f0f-1111-4222-8333-444444444444';
    fs.writeFileSync(h.file, FIRST + REST);
    const forkLines = LINES.map(l => l.split(MAIN_CLAUDE).join(FORK));
    fs.writeFileSync(path.join(path.dirname(h.file), `${FORK}.jsonl`), forkLines.map(l => `${l}\n`).join(''));
    const store = open(h);
    try {
      await importAll(h, store);
      const parent = store.getMessages(historySessionId('claude', MAIN_CLAUDE), { limit: 1000 });
      const fork = store.getMessages(historySessionId('claude', FORK), { limit: 1000 });
      assert.deepEqual(shown(parent), shown(await wholeFileImported()));
      assert.deepEqual(fork.map(m => [m.kind, m.text]), parent.map(m => [m.kind, m.text]));
      for (const m of fork) assert.ok(m.id.startsWith(`claude:${FORK}:`), m.id);
    } finally { store.close(); }
  });
});
