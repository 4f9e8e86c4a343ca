/**
 * The latent model behind the synthetic dataset: items belong to taste
 * clusters whose genres they share, popularity is Zipf-like, each user picks
 * mostly from 1-3 favourite clusters (some clusters mainstream, most niche)
 * and partly by global popularity, with lognormal activity. Everything is
 * drawn from the given PRNG in a fixed order, so a seed fixes the output.
 */
import { shuffleInPlace, shuffledIndices, type Prng } from './prng.js';
import { syntheticTitle } from './synthetic-titles.js';

/** ml-latest-small genre names with their rough frequency there. */
const GENRES: readonly (readonly [string, number])[] = [
  ['Drama', 4361], ['Comedy', 3756], ['Thriller', 1894], ['Action', 1828], ['Romance', 1596], ['Adventure', 1263],
  ['Crime', 1199], ['Sci-Fi', 980], ['Horror', 978], ['Fantasy', 779], ['Children', 664], ['Animation', 611],
  ['Mystery', 573], ['Documentary', 440], ['War', 382], ['Musical', 334], ['Western', 167], ['IMAX', 158],
  ['Film-Noir', 87],
];

const ZIPF_EXPONENT = 1.0;
const ZIPF_OFFSET = 5;
/** Popularity inside a cluster is global popularity to this power: the head of each cluster dominates it. */
const CLUSTER_SKEW = 1.1;
/** Favourite clusters are drawn with weight 1 / (index + 1)^this: a few mainstream, many niche. */
const CLUSTER_APPEAL = 0.8;
const MIN_PER_USER = 20;
const MAX_USER_SHARE = 0.3;
const ACTIVITY_SIGMA = 1.1;
/** Spread of a user's own liking of single items, beyond what the clusters explain. */
const IDIOSYNCRASY = 0.6;
const NOISE_TABLE_SIZE = 1 << 16;
const MINOR_WEIGHT = 0.3;
/** Each user's share of picks driven by global popularity is uniform in [POP_LO, POP_LO + POP_SPAN]. */
const POP_LO = 0.03;
const POP_SPAN = 0.07;

export interface Catalogue {
  readonly size: number;
  readonly clusters: number;
  /** Raw movieId per item, ascending with gaps. */
  readonly ids: Int32Array;
  readonly cluster: Int32Array;
  readonly quality: Float32Array;
  readonly titles: readonly string[];
  /** `|`-joined genres, or "(no genres listed)". */
  readonly genres: readonly string[];
  /** Share of its cluster's picks each item draws (sums to 1 per cluster). */
  readonly clusterShare: Float64Array;
  /** Share of popularity-driven picks each item draws (sums to 1). */
  readonly globalShare: Float64Array;
  readonly clusterSizes: Int32Array;
  /** Cumulative appeal of the clusters: mainstream ones are chosen as favourites more often. */
  readonly appeal: readonly number[];
}

export interface Taste {
  /** Weight of each cluster in the user's picks; sums to 1 - popularShare. */
  readonly clusterWeight: Float64Array;
  readonly popularShare: number;
  /** Preference rank of each cluster for this user: 0 favourite, -1 not liked. */
  readonly rank: Int32Array;
  readonly bias: number;
  readonly halfStars: boolean;
}

