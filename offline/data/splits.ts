import { RecsysError } from '../../lib/domain/errors.js';
import { isIntegerId } from '../../lib/domain/ids.js';
import type { Dataset } from './dataset.js';
import { forEachLine, isBlank } from './line-reader.js';
import { createPrng, hashString, shuffleInPlace } from './prng.js';

/** 0 train, 1 valid, 2 test. */
export type SplitLabel = 0 | 1 | 2;

export const TRAIN: SplitLabel = 0;
export const VALID: SplitLabel = 1;
export const TEST: SplitLabel = 2;

export interface Split {
  readonly protocol: 'random-811' | 'temporal' | 'file';
  /** One label per interaction row of the dataset. */
  readonly labels: Uint8Array;
}

export interface SplitCounts {
  readonly train: number;
  readonly valid: number;
  readonly test: number;
}

/** Users with fewer interactions than this are all train under the temporal protocol. */
export const TEMPORAL_MIN_INTERACTIONS = 3;

/**
 * DESIGN.md section 5, random-811: per user, rows sorted by (timestamp, item),
 * shuffled by a PRNG seeded from seed + user id, then floor(0.8n) train,
 * floor(0.1n) valid, the rest test. Independent of the input row order.
 */
export function splitRandom811(ds: Dataset, seed = 2026): Split {
  const labels = new Uint8Array(ds.interactions.length);
  forEachUserTimeline(ds, (user, rows) => {
    const random = createPrng(userSeed(seed, ds.userIds[user]!));
    shuffleInPlace(random, rows);
    const n = rows.length;
    const train = Math.floor((8 * n) / 10);
    const valid = Math.floor(n / 10);
    rows.forEach((row, k) => {
      labels[row] = k < train ? TRAIN : k < train + valid ? VALID : TEST;
    });
  });
  return { protocol: 'random-811', labels };
}

/**
 * DESIGN.md section 5, temporal: per user, rows sorted by (timestamp, item);
 * the last ceil(n/10) test, the ceil(n/10) before them valid, the rest train.
 */
export function splitTemporal(ds: Dataset): Split {
  const labels = new Uint8Array(ds.interactions.length);
  forEachUserTimeline(ds, (_user, rows) => {
    const n = rows.length;
    if (n < TEMPORAL_MIN_INTERACTIONS) return;
    const held = Math.floor((n + 9) / 10);
    for (let k = n - 2 * held; k < n; k++) {
      labels[rows[k]!] = k < n - held ? VALID : TEST;
    }
  });
  return { protocol: 'temporal', labels };
}

export function splitCounts(split: Split): SplitCounts {
  const counts = [0, 0, 0];
  for (const label of split.labels) counts[label] = (counts[label] ?? 0) + 1;
  return { train: counts[TRAIN]!, valid: counts[VALID]!, test: counts[TEST]! };
}

const LABELS: Readonly<Record<string, SplitLabel>> = { train: TRAIN, valid: VALID, test: TEST };
const UNASSIGNED = 255;

/**
 * Reads a split file: `user<TAB>item<TAB>train|valid|test` per line, raw ids,
 * covering every interaction of the dataset exactly once.
 */
