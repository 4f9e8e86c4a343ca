import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RecsysError } from '../../../lib/domain/errors.js';
import type { ErrorCode } from '../../../lib/domain/errors.js';
import { EmbeddedBundleStore, sha256 } from '../../../lib/stores/bundle/embedded-bundle-store.js';
import type { DraftInfo } from '../../../lib/stores/bundle/embedded-bundle-store.js';
import type { BundleManifest } from '../../../lib/stores/bundle/manifest.js';

const INFO: DraftInfo = {
  configDigest: 'config-digest',
  dataDigest: '0123456789abcdef',
  dataset: { name: 'unit', users: 2, items: 3, interactions: 4 },
};

function hasCode(code: ErrorCode): (error: unknown) => boolean {
  return (error: unknown) => error instanceof RecsysError && error.code === code;
}

/** Runs `body` against a store in a fresh temp dir, removed afterwards. */
async function withStore(body: (store: EmbeddedBundleStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'recsys-bundles-'));
  try {
    await body(new EmbeddedBundleStore(root), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Publishes a version holding one artifact `data.bin` whose bytes name the version. */
async function publishVersion(store: EmbeddedBundleStore, version: string, makeCurrent = true): Promise<BundleManifest> {
  const draft = await store.createDraft(INFO, version);
  await draft.writeArtifact('data.bin', Buffer.from(`payload of ${version}`));
  return draft.publish({}, { makeCurrent });
}

void describe('EmbeddedBundleStore publish', () => {
  void it('createDraft -> writeArtifact -> publish writes a verified version and points CURRENT at it', () =>
    withStore(async (store, root) => {
      assert.equal(await store.current(), null);
      assert.deepEqual(await store.versions(), []);
      const draft = await store.createDraft(INFO, 'v001');
      const binary = Buffer.from([0, 1, 2, 255]);
      await draft.writeArtifact('table.i2i', binary);
      await draft.writeArtifact('popular.json', '{"x":1}');
      draft.recordJob('popular', { overall: 3 });
      const manifest = await draft.publish({ 'recall@10': 0.25 });

      assert.equal(manifest.version, 'v001');
      assert.equal(manifest.format, 1);
      assert.equal(manifest.configDigest, 'config-digest');
      assert.equal(manifest.dataDigest, '0123456789abcdef');
      assert.deepEqual(manifest.dataset, INFO.dataset);
      assert.deepEqual(manifest.metrics, { 'recall@10': 0.25 });
      assert.deepEqual(manifest.jobs, { popular: { overall: 3 } });
      assert.deepEqual(manifest.artifacts, {
        'table.i2i': { sha256: sha256(binary), bytes: 4 },
        'popular.json': { sha256: sha256(Buffer.from('{"x":1}')), bytes: 7 },
      });

      assert.equal(await store.current(), 'v001');
      assert.equal(await readFile(join(root, 'CURRENT'), 'utf8'), 'v001\n');
      assert.deepEqual(await store.versions(), ['v001']);
      // the staging dir was renamed away: only the version dir is left
      assert.deepEqual(await readdir(join(root, 'versions')), ['v001']);

      const verified = await store.verify('v001');
      assert.deepEqual(verified, await store.readManifest('v001'));
      assert.equal(verified.createdAt, manifest.createdAt);
      assert.deepEqual(await store.readArtifact('v001', verified, 'table.i2i'), binary);
      assert.equal((await store.readArtifact('v001', verified, 'popular.json')).toString('utf8'), '{"x":1}');
    }));

  void it('keeps a draft invisible until publish', () =>
    withStore(async (store, root) => {
      await publishVersion(store, 'v001');
      const draft = await store.createDraft(INFO, 'v002');
      await draft.writeArtifact('data.bin', Buffer.from('new'));

      assert.deepEqual(await store.versions(), ['v001']);
      assert.equal(await store.current(), 'v001');
      const entries = await readdir(join(root, 'versions'));
      assert.equal(entries.length, 2);
      assert.ok(entries.some((name) => name.startsWith('.staging-v002-')), entries.join(','));
      await assert.rejects(store.readManifest('v002'), hasCode('RECSYS_ERR_BUNDLE_MISSING'));
      await assert.rejects(store.setCurrent('v002'), hasCode('RECSYS_ERR_BUNDLE_MISSING'));

      await draft.publish();
      assert.deepEqual(await store.versions(), ['v001', 'v002']);
      assert.equal(await store.current(), 'v002');
    }));

  void it('publish with makeCurrent false leaves CURRENT alone', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      await publishVersion(store, 'v002', false);
      assert.equal(await store.current(), 'v001');
      assert.deepEqual(await store.versions(), ['v001', 'v002']);
      assert.equal((await store.verify('v002')).version, 'v002');
    }));

  void it('publish with makeCurrent false on an empty store leaves no CURRENT', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001', false);
      assert.equal(await store.current(), null);
      assert.deepEqual(await store.versions(), ['v001']);
    }));

  void it('refuses a second publish of the same draft', () =>
    withStore(async (store) => {
      const draft = await store.createDraft(INFO, 'v001');
      await draft.publish();
      await assert.rejects(draft.publish(), hasCode('RECSYS_ERR_INTERNAL'));
    }));

  void it('refuses artifact names that are not plain file names, and the manifest name', () =>
    withStore(async (store) => {
      const draft = await store.createDraft(INFO, 'v001');
      for (const name of ['manifest.json', '../escape', 'a/b', '.hidden', '']) {
        await assert.rejects(draft.writeArtifact(name, 'x'), hasCode('RECSYS_ERR_INTERNAL'), name);
      }
      await draft.abandon();
    }));

  void it('names new versions v<timestamp>-<first 8 digest chars>', () => {
    const version = EmbeddedBundleStore.newVersion('abcdef0123456789');
    assert.match(version, /^v\d{8}T\d{9}Z-abcdef01$/);
  });

  void it('a draft without an explicit version gets a valid generated one', () =>
    withStore(async (store) => {
      const draft = await store.createDraft(INFO);
      assert.match(draft.version, /-01234567$/);
      await draft.publish();
      assert.deepEqual(await store.versions(), [draft.version]);
    }));
});

