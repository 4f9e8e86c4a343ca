/**
 * Durable embedded feedback: an append-only log (one JSON object per line,
 * `{"u":user,"i":item,"e":event,"t":unixSeconds,"r":rating|null}`) replayed into the
 * in-memory per-user lists at open. See docs/feedback-log.md for the format, the fsync
 * policy and the loss window.
 *
 * Writes go straight to the file descriptor (pwrite, no user-space buffer), one batch at a
 * time in call order (appends that arrive while a write is in flight are grouped into the
 * next one). An `append` resolves once its bytes are in the OS (and fsynced for `always`);
 * the event becomes visible to `history` at that moment.
 */
import { constants } from 'node:fs';
import { mkdir, open as openFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RecsysError } from '../../domain/errors.js';
import type { FeedbackEvent, HistoryStore, UserHistory } from './history-store.js';
import { FeedbackLists } from './feedback-lists.js';
import { mergeHistory } from './merge-history.js';

export const FSYNC_POLICIES = ['always', 'interval', 'never'] as const;
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number];

export const DEFAULT_FSYNC_INTERVAL_MS = 100;
/** Bad lines whose number and reason the replay report keeps (the count is always exact). */
const MAX_REPORTED_BAD_LINES = 20;
const READ_CHUNK = 1 << 20;
const NEWLINE = 0x0a;

export interface FileHistoryStoreOptions {
  /** Newest events kept per user in memory (and rebuilt on replay). Default 1000. */
  maxPerUser?: number;
  /** `always`: fsync before each append resolves; `interval` (default): at most every `fsyncIntervalMs`; `never`: leave it to the OS (close still fsyncs). */
  fsync?: FsyncPolicy;
  /** For `interval`: the most milliseconds an acknowledged event waits for fsync. Default 100. */
  fsyncIntervalMs?: number;
}

export interface BadLine {
  /** 1-based line number in the log. */
  readonly line: number;
  readonly reason: string;
}

/** What replay found at open. */
export interface ReplayReport {
  /** Valid events replayed (including ones later dropped by maxPerUser). */
  readonly events: number;
  /** Distinct users with events in memory after replay. */
  readonly users: number;
  /** Complete lines that failed to parse or validate; skipped and left in place. */
  readonly badLines: number;
  /** The first few bad lines (at most 20). */
  readonly badLineSamples: readonly BadLine[];
  /** Bytes after the last newline (a write torn by a crash): skipped and truncated away. */
  readonly tornBytes: number;
  /** Log size after open, bytes. */
  readonly bytes: number;
  readonly millis: number;
}

interface Pending {
  readonly event: FeedbackEvent;
  readonly line: string;
  resolve(count: number): void;
  reject(error: unknown): void;
}

function storeError(what: string, error: unknown): RecsysError {
  const detail = error instanceof Error ? error.message : String(error);
  return new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', `feedback log: ${what}: ${detail}`, { cause: error });
}

/** The log line for an event (with its newline). Throws RECSYS_ERR_REQUEST_INVALID for an event replay would reject. */
export function encodeFeedbackLine(event: FeedbackEvent): string {
  const problem = eventProblem(event.userId, event.itemId, event.event, event.timestamp);
  if (problem !== null) throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', `feedback event: ${problem}`);
  // JSON has no NaN/Infinity: a non-finite rating (unknown) is written as null.
  const rating = Number.isFinite(event.rating) ? event.rating : null;
  return `${JSON.stringify({ u: event.userId, i: event.itemId, e: event.event, t: event.timestamp, r: rating })}\n`;
}

function eventProblem(u: unknown, i: unknown, e: unknown, t: unknown): string | null {
  if (typeof u !== 'string' || u === '') return 'user id must be a non-empty string';
  if (typeof i !== 'string' || i === '') return 'item id must be a non-empty string';
  if (typeof e !== 'string') return 'event must be a string';
  if (typeof t !== 'number' || !Number.isFinite(t)) return 'timestamp must be a finite number';
  return null;
}

/** Parses one log line (without its newline); a string says why it is rejected. */
export function decodeFeedbackLine(text: string): FeedbackEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { u, i, e, t, r } = value as Record<string, unknown>;
  const problem = eventProblem(u, i, e, t);
  if (problem !== null) return problem;
  if (r !== null && r !== undefined && (typeof r !== 'number' || !Number.isFinite(r))) return 'rating must be a number or null';
  return { userId: u as string, itemId: i as string, event: e as string, timestamp: t as number, rating: typeof r === 'number' ? r : Number.NaN };
}

