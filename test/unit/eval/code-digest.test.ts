import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeDigest } from '../../../offline/digest.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recsys-code-'));
  await mkdir(join(dir, 'lib', 'nn'), { recursive: true });
  await mkdir(join(dir, 'offline'), { recursive: true });
  await writeFile(join(dir, 'lib', 'nn', 'mlp.js'), 'export const a = 1;\n');
  await writeFile(join(dir, 'offline', 'job.js'), 'export const b = 2;\n');
  await writeFile(join(dir, 'offline', 'job.js.map'), '{}');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('codeDigest (the bundle caches key on the code that builds bundles)', () => {
  void it('changes with any compiled module, nested ones included, and ignores other files', async () => {
    const dirs = [join(dir, 'lib'), join(dir, 'offline')];
    const first = codeDigest(dirs);
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(codeDigest(dirs), first, 'stable');
    await writeFile(join(dir, 'offline', 'job.js.map'), '{"changed":true}');
    assert.equal(codeDigest(dirs), first, 'source maps do not count');
    await writeFile(join(dir, 'lib', 'nn', 'mlp.js'), 'export const a = 3;\n');
    const second = codeDigest(dirs);
    assert.notEqual(second, first, 'a nested module changed');
    await writeFile(join(dir, 'offline', 'extra.js'), '');
    assert.notEqual(codeDigest(dirs), second, 'a module added');
  });

  void it("covers this build's lib/ and offline/ by default", () => {
    assert.match(codeDigest(), /^[0-9a-f]{64}$/);
    assert.equal(codeDigest(), codeDigest());
  });
});
