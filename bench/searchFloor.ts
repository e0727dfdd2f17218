// Search at scale next to its floor, on the scale database (bench/scale.ts), in one process:
// - Flightdeck: the store's search (searchFts: quoted terms, exact words first, prefix on the last word,
//   joins for the hit's session and a snippet), newest 50 hits;
// - floor: a bare `SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 50`
//   with the same FTS query (whole words, or the prefix form for prefix queries).
// The database is only read: it is opened without migrating, so the same file can be measured before
// and after a migration (migrate it with the `migrate` child first).
import { openDatabase } from '../src/engine/store/driver';
import { currentVersion } from '../src/engine/store/migrations';
import { searchFts, toFtsQuery } from '../src/engine/store/search';
import { median, ms, now } from './stats';

/** Common words (whole), and prefixes as a user types them (the last word unfinished). */
export const SEARCH_SETS = {
  common: ['limiter timeout', 'kubernetes', 'memory leak', 'payment invoice retry', 'esbuild bundle', 'deploy pipeline'],
  prefix: ['kub', 'mem', 'pa', 'snapshot cov', 'limiter ti', 'dep'],
  prefixLong: ['kuber', 'memor', 'paym', 'snapshot cove'],
};

export interface SearchRow { set: string; fdMs: number; floorMs: number; worstFdMs: number; hits: number }
export interface SearchRun { version: number; rows: SearchRow[] }

export function searchRun(file: string, repeats = 5): SearchRun {
  const db = openDatabase(file);
  try {
    const floor = db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 50');
    const rows: SearchRow[] = [];
    // Warm the page cache once per query, as a user's second search would find it.
    for (const qs of Object.values(SEARCH_SETS)) for (const q of qs) { searchFts(db, q, 50); floor.all(toFtsQuery(q)!); }
    for (const [set, qs] of Object.entries(SEARCH_SETS)) {
      const fd: number[] = [];
      const fl: number[] = [];
      let hits = 0;
      for (const q of qs) {
        const a: number[] = [];
        const b: number[] = [];
        // Whole words: the floor runs them as whole words; prefixes: the prefix form.
        const match = set === 'common' ? toFtsQuery(q)!.replace(/\*$/, '') : toFtsQuery(q)!;
        for (let r = 0; r < repeats; r++) {
          let t = now();
          hits += searchFts(db, q, 50).length;
          a.push(ms(t));
          t = now();
          floor.all(match);
          b.push(ms(t));
        }
        fd.push(median(a));
        fl.push(median(b));
      }
      if (hits === 0) throw new Error(`no ${set} search found anything in ${file}: the figures would time an empty index`);
      rows.push({ set, fdMs: median(fd), floorMs: median(fl), worstFdMs: Math.max(...fd), hits });
    }
    return { version: currentVersion(db), rows };
  } finally {
    db.close();
  }
}