export function makeCatalogue(random: Prng, items: number, clusters: number): Catalogue {
  const clusterGenres = Array.from({ length: clusters }, () => coreGenres(random));
  const clusterCumulative = cumulate(
    Array.from({ length: clusters }, () => 0.4 + random.next()),
  );
  const ranks = shuffledIndices(random, items);
  const ids = new Int32Array(items);
  const cluster = new Int32Array(items);
  const quality = new Float32Array(items);
  const popularity = new Float64Array(items);
  const titles: string[] = [];
  const genres: string[] = [];
  let id = 0;
  for (let i = 0; i < items; i++) {
    id += random.next() < 0.15 ? 2 + random.int(3) : 1;
    ids[i] = id;
    const c = i < clusters ? i : search(clusterCumulative, random.next() * clusterCumulative[clusters - 1]!);
    cluster[i] = c;
    popularity[i] = 1 / Math.pow(ranks[i]! + ZIPF_OFFSET, ZIPF_EXPONENT);
    quality[i] = 0.45 * random.normal() + 0.25 * (1 - ranks[i]! / items);
    const year = Math.max(1915, Math.min(2018, Math.round(1930 + (88 * (i + 1)) / items + 10 * random.normal())));
    titles.push(syntheticTitle(random, year));
    genres.push(itemGenres(random, clusterGenres[c]!));
  }
  const clusterShare = popularity.map((p) => Math.pow(p, CLUSTER_SKEW));
  const clusterTotal = new Float64Array(clusters);
  clusterShare.forEach((w, i) => (clusterTotal[cluster[i]!]! += w));
  clusterShare.forEach((w, i) => (clusterShare[i] = w / clusterTotal[cluster[i]!]!));
  const popularityTotal = popularity.reduce((sum, p) => sum + p, 0);
  const globalShare = popularity.map((p) => p / popularityTotal);
  const appeal = cumulate(Array.from({ length: clusters }, (_, c) => 1 / Math.pow(c + 1, CLUSTER_APPEAL)));
  const clusterSizes = new Int32Array(clusters);
  for (const c of cluster) clusterSizes[c]!++;
  return { size: items, clusters, ids, cluster, quality, titles, genres, clusterShare, globalShare, clusterSizes, appeal };
}

/** Interactions per user: lognormal above a floor, summing to `wanted` where the catalogue allows. */
export function allocateActivity(random: Prng, users: number, items: number, wanted: number): Int32Array {
  const floor = Math.min(MIN_PER_USER, Math.floor(wanted / users), items);
  const cap = Math.max(floor, Math.floor(items * MAX_USER_SHARE));
  const raw = Array.from({ length: users }, () => Math.exp(ACTIVITY_SIGMA * random.normal()));
  const total = raw.reduce((sum, value) => sum + value, 0);
  const extra = Math.max(0, wanted - floor * users);
  const counts = new Int32Array(users);
  let assigned = 0;
  for (let u = 0; u < users; u++) {
    counts[u] = Math.min(cap, floor + Math.floor((extra * raw[u]!) / total));
    assigned += counts[u]!;
  }
  for (let u = 0, stuck = 0; assigned < wanted && stuck < users; u = (u + 1) % users) {
    if (counts[u]! < cap) {
      counts[u]!++;
      assigned++;
      stuck = 0;
    } else {
      stuck++;
    }
  }
  return counts;
}

/** 1-3 favourite clusters; heavy users get minor ones too, until theirs hold twice what they pick. */
export function makeTaste(random: Prng, catalogue: Catalogue, count: number): Taste {
  const { clusters } = catalogue;
  const draw = random.next();
  const favourites = Math.min(clusters, draw < 0.45 ? 1 : draw < 0.8 ? 2 : 3);
  const rank = new Int32Array(clusters).fill(-1);
  const weight = new Float64Array(clusters);
  let chosen = 0;
  let room = 0;
  while (chosen < clusters && (chosen < favourites || room < 2 * count)) {
    const c = search(catalogue.appeal, random.next() * catalogue.appeal[clusters - 1]!);
    if (rank[c] !== -1) continue;
    rank[c] = chosen;
    weight[c] = (chosen === 0 ? 2 : chosen < favourites ? 1 : MINOR_WEIGHT) * -Math.log(1 - random.next());
    room += catalogue.clusterSizes[c]!;
    chosen++;
  }
  const popularShare = POP_LO + POP_SPAN * random.next();
  const total = weight.reduce((sum, w) => sum + w, 0);
  return {
    clusterWeight: weight.map((w) => (w / total) * (1 - popularShare)),
    popularShare,
    rank,
    bias: 0.35 * random.normal(),
    halfStars: random.next() < 0.5,
  };
}

