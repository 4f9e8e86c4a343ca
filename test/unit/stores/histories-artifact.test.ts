import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { decodeHistories, encodeHistories } from '../../../lib/stores/bundle/artifacts.js';
import { encodeArrays } from '../../../lib/stores/bundle/typed-array-file.js';
import { datasetFromRows } from '../../../offline/data/dataset-builder.js';
import { buildTrainingData } from '../../../offline/jobs/training-data.js';

void describe('histories artifact', () => {
  const offsets = Int32Array.from([0, 2, 3]);
  const items = Int32Array.from([1, 0, 2]);
  const timestamps = Float64Array.from([20, 10, 5]);

  void it('round-trips ratings, NaN included', () => {
    const ratings = Float32Array.from([4.5, Number.NaN, 1]);
    const table = decodeHistories(encodeHistories({ offsets, items, timestamps, ratings }));
    assert.deepEqual(Array.from(table.ratings), [4.5, Number.NaN, 1]);
    assert.deepEqual(Array.from(table.items), [1, 0, 2]);
  });

  void it('reads an older bundle without ratings as all unknown', () => {
    const table = decodeHistories(encodeArrays({ offsets, items, timestamps }));
    assert.deepEqual(Array.from(table.ratings), [Number.NaN, Number.NaN, Number.NaN]);
  });

  void it('training data carries ratings aligned with userItems (most recent first), NaN for implicit rows', () => {
    const data = buildTrainingData(datasetFromRows([
      { user: 'u', item: 'a', timestamp: 1, rating: 3 },
      { user: 'u', item: 'b', timestamp: 2 },
      { user: 'v', item: 'a', timestamp: 5, rating: 4.5 },
    ]));
    assert.ok(data.userRatings.buffer instanceof SharedArrayBuffer);
    const ids = data.dataset.itemIds;
    assert.deepEqual(Array.from(data.userItems, (i) => ids[i]), ['b', 'a', 'a']);
    assert.deepEqual(Array.from(data.userRatings), [Number.NaN, 3, 4.5]);
  });
});
