import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { RecsysError } from '../../lib/domain/errors.js';
import { quoteField } from './csv-line.js';
import { ML_LATEST_RATINGS_HEADER } from './loaders/ml-latest-small.loader.js';
import { createPrng, type Prng } from './prng.js';
import { allocateActivity, ItemPicker, makeCatalogue, makeTaste, rate } from './synthetic-world.js';

export interface SyntheticOptions {
  readonly users?: number;
  readonly items?: number;
  readonly interactions?: number;
  readonly clusters?: number;
  readonly seed?: number;
}

export interface SyntheticResult {
  readonly ratingsPath: string;
  readonly moviesPath: string;
  /** Rows written (the requested count unless the catalogue is too small to hold it). */
  readonly interactions: number;
}

const FIRST_TIME = Date.UTC(2000, 0, 1) / 1000;
const LAST_TIME = Date.UTC(2018, 8, 1) / 1000;
const DAY = 86400;
const FLUSH_CHARS = 1 << 20;
/** "0.0", "0.5", … "5.0" by twice the rating. */
const STARS = Array.from({ length: 11 }, (_, k) => (k / 2).toFixed(1));

/**
 * Writes `ratings.csv` and `movies.csv` exactly in the ml-latest-small format
 * (see synthetic-world.ts for the model). Deterministic for a seed.
 */
export async function writeSyntheticDataset(dir: string, options: SyntheticOptions = {}): Promise<SyntheticResult> {
  const users = positive('users', options.users ?? 1000);
  const items = positive('items', options.items ?? 2000);
  const wanted = positive('interactions', options.interactions ?? 100_000);
  const clusters = Math.min(items, positive('clusters', options.clusters ?? 20));
  const random = createPrng(options.seed ?? 42);

  const catalogue = makeCatalogue(random, items, clusters);
  const activity = allocateActivity(random, users, items, wanted);
  const picker = new ItemPicker(random, catalogue);

  await mkdir(dir, { recursive: true });
  const ratingsPath = join(dir, 'ratings.csv');
  const moviesPath = join(dir, 'movies.csv');
  const ratings = new ChunkedWriter(ratingsPath);
  await ratings.write(`${ML_LATEST_RATINGS_HEADER}\r\n`);
  let written = 0;
  for (let u = 0; u < users; u++) {
    const taste = makeTaste(random, catalogue, activity[u]!);
    const picks = picker.pick(taste, activity[u]!);
    const times = timeline(random, picks.length);
    const order = Array.from(picks.keys()).sort((a, b) => picks[a]! - picks[b]!);
    let lines = '';
    for (const k of order) {
      const item = picks[k]!;
      const stars = STARS[rate(random, catalogue, taste, item) * 2]!;
      lines += `${u + 1},${catalogue.ids[item]},${stars},${times[k]}\r\n`;
    }
    written += picks.length;
    await ratings.write(lines);
  }
  await ratings.close();

  const movies = new ChunkedWriter(moviesPath);
  await movies.write('movieId,title,genres\r\n');
  for (let i = 0; i < items; i++) {
    await movies.write(`${catalogue.ids[i]},${quoteField(catalogue.titles[i]!)},${catalogue.genres[i]!}\r\n`);
  }
  await movies.close();
  return { ratingsPath, moviesPath, interactions: written };
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `synthetic ${name} must be a positive integer, got ${value}`, {
      field: name,
    });
  }
  return value;
}

/** Unix seconds, non-decreasing, in sessions over a span of days to a few years. */
function timeline(random: Prng, count: number): Float64Array {
  const spanDays = Math.min(4 * 365, Math.max(1, Math.exp(Math.log(150) + 1.4 * random.normal())));
  const span = spanDays * DAY;
  const start = FIRST_TIME + random.next() * Math.max(0, LAST_TIME - FIRST_TIME - span);
  const sessions = Math.max(1, Math.round(count / (5 + 25 * random.next())));
  const sessionStarts = Array.from({ length: sessions }, () => start + random.next() * span).sort((a, b) => a - b);
  const times = new Float64Array(count);
  let now = start;
  for (let k = 0; k < count; k++) {
    const sessionStart = sessionStarts[Math.floor((k * sessions) / count)]!;
    const gap = random.next() < 0.25 ? 0 : 5 + random.int(180);
    now = Math.max(now + gap, sessionStart);
    times[k] = Math.floor(now);
  }
  return times;
}

/** Buffers text and appends it to a file in large writes. */
class ChunkedWriter {
  private readonly path: string;
  private handle: Awaited<ReturnType<typeof open>> | undefined;
  private buffer = '';

  constructor(path: string) {
    this.path = path;
  }

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= FLUSH_CHARS) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    this.handle ??= await open(this.path, 'w');
    await this.handle.write(this.buffer, null, 'utf8');
    this.buffer = '';
  }
}
