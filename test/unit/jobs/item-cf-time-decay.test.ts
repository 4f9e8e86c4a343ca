import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import { buildTrainingData } from '../../../offline/jobs/training-data.js';
import { itemCfNeighbours } from '../../../offline/jobs/item-cf/item-cf.job.js';
import { parseConfig } from '../../../lib/config/load-config.js';

/*
 * Times in days; the newest interaction is day 10. Half-life 2 days: factor 2^(-age/2).
 *   u1: A@8  B@10       n(A)=2 {u1,u2}   n(B)=3 {u1,u2,u3}   n(C)=1 {u3}
 *   u2: A@6  B@10
 *   u3: B@10 C@10
 * C(A,B): u1 older = day 8 (age 2) -> 0.5; u2 older = day 6 (age 4) -> 0.25; sum 0.75.
 * C(B,C): u3 both day 10 -> 1.  C(A,C) = 0.
 * Cosine: s(A,B) = 0.75 / sqrt(2·3) = 0.30619, s(B,C) = 1 / sqrt(3·1) = 0.57735.
 */
const DAY = 86_400;
const ROWS: InteractionRow[] = [
  { user: 'u1', item: 'A', timestamp: 8 * DAY },
  { user: 'u1', item: 'B', timestamp: 10 * DAY },
  { user: 'u2', item: 'A', timestamp: 6 * DAY },
  { user: 'u2', item: 'B', timestamp: 10 * DAY },
  { user: 'u3', item: 'B', timestamp: 10 * DAY },
  { user: 'u3', item: 'C', timestamp: 10 * DAY },
];
const A = 0, B = 1, C = 2;

function rowsOf(table: ReturnType<typeof itemCfNeighbours>): [number, number][][] {
  return Array.from({ length: table.rows }, (_, i) => {
    const row = table.row(i);
    return Array.from(row.items, (item, k) => [item, row.scores[k]!] as [number, number]);
  });
}

void describe('item-cf time decay', () => {
  const data = buildTrainingData(datasetFromRows(ROWS));

  void it('weights each user by the decay of the older of the two interactions', () => {
    const table = itemCfNeighbours(data, { neighbours: 10, minCooccurrence: 1, iuf: false, alpha: 0.5, timeDecay: 2 });
    const ab = Math.fround(0.75 / Math.sqrt(6));
    const bc = Math.fround(1 / Math.sqrt(3));
    assert.deepEqual(rowsOf(table), [[[B, ab]], [[C, bc], [A, ab]], [[B, bc]]]);
  });

  void it('multiplies with the IUF weight', () => {
    const table = itemCfNeighbours(data, { neighbours: 10, minCooccurrence: 1, iuf: true, alpha: 0.5, timeDecay: 2 });
    // every user has 2 items: IUF weight 1/ln 3 for all
    const w = 1 / Math.log(3);
    assert.deepEqual(rowsOf(table)[A], [[B, Math.fround((0.75 * w) / Math.sqrt(6))]]);
  });

  void it('is off (plain counts) at 0, the default', () => {
    assert.equal(parseConfig({}).jobs['item-cf'].timeDecay, 0);
    const table = itemCfNeighbours(data, { neighbours: 10, minCooccurrence: 1, iuf: false, alpha: 0.5, timeDecay: 0 });
    assert.deepEqual(rowsOf(table)[A], [[B, Math.fround(2 / Math.sqrt(6))]]);
  });
});
