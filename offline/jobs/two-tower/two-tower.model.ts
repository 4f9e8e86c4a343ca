import { EmbeddingTable, Mlp, l2NormalizeBackward, l2NormalizeForward, type DenseParameter, type RandomSource, type SparseParameter } from '../../../lib/nn/index.js';
import { DEMOGRAPHIC_FIELDS, type TowerFeatures } from './two-tower.features.js';

export interface TwoTowerShape {
  readonly users: number;
  readonly items: number;
  /** Output dimension of both towers (the item vectors' dim). */
  readonly dim: number;
  readonly userIdDim: number;
  readonly historyDim: number;
  readonly itemIdDim: number;
  /** Width of each side-feature embedding (genre, year, each demographic field). */
  readonly featureDim: number;
  readonly userHidden: readonly number[];
  readonly itemHidden: readonly number[];
}

/**
 * A batch of user-tower inputs. `users[b]` is the user-id row (`shape.users` = the
 * out-of-vocabulary row); the history is a CSR bag of item indices with pooling weights
 * (1/length for the mean; the ONNX graph takes the same weights, padded with zeros).
 */
export interface UserBatch {
  readonly count: number;
  readonly users: Int32Array;
  readonly historyOffsets: Int32Array;
  readonly historyItems: Int32Array;
  readonly historyWeights: Float32Array;
}

/**
 * The two-tower model (Yi et al. 2019, "Sampling-bias-corrected neural modeling for large
 * corpus item recommendations"):
 *   user: [user-id emb | weighted mean of history-item embs | gender, age, occupation embs]
 *         → MLP (ReLU) → L2 normalise
 *   item: [item-id emb | mean of genre embs | year-bucket emb] → MLP (ReLU) → L2 normalise
 * Forward passes keep what their backward pass needs; one user and one item batch are in
 * flight at a time (train step, then evaluation).
 */
export class TwoTowerModel {
  readonly userIds: EmbeddingTable;
  readonly history: EmbeddingTable;
  readonly demographics: EmbeddingTable;
  readonly itemIds: EmbeddingTable;
  readonly genres: EmbeddingTable;
  readonly years: EmbeddingTable;
  readonly userMlp: Mlp;
  readonly itemMlp: Mlp;
  readonly userInDim: number;
  readonly itemInDim: number;

  private userX = new Float32Array(0);
  private userGx = new Float32Array(0);
  private userOut = new Float32Array(0);
  private userNorms = new Float32Array(0);
  private demographicIndex: Int32Array[] = [];
  private itemX = new Float32Array(0);
  private itemGx = new Float32Array(0);
  private itemOut = new Float32Array(0);
  private itemNorms = new Float32Array(0);
  private itemGenreCount = new Int32Array(0);
  private itemGenreOffsets = new Int32Array(0);
  private itemGenreList = new Int32Array(0);
  private itemYears = new Int32Array(0);
  private lastUsers: UserBatch | null = null;
  private lastItems: Int32Array | null = null;
  private lastItemCount = 0;

  constructor(readonly shape: TwoTowerShape, readonly features: TowerFeatures, random: RandomSource) {
    const { users, items, dim, userIdDim, historyDim, itemIdDim, featureDim } = shape;
    this.userIds = new EmbeddingTable(users + 1, userIdDim, random, 0.05, 'user-id');
    this.history = new EmbeddingTable(items, historyDim, random, 0.05, 'history');
    this.demographics = new EmbeddingTable(Math.max(1, features.demographicRows), featureDim, random, 0.05, 'demographics');
    this.itemIds = new EmbeddingTable(items, itemIdDim, random, 0.05, 'item-id');
    this.genres = new EmbeddingTable(Math.max(1, features.genres.length), featureDim, random, 0.05, 'genre');
    this.years = new EmbeddingTable(features.yearBuckets, featureDim, random, 0.05, 'year');
    this.userInDim = userIdDim + historyDim + DEMOGRAPHIC_FIELDS * featureDim;
    this.itemInDim = itemIdDim + 2 * featureDim;
    this.userMlp = new Mlp([this.userInDim, ...shape.userHidden, dim], random, 'user');
    this.itemMlp = new Mlp([this.itemInDim, ...shape.itemHidden, dim], random, 'item');
  }

  get denseParameters(): DenseParameter[] {
    return [...this.userMlp.parameters, ...this.itemMlp.parameters];
  }

  get sparseParameters(): SparseParameter[] {
    return [this.userIds, this.history, this.demographics, this.itemIds, this.genres, this.years].map((table) => table.parameter);
  }

