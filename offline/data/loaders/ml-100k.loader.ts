import type { ItemMeta, LoadedDataset, UserMeta } from '../dataset.js';
import { forEachLine, isBlank } from '../line-reader.js';
import { createBuilder, type LoaderOptions } from '../loader-options.js';
import { movieMeta } from '../movie-meta.js';

/** MovieLens 100K: tab-separated `u.data`, `|`-separated latin-1 metadata. */
export interface Ml100kFiles {
  /** `u.data`: user item rating timestamp, tab-separated. */
  readonly ratings: string;
  /** `u.item`: id|title|release date|video date|url|19 genre flags. */
  readonly items?: string | undefined;
  /** `u.user`: id|age|gender|occupation|zip. */
  readonly users?: string | undefined;
  /** `u.genre`: name|index; the standard names are used without it. */
  readonly genres?: string | undefined;
}

export const ML_100K_GENRES: readonly string[] = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

const ITEM_FIXED_FIELDS = 5;
const RELEASE_YEAR = /(\d{4})\s*$/;

export async function loadMl100k(files: Ml100kFiles, options: LoaderOptions = {}): Promise<LoadedDataset> {
  const builder = createBuilder(files.ratings, { format: 'ml-100k', numericIds: true, ratingRange: [1, 5] }, options);
  await forEachLine(files.ratings, 'latin1', (line, lineNo) => {
    if (isBlank(line)) return;
    const fields = line.split('\t');
    if (fields.length !== 4) {
      builder.reject(lineNo, 'field-count', line);
      return;
    }
    builder.addRow(lineNo, line, fields[0]!, fields[1]!, fields[2]!, fields[3]!);
  });
  const genres = files.genres === undefined ? ML_100K_GENRES : await readGenres(files.genres);
  const items = files.items === undefined ? undefined : await readItems(files.items, genres);
  const users = files.users === undefined ? undefined : await readUsers(files.users);
  return builder.build({ items, users });
}

async function readGenres(path: string): Promise<readonly string[]> {
  const names: (string | undefined)[] = [];
  await forEachLine(path, 'latin1', (line) => {
    const bar = line.lastIndexOf('|');
    if (bar <= 0) return;
    const index = Number(line.slice(bar + 1));
    if (Number.isInteger(index) && index >= 0) names[index] = line.slice(0, bar);
  });
  return names.length > 0 ? Array.from(names, (name, k) => name ?? ML_100K_GENRES[k] ?? `genre-${k}`) : ML_100K_GENRES;
}

async function readItems(path: string, genreNames: readonly string[]): Promise<Map<string, ItemMeta>> {
  const items = new Map<string, ItemMeta>();
  await forEachLine(path, 'latin1', (line) => {
    const fields = line.split('|');
    if (fields.length < ITEM_FIXED_FIELDS) return;
    const genres: string[] = [];
    for (let k = ITEM_FIXED_FIELDS; k < fields.length; k++) {
      const name = genreNames[k - ITEM_FIXED_FIELDS];
      if (fields[k] === '1' && name !== undefined && name !== 'unknown') genres.push(name);
    }
    const release = RELEASE_YEAR.exec(fields[2]!);
    items.set(fields[0]!, movieMeta(fields[1]!, genres, release === null ? null : Number(release[1])));
  });
  return items;
}

async function readUsers(path: string): Promise<Map<string, UserMeta>> {
  const users = new Map<string, UserMeta>();
  await forEachLine(path, 'latin1', (line) => {
    const [id, age, gender, occupation, zip] = line.split('|');
    if (id === undefined || id.length === 0 || zip === undefined) return;
    const years = Number(age);
    users.set(id, { gender, age: Number.isFinite(years) ? years : undefined, occupation, zip });
  });
  return users;
}
