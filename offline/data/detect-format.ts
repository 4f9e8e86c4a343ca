import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { RecsysError } from '../../lib/domain/errors.js';
import { asUnreadable, readFirstLines } from './line-reader.js';
import { ML_LATEST_RATINGS_HEADER } from './loaders/ml-latest-small.loader.js';

export type DatasetFormat = 'ml-1m' | 'ml-latest-small' | 'ml-100k' | 'csv';

/** Where a dataset's files are: the ratings file and the metadata files found beside it. */
export interface DatasetLayout {
  readonly format: DatasetFormat;
  /** Name of the folder when a folder was given, else undefined (the loader derives one). */
  readonly name: string | undefined;
  readonly ratings: string;
  /** movies.dat, movies.csv or u.item. */
  readonly items?: string | undefined;
  /** users.dat or u.user. */
  readonly users?: string | undefined;
  /** u.genre. */
  readonly genres?: string | undefined;
}

const ML_1M_PART = /^ratings-.+\.dat$/;

/**
 * Finds the ratings file and format of a dataset folder or ratings file.
 * `format` other than 'auto' skips the guessing but still locates files.
 */
export async function detectLayout(path: string, format: 'auto' | DatasetFormat): Promise<DatasetLayout> {
  const isFolder = await statKind(path);
  if (isFolder) {
    const entries = await readdir(path).catch((error: unknown) => {
      throw asUnreadable(path, error);
    });
    const { ratings, format: found } = ratingsInFolder(path, new Set(entries), format);
    const chosen = found ?? (await formatOfFile(ratings));
    return withMetadata(chosen, ratings, basename(path));
  }
  return withMetadata(format === 'auto' ? await formatOfFile(path) : format, path, undefined);
}

async function statKind(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.isDirectory();
  } catch (error) {
    throw asUnreadable(path, error);
  }
}

function ratingsInFolder(
  folder: string,
  entries: ReadonlySet<string>,
  format: 'auto' | DatasetFormat,
): { ratings: string; format: DatasetFormat | undefined } {
  const ml1m = (): string | undefined => {
    if (entries.has('ratings.dat')) return 'ratings.dat';
    const parts = [...entries].filter((name) => ML_1M_PART.test(name)).sort();
    if (parts.length > 1) {
      throw new RecsysError(
        'RECSYS_ERR_DATA_FORMAT_UNKNOWN',
        `${folder} holds several ratings files (${parts.join(', ')}); pass one of them`,
      );
    }
    return parts[0];
  };
  const has = (name: string): string | undefined => (entries.has(name) ? name : undefined);
  const csv = (): string | undefined => {
    const delimited = [...entries].filter((name) => /\.(csv|tsv)$/i.test(name));
    return has('ratings.csv') ?? (delimited.length === 1 ? delimited[0] : undefined);
  };

  let file: string | undefined;
  let detected: DatasetFormat | undefined;
  switch (format) {
    case 'ml-1m':
      file = ml1m();
      detected = format;
      break;
    case 'ml-latest-small':
      file = has('ratings.csv');
      detected = format;
      break;
    case 'ml-100k':
      file = has('u.data');
      detected = format;
      break;
    case 'csv':
      file = csv();
      detected = format;
      break;
    case 'auto':
      if ((file = ml1m()) !== undefined) detected = 'ml-1m';
      else if (entries.has('ratings.csv') && entries.has('movies.csv')) [file, detected] = ['ratings.csv', 'ml-latest-small'];
      else if ((file = has('u.data')) !== undefined) detected = 'ml-100k';
      else file = has('ratings.csv');
      break;
  }
  if (file === undefined) {
    const listed = [...entries].sort().slice(0, 20).join(', ');
    const wanted = format === 'auto' ? 'a dataset layout' : `a ${format} ratings file`;
    throw new RecsysError(
      'RECSYS_ERR_DATA_FORMAT_UNKNOWN',
      `${folder}: no ${wanted} found (expected ratings.dat, ratings-*.dat, ratings.csv + movies.csv or u.data; found: ${listed})`,
    );
  }
  return { ratings: join(folder, file), format: detected };
}

async function formatOfFile(path: string): Promise<DatasetFormat> {
  const name = basename(path).toLowerCase();
  if (name === 'u.data') return 'ml-100k';
  const [first = ''] = await readFirstLines(path, 1, 'latin1');
  if (extname(name) === '.dat') {
    if (first.includes('::')) return 'ml-1m';
    throw new RecsysError('RECSYS_ERR_DATA_FORMAT_UNKNOWN', `${path}: a .dat file without "::" separators is no known format`);
  }
  if (first.trim().toLowerCase() === ML_LATEST_RATINGS_HEADER.toLowerCase()) return 'ml-latest-small';
  return 'csv';
}

async function withMetadata(format: DatasetFormat, ratings: string, name: string | undefined): Promise<DatasetLayout> {
  const folder = dirname(ratings);
  const beside = async (file: string): Promise<string | undefined> => {
    const candidate = join(folder, file);
    try {
      return (await stat(candidate)).isFile() ? candidate : undefined;
    } catch {
      return undefined;
    }
  };
  switch (format) {
    case 'ml-1m':
      return { format, name, ratings, items: await beside('movies.dat'), users: await beside('users.dat') };
    case 'ml-latest-small':
      return { format, name, ratings, items: await beside('movies.csv') };
    case 'ml-100k':
      return {
        format,
        name,
        ratings,
        items: await beside('u.item'),
        users: await beside('u.user'),
        genres: await beside('u.genre'),
      };
    case 'csv':
      return { format, name, ratings };
  }
}
