import type { Dataset } from '../data/dataset.js';

/**
 * Held-out interactions the learned jobs may use for early stopping, tuning and the ranker's
 * labels, never as training signal: per user, the held-out item indices (CSR).
 * In `recsys evaluate` it is the split's valid part (disjoint from the training view); in
 * `recsys train` (all data) it is each user's most recent ceil(n/10) interactions, which the
 * training view also holds, so a job that learns must skip them (see `isHeldOut`).
 */
export interface ValidationSet {
  readonly users: number;
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  /** True where the validation rows are also in the training view (the `recsys train` case). */
  readonly overlapsTraining: boolean;
}

/** Builds the set from the rows where `include(row)` holds. */
export function buildValidationSet(dataset: Dataset, include: (row: number) => boolean, overlapsTraining: boolean): ValidationSet {
  const users = dataset.userIds.length;
  const { user, item } = dataset.interactions;
  const offsets = new Int32Array(users + 1);
  for (let row = 0; row < user.length; row++) if (include(row)) offsets[user[row]! + 1]!++;
  for (let u = 0; u < users; u++) offsets[u + 1]! += offsets[u]!;
  const items = new Int32Array(offsets[users]!);
  const fill = offsets.slice(0, users);
  for (let row = 0; row < user.length; row++) if (include(row)) items[fill[user[row]!]!++] = item[row]!;
  for (let u = 0; u < users; u++) items.subarray(offsets[u], offsets[u + 1]).sort();
  return { users, offsets, items, overlapsTraining };
}

/**
 * The temporal hold-out of `recsys train`: per user with at least 3 interactions, the most
 * recent ceil(n/10) by (timestamp, item id). Integer ceiling, numeric id order (DESIGN.md 5).
 */
export function recentHoldout(dataset: Dataset): ValidationSet {
  const users = dataset.userIds.length;
  const { user, item, timestamp } = dataset.interactions;
  const rowsByUser: number[][] = Array.from({ length: users }, () => []);
  for (let row = 0; row < user.length; row++) rowsByUser[user[row]!]!.push(row);
  const held = new Uint8Array(user.length);
  for (const rows of rowsByUser) {
    if (rows.length < 3) continue;
    rows.sort((a, b) => timestamp[a]! - timestamp[b]! || item[a]! - item[b]!);
    const count = Math.floor((rows.length + 9) / 10);
    for (let k = rows.length - count; k < rows.length; k++) held[rows[k]!] = 1;
  }
  return buildValidationSet(dataset, (row) => held[row] === 1, true);
}

/** Whether `item` is among user `u`'s validation items (binary search over the sorted slice). */
export function isHeldOut(validation: ValidationSet, u: number, item: number): boolean {
  let lo = validation.offsets[u]!;
  let hi = validation.offsets[u + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = validation.items[mid]!;
    if (value === item) return true;
    if (value < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** No held-out interactions (jobs that do not learn, tests). */
export function emptyValidation(users: number): ValidationSet {
  return { users, offsets: new Int32Array(users + 1), items: new Int32Array(0), overlapsTraining: false };
}

/** `{ data, validation }` for a job context with nothing held out. */
export function withoutValidation<T extends { readonly users: number }>(data: T): { data: T; validation: ValidationSet } {
  return { data, validation: emptyValidation(data.users) };
}
