import { MAX_ID_LENGTH } from '../../lib/domain/ids.js';
import { RecsysError } from '../../lib/domain/errors.js';

export const MAX_EXCLUDED_ITEMS = 10_000;
export const MAX_CONTEXT_ENTRIES = 64;

function invalid(field: string, message: string): RecsysError {
  return new RecsysError('RECSYS_ERR_REQUEST_INVALID', `${field}: ${message}`, { field });
}

/** A non-empty id of bounded length without control characters. */
export function requireId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'must be a non-empty string');
  if (value.length > MAX_ID_LENGTH) throw invalid(field, `must be at most ${MAX_ID_LENGTH} characters (got ${value.length})`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(field, 'must not contain control characters');
  return value;
}

export function requireCount(field: string, value: unknown, max: number, fallback?: number): number {
  if ((value === 0 || value === undefined) && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) throw invalid(field, `must be an integer in 1..${max} (got ${String(value)})`);
  return value;
}

export function requireIdList(field: string, value: unknown, max: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(field, 'must be a list of ids');
  if (value.length > max) throw invalid(field, `must hold at most ${max} ids (got ${value.length})`);
  return value.map((id, index) => requireId(`${field}[${index}]`, id));
}

export function requireScene(field: string, value: unknown, scenes: readonly string[]): string {
  const scene = value === undefined || value === '' ? scenes[0]! : value;
  if (typeof scene !== 'string' || !scenes.includes(scene)) {
    throw new RecsysError('RECSYS_ERR_REQUEST_UNKNOWN_SCENE', `${field}: unknown scene "${typeof scene === 'string' ? scene.slice(0, MAX_ID_LENGTH) : typeof scene}" (known: ${scenes.join(', ')})`, { field });
  }
  return scene;
}

export function requireContext(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) throw invalid(field, 'must be a map');
  const entries = Object.entries(value);
  if (entries.length > MAX_CONTEXT_ENTRIES) throw invalid(field, `must hold at most ${MAX_CONTEXT_ENTRIES} entries`);
  for (const [key, entry] of entries) {
    if (key.length > MAX_ID_LENGTH || typeof entry !== 'string' || entry.length > 1024) throw invalid(`${field}.${key.slice(0, 32)}`, 'key or value too long');
  }
}