/**
 * Draws a user's items without replacement, each in proportion to the user's
 * weight for it times a lognormal idiosyncrasy: the items with the smallest
 * exponential / (weight * lognormal) keys (Efraimidis-Spirakis), the noise
 * drawn from a precomputed table. Scratch buffers are reused across users.
 */
export class ItemPicker {
  private readonly random: Prng;
  private readonly catalogue: Catalogue;
  private readonly noise = new Float64Array(NOISE_TABLE_SIZE);
  private readonly keys: Float64Array;
  private readonly order: Int32Array;

  constructor(random: Prng, catalogue: Catalogue) {
    this.random = random;
    this.catalogue = catalogue;
    for (let k = 0; k < this.noise.length; k++) {
      this.noise[k] = -Math.log(1 - random.next()) * Math.exp(-IDIOSYNCRASY * random.normal());
    }
    this.keys = new Float64Array(catalogue.size);
    this.order = new Int32Array(catalogue.size);
  }

  /** `count` distinct item indices, in random order. */
  pick(taste: Taste, count: number): Int32Array {
    const { random, catalogue, keys, noise } = this;
    const { cluster, clusterShare, globalShare } = catalogue;
    for (let i = 0; i < keys.length; i++) {
      const weight = taste.clusterWeight[cluster[i]!]! * clusterShare[i]! + taste.popularShare * globalShare[i]!;
      keys[i] = noise[random.int(noise.length)]! / weight;
    }
    const picks = this.smallestKeys(Math.min(count, keys.length));
    shuffleInPlace(random, picks);
    return picks;
  }

  /** Indices of the `k` smallest keys (quickselect), in no particular order. */
  private smallestKeys(k: number): Int32Array {
    const { keys, order } = this;
    for (let i = 0; i < order.length; i++) order[i] = i;
    let lo = 0;
    let hi = order.length - 1;
    while (lo < hi) {
      const pivot = keys[order[(lo + hi) >>> 1]!]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (keys[order[i]!]! < pivot) i++;
        while (keys[order[j]!]! > pivot) j--;
        if (i <= j) {
          const swap = order[i]!;
          order[i] = order[j]!;
          order[j] = swap;
          i++;
          j--;
        }
      }
      if (k - 1 <= j) hi = j;
      else if (k - 1 >= i) lo = i;
      else break;
    }
    return order.slice(0, k);
  }
}

/** Half stars (or whole stars for some users) in 0.5..5, higher for items of favourite clusters. */
export function rate(random: Prng, catalogue: Catalogue, taste: Taste, item: number): number {
  const rank = taste.rank[catalogue.cluster[item]!]!;
  const affinity = rank === -1 ? -0.45 : rank === 0 ? 0.55 : rank < 3 ? 0.3 : 0;
  const score = 3.2 + taste.bias + catalogue.quality[item]! + affinity + 0.75 * random.normal();
  const stars = taste.halfStars ? Math.round(score * 2) / 2 : Math.round(score);
  return Math.max(taste.halfStars ? 0.5 : 1, Math.min(5, stars));
}

function coreGenres(random: Prng): number[] {
  const cumulative = cumulate(GENRES.map(([, weight]) => weight));
  const total = cumulative[cumulative.length - 1]!;
  const core = [search(cumulative, random.next() * total)];
  for (const chance of [0.7, 0.3]) {
    if (random.next() >= chance) break;
    const extra = search(cumulative, random.next() * total);
    if (!core.includes(extra)) core.push(extra);
  }
  return core;
}

function itemGenres(random: Prng, core: readonly number[]): string {
  if (random.next() < 0.004) return '(no genres listed)';
  const chosen = new Set(core.filter((_, k) => k === 0 || random.next() < 0.75));
  if (random.next() < 0.25) chosen.add(random.int(GENRES.length));
  return [...chosen]
    .map((g) => GENRES[g]![0])
    .sort()
    .join('|');
}

function cumulate(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((weight) => (sum += weight));
}

/** First index whose cumulative weight exceeds `target`. */
function search(cumulative: readonly number[], target: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
