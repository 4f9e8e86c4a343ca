import { RecsysError } from '../../lib/domain/errors.js';
import { isIntegerId } from '../../lib/domain/ids.js';
import type { BadRowReason, Dataset, ItemMeta, LoadedDataset, LoadReport, UserMeta } from './dataset.js';

export interface BuilderOptions {
  readonly name: string;
  readonly source: string;
  readonly format: string;
  /** Inclusive bounds for explicit ratings; null accepts any number. */
  readonly ratingRange: readonly [number, number] | null;
  /** Whether user and item ids must be unsigned integers (the MovieLens formats). */
  readonly numericIds: boolean;
  /** Largest tolerated share of rejected rows; more makes build() throw. */
  readonly maxBadFraction: number;
  readonly onProgress?: ((rowsRead: number) => void) | undefined;
}

export interface DatasetMeta {
  readonly items?: ReadonlyMap<string, ItemMeta>;
  readonly users?: ReadonlyMap<string, UserMeta>;
}

type Example = LoadReport['examples'][number];

const MAX_EXAMPLES = 10;
const MAX_EXAMPLE_CHARS = 200;
const PROGRESS_EVERY = 1 << 16;
const INITIAL_CAPACITY = 1 << 12;

/**
 * Accumulates interaction rows: validates each, keeps the first occurrence of a
 * user-item pair, counts rejected rows by reason, then builds the columnar
 * Dataset with dense indices in ascending id order.
 */
export class DatasetBuilder {
  private readonly options: BuilderOptions;
  private readonly userIndex = new IdIndex();
  private readonly itemIndex = new IdIndex();
  private readonly pairs = new PairSet();
  private users = new Int32Array(INITIAL_CAPACITY);
  private items = new Int32Array(INITIAL_CAPACITY);
  private ratings = new Float32Array(INITIAL_CAPACITY);
  private timestamps = new Float64Array(INITIAL_CAPACITY);
  private length = 0;
  private rows = 0;
  private readonly rejected: Partial<Record<BadRowReason, number>> = {};
  private readonly examples: Example[] = [];

  constructor(options: BuilderOptions) {
    this.options = options;
  }

  get rowsRead(): number {
    return this.rows;
  }

  /**
   * Offers one data row. `rating` null means the log has no ratings (stored as
   * NaN); a numeric `timestamp` is taken as is. Returns whether it was accepted.
   */
  addRow(
    line: number,
    text: string,
    user: string,
    item: string,
    rating: string | null,
    timestamp: string | number,
  ): boolean {
    if (user.length === 0 || item.length === 0) return this.reject(line, 'empty-id', text);
    if (this.options.numericIds && (!isUnsignedInteger(user) || !isUnsignedInteger(item))) {
      return this.reject(line, 'non-numeric', text);
    }
    let value = Number.NaN;
    if (rating !== null) {
      value = parseNumber(rating);
      if (!Number.isFinite(value)) return this.reject(line, 'non-numeric', text);
      const range = this.options.ratingRange;
      if (range !== null && (value < range[0] || value > range[1])) {
        return this.reject(line, 'rating-out-of-range', text);
      }
    }
    const time = typeof timestamp === 'number' ? timestamp : parseNumber(timestamp);
    if (!Number.isFinite(time)) return this.reject(line, 'bad-timestamp', text);

    const u = this.userIndex.intern(user);
    const i = this.itemIndex.intern(item);
    if (!this.pairs.add(u, i)) return this.reject(line, 'duplicate-pair', text);

    if (this.length === this.users.length) this.grow();
    const at = this.length++;
    this.users[at] = u;
    this.items[at] = i;
    this.ratings[at] = value;
    this.timestamps[at] = time;
    this.countRow();
    return true;
  }

  /** Counts a row the loader rejected itself (for example a wrong field count). Returns false. */
  reject(line: number, reason: BadRowReason, text: string): false {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    if (this.examples.length < MAX_EXAMPLES) {
      this.examples.push({ line, reason, text: text.length > MAX_EXAMPLE_CHARS ? text.slice(0, MAX_EXAMPLE_CHARS) : text });
    }
    this.countRow();
    return false;
  }

