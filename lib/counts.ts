/** Tallies by name (status codes, degraded sources): one increment and one format for every report. */

/** counts[key] += n (a missing key counts from 0). */
export function addCount(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** "a 3, b 1": the counts, largest first. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts).sort(([, a], [, b]) => b - a).map(([name, n]) => `${name} ${n}`).join(', ');
}
