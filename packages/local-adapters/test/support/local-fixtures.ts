/** Fresh embedded adapters over a temp home, for the contract suites and the adapter tests. */
import path from 'node:path';
import { makeTempDir } from '@stereo-spot/testing';
import { openDatabase, type SqliteDatabase } from '../../src/sqlite/database';

export interface TempDatabase {
  readonly db: SqliteDatabase;
  readonly home: string;
  cleanup(): Promise<void>;
}

export async function makeTempDatabase(label: string): Promise<TempDatabase> {
  const dir = await makeTempDir(label);
  const db = openDatabase(path.join(dir.path, 'stereo-spot.db'));
  return {
    db,
    home: dir.path,
    async cleanup() {
      db.close();
      await dir.remove();
    },
  };
}