  /** Throws RECSYS_ERR_DATA_TOO_MANY_BAD_ROWS when too few rows were accepted. */
  build(meta: DatasetMeta = {}): LoadedDataset {
    const { options } = this;
    options.onProgress?.(this.rows);
    const bad = this.rows - this.length;
    if (this.rows === 0) {
      throw new RecsysError('RECSYS_ERR_DATA_UNREADABLE', `${options.source} has no interaction rows`);
    }
    if (this.length === 0 || bad / this.rows > options.maxBadFraction) {
      const reasons = Object.entries(this.rejected)
        .map(([reason, count]) => `${reason} ${count}`)
        .join(', ');
      throw new RecsysError(
        'RECSYS_ERR_DATA_TOO_MANY_BAD_ROWS',
        `${options.source}: ${bad} of ${this.rows} rows rejected (${reasons}); at most ${Math.round(options.maxBadFraction * 100)}% may be`,
      );
    }

    const userRank = denseRanks(this.userIndex.ids);
    const itemRank = denseRanks(this.itemIndex.ids);
    const n = this.length;
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      user[r] = userRank[this.users[r]!]!;
      item[r] = itemRank[this.items[r]!]!;
    }
    const userIds = reorder(this.userIndex.ids, userRank);
    const itemIds = reorder(this.itemIndex.ids, itemRank);
    const itemMeta = itemIds.map((id) => meta.items?.get(id));
    const userMeta = userIds.map((id) => meta.users?.get(id));

    const dataset: Dataset = {
      name: options.name,
      userIds,
      itemIds,
      itemMeta,
      userMeta,
      interactions: {
        length: n,
        user,
        item,
        rating: this.ratings.slice(0, n),
        timestamp: this.timestamps.slice(0, n),
      },
    };
    const report: LoadReport = {
      source: options.source,
      format: options.format,
      rows: this.rows,
      accepted: n,
      rejected: { ...this.rejected },
      examples: [...this.examples],
      itemsWithMeta: itemMeta.filter((m) => m !== undefined).length,
      usersWithMeta: userMeta.filter((m) => m !== undefined).length,
    };
    return { dataset, report };
  }

  private countRow(): void {
    this.rows++;
    if (this.rows % PROGRESS_EVERY === 0) this.options.onProgress?.(this.rows);
  }

  private grow(): void {
    const capacity = this.users.length * 2;
    const users = new Int32Array(capacity);
    users.set(this.users);
    this.users = users;
    const items = new Int32Array(capacity);
    items.set(this.items);
    this.items = items;
    const ratings = new Float32Array(capacity);
    ratings.set(this.ratings);
    this.ratings = ratings;
    const timestamps = new Float64Array(capacity);
    timestamps.set(this.timestamps);
    this.timestamps = timestamps;
  }
}

/** A row for datasetFromRows. */
export interface InteractionRow {
  readonly user: string;
  readonly item: string;
  readonly rating?: number;
  readonly timestamp: number;
}

/** Builds a Dataset from in-memory rows (tests, small tools); any invalid or duplicate row throws. */
export function datasetFromRows(rows: readonly InteractionRow[], name = 'inline'): Dataset {
  const builder = new DatasetBuilder({
    name,
    source: name,
    format: 'rows',
    ratingRange: null,
    numericIds: false,
    maxBadFraction: 0,
  });
  rows.forEach((row, index) => {
    const rating = row.rating === undefined ? null : String(row.rating);
    builder.addRow(index + 1, `${row.user},${row.item}`, row.user, row.item, rating, row.timestamp);
  });
  return builder.build().dataset;
}

function parseNumber(text: string): number {
  const integer = smallInteger(text);
  if (integer !== -1) return integer;
  const value = Number(text);
  return value === 0 && text.trim().length === 0 ? Number.NaN : value;
}

