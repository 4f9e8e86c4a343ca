import assert from 'node:assert/strict';
import type { SimilarityTable } from '../../lib/stores/similarity/similarity-table.js';

/** Each row of a table as [item, score] pairs, best first. */
export function rowsOf(table: SimilarityTable): [number, number][][] {
  return Array.from({ length: table.rows }, (_, i) => {
    const row = table.row(i);
    return Array.from(row.items, (item, k) => [item, row.scores[k]!] as [number, number]);
  });
}

/** Same items in the same order, scores equal to Float32 precision (relative 1e-6). */
export function assertRowsClose(actual: SimilarityTable, expected: [number, number][][], what: string): void {
  const rows = rowsOf(actual);
  assert.equal(rows.length, expected.length, `${what}: rows`);
  rows.forEach((row, i) => {
    assert.deepEqual(row.map(([item]) => item), expected[i]!.map(([item]) => item), `${what}: row ${i} items`);
    row.forEach(([, score], k) => {
      const want = expected[i]![k]![1];
      assert.ok(Math.abs(score - want) <= 1e-6 * Math.abs(want), `${what}: row ${i} position ${k}: ${score} vs ${want}`);
    });
  });
}
