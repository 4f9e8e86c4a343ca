/** One RecommendRequest as ghz reads it from a data file (proto field names, JSON). */
export interface GhzRecommendMessage {
  readonly user_id: string;
  readonly count: number;
}

/**
 * The ghz data file for Recommend: a JSON array of request messages, which ghz sends
 * round-robin (one per call) for a unary method. Users are spread evenly over the bundle's
 * users (every `step`-th), so the file stays small but covers light and heavy histories.
 */
export function ghzRecommendMessages(userIds: readonly string[], users: number, count: number): GhzRecommendMessage[] {
  if (userIds.length === 0) return [];
  const n = Math.min(users, userIds.length);
  const step = userIds.length / n;
  return Array.from({ length: n }, (_, i) => ({ user_id: userIds[Math.floor(i * step)]!, count }));
}
