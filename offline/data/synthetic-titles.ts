import type { Prng } from './prng.js';

const ADJECTIVES = [
  'Silent', 'Broken', 'Golden', 'Last', 'Hidden', 'Crimson', 'Lonely', 'Electric', 'Midnight', 'Frozen', 'Burning',
  'Distant', 'Wild', 'Lost', 'Dark', 'Bright', 'Endless', 'Savage', 'Secret', 'Quiet', 'Fading', 'Iron', 'Velvet',
  'Hollow', 'Restless', 'Northern', 'Forgotten', 'Little', 'Crooked', 'Sweet', 'Bitter', 'Eternal', 'Scarlet',
  'Final', 'Stolen', 'Strange', 'Gentle', 'Wicked', 'Blue', 'Paper',
];

const NOUNS = [
  'Harbor', 'River', 'Kingdom', 'Garden', 'Shadow', 'Horizon', 'Empire', 'Mirror', 'Summer', 'Winter', 'Storm',
  'Highway', 'Island', 'Station', 'Promise', 'Letter', 'Voyage', 'Frontier', 'Circus', 'Machine', 'Orchard', 'Code',
  'Witness', 'Dynasty', 'Canyon', 'Heart', 'Signal', 'Lighthouse', 'Ballroom', 'Desert', 'Planet', 'Detective',
  'Stranger', 'Carnival', 'Fortune', 'Café', 'Symphony', 'Outpost', 'Journey', 'Castle',
];

const NAMES = [
  'Annie', 'Marcus', 'Lola', 'Victor', 'Rosa', 'Henry', 'Mabel', 'Oscar', 'Iris', 'Felix', 'Noël', 'Amélie', 'Jack',
  'Clara', 'Dmitri', 'Hugo', 'Greta', 'Sam', 'Señor Lopez', 'Eleanor',
];

const SEQUELS = ['2', 'II', '3', 'III', 'Returns', 'Part Two'];

type Pattern = (random: Prng) => string;

const pick = (random: Prng, words: readonly string[]): string => words[random.int(words.length)]!;

const PATTERNS: readonly (readonly [number, Pattern])[] = [
  [24, (r) => `The ${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}`],
  [18, (r) => `${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}`],
  [7, (r) => `${pick(r, NOUNS)}, The`],
  [6, (r) => `${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}, The`],
  [12, (r) => `${pick(r, NOUNS)} of the ${pick(r, NOUNS)}`],
  [8, (r) => `${pick(r, NAMES)}'s ${pick(r, NOUNS)}`],
  [8, (r) => `${pick(r, NOUNS)} and ${pick(r, NOUNS)}`],
  [5, (r) => `${pick(r, NOUNS)} ${pick(r, SEQUELS)}`],
  [5, (r) => `${pick(r, NOUNS)}: The ${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}`],
  [4, (r) => `${pick(r, NAMES)}, ${pick(r, NAMES)} and the ${pick(r, NOUNS)}`],
  [2, (r) => `"${pick(r, ADJECTIVES)}" ${pick(r, NOUNS)}`],
  [1, (r) => pick(r, NOUNS)],
];

const TOTAL_WEIGHT = PATTERNS.reduce((sum, [weight]) => sum + weight, 0);

/** A MovieLens-style title from word lists: "The Silent Harbor (1987)", "Harbor, The (1987)". */
export function syntheticTitle(random: Prng, year: number): string {
  let draw = random.next() * TOTAL_WEIGHT;
  for (const [weight, pattern] of PATTERNS) {
    draw -= weight;
    if (draw < 0) return `${pattern(random)} (${year})`;
  }
  return `${PATTERNS[0]![1](random)} (${year})`;
}
