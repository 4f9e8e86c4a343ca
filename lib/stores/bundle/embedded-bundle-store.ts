/**
 * Embedded bundle store: `<root>/versions/<version>/` directories and a `<root>/CURRENT`
 * pointer. A version is written under a staging name, checksummed, fsynced and renamed
 * into place; only then is CURRENT replaced by rename, so a reader sees either the old
 * bundle or the new one, never half of one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RecsysError, errorMessage } from '../../domain/errors.js';
import { BUNDLE_FORMAT, MANIFEST_FILE, parseManifest, type BundleManifest } from './manifest.js';

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CURRENT_FILE = 'CURRENT';

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function writeDurably(path: string, bytes: Buffer | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface DraftInfo {
  configDigest: string;
  dataDigest: string;
  dataset: BundleManifest['dataset'];
}

/** A version being written; invisible to readers until `publish`. */
export class BundleDraft {
  private readonly artifacts: BundleManifest['artifacts'] = {};
  private readonly jobs: Record<string, unknown> = {};
  private done = false;

  constructor(
    private readonly store: EmbeddedBundleStore,
    readonly version: string,
    readonly dir: string,
    private readonly info: DraftInfo,
  ) {}

  async writeArtifact(name: string, bytes: Buffer | string): Promise<void> {
    if (!VERSION_PATTERN.test(name) || name === MANIFEST_FILE) throw new RecsysError('RECSYS_ERR_INTERNAL', `bad artifact name "${name}"`);
    await writeDurably(join(this.dir, name), bytes);
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    this.artifacts[name] = { sha256: sha256(buffer), bytes: buffer.length };
  }

  /** Reads back an artifact written to this draft, checked against the checksum recorded when it was written. */
  async readArtifact(name: string): Promise<Buffer> {
    const entry = this.artifacts[name];
    if (!entry) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `draft ${this.version} has no artifact "${name}"`);
    const bytes = await readFile(join(this.dir, name));
    if (bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `draft ${this.version}: artifact "${name}" does not match its checksum`);
    return bytes;
  }

  /** The manifest as it would be published now (artifacts written so far). */
  preview(): BundleManifest {
    return {
      format: BUNDLE_FORMAT, version: this.version, createdAt: new Date().toISOString(), configDigest: this.info.configDigest,
      dataDigest: this.info.dataDigest, dataset: this.info.dataset, artifacts: { ...this.artifacts }, metrics: {}, jobs: { ...this.jobs },
    };
  }

  recordJob(name: string, details: unknown): void {
    this.jobs[name] = details;
  }

  /** Writes the manifest, moves the version into place and flips CURRENT. */
  async publish(metrics: Record<string, unknown> = {}, options: { makeCurrent?: boolean } = {}): Promise<BundleManifest> {
    if (this.done) throw new RecsysError('RECSYS_ERR_INTERNAL', `draft ${this.version} already finished`);
    this.done = true;
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      version: this.version,
      createdAt: new Date().toISOString(),
      configDigest: this.info.configDigest,
      dataDigest: this.info.dataDigest,
      dataset: this.info.dataset,
      artifacts: this.artifacts,
      metrics,
      jobs: this.jobs,
    };
    await writeDurably(join(this.dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDirectory(this.dir);
    const finalDir = this.store.versionDir(this.version);
    await rename(this.dir, finalDir);
    await syncDirectory(join(this.store.root, 'versions'));
    await this.store.verify(this.version);
    if (options.makeCurrent ?? true) await this.store.setCurrent(this.version);
    return manifest;
  }

  async abandon(): Promise<void> {
    this.done = true;
    await rm(this.dir, { recursive: true, force: true });
  }
}

export class EmbeddedBundleStore {
  constructor(readonly root: string) {}

  versionDir(version: string): string {
    if (!VERSION_PATTERN.test(version) || version.startsWith('.')) throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `bad bundle version "${version}"`);
    return join(this.root, 'versions', version);
  }

  get currentPointerPath(): string {
    return join(this.root, CURRENT_FILE);
  }

  async createDraft(info: DraftInfo, version = EmbeddedBundleStore.newVersion(info.dataDigest)): Promise<BundleDraft> {
    this.versionDir(version);
    if ((await this.versions()).includes(version)) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `bundle version ${version} already exists`);
    const staging = join(this.root, 'versions', `.staging-${version}-${randomBytes(4).toString('hex')}`);
    await mkdir(staging, { recursive: true });
    return new BundleDraft(this, version, staging, info);
  }

  static newVersion(dataDigest: string): string {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
    return `v${stamp}-${dataDigest.slice(0, 8)}`;
  }

  /** The version CURRENT points at, or null when nothing was published yet. */
  async current(): Promise<string | null> {
    try {
      const text = (await readFile(this.currentPointerPath, 'utf8')).trim();
      return text === '' ? null : text;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `cannot read ${this.currentPointerPath}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Points CURRENT at an existing, verified version (publish and rollback). */
  async setCurrent(version: string): Promise<void> {
    await this.verify(version);
    const temp = `${this.currentPointerPath}.${randomBytes(4).toString('hex')}.tmp`;
    await writeDurably(temp, `${version}\n`);
    await rename(temp, this.currentPointerPath);
    await syncDirectory(this.root);
  }

  async readManifest(version: string): Promise<BundleManifest> {
    const path = join(this.versionDir(version), MANIFEST_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `bundle ${version} has no manifest (${path})`, { cause: error });
    }
    try {
      return parseManifest(JSON.parse(text), path);
    } catch (error) {
      if (error instanceof RecsysError) throw error;
      throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${path}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Reads one artifact and checks it against the manifest's checksum. */
  async readArtifact(version: string, manifest: BundleManifest, name: string): Promise<Buffer> {
    const entry = manifest.artifacts[name];
    if (!entry) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `bundle ${version} has no artifact "${name}"`);
    const bytes = await readFile(join(this.versionDir(version), name));
    if (bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256) {
      throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `bundle ${version}: artifact "${name}" does not match its checksum`);
    }
    return bytes;
  }

  async verify(version: string): Promise<BundleManifest> {
    const manifest = await this.readManifest(version);
    if (manifest.version !== version) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `bundle directory ${version} holds manifest of ${manifest.version}`);
    for (const name of Object.keys(manifest.artifacts)) await this.readArtifact(version, manifest, name);
    return manifest;
  }

  /** Published versions, oldest first. */
  async versions(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.root, 'versions'));
    } catch {
      return [];
    }
    return names.filter((name) => !name.startsWith('.')).sort();
  }

  /** Removes all but the newest `keep` versions; never the current one. Staging dirs of drafts in progress are left alone. */
  async prune(keep: number, protect: readonly string[] = []): Promise<string[]> {
    const current = await this.current();
    const all = await this.versions();
    const removable = all.slice(0, Math.max(0, all.length - keep)).filter((version) => version !== current && !protect.includes(version));
    for (const version of removable) await rm(this.versionDir(version), { recursive: true, force: true });
    return removable;
  }
}