void describe('EmbeddedBundleStore integrity', () => {
  void it('a tampered artifact (same length) fails readArtifact and verify', () =>
    withStore(async (store, root) => {
      const manifest = await publishVersion(store, 'v001');
      const path = join(root, 'versions', 'v001', 'data.bin');
      const original = await readFile(path);
      const tampered = Buffer.from(original);
      tampered[0] = tampered[0]! ^ 1;
      await writeFile(path, tampered);
      await assert.rejects(store.readArtifact('v001', manifest, 'data.bin'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
      await assert.rejects(store.verify('v001'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
    }));

  void it('a truncated artifact fails verify, and setCurrent to it leaves CURRENT unchanged', () =>
    withStore(async (store, root) => {
      await publishVersion(store, 'v001');
      await publishVersion(store, 'v002', false);
      await writeFile(join(root, 'versions', 'v002', 'data.bin'), 'short');
      await assert.rejects(store.verify('v002'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
      await assert.rejects(store.setCurrent('v002'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
      assert.equal(await store.current(), 'v001');
    }));

  void it('reading an artifact the manifest does not list is corrupt', () =>
    withStore(async (store) => {
      const manifest = await publishVersion(store, 'v001');
      await assert.rejects(store.readArtifact('v001', manifest, 'other.bin'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
    }));

  void it('an unparsable or mismatched manifest is corrupt', () =>
    withStore(async (store, root) => {
      await publishVersion(store, 'v001');
      await publishVersion(store, 'v002');
      await writeFile(join(root, 'versions', 'v001', 'manifest.json'), '{ not json');
      await assert.rejects(store.readManifest('v001'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
      // v002's directory holding a manifest that claims another version
      const text = await readFile(join(root, 'versions', 'v002', 'manifest.json'), 'utf8');
      const document = JSON.parse(text) as Record<string, unknown>;
      await writeFile(join(root, 'versions', 'v002', 'manifest.json'), JSON.stringify({ ...document, version: 'v009' }));
      await assert.rejects(store.verify('v002'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
      await writeFile(join(root, 'versions', 'v002', 'manifest.json'), JSON.stringify({ ...document, format: 2 }));
      await assert.rejects(store.readManifest('v002'), hasCode('RECSYS_ERR_BUNDLE_CORRUPT'));
    }));
});

void describe('EmbeddedBundleStore versions', () => {
  void it('setCurrent rolls back to an older version and forward again', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      await publishVersion(store, 'v002');
      assert.equal(await store.current(), 'v002');
      await store.setCurrent('v001');
      assert.equal(await store.current(), 'v001');
      assert.deepEqual(await store.versions(), ['v001', 'v002']);
      await store.setCurrent('v002');
      assert.equal(await store.current(), 'v002');
    }));

  void it('setCurrent to a missing version fails and leaves CURRENT unchanged', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      await assert.rejects(store.setCurrent('v999'), hasCode('RECSYS_ERR_BUNDLE_MISSING'));
      assert.equal(await store.current(), 'v001');
    }));

  void it('prune keeps the newest N when the newest is current', () =>
    withStore(async (store) => {
      for (const v of ['v001', 'v002', 'v003', 'v004']) await publishVersion(store, v);
      // 4 versions, keep 2 -> the oldest 2 go
      assert.deepEqual(await store.prune(2), ['v001', 'v002']);
      assert.deepEqual(await store.versions(), ['v003', 'v004']);
      assert.equal(await store.current(), 'v004');
      assert.equal((await store.verify('v004')).version, 'v004');
    }));

  void it('prune never removes the current version, even an old one', () =>
    withStore(async (store) => {
      for (const v of ['v001', 'v002', 'v003', 'v004', 'v005']) await publishVersion(store, v);
      await store.setCurrent('v001');
      // oldest 5 - 2 = 3 are v001..v003; v001 is current and stays
      assert.deepEqual(await store.prune(2), ['v002', 'v003']);
      assert.deepEqual(await store.versions(), ['v001', 'v004', 'v005']);
      assert.equal(await store.current(), 'v001');
      assert.equal((await store.verify('v001')).version, 'v001');
    }));

  void it('prune with keep >= the number of versions removes nothing', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      await publishVersion(store, 'v002');
      assert.deepEqual(await store.prune(2), []);
      assert.deepEqual(await store.prune(10), []);
      assert.deepEqual(await store.versions(), ['v001', 'v002']);
    }));

  void it('prune leaves an in-progress draft alone', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      await publishVersion(store, 'v002');
      const draft = await store.createDraft(INFO, 'v003');
      await draft.writeArtifact('data.bin', 'x');
      assert.deepEqual(await store.prune(1), ['v001']);
      await draft.publish();
      assert.deepEqual(await store.versions(), ['v002', 'v003']);
    }));

  void it('abandon removes the staging dir and publishes nothing', () =>
    withStore(async (store, root) => {
      const draft = await store.createDraft(INFO, 'v001');
      await draft.writeArtifact('data.bin', 'x');
      assert.equal((await readdir(join(root, 'versions'))).length, 1);
      await draft.abandon();
      assert.deepEqual(await readdir(join(root, 'versions')), []);
      assert.deepEqual(await store.versions(), []);
      assert.equal(await store.current(), null);
      await assert.rejects(draft.publish(), hasCode('RECSYS_ERR_INTERNAL'));
    }));

  void it('rejects bad version names', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      const bad = ['', '.staging-v001', '../v001', 'a/b', 'a b', '-v1', 'x'.repeat(129), 'v1\n'];
      for (const version of bad) {
        assert.throws(() => store.versionDir(version), hasCode('RECSYS_ERR_BUNDLE_MISSING'), JSON.stringify(version));
        await assert.rejects(store.setCurrent(version), hasCode('RECSYS_ERR_BUNDLE_MISSING'), JSON.stringify(version));
        await assert.rejects(store.readManifest(version), hasCode('RECSYS_ERR_BUNDLE_MISSING'), JSON.stringify(version));
      }
      assert.equal(store.versionDir('x'.repeat(128)).endsWith('x'.repeat(128)), true);
      assert.equal(await store.current(), 'v001');
    }));

  void it('a draft with a bad version name never becomes a version', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      try {
        const draft = await store.createDraft(INFO, '../evil');
        await draft.writeArtifact('data.bin', 'x');
        await assert.rejects(draft.publish(), hasCode('RECSYS_ERR_BUNDLE_MISSING'));
        await draft.abandon();
      } catch (error) {
        assert.ok(hasCode('RECSYS_ERR_BUNDLE_MISSING')(error));
      }
      assert.deepEqual(await store.versions(), ['v001']);
      assert.equal(await store.current(), 'v001');
    }));

  void it('createDraft rejects a bad version name before creating any directory', () =>
    withStore(async (store, root) => {
      await assert.rejects(store.createDraft(INFO, 'a/b'), hasCode('RECSYS_ERR_BUNDLE_MISSING'));
      assert.deepEqual(await readdir(join(root, 'versions')).catch(() => []), []);
    }));

  void it('publishing a version that already exists fails without touching the existing one', () =>
    withStore(async (store) => {
      await publishVersion(store, 'v001');
      const before = await store.readManifest('v001');
      await assert.rejects(store.createDraft(INFO, 'v001'), (error: unknown) => error instanceof RecsysError && /already exists/.test(error.message));
      assert.deepEqual(await store.verify('v001'), before);
      assert.equal(await store.current(), 'v001');
    }));
});
