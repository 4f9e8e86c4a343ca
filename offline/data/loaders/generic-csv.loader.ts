import { extname } from 'node:path';
import { RecsysError } from '../../../lib/domain/errors.js';
import { splitDelimited } from '../csv-line.js';
import type { LoadedDataset } from '../dataset.js';
import { forEachLine, isBlank, readFirstLines, type TextEncoding } from '../line-reader.js';
import { createBuilder, type LoaderOptions } from '../loader-options.js';

/**
 * Which column holds what: header names, or 0-based indices ("0", "3") for a
 * file without a header. Without `rating` every rating is NaN; without
 * `timestamp` the row number stands in for time.
 */
export interface ColumnMapping {
  readonly user: string;
  readonly item: string;
  readonly rating?: string | undefined;
  readonly timestamp?: string | undefined;
}

export interface GenericCsvOptions extends LoaderOptions {
  readonly columns?: ColumnMapping | undefined;
  /** Field separator; sniffed from the first line (`,` `\t` `;`) when absent. */
  readonly delimiter?: string | undefined;
  readonly encoding?: TextEncoding | undefined;
}

interface ColumnLayout {
  readonly hasHeader: boolean;
  readonly fieldCount: number;
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  readonly timestamp: number;
}

type Role = keyof ColumnMapping;

const KNOWN_NAMES: Readonly<Record<Role, readonly string[]>> = {
  user: ['user', 'userid', 'user_id'],
  item: ['item', 'itemid', 'item_id', 'movieid', 'movie_id'],
  rating: ['rating'],
  timestamp: ['timestamp', 'ts', 'time'],
};
const ALL_KNOWN = new Set(Object.values(KNOWN_NAMES).flat());
const SNIFFED = [',', '\t', ';'];
const INDEX = /^\d+$/;
const ABSENT = -1;

export async function loadGenericCsv(path: string, options: GenericCsvOptions = {}): Promise<LoadedDataset> {
  const encoding = options.encoding ?? 'utf8';
  const [first] = await readFirstLines(path, 1, encoding);
  if (first === undefined) throw new RecsysError('RECSYS_ERR_DATA_UNREADABLE', `${path} has no interaction rows`);
  const delimiter = options.delimiter ?? sniffDelimiter(path, first);
  const layout = resolveColumns(path, splitDelimited(first, delimiter).map((f) => f.trim()), options.columns);

  const builder = createBuilder(path, { format: 'csv', numericIds: false, ratingRange: null }, options);
  let headerPending = layout.hasHeader;
  let rowNumber = 0;
  await forEachLine(path, encoding, (line, lineNo) => {
    if (isBlank(line)) return;
    if (headerPending) {
      headerPending = false;
      return;
    }
    rowNumber++;
    const fields = splitDelimited(line, delimiter);
    if (fields.length !== layout.fieldCount) {
      builder.reject(lineNo, 'field-count', line);
      return;
    }
    const rating = layout.rating === ABSENT ? null : fields[layout.rating]!.trim();
    const timestamp = layout.timestamp === ABSENT ? rowNumber : parseTime(fields[layout.timestamp]!.trim());
    builder.addRow(lineNo, line, fields[layout.user]!.trim(), fields[layout.item]!.trim(), rating, timestamp);
  });
  return builder.build();
}

/** Unix seconds, or an ISO-8601 date; NaN when neither. */
function parseTime(text: string): number {
  if (text.length === 0) return Number.NaN;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds;
  const millis = Date.parse(text);
  return Number.isFinite(millis) ? millis / 1000 : Number.NaN;
}

function sniffDelimiter(path: string, first: string): string {
  if (extname(path).toLowerCase() === '.tsv') return '\t';
  let best = ',';
  let bestCount = 0;
  for (const candidate of SNIFFED) {
    const count = first.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function resolveColumns(path: string, first: readonly string[], columns: ColumnMapping | undefined): ColumnLayout {
  const lower = first.map((name) => name.toLowerCase());
  const byName = (name: string): number => {
    const exact = first.indexOf(name);
    return exact !== ABSENT ? exact : lower.indexOf(name.toLowerCase());
  };
  const layout = (hasHeader: boolean, find: (role: Role) => number): ColumnLayout => ({
    hasHeader,
    fieldCount: first.length,
    user: find('user'),
    item: find('item'),
    rating: find('rating'),
    timestamp: find('timestamp'),
  });

  if (columns === undefined) {
    const found = layout(true, (role) => lower.findIndex((name) => KNOWN_NAMES[role].includes(name)));
    if (found.user === ABSENT || found.item === ABSENT) {
      throw new RecsysError(
        'RECSYS_ERR_DATA_FORMAT_UNKNOWN',
        `${path}: cannot tell which columns hold user and item (first line: ${first.join(', ')}); ` +
          'name them with a header (user, item, rating, timestamp) or pass a column mapping',
      );
    }
    return found;
  }

  const roles = (Object.keys(KNOWN_NAMES) as Role[]).filter((role) => columns[role] !== undefined);
  if (roles.every((role) => byName(columns[role]!) !== ABSENT)) {
    return layout(true, (role) => (columns[role] === undefined ? ABSENT : byName(columns[role])));
  }
  if (roles.every((role) => INDEX.test(columns[role]!))) {
    const index = (role: Role): number => (columns[role] === undefined ? ABSENT : Number(columns[role]));
    const tooFar = roles.find((role) => index(role) >= first.length);
    if (tooFar !== undefined) {
      throw new RecsysError(
        'RECSYS_ERR_DATA_FORMAT_UNKNOWN',
        `${path}: column ${index(tooFar)} for ${tooFar} does not exist (the first line has ${first.length} fields)`,
      );
    }
    return layout(looksLikeHeader(first, index('rating'), index('timestamp')), index);
  }
  const missing = roles.filter((role) => byName(columns[role]!) === ABSENT).map((role) => `"${columns[role]!}"`);
  throw new RecsysError(
    'RECSYS_ERR_DATA_FORMAT_UNKNOWN',
    `${path}: column ${missing.join(', ')} not in the header (${first.join(', ')})`,
  );
}

/** With columns given by index: is the first line a header rather than data? */
function looksLikeHeader(first: readonly string[], rating: number, timestamp: number): boolean {
  if (first.some((name) => ALL_KNOWN.has(name.toLowerCase()))) return true;
  const nonNumeric = (index: number): boolean => index !== ABSENT && !Number.isFinite(Number(first[index]));
  return nonNumeric(rating) || (nonNumeric(timestamp) && Number.isNaN(parseTime(first[timestamp]!)));
}