export class FileHistoryStore implements HistoryStore {
  readonly backend = 'embedded-log';
  private pending: Pending[] = [];
  private pumping: Promise<void> | null = null;
  /** Bytes written and acknowledged; the next write goes here. */
  private size: number;
  private dirty = false;
  private lastSync = Date.now();
  private syncTimer: NodeJS.Timeout | null = null;
  private syncDue = false;
  /** A failed background fsync, reported by the next append or close. */
  private syncError: unknown = null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly lists: FeedbackLists,
    private readonly policy: FsyncPolicy,
    private readonly intervalMs: number,
    readonly replay: ReplayReport,
  ) {
    this.size = replay.bytes;
  }

  /** Opens (creating it and its directory if missing) and replays the log at `path`. */
  static async open(path: string, options: FileHistoryStoreOptions = {}): Promise<FileHistoryStore> {
    const policy = options.fsync ?? 'interval';
    if (!(FSYNC_POLICIES as readonly string[]).includes(policy)) {
      throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `feedback fsync policy must be one of ${FSYNC_POLICIES.join(', ')}, got "${policy}"`, { field: 'stores.feedbackFsync' });
    }
    const intervalMs = options.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS;
    if (!Number.isInteger(intervalMs) || intervalMs < 1) {
      throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `feedback fsync interval must be a positive integer of milliseconds, got ${intervalMs}`, { field: 'stores.feedbackFsyncMs' });
    }
    if (path === '') throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', 'feedback log path is empty', { field: 'stores.feedbackLog' });
    const lists = new FeedbackLists(options.maxPerUser);
    let handle: FileHandle;
    try {
      await mkdir(dirname(path), { recursive: true });
      // Positional writes (no O_APPEND): the store is the only writer and tracks the end itself.
      handle = await openFile(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    } catch (error) {
      throw storeError(`opening ${path}`, error);
    }
    try {
      const report = await replayLog(handle, lists);
      return new FileHistoryStore(path, handle, lists, policy, intervalMs, report);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error instanceof RecsysError ? error : storeError(`replaying ${path}`, error);
    }
  }

  get fsyncPolicy(): FsyncPolicy {
    return this.policy;
  }

  append(event: FeedbackEvent): Promise<number> {
    if (this.closing) return Promise.reject(new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', 'feedback log: store is closed'));
    if (this.syncError !== null) {
      const error = this.syncError;
      this.syncError = null;
      return Promise.reject(storeError('fsync failed', error));
    }
    let line: string;
    try {
      line = encodeFeedbackLine(event);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ event, line, resolve, reject });
      this.kick();
    });
  }

  history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number, baseRatings: Float32Array | null = null): Promise<UserHistory> {
    return Promise.resolve(mergeHistory(this.lists.newestFirst(userId), resolveItem, base, limit, baseRatings));
  }

  /** Waits for pending appends, fsyncs and closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    while (this.pumping) await this.pumping;
    let failure: unknown = this.syncError;
    try {
      await this.handle.sync();
    } catch (error) {
      failure ??= error;
    }
    await this.handle.close().catch((error: unknown) => {
      failure ??= error;
    });
    if (failure !== null) throw storeError(`closing ${this.path}`, failure);
  }

  private kick(): void {
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
      // Work that arrived during the last await of the loop.
      if (this.pending.length > 0 || this.syncDue) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.pending.length > 0 || this.syncDue) {
      if (this.pending.length === 0) {
        this.syncDue = false;
        await this.syncNow().catch((error: unknown) => {
          this.syncError ??= error;
        });
        continue;
      }
      const batch = this.pending;
      this.pending = [];
      try {
        await this.write(batch);
        if (this.policy === 'always') await this.syncNow();
      } catch (error) {
        const failure = storeError('appending', error);
        for (const p of batch) p.reject(failure);
        continue;
      }
      // In call order, after the bytes are in the OS: history sees exactly what replay would.
      for (const p of batch) p.resolve(this.lists.add(p.event));
      if (this.policy === 'interval') this.scheduleSync();
    }
  }

  private async write(batch: readonly Pending[]): Promise<void> {
    const buffer = Buffer.from(batch.length === 1 ? batch[0]!.line : batch.map((p) => p.line).join(''), 'utf8');
    let offset = 0;
    try {
      while (offset < buffer.length) {
        const { bytesWritten } = await this.handle.write(buffer, offset, buffer.length - offset, this.size + offset);
        offset += bytesWritten;
      }
    } catch (error) {
      // Cut a partial batch away so the next append starts on a clean line.
      if (offset > 0) await this.handle.truncate(this.size).catch(() => undefined);
      throw error;
    }
    this.size += buffer.length;
    this.dirty = true;
  }

  private async syncNow(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await this.handle.sync();
    } catch (error) {
      this.dirty = true;
      throw error;
    }
    this.lastSync = Date.now();
  }

  private scheduleSync(): void {
    if (this.syncTimer || this.closing) return;
    const wait = Math.max(0, this.lastSync + this.intervalMs - Date.now());
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.syncDue = true;
      this.kick();
    }, wait);
    // A pending fsync must not keep the process alive; close() fsyncs anyway.
    this.syncTimer.unref();
  }
}

/** Reads the log in chunks, feeding valid events to `lists`; truncates a torn tail. */
async function replayLog(handle: FileHandle, lists: FeedbackLists): Promise<ReplayReport> {
  const started = performance.now();
  const { size } = await handle.stat();
  const chunk = Buffer.allocUnsafe(READ_CHUNK);
  let carry: Buffer = Buffer.alloc(0);
  let position = 0;
  let lineNumber = 0;
  let events = 0;
  let badLines = 0;
  const badLineSamples: BadLine[] = [];
  const onLine = (bytes: Buffer): void => {
    lineNumber += 1;
    const text = bytes.toString('utf8');
    if (text.trim() === '') return; // blank lines are harmless (e.g. an editor's)
    const decoded = decodeFeedbackLine(text);
    if (typeof decoded === 'string') {
      badLines += 1;
      if (badLineSamples.length < MAX_REPORTED_BAD_LINES) badLineSamples.push({ line: lineNumber, reason: decoded });
      return;
    }
    events += 1;
    lists.add(decoded);
  };
  while (position < size) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(READ_CHUNK, size - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      onLine(data.subarray(start, nl));
      start = nl + 1;
    }
    // Copy: `chunk` is reused by the next read.
    carry = Buffer.from(data.subarray(start));
  }
  const tornBytes = carry.length;
  const bytes = position - tornBytes;
  if (tornBytes > 0) {
    await handle.truncate(bytes);
    await handle.sync();
  }
  return { events, users: lists.users, badLines, badLineSamples, tornBytes, bytes, millis: performance.now() - started };
}
