import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RecsysError } from '../../../lib/domain/errors.js';
import { decodeArrays, encodeArrays, readArraysFile, requireArray } from '../../../lib/stores/bundle/typed-array-file.js';
import type { DecodedArrays, NumericArray } from '../../../lib/stores/bundle/typed-array-file.js';

const MAGIC = 'RSYSARR1';

function isCorrupt(error: unknown): boolean {
  return error instanceof RecsysError && error.code === 'RECSYS_ERR_BUNDLE_CORRUPT' && error.category === 'server';
}

function get(decoded: DecodedArrays, name: string): NumericArray {
  const array = decoded.arrays.get(name);
  assert.ok(array, `array ${name} missing`);
  return array;
}

/** A file with a hand-written header and `data` bytes after the 8-aligned header. */
function craft(header: unknown, data: Buffer = Buffer.alloc(0), magic = MAGIC): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerSize = Math.ceil((12 + json.length) / 8) * 8;
  const out = Buffer.alloc(headerSize + data.length);
  out.write(magic, 0, 'latin1');
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  data.copy(out, headerSize);
  return out;
}

function sample(): Record<string, NumericArray> {
  return {
    // 3 x 4 = 12 bytes -> padded to 16
    ids: new Int32Array([1, -2, 2_147_483_647]),
    // values exact in float32; 12 bytes -> 16
    weights: new Float32Array([0.5, -1.25, 3]),
    // 2 x 8 = 16 bytes, already aligned
    times: new Float64Array([Math.PI, -1e300]),
    // 5 bytes -> padded to 8
    flags: new Uint8Array([1, 2, 3, 254, 255]),
    // 1 x 4 = 4 bytes -> 8
    counts: new Uint32Array([4_294_967_295]),
  };
}

