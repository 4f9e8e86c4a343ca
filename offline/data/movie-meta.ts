import type { ItemMeta } from './dataset.js';

const TRAILING_YEAR = /\((\d{4})\)\s*$/;
const NO_GENRES = '(no genres listed)';

/** "Toy Story (1995)" → 1995; null when the title does not end in a year. */
export function parseTitleYear(title: string): number | null {
  const match = TRAILING_YEAR.exec(title);
  return match === null ? null : Number(match[1]);
}

/** `|`-separated MovieLens genres; "(no genres listed)" and empty mean none. */
export function parseGenres(field: string): string[] {
  const trimmed = field.trim();
  if (trimmed.length === 0 || trimmed === NO_GENRES) return [];
  return trimmed.split('|').filter((genre) => genre.length > 0 && genre !== NO_GENRES);
}

export function movieMeta(title: string, genres: readonly string[], fallbackYear: number | null = null): ItemMeta {
  const clean = title.trim();
  return { title: clean, year: parseTitleYear(clean) ?? fallbackYear, genres };
}
