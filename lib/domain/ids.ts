/**
 * Raw ids are strings at every boundary. Ordering follows DESIGN.md section 5:
 * ids that are both integers compare as numbers ("9" < "10"), anything else as strings.
 */
const INTEGER = /^-?\d{1,15}$/;

export function isIntegerId(id: string): boolean {
  return INTEGER.test(id);
}

export function compareIds(a: string, b: string): number {
  const an = INTEGER.test(a);
  const bn = INTEGER.test(b);
  if (an && bn) return Number(a) - Number(b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const MAX_ID_LENGTH = 128;