void describe('typed-array-file encode/decode', () => {
  void it('round-trips mixed arrays with their types, values and meta', () => {
    const arrays = sample();
    const meta = { neighbours: 200, convention: 'target', nested: { list: [1, 2] } };
    const decoded = decodeArrays(encodeArrays(arrays, meta), 'sample');
    assert.deepEqual(decoded.meta, meta);
    assert.deepEqual([...decoded.arrays.keys()], ['ids', 'weights', 'times', 'flags', 'counts']);
    for (const [name, original] of Object.entries(arrays)) {
      const back = get(decoded, name);
      assert.equal(back.constructor, original.constructor, `${name} type`);
      assert.deepEqual(Array.from(back), Array.from(original), `${name} values`);
    }
  });

  void it('pads every array to 8 bytes so each decoded view is aligned', () => {
    const bytes = encodeArrays(sample());
    const headerLength = bytes.readUInt32LE(8);
    const headerSize = Math.ceil((12 + headerLength) / 8) * 8;
    // data section: 16 (i32 x3) + 16 (f32 x3) + 16 (f64 x2) + 8 (u8 x5) + 8 (u32 x1) = 64
    assert.equal(headerSize % 8, 0);
    assert.equal(bytes.length, headerSize + 64);
    assert.equal(bytes.toString('latin1', 0, 8), MAGIC);
    const decoded = decodeArrays(bytes, 'sample');
    // offsets inside the data section: ids 0, weights 16, times 32, flags 48, counts 56
    const offsets = [...decoded.arrays.values()].map((array) => array.byteOffset);
    assert.deepEqual(offsets, [0, 16, 32, 48, 56]);
  });

  void it('defaults meta to {} and handles empty arrays and no arrays', () => {
    const decoded = decodeArrays(encodeArrays({ empty: new Float64Array(0), one: new Uint8Array([7]) }), 'e');
    assert.deepEqual(decoded.meta, {});
    assert.equal(get(decoded, 'empty').length, 0);
    assert.ok(get(decoded, 'empty') instanceof Float64Array);
    assert.deepEqual(Array.from(get(decoded, 'one')), [7]);
    const none = decodeArrays(encodeArrays({}, null), 'none');
    assert.equal(none.arrays.size, 0);
    assert.equal(none.meta, null);
  });

  void it('encodes only the viewed slice of an array with a non-zero byteOffset', () => {
    const base = new Int32Array([9, 9, 1, 2, 3, 9]);
    const slice = base.subarray(2, 5); // [1, 2, 3], byteOffset 8
    const back = get(decodeArrays(encodeArrays({ slice }), 's'), 'slice');
    assert.deepEqual(Array.from(back), [1, 2, 3]);
  });

  void it('reads a file from disk with readArraysFile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'recsys-arr-'));
    try {
      const path = join(dir, 't.arr');
      await writeFile(path, encodeArrays({ x: new Float32Array([1.5]) }, { k: 'v' }));
      const decoded = await readArraysFile(path);
      assert.deepEqual(decoded.meta, { k: 'v' });
      assert.deepEqual(Array.from(get(decoded, 'x')), [1.5]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

void describe('typed-array-file corruption', () => {
  void it('rejects a wrong magic', () => {
    const bytes = encodeArrays(sample());
    bytes[0] = 'X'.charCodeAt(0);
    assert.throws(() => decodeArrays(bytes, 'bad-magic'), (error: unknown) => isCorrupt(error) && (error as Error).message.startsWith('bad-magic:'));
    assert.throws(() => decodeArrays(craft({ arrays: [] }, Buffer.alloc(0), 'RSYSARR2'), 'v2'), isCorrupt);
  });

  void it('rejects files shorter than magic + header length, and an empty file', () => {
    assert.throws(() => decodeArrays(Buffer.alloc(0), 'empty'), isCorrupt);
    assert.throws(() => decodeArrays(Buffer.from(MAGIC, 'latin1'), 'magic-only'), isCorrupt);
    assert.throws(() => decodeArrays(Buffer.from(`${MAGIC}\u0001\u0000\u0000`, 'latin1'), '11 bytes'), isCorrupt);
  });

  void it('rejects a file truncated inside the JSON header', () => {
    const bytes = encodeArrays(sample(), { m: 1 });
    const headerEnd = 12 + bytes.readUInt32LE(8);
    for (let cut = 12; cut < headerEnd; cut++) {
      assert.throws(() => decodeArrays(bytes.subarray(0, cut), 'cut'), isCorrupt, `cut at ${cut}`);
    }
  });

  void it('rejects a file truncated inside the array data', () => {
    const arrays = sample();
    const bytes = encodeArrays(arrays);
    const headerSize = Math.ceil((12 + bytes.readUInt32LE(8)) / 8) * 8;
    // last real byte of data: counts starts at 56 and holds 4 bytes -> data ends at 60
    const dataEnd = headerSize + 60;
    for (let cut = headerSize; cut < dataEnd; cut++) {
      assert.throws(() => decodeArrays(bytes.subarray(0, cut), 'cut'), isCorrupt, `cut at ${cut}`);
    }
    // cutting only trailing padding loses nothing: still decodes to the same values
    const trimmed = decodeArrays(bytes.subarray(0, dataEnd), 'trim');
    assert.deepEqual(Array.from(get(trimmed, 'counts')), [4_294_967_295]);
  });

  void it('rejects malformed headers and entries', () => {
    assert.throws(() => decodeArrays(craft('just a string'), 'h'), isCorrupt);
    assert.throws(() => decodeArrays(craft({ meta: {} }), 'h'), isCorrupt);
    assert.throws(() => decodeArrays(craft({ arrays: 'nope' }), 'h'), isCorrupt);
    assert.throws(() => decodeArrays(craft({ arrays: [{ name: 1, type: 'i32', length: 1, offset: 0 }] }, Buffer.alloc(8)), 'h'), isCorrupt);
    assert.throws(() => decodeArrays(craft({ arrays: [{ name: 'x', type: 'i64', length: 1, offset: 0 }] }, Buffer.alloc(8)), 'h'), isCorrupt);
    // 3 f64 = 24 bytes claimed, 16 present
    assert.throws(() => decodeArrays(craft({ arrays: [{ name: 'x', type: 'f64', length: 3, offset: 0 }] }, Buffer.alloc(16)), 'h'), isCorrupt);
  });

  void it('rejects a header length pointing past the end of the file', () => {
    const bytes = Buffer.from(encodeArrays({ x: new Int32Array([1]) }));
    bytes.writeUInt32LE(0xffff_ffff, 8);
    assert.throws(() => decodeArrays(bytes, 'len'), isCorrupt);
  });

  void it('reports truncation inside the header padding as corrupt', () => {
    const bytes = encodeArrays(sample(), { m: 1 });
    const headerEnd = 12 + bytes.readUInt32LE(8);
    const headerSize = Math.ceil(headerEnd / 8) * 8;
    assert.ok(headerEnd < headerSize, 'fixture must have header padding');
    for (let cut = headerEnd; cut < headerSize; cut++) {
      assert.throws(() => decodeArrays(bytes.subarray(0, cut), 'cut'), isCorrupt, `cut at ${cut}`);
    }
  });

  void it('reports a negative or misaligned array offset as corrupt', () => {
    assert.throws(() => decodeArrays(craft({ arrays: [{ name: 'x', type: 'i32', length: 1, offset: -8 }] }, Buffer.alloc(8)), 'neg'), isCorrupt);
    assert.throws(() => decodeArrays(craft({ arrays: [{ name: 'x', type: 'i32', length: 1, offset: 2 }] }, Buffer.alloc(8)), 'odd'), isCorrupt);
    assert.throws(() => decodeArrays(craft({ arrays: [{ name: 'x', type: 'i32', length: -1, offset: 0 }] }, Buffer.alloc(8)), 'len'), isCorrupt);
  });
});

void describe('requireArray', () => {
  const decoded = decodeArrays(encodeArrays({ offsets: new Int32Array([0, 1]), scores: new Float32Array([0.5]) }), 'r');

  void it('returns an array of the requested type', () => {
    const offsets = requireArray(decoded, 'offsets', Int32Array, 'r');
    assert.deepEqual(Array.from(offsets), [0, 1]);
  });

  void it('rejects a missing or mistyped array as corrupt', () => {
    assert.throws(() => requireArray(decoded, 'items', Int32Array, 'r'), isCorrupt);
    assert.throws(() => requireArray(decoded, 'scores', Float64Array, 'r'), (error: unknown) => isCorrupt(error) && (error as Error).message.includes('"scores"'));
  });
});