export async function readSplitFile(path: string, ds: Dataset): Promise<Split> {
  const lookup = pairLookup(ds);
  const labels = new Uint8Array(ds.interactions.length).fill(UNASSIGNED);
  const invalid = (lineNo: number, message: string): RecsysError =>
    new RecsysError('RECSYS_ERR_SPLIT_INVALID', `${path}:${lineNo}: ${message}`);
  await forEachLine(path, 'utf8', (line, lineNo) => {
    if (isBlank(line)) return;
    const fields = line.split('\t');
    if (fields.length !== 3) throw invalid(lineNo, `expected user<TAB>item<TAB>label, got ${fields.length} field(s)`);
    const [user, item, name] = fields as [string, string, string];
    const label = Object.hasOwn(LABELS, name) ? LABELS[name] : undefined;
    if (label === undefined) throw invalid(lineNo, `label must be train, valid or test, got "${name}"`);
    const row = lookup(user, item);
    if (row === 'unknown-user') throw invalid(lineNo, `user ${user} is not in dataset ${ds.name}`);
    if (row === 'unknown-item') throw invalid(lineNo, `item ${item} is not in dataset ${ds.name}`);
    if (row === 'unknown-pair') {
      throw invalid(lineNo, `user ${user} has no interaction with item ${item} in dataset ${ds.name}`);
    }
    if (labels[row] !== UNASSIGNED) throw invalid(lineNo, `user ${user}, item ${item} is listed twice`);
    labels[row] = label;
  });
  const missing = labels.reduce((count, label) => (label === UNASSIGNED ? count + 1 : count), 0);
  if (missing > 0) {
    throw new RecsysError(
      'RECSYS_ERR_SPLIT_INVALID',
      `${path}: ${missing} of ${labels.length} interactions of dataset ${ds.name} are absent from the split file`,
    );
  }
  return { protocol: 'file', labels };
}

function userSeed(seed: number, userId: string): number {
  const base = isIntegerId(userId) ? Number(userId) : hashString(userId);
  return ((seed + base) % 4294967296 + 4294967296) % 4294967296;
}

/**
 * Calls `visit` once per user with at least one interaction, with that user's
 * row indices sorted by (timestamp, item index). The array is the caller's to reorder.
 */
function forEachUserTimeline(ds: Dataset, visit: (user: number, rows: number[]) => void): void {
  const { user, item, timestamp, length } = ds.interactions;
  const starts = groupStarts(user, ds.userIds.length, length);
  const order = groupRows(user, starts, length);
  for (let u = 0; u < ds.userIds.length; u++) {
    const from = starts[u]!;
    const to = starts[u + 1]!;
    if (to === from) continue;
    const rows = Array.from(order.subarray(from, to));
    rows.sort((a, b) => timestamp[a]! - timestamp[b]! || item[a]! - item[b]!);
    visit(u, rows);
  }
}

/** starts[u]..starts[u+1] is user u's range in the grouped order (a counting sort). */
function groupStarts(user: Int32Array, users: number, length: number): Int32Array {
  const starts = new Int32Array(users + 1);
  for (let r = 0; r < length; r++) starts[user[r]! + 1]!++;
  for (let u = 0; u < users; u++) starts[u + 1]! += starts[u]!;
  return starts;
}

function groupRows(user: Int32Array, starts: Int32Array, length: number): Int32Array {
  const next = starts.slice(0, -1);
  const order = new Int32Array(length);
  for (let r = 0; r < length; r++) order[next[user[r]!]!++] = r;
  return order;
}

type PairLookup = (user: string, item: string) => number | 'unknown-user' | 'unknown-item' | 'unknown-pair';

/** Row of a (raw user, raw item) pair: users' rows grouped, items sorted within, binary search. */
function pairLookup(ds: Dataset): PairLookup {
  const { user, item, length } = ds.interactions;
  const userIndex = new Map(ds.userIds.map((id, index) => [id, index]));
  const itemIndex = new Map(ds.itemIds.map((id, index) => [id, index]));
  const starts = groupStarts(user, ds.userIds.length, length);
  const order = groupRows(user, starts, length);
  for (let u = 0; u < ds.userIds.length; u++) {
    order.subarray(starts[u], starts[u + 1]).sort((a, b) => item[a]! - item[b]!);
  }
  return (rawUser, rawItem) => {
    const u = userIndex.get(rawUser);
    if (u === undefined) return 'unknown-user';
    const i = itemIndex.get(rawItem);
    if (i === undefined) return 'unknown-item';
    let lo = starts[u]!;
    let hi = starts[u + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const row = order[mid]!;
      const at = item[row]!;
      if (at === i) return row;
      if (at < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return 'unknown-pair';
  };
}
