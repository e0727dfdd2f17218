// Migration 10: the triggers that keep the search index in step with `messages` are each connection's
// own (TEMP triggers), so a bulk writer whose rows all belong to the filler goes without the insert
// trigger. What must hold whatever connection writes: every row is in the index exactly once, with its
// current text, and a deleted row's terms are gone.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Db } from '../../src/engine/store/db';
import { migrate } from '../../src/engine/store/migrations';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { FakeClock, iso } from '../../src/engine/platform/clock';
import { newSession } from '../../src/engine/sessions/model';
import type { Message, Session } from '../../src/engine/protocol';
import { openTestDb, TEST_DRIVER } from '../helpers/storeDriver';
import { assertIndexEqualsRebuild } from '../helpers/searchIndex';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const QUERIES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo'];

/** The index holds what a rebuild from the rows would hold: no row missing, none twice, no stale text. */
const assertIndexExact = (file: string) => assertIndexEqualsRebuild(file, QUERIES);

function triggers(file: string, schema: 'main' | 'temp'): string[] {
  const db = openTestDb(file);
  try {
    return db.prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'trigger' ORDER BY name`).all().map(r => String(r.name));
  } finally { db.close(); }
}

function message(s: Session, id: string, seq: number, text: string): Message {
  return { id, sessionId: s.id, seq, kind: 'agent', text, createdAt: iso(seq) };
}

const hits = (store: Store, q: string) => store.search(q, 50).map(h => h.messageId).sort();

describe(`search index triggers per connection, migration 10 [${TEST_DRIVER}]`, () => {
  afterEach(() => cleanupTmpDirs());

  it('a version-9 file loses its schema triggers; each store indexes its own inserts, updates and deletes', () => {
    const file = path.join(tmpDir(), 'v9.db');
    const v9 = openTestDb(file);
    migrate(v9, 9);
    v9.exec(`INSERT INTO sessions (id, provider, mode, provider_session_id, status, last_activity_at, data) VALUES ('old', 'claude', 'passive', 'old', 'ended', '${iso(0)}', '{}');
      INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES ('o1', 'old', 0, 'agent', 'alpha from before', '${iso(0)}', '{}');`);
    v9.close();
    assert.deepEqual(triggers(file, 'main'), ['messages_ad', 'messages_ai', 'messages_au'], 'version 9 has them in the schema');

    const clock = new FakeClock();
    const a = openStore({ file, clock, driver: TEST_DRIVER });
    const b = openStore({ file, clock, driver: TEST_DRIVER });
    assert.deepEqual(triggers(file, 'main'), [], 'migration 10 dropped them');
    const s = newSession({ provider: 'claude', mode: 'passive', providerSessionId: 'live', cwd: '/w' }, 0);
    a.saveSession(s);
    a.saveMessage(message(s, 'a1', 1, 'bravo from the first store'));
    a.flush();
    b.saveMessage(message(s, 'b1', 2, 'charlie from the second store'));
    b.flush();
    assert.deepEqual(hits(a, 'alpha'), ['o1']);
    assert.deepEqual(hits(a, 'bravo'), ['a1']);
    assert.deepEqual(hits(a, 'charlie'), ['b1'], 'a second connection indexes its own rows');

    b.patchMessage({ id: 'a1', text: 'delta instead' });
    b.flush();
    assert.deepEqual(hits(a, 'bravo'), [], 'the old text left the index');
    assert.deepEqual(hits(a, 'delta'), ['a1']);
    a.deleteSession(s.id);
    a.flush();
    assert.deepEqual(hits(b, 'delta'), [], 'a deleted session\'s rows left the index');
    assert.deepEqual(hits(b, 'charlie'), []);
    a.close();
    b.close();
    assertIndexExact(file);
  });

  it('a bulk writer leaves its rows to the filler; a row it merges into an indexed one is re-indexed; afterwards it indexes its inserts again', () => {
    const file = path.join(tmpDir(), 'bulk.db');
    const clock = new FakeClock();
    const engine = openStore({ file, clock, driver: TEST_DRIVER });
    const s = newSession({ provider: 'claude', mode: 'passive', providerSessionId: 'past', cwd: '/w' }, 0);
    engine.saveSession(s);
    engine.saveMessage(message(s, 'e1', 0, 'echo stored before the import'));
    engine.flush();

    let importerDb: Db | null = null;
    const importer = openStore({ file, clock, openDb: f => (importerDb = openTestDb(f)) });
    const triggersOn = () => importerDb!.prepare("SELECT name FROM temp.sqlite_master WHERE type = 'trigger' ORDER BY name").all().map(r => String(r.name));
    assert.deepEqual(triggersOn(), ['messages_ad', 'messages_ai', 'messages_au'], 'each store makes its own');
    importer.beginBulkWrite();
    assert.deepEqual(triggersOn(), ['messages_ad', 'messages_au'], 'no insert trigger while every new row is the filler\'s');
    importer.beginGroup();
    importer.saveImportBatch({
      sessions: [s], patches: [], offsets: [], kv: [],
      messages: [message(s, 'i1', 1, 'foxtrot imported'), message(s, 'i2', 2, 'golf imported')],
      // Read again: merged into the stored, indexed row (its text replaced, its seq kept).
      rows: [['e1', s.id, 9, 'agent', 'hotel read again', iso(9), '{"model":"m"}']],
    });
    engine.saveMessage(message(s, 'e2', 3, 'india live during the import'));
    importer.fillSearchIndex(Number.MAX_SAFE_INTEGER);
    importer.commitGroup();
    engine.flush();
    importer.fillSearchIndex(Number.MAX_SAFE_INTEGER);
    importer.endBulkWrite();
    assert.deepEqual(triggersOn(), ['messages_ad', 'messages_ai', 'messages_au'], 'the insert trigger is back');
    importer.saveMessage(message(s, 'i3', 4, 'juliet after the import'));
    importer.flush();
    engine.saveMessage(message(s, 'e3', 5, 'kilo after the import'));
    engine.flush();

    assert.deepEqual(hits(engine, 'echo'), [], 'the merged row\'s old text left the index');
    assert.deepEqual(hits(engine, 'hotel'), ['e1']);
    assert.equal(engine.getMessage('e1')?.seq, 0, 'a merge keeps the stored seq');
    assert.equal((engine.getMessage('e1') as { model?: string }).model, 'm', 'and merges the data');
    for (const [q, id] of [['foxtrot', 'i1'], ['golf', 'i2'], ['india', 'e2'], ['juliet', 'i3'], ['kilo', 'e3']]) assert.deepEqual(hits(engine, q), [id], q);
    importer.close();
    engine.close();
    const built = assertIndexExact(file);
    assert.equal(built.hotel.length, 1);
  });
});