function isUnsignedInteger(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Value of a canonical unsigned integer of up to 15 digits ("0", "42"; not "042"), else -1. */
function smallInteger(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15 || (n > 1 && text.charCodeAt(0) === 48)) return -1;
  let value = 0;
  for (let k = 0; k < n; k++) {
    const digit = text.charCodeAt(k) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const DIRECT_LIMIT = 1 << 24;

/**
 * Raw id → first-seen number. Small canonical integer ids (the MovieLens case)
 * go through a direct table instead of hashing the string on every row.
 */
class IdIndex {
  readonly ids: string[] = [];
  private readonly byString = new Map<string, number>();
  private direct = new Int32Array(1 << 12).fill(-1);

  intern(id: string): number {
    const value = smallInteger(id);
    if (value === -1 || value >= DIRECT_LIMIT) return this.internString(id);
    if (value >= this.direct.length) this.growDirect(value);
    const known = this.direct[value]!;
    if (known !== -1) return known;
    const fresh = this.ids.length;
    this.direct[value] = fresh;
    this.ids.push(id);
    return fresh;
  }

  /** Long ids are copied so that they do not keep a whole read chunk alive. */
  private internString(id: string): number {
    const known = this.byString.get(id);
    if (known !== undefined) return known;
    const own = id.length >= 13 ? Buffer.from(id, 'utf8').toString('utf8') : id;
    const fresh = this.ids.length;
    this.byString.set(own, fresh);
    this.ids.push(own);
    return fresh;
  }

  private growDirect(value: number): void {
    let size = this.direct.length;
    while (size <= value) size *= 2;
    const grown = new Int32Array(size).fill(-1);
    grown.set(this.direct);
    this.direct = grown;
  }
}

/** rank[k] = position of ids[k] in compareIds order (ties broken as strings, for determinism). */
function denseRanks(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const integer = new Uint8Array(n);
  const value = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const id = ids[k]!;
    if (isIntegerId(id)) {
      integer[k] = 1;
      value[k] = Number(id);
    }
  }
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => {
    const ai = integer[a]!;
    const bi = integer[b]!;
    if (ai !== bi) return bi - ai;
    if (ai === 1 && value[a] !== value[b]) return value[a]! - value[b]!;
    const sa = ids[a]!;
    const sb = ids[b]!;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  const rank = new Int32Array(n);
  order.forEach((k, position) => {
    rank[k] = position;
  });
  return rank;
}

function reorder(ids: readonly string[], rank: Int32Array): string[] {
  const out = new Array<string>(ids.length);
  ids.forEach((id, k) => {
    out[rank[k]!] = id;
  });
  return out;
}

/** Open-addressing set of (user, item) pairs of non-negative int32s. */
class PairSet {
  private keysU = new Int32Array(1 << 12).fill(-1);
  private keysI = new Int32Array(1 << 12);
  private size = 0;

  /** Returns false when the pair was already present. */
  add(u: number, i: number): boolean {
    if (this.size * 2 >= this.keysU.length) this.rehash();
    const mask = this.keysU.length - 1;
    let slot = hashPair(u, i) & mask;
    for (;;) {
      const su = this.keysU[slot]!;
      if (su === -1) {
        this.keysU[slot] = u;
        this.keysI[slot] = i;
        this.size++;
        return true;
      }
      if (su === u && this.keysI[slot] === i) return false;
      slot = (slot + 1) & mask;
    }
  }

  private rehash(): void {
    const oldU = this.keysU;
    const oldI = this.keysI;
    this.keysU = new Int32Array(oldU.length * 2).fill(-1);
    this.keysI = new Int32Array(oldU.length * 2);
    this.size = 0;
    for (let k = 0; k < oldU.length; k++) {
      const u = oldU[k]!;
      if (u !== -1) this.add(u, oldI[k]!);
    }
  }
}

function hashPair(u: number, i: number): number {
  let h = Math.imul(u, 0x9e3779b1) ^ Math.imul(i + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
