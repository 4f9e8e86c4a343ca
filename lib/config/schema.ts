import { z } from 'zod';

const positiveInt = z.number().int().positive();
const storeUri = z.string().regex(/^(embedded:\/\/|mongodb(\+srv)?:\/\/.+)$/, 'expected embedded:// or mongodb://host[:port]/database');

const sourceBase = {
  enabled: z.boolean().default(true),
  limit: positiveInt.max(10_000).default(500),
  weight: z.number().nonnegative().default(1),
  /** Per-source deadline inside the request's deadline. */
  timeoutMs: z.number().positive().default(30),
};

export const configSchema = z
  .object({
    data: z
      .object({
        path: z.string().default(''),
        format: z.enum(['auto', 'ml-1m', 'ml-latest-small', 'ml-100k', 'csv']).default('auto'),
        maxBadFraction: z.number().min(0).max(1).default(0.5),
        synthetic: z
          .object({
            users: positiveInt.default(1000),
            items: positiveInt.default(2000),
            interactions: positiveInt.default(100_000),
            seed: z.number().int().default(42),
            dir: z.string().min(1).default('var/data/synthetic'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    split: z
      .object({
        protocol: z.enum(['random-811', 'temporal']).default('random-811'),
        seed: z.number().int().default(2026),
      })
      .strict()
      .prefault({}),
    stores: z
      .object({
        /** Feedback histories: embedded:// (in process) or mongodb://host/db. */
        history: storeUri.default('embedded://'),
        /** i2i tables: embedded:// (from the bundle) or mongodb://host/db (written by train). */
        similarity: storeUri.default('embedded://'),
        /** embedded:// histories: append-only feedback log replayed at start ('' = in memory only, lost on restart). */
        feedbackLog: z.string().default('var/feedback/events.log'),
        /** When the feedback log is fsynced: always (before each ack), interval (at most every feedbackFsyncMs), never (close only). */
        feedbackFsync: z.enum(['always', 'interval', 'never']).default('interval'),
        /** interval policy: the most ms an acknowledged event waits for fsync (its power-loss window). */
        feedbackFsyncMs: positiveInt.max(60_000).default(100),
      })
      .strict()
      .prefault({}),
    bundle: z
      .object({
        root: z.string().min(1).default('var/bundles'),
        keep: positiveInt.default(5),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        popular: z
          .object({ limit: positiveInt.default(1000), perGenre: positiveInt.default(200) })
          .strict()
          .prefault({}),
        'item-cf': z
          .object({
            neighbours: positiveInt.max(5000).default(100),
            minCooccurrence: positiveInt.default(1),
            /** Weight each co-occurrence by 1/ln(1 + |I_u|) (inverse user frequency). */
            iuf: z.boolean().default(true),
            /** Denominator |N(i)|^(1-alpha) · |N(j)|^alpha; 0.5 = cosine. */
            alpha: z.number().min(0).max(1).default(0.6),
            /** Interaction time decay: half-life in days (0 = off), relative to the newest timestamp. */
            timeDecay: z.number().nonnegative().default(0),
            /** Divide each served row by its maximum. */
            normalise: z.boolean().default(true),
            /** Worker threads (rows sharded by item range); 0 = one per available core. */
            threads: z.number().int().min(0).max(256).default(0),
          })
          .strict()
          .prefault({}),
        swing: z
          .object({
            alpha: z.number().nonnegative().default(1),
            alpha1: z.number().nonnegative().default(5),
            beta: z.number().nonnegative().default(0.35),
            maxUsersPerItem: z.number().int().min(2).default(300),
            neighbours: positiveInt.max(5000).default(200),
            normalise: z.boolean().default(true),
            /** Worker threads (rows sharded by item range); 0 = one per available core. */
            threads: z.number().int().min(0).max(256).default(0),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    serving: z
      .object({
        host: z.string().min(1).default('0.0.0.0'),
        port: z.number().int().min(0).max(65_535).default(50051),
        maxCount: positiveInt.max(10_000).default(1000),
        recentHistory: positiveInt.default(500),
        drainSeconds: z.number().nonnegative().default(10),
        /** How often the bundle pointer is polled for a new version; 0 disables hot reload. */
        reloadIntervalMs: z.number().int().nonnegative().default(1000),
        merge: z.object({ rrfK: z.number().nonnegative().default(60) }).strict().prefault({}),
        sources: z
          .object({
            'item-cf': z
              .object({
                ...sourceBase,
                triggers: positiveInt.default(500),
                triggerDecay: z.number().positive().max(1).default(1),
                /** Rating weight of a trigger: (rating / 5)^ratingPower, 1 where the rating is unknown; 0 = off. */
                ratingPower: z.number().nonnegative().max(10).default(0),
                table: z.enum(['item-cf-target', 'item-cf']).default('item-cf-target'),
              })
              .strict()
              .prefault({}),
            swing: z
              .object({
                ...sourceBase,
                triggers: positiveInt.default(500),
                triggerDecay: z.number().positive().max(1).default(1),
                /** As item-cf's ratingPower; off (swing's merge weight is small, power 1 gained nothing). */
                ratingPower: z.number().nonnegative().max(10).default(0),
                table: z.enum(['swing-target', 'swing']).default('swing-target'),
                weight: z.number().nonnegative().default(0.1),
              })
              .strict()
              .prefault({}),
            popular: z
              .object({ ...sourceBase, weight: z.number().nonnegative().default(0.01) })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        scenes: z.array(z.string().min(1)).min(1).default(['default']),
        /** Prometheus metrics on an HTTP side port (GET /metrics, GET /healthz); port 0 = ephemeral. */
        metrics: z
          .object({
            enabled: z.boolean().default(true),
            host: z.string().min(1).default('0.0.0.0'),
            port: z.number().int().min(0).max(65_535).default(9464),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** onnxruntime-node sessions (rankers, user tower): providers, threads, worker_threads. */
    onnx: z
      .object({
        /** Tried in order; 'cuda' needs the CUDA provider installed (README), else a logged fallback to CPU. */
        executionProviders: z.array(z.enum(['cpu', 'cuda'])).min(1).default(['cpu']),
        /** Threads one session uses inside one run (never oversubscribe: workers x threads <= cores). */
        intraOpNumThreads: positiveInt.max(64).default(1),
        /** worker_threads holding a session each, so session.run never blocks the gRPC event loop. */
        workers: positiveInt.max(64).default(1),
        /** A run that takes longer fails with RECSYS_ERR_ONNX_TIMEOUT. */
        timeoutMs: z.number().positive().default(1000),
      })
      .strict()
      .prefault({}),
    rank: z
      .object({
        /** Rank the merged candidates (false = recall order; the offline ranker phase is skipped too). */
        enabled: z.boolean().default(true),
        model: z.enum(['wide-deep', 'gbdt', 'lr']).default('wide-deep'),
        /** Candidates (recall order) the ranker scores; the rest follow in recall order. */
        preRank: positiveInt.max(10_000).default(500),
        /** Deadline of the ranking step; past it the call is served in recall order, marked degraded. */
        timeoutMs: z.number().positive().default(50),
        /** Final score = retrieval^retrievalPower · rank^rankPower (retrieval = merged reciprocal-rank score). */
        fusion: z
          .object({ retrievalPower: z.number().nonnegative().max(10).default(0), rankPower: z.number().positive().max(10).default(1) })
          .strict()
          .prefault({}),
        train: z
          .object({
            /** Users whose recall candidates become labelled pairs; 0 = every user with held-out items. */
            sampleUsers: z.number().int().nonnegative().default(0),
            /** Fraction of negative candidates kept for training (positives always kept). */
            negativeRate: z.number().positive().max(1).default(0.1),
            /** Fractions of sampled users whose pairs are held back for early stopping and for the report. */
            validFraction: z.number().positive().max(0.5).default(0.1),
            testFraction: z.number().positive().max(0.5).default(0.1),
            epochs: positiveInt.max(100).default(6),
            /** Epochs without a better validation AUC before training stops. */
            patience: positiveInt.default(2),
            batchSize: positiveInt.default(512),
            learningRate: z.number().positive().default(0.001),
            embeddingDim: positiveInt.max(256).default(16),
            hidden: z.array(positiveInt).min(1).default([256, 128, 64]),
            seed: z.number().int().default(7),
          })
          .strict()
          .prefault({}),
        /** The GBDT ranker (offline/rank/gbdt): boosting rounds, shrinkage, depth, rows each tree is grown on. */
        gbdt: z
          .object({
            trees: positiveInt.max(2000).default(40),
            learningRate: z.number().positive().max(1).default(0.2),
            maxDepth: positiveInt.max(12).default(4),
            maxRowsPerTree: positiveInt.default(400),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    evaluate: z
      .object({
        bundleRoot: z.string().min(1).default('var/eval-bundles'),
        keepBundles: positiveInt.default(4),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RecsysConfig = z.infer<typeof configSchema>;
export type SourcesConfig = RecsysConfig['serving']['sources'];
export type OnnxConfig = RecsysConfig['onnx'];
