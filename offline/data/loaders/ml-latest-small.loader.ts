import { splitDelimited } from '../csv-line.js';
import type { ItemMeta, LoadedDataset } from '../dataset.js';
import { forEachLine, isBlank } from '../line-reader.js';
import { createBuilder, type LoaderOptions } from '../loader-options.js';
import { movieMeta, parseGenres } from '../movie-meta.js';

/** MovieLens "latest" CSV (ml-latest-small, ml-25m, …): UTF-8, header row, CRLF. */
export interface MlLatestSmallFiles {
  /** `ratings.csv`: userId,movieId,rating,timestamp. */
  readonly ratings: string;
  /** `movies.csv`: movieId,title,genres. */
  readonly movies?: string | undefined;
}

export const ML_LATEST_RATINGS_HEADER = 'userId,movieId,rating,timestamp';

export async function loadMlLatestSmall(files: MlLatestSmallFiles, options: LoaderOptions = {}): Promise<LoadedDataset> {
  const builder = createBuilder(
    files.ratings,
    { format: 'ml-latest-small', numericIds: true, ratingRange: [0, 5] },
    options,
  );
  let seenHeader = false;
  await forEachLine(files.ratings, 'utf8', (line, lineNo) => {
    if (isBlank(line)) return;
    if (!seenHeader) {
      seenHeader = true;
      if (isHeader(line, 'userid')) return;
    }
    const fields = splitDelimited(line);
    if (fields.length !== 4) {
      builder.reject(lineNo, 'field-count', line);
      return;
    }
    builder.addRow(lineNo, line, fields[0]!, fields[1]!, fields[2]!, fields[3]!);
  });
  const items = files.movies === undefined ? undefined : await readMovies(files.movies);
  return builder.build({ items });
}

async function readMovies(path: string): Promise<Map<string, ItemMeta>> {
  const movies = new Map<string, ItemMeta>();
  let seenHeader = false;
  await forEachLine(path, 'utf8', (line) => {
    if (isBlank(line)) return;
    if (!seenHeader) {
      seenHeader = true;
      if (isHeader(line, 'movieid')) return;
    }
    const fields = splitDelimited(line);
    if (fields.length < 3) return;
    const id = fields[0]!;
    // An unquoted title with a comma splits into several fields: rejoin them.
    const title = fields.slice(1, -1).join(',');
    movies.set(id, movieMeta(title, parseGenres(fields[fields.length - 1]!)));
  });
  return movies;
}

function isHeader(line: string, firstColumn: string): boolean {
  return line.trim().toLowerCase().startsWith(`${firstColumn},`);
}
