import type { Db } from 'mongodb';
import { connectMongo } from '../../lib/stores/store-uri.js';

/** MONGODB_URI, or the reason MongoDB suites are skipped. */
export const MONGODB_URI = process.env.MONGODB_URI;
export const MONGODB_SKIP: string | false = MONGODB_URI ? false : 'MONGODB_URI not set';

let made = 0;

export interface ScratchDatabase {
  readonly db: Db;
  /** Drops the database and closes the client. */
  readonly drop: () => Promise<void>;
}

/** A fresh database on the MONGODB_URI server, unique per call, for one test to drop afterwards. */
export async function scratchDatabase(prefix: string): Promise<ScratchDatabase> {
  made += 1;
  const database = `recsys_test_${prefix}_${process.pid}_${Date.now().toString(36)}_${made}`;
  const { client, db } = await connectMongo({ uri: MONGODB_URI!, database });
  return {
    db,
    drop: async () => {
      await db.dropDatabase();
      await client.close();
    },
  };
}
