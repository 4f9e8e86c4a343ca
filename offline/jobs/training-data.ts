import type { Dataset } from '../data/dataset.js';
import { sharedFloat32, sharedFloat64, sharedInt32, toShared } from '../../lib/shared-arrays.js';

/**
 * The interactions a job may learn from (all of them, or the train part of a split),
 * indexed both ways. Rows by user are most recent first (timestamp desc, item id desc);
 * rows by item list the users in ascending order. The arrays are SharedArrayBuffer-backed,
 * so the jobs' worker threads read them in place.
 */
export interface TrainingData {
  readonly dataset: Dataset;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  readonly userOffsets: Int32Array;
  readonly userItems: Int32Array;
  readonly userTimes: Float64Array;
  /** Aligned with userItems: the explicit rating, NaN where the log has none (implicit feedback). */
  readonly userRatings: Float32Array;
  readonly itemOffsets: Int32Array;
  readonly itemUsers: Int32Array;
}

/** Builds the training view from the rows where `include(row)` holds (default: every row). */
export function buildTrainingData(dataset: Dataset, include: (row: number) => boolean = () => true): TrainingData {
  const { interactions } = dataset;
  const users = dataset.userIds.length;
  const items = dataset.itemIds.length;
  const userCounts = new Int32Array(users + 1);
  const itemCounts = new Int32Array(items + 1);
  let kept = 0;
  for (let row = 0; row < interactions.length; row++) {
    if (!include(row)) continue;
    userCounts[interactions.user[row]! + 1]!++;
    itemCounts[interactions.item[row]! + 1]!++;
    kept++;
  }
  for (let u = 0; u < users; u++) userCounts[u + 1]! += userCounts[u]!;
  for (let i = 0; i < items; i++) itemCounts[i + 1]! += itemCounts[i]!;
  const userOffsets = toShared(userCounts);
  const itemOffsets = toShared(itemCounts);
  const rowsByUser = new Int32Array(kept);
  const itemUsers = sharedInt32(kept);
  const userFill = userOffsets.slice(0, users);
  const itemFill = itemOffsets.slice(0, items);
  // Rows are visited in user order below, so itemUsers ends up sorted by user.
  const rowOrder = new Int32Array(kept);
  {
    const fill = userOffsets.slice(0, users);
    for (let row = 0; row < interactions.length; row++) {
      if (include(row)) rowOrder[fill[interactions.user[row]!]!++] = row;
    }
  }
  const { timestamp, item, rating } = interactions;
  for (let u = 0; u < users; u++) {
    const start = userOffsets[u]!;
    const end = userOffsets[u + 1]!;
    const slice = rowOrder.subarray(start, end);
    slice.sort((a, b) => timestamp[b]! - timestamp[a]! || item[b]! - item[a]!);
    for (let k = start; k < end; k++) rowsByUser[userFill[u]!++] = rowOrder[k]!;
  }
  const userItems = sharedInt32(kept);
  const userTimes = sharedFloat64(kept);
  const userRatings = sharedFloat32(kept);
  for (let k = 0; k < kept; k++) {
    const row = rowsByUser[k]!;
    userItems[k] = item[row]!;
    userTimes[k] = timestamp[row]!;
    userRatings[k] = rating[row]!;
  }
  for (let u = 0; u < users; u++) {
    for (let k = userOffsets[u]!; k < userOffsets[u + 1]!; k++) itemUsers[itemFill[userItems[k]!]!++] = u;
  }
  return { dataset, users, items, interactions: kept, userOffsets, userItems, userTimes, userRatings, itemOffsets, itemUsers };
}