  /** L2-normalised user vectors (count × dim), valid until the next user forward. */
  forwardUsers(batch: UserBatch): Float32Array {
    const { count } = batch;
    const inDim = this.userInDim;
    const { userIdDim, historyDim, featureDim, dim } = this.shape;
    if (this.userX.length < count * inDim) {
      this.userX = new Float32Array(count * inDim);
      this.userGx = new Float32Array(count * inDim);
      this.userOut = new Float32Array(count * dim);
      this.userNorms = new Float32Array(count);
      this.demographicIndex = Array.from({ length: DEMOGRAPHIC_FIELDS }, () => new Int32Array(count));
    }
    const x = this.userX;
    this.userIds.gather(batch.users, count, x, inDim, 0);
    this.history.bagForward(batch.historyOffsets, batch.historyItems, batch.historyWeights, count, 'sum', x, inDim, userIdDim);
    const table = this.features.userDemographics;
    for (let f = 0; f < DEMOGRAPHIC_FIELDS; f++) {
      const index = this.demographicIndex[f]!;
      for (let b = 0; b < count; b++) index[b] = table[batch.users[b]! * DEMOGRAPHIC_FIELDS + f]!;
      this.demographics.gather(index, count, x, inDim, userIdDim + historyDim + f * featureDim);
    }
    const z = this.userMlp.forward(x, count);
    l2NormalizeForward(z, count, dim, this.userOut, this.userNorms);
    this.lastUsers = batch;
    return this.userOut;
  }

  /** Backward from dL/d(user vectors) of the last forwardUsers. */
  backwardUsers(gradient: Float32Array): void {
    const batch = this.lastUsers!;
    const { count } = batch;
    const inDim = this.userInDim;
    const { userIdDim, historyDim, featureDim, dim } = this.shape;
    const gz = gradient;
    l2NormalizeBackward(this.userOut, this.userNorms, gradient, count, dim, gz);
    this.userMlp.backward(this.userX, gz, this.userGx);
    const gx = this.userGx;
    this.userIds.scatterAdd(batch.users, count, gx, inDim, 0);
    this.history.bagBackward(batch.historyOffsets, batch.historyItems, batch.historyWeights, count, 'sum', gx, inDim, userIdDim);
    for (let f = 0; f < DEMOGRAPHIC_FIELDS; f++) {
      this.demographics.scatterAdd(this.demographicIndex[f]!, count, gx, inDim, userIdDim + historyDim + f * featureDim);
    }
  }

  /** L2-normalised vectors (count × dim) of the given items, valid until the next item forward. */
  forwardItems(items: Int32Array, count: number): Float32Array {
    const inDim = this.itemInDim;
    const { itemIdDim, featureDim, dim } = this.shape;
    if (this.itemX.length < count * inDim) {
      this.itemX = new Float32Array(count * inDim);
      this.itemGx = new Float32Array(count * inDim);
      this.itemOut = new Float32Array(count * dim);
      this.itemNorms = new Float32Array(count);
      this.itemGenreCount = new Int32Array(count + 1);
      this.itemYears = new Int32Array(count);
    }
    const x = this.itemX;
    this.itemIds.gather(items, count, x, inDim, 0);
    const { itemGenreOffsets, itemGenres, itemYearBucket } = this.features;
    const offsets = this.itemGenreCount;
    offsets[0] = 0;
    for (let b = 0; b < count; b++) {
      const item = items[b]!;
      offsets[b + 1] = offsets[b]! + itemGenreOffsets[item + 1]! - itemGenreOffsets[item]!;
      this.itemYears[b] = itemYearBucket[item]!;
    }
    if (this.itemGenreList.length < offsets[count]!) this.itemGenreList = new Int32Array(offsets[count]! * 2);
    for (let b = 0; b < count; b++) {
      const item = items[b]!;
      this.itemGenreList.set(itemGenres.subarray(itemGenreOffsets[item], itemGenreOffsets[item + 1]), offsets[b]);
    }
    this.itemGenreOffsets = offsets;
    this.genres.bagForward(offsets, this.itemGenreList, null, count, 'mean', x, inDim, itemIdDim);
    this.years.gather(this.itemYears, count, x, inDim, itemIdDim + featureDim);
    const z = this.itemMlp.forward(x, count);
    l2NormalizeForward(z, count, dim, this.itemOut, this.itemNorms);
    this.lastItems = items;
    this.lastItemCount = count;
    return this.itemOut;
  }

  /** Backward from dL/d(item vectors) of the last forwardItems. */
  backwardItems(gradient: Float32Array): void {
    const items = this.lastItems!;
    const count = this.lastItemCount;
    const inDim = this.itemInDim;
    const { itemIdDim, featureDim, dim } = this.shape;
    l2NormalizeBackward(this.itemOut, this.itemNorms, gradient, count, dim, gradient);
    this.itemMlp.backward(this.itemX, gradient, this.itemGx);
    const gx = this.itemGx;
    this.itemIds.scatterAdd(items, count, gx, inDim, 0);
    this.genres.bagBackward(this.itemGenreOffsets, this.itemGenreList, null, count, 'mean', gx, inDim, itemIdDim);
    this.years.scatterAdd(this.itemYears, count, gx, inDim, itemIdDim + featureDim);
  }

  /** Every item's vector (items × dim, catalogue order), in chunks. */
  allItemVectors(chunk = 1024): Float32Array {
    const { items, dim } = this.shape;
    const out = new Float32Array(items * dim);
    const ids = new Int32Array(chunk);
    for (let start = 0; start < items; start += chunk) {
      const count = Math.min(chunk, items - start);
      for (let k = 0; k < count; k++) ids[k] = start + k;
      out.set(this.forwardItems(ids, count).subarray(0, count * dim), start * dim);
    }
    return out;
  }
}
