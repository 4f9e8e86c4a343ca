import { RecsysError } from '../../../lib/domain/errors.js';

/**
 * One regression tree in flat arrays, node 0 the root. An internal node sends a row left
 * when `x[feature] < threshold` and right otherwise — NaN included, since NaN < t is
 * false —, which is exactly ml-cart's rule and ONNX's BRANCH_LT with
 * nodes_missing_value_tracks_true = 0. Thresholds are float32, as ONNX stores them, so the
 * JS prediction and onnxruntime compare the same numbers.
 */
export interface GbdtTree {
  /** Feature index of an internal node; -1 marks a leaf. */
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf output (learning rate applied); 0 on internal nodes. */
  readonly value: Float32Array;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The next float32 above a float32 value. */
function nextFloat32Up(value: number): number {
  if (value === 0) return 1.401298464324817e-45;
  f32[0] = value;
  i32[0] = value > 0 ? i32[0]! + 1 : i32[0]! - 1;
  return f32[0];
}

/**
 * The smallest float32 >= v. ml-cart splits at v = (a + b) / 2 in float64 with `x < v`; for
 * every float32 x, `x < v` holds exactly when `x < ceilFloat32(v)`. Math.fround(v) alone
 * can round down onto a (ties go to even), which would send a's rows the other way.
 */
export function ceilFloat32(value: number): number {
  const rounded = Math.fround(value);
  return rounded < value ? nextFloat32Up(rounded) : rounded;
}

/** A tree node as ml-cart builds it (TreeNode: splitColumn, splitValue, left, right, distribution). */
interface CartNode {
  readonly splitColumn?: unknown;
  readonly splitValue?: unknown;
  readonly left?: unknown;
  readonly right?: unknown;
  readonly distribution?: unknown;
}

function asCartNode(value: unknown): CartNode {
  if (value === null || typeof value !== 'object') throw new RecsysError('RECSYS_ERR_INTERNAL', 'ml-cart returned a tree node that is not an object');
  return value;
}

interface MutableTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** Flattens ml-cart's trained root (depth-first, left before right). Leaf values are set later. */
export function flattenCartTree(root: unknown): MutableTree {
  const tree: MutableTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const visit = (raw: unknown): number => {
    const node = asCartNode(raw);
    const id = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    if (node.left !== undefined && node.right !== undefined && typeof node.splitColumn === 'number' && typeof node.splitValue === 'number') {
      tree.feature[id] = node.splitColumn;
      tree.threshold[id] = ceilFloat32(node.splitValue);
      tree.left[id] = visit(node.left);
      tree.right[id] = visit(node.right);
    } else if (typeof node.distribution === 'number') {
      tree.value[id] = node.distribution;
    }
    return id;
  };
  visit(root);
  return tree;
}

/** The leaf a row reaches. */
export function leafOf(tree: { readonly feature: ArrayLike<number>; readonly threshold: ArrayLike<number>; readonly left: ArrayLike<number>; readonly right: ArrayLike<number> }, row: Float32Array, offset: number): number {
  let node = 0;
  let feature = tree.feature[0]!;
  while (feature >= 0) {
    node = row[offset + feature]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
    feature = tree.feature[node]!;
  }
  return node;
}

/**
 * Collapses, bottom-up, every split that has a leaf child with fewer than `minRows` of the
 * rows the tree was grown on (ml-cart's minNumSamples only stops splitting a node that is
 * already small; it does not bound the children it creates). Returns the compacted tree.
 */
export function pruneSmallLeaves(tree: MutableTree, rowsPerNode: Int32Array, minRows: number): MutableTree {
  const counts = Array.from(rowsPerNode);
  const prune = (node: number): void => {
    if (tree.feature[node]! < 0) return;
    const left = tree.left[node]!;
    const right = tree.right[node]!;
    prune(left);
    prune(right);
    const smallLeaf = (child: number): boolean => tree.feature[child]! < 0 && counts[child]! < minRows;
    if (smallLeaf(left) || smallLeaf(right)) {
      tree.feature[node] = -1;
      tree.left[node] = -1;
      tree.right[node] = -1;
    }
  };
  prune(0);
  // Renumber the nodes still reachable from the root.
  const out: MutableTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const copy = (node: number): number => {
    const id = out.feature.length;
    out.feature.push(tree.feature[node]!);
    out.threshold.push(tree.feature[node]! < 0 ? 0 : tree.threshold[node]!);
    out.left.push(-1);
    out.right.push(-1);
    out.value.push(tree.value[node]!);
    if (tree.feature[node]! >= 0) {
      out.left[id] = copy(tree.left[node]!);
      out.right[id] = copy(tree.right[node]!);
    }
    return id;
  };
  copy(0);
  return out;
}

/** Row counts per node (internal nodes count every row passing through). */
export function rowsPerNode(tree: MutableTree, features: Float32Array, width: number, rows: ArrayLike<number>): Int32Array {
  const counts = new Int32Array(tree.feature.length);
  for (let k = 0; k < rows.length; k++) {
    const offset = rows[k]! * width;
    let node = 0;
    counts[0] = counts[0]! + 1;
    while (tree.feature[node]! >= 0) {
      node = features[offset + tree.feature[node]!]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      counts[node] = counts[node]! + 1;
    }
  }
  return counts;
}

export function freezeTree(tree: MutableTree): GbdtTree {
  return {
    feature: Int32Array.from(tree.feature),
    threshold: Float32Array.from(tree.threshold),
    left: Int32Array.from(tree.left),
    right: Int32Array.from(tree.right),
    value: Float32Array.from(tree.value),
  };
}

export type { MutableTree };
