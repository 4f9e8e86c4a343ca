/**
 * The user tower as served: `user-tower.onnx` (written by the two-tower job) and its sidecar
 * `user-tower.json`, the input contract they share, and a small runner over an
 * onnxruntime-node session. One file so the exporter and the server cannot disagree.
 *
 * Graph inputs (batch and history length dynamic):
 *   user            int64 [batch]           user-id row; `meta.users` = the unknown user
 *   history         int64 [batch, history]  item indices, most recent first, padded with 0
 *   history_weight  float [batch, history]  1/length for real entries, 0 for padding
 * Output: user_vector float [batch, dim], L2-normalised. The user's demographics are a
 * table inside the graph, looked up by `user`.
 *
 * The tower is ~60k multiply-adds: one run is a fraction of a millisecond, so it runs on the
 * calling thread (DESIGN.md 6: session.run blocks the event loop for its duration; the
 * rankers' ~1 ms runs are what need worker threads).
 */
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { RecsysError, errorMessage } from '../domain/errors.js';
import { createOrtSession, type OrtSession, type OrtSessionOptions } from './ort-session.js';

export const USER_TOWER_ARTIFACT = { model: 'user-tower.onnx', meta: 'user-tower.json' } as const;
export const USER_TOWER_INPUTS = { user: 'user', history: 'history', historyWeight: 'history_weight' } as const;
export const USER_TOWER_OUTPUT = 'user_vector';

const metaSchema = z.object({
  dim: z.number().int().positive(),
  /** Users with an id row; row `users` is the unknown user. */
  users: z.number().int().nonnegative(),
  items: z.number().int().positive(),
  maxHistory: z.number().int().positive(),
});

export type UserTowerMeta = z.infer<typeof metaSchema>;

export function encodeUserTowerMeta(meta: UserTowerMeta): string {
  return JSON.stringify(meta);
}

export function decodeUserTowerMeta(bytes: Buffer): UserTowerMeta {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${USER_TOWER_ARTIFACT.meta}: not JSON`);
  }
  const parsed = metaSchema.safeParse(document);
  if (!parsed.success) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${USER_TOWER_ARTIFACT.meta}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The padded input tensors of a batch of (user row, history) pairs. */
export function userTowerFeeds(meta: UserTowerMeta, users: readonly number[], histories: readonly ArrayLike<number>[]): Record<string, ort.Tensor> {
  const batch = users.length;
  let length = 1;
  for (const history of histories) length = Math.max(length, Math.min(meta.maxHistory, history.length));
  const user = new BigInt64Array(batch);
  const items = new BigInt64Array(batch * length);
  const weights = new Float32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    const row = users[b]!;
    user[b] = BigInt(Number.isInteger(row) && row >= 0 && row < meta.users ? row : meta.users);
    const history = histories[b]!;
    // Items outside the model's catalogue (none in a consistent bundle) are left out of the mean.
    let used = 0;
    for (let k = 0; k < history.length && used < meta.maxHistory; k++) {
      const item = history[k]!;
      if (item >= 0 && item < meta.items) items[b * length + used++] = BigInt(item);
    }
    for (let k = 0; k < used; k++) weights[b * length + k] = 1 / used;
  }
  return {
    [USER_TOWER_INPUTS.user]: new ort.Tensor('int64', user, [batch]),
    [USER_TOWER_INPUTS.history]: new ort.Tensor('int64', items, [batch, length]),
    [USER_TOWER_INPUTS.historyWeight]: new ort.Tensor('float32', weights, [batch, length]),
  };
}

/** A loaded user tower: user vectors from (user row, recent history). */
export class UserTower {
  private constructor(
    readonly meta: UserTowerMeta,
    private readonly ort: OrtSession,
  ) {}

  /** Loads the model, checks its inputs against the contract and runs it once (warm-up). */
  static async load(model: Uint8Array, meta: UserTowerMeta, options: OrtSessionOptions = {}): Promise<UserTower> {
    const session = await createOrtSession(model, options);
    for (const name of Object.values(USER_TOWER_INPUTS)) {
      if (!session.inputNames.includes(name)) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${USER_TOWER_ARTIFACT.model}: no input ${name}`);
    }
    const tower = new UserTower(meta, session);
    await tower.vectors([meta.users], [[0]]);
    return tower;
  }

  /** User vectors (batch × dim, row-major) for users[b] with histories[b] (most recent first). */
  async vectors(users: readonly number[], histories: readonly ArrayLike<number>[]): Promise<Float32Array> {
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.ort.session.run(userTowerFeeds(this.meta, users, histories));
    } catch (error) {
      throw new RecsysError('RECSYS_ERR_ONNX_RUN_FAILED', `user tower: ${errorMessage(error)}`, { cause: error });
    }
    const output = result[USER_TOWER_OUTPUT];
    if (output === undefined || !(output.data instanceof Float32Array) || output.data.length !== users.length * this.meta.dim) {
      throw new RecsysError('RECSYS_ERR_SCORER_SHAPE', `user tower: expected ${users.length}×${this.meta.dim} floats`);
    }
    return output.data;
  }

  /** One user's vector. */
  async vector(user: number, history: ArrayLike<number>): Promise<Float32Array> {
    return this.vectors([user], [history]);
  }

  close(): Promise<void> {
    return this.ort.release();
  }
}

/**
 * The bundle's user tower, or null when it has none (no two-tower job ran). `read` returns a
 * verified artifact's bytes; the sidecar must agree with the bundle's catalogue and users.
 */
export async function loadUserTower(
  read: (name: string) => Promise<Buffer>,
  names: readonly string[],
  items: number,
  users: number,
  options: OrtSessionOptions = {},
): Promise<UserTower | null> {
  if (!names.includes(USER_TOWER_ARTIFACT.model) || !names.includes(USER_TOWER_ARTIFACT.meta)) return null;
  const meta = decodeUserTowerMeta(await read(USER_TOWER_ARTIFACT.meta));
  if (meta.items !== items || meta.users !== users) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${USER_TOWER_ARTIFACT.meta}: ${meta.users} users and ${meta.items} items, the bundle ${users} and ${items}`);
  }
  return UserTower.load(await read(USER_TOWER_ARTIFACT.model), meta, options);
}
