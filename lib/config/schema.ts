import { z } from 'zod';

const positiveInt = z.number().int().positive();
/** host:port, [v6]:port, or a gRPC target with a scheme (dns:///name:port). */
const backendAddress = z.string().regex(/^([a-z0-9]+:.+|[^\s:]+:\d+|\[[0-9a-fA-F:.]+\]:\d+)$/, 'expected host:port or a gRPC target such as dns:///recall:50052');
const storeUri = z.string().regex(/^(embedded:\/\/|mongodb(\+srv)?:\/\/.+)$/, 'expected embedded:// or mongodb://host[:port]/database');

const sourceBase = {
  enabled: z.boolean().default(true),
  limit: positiveInt.max(10_000).default(500),
  weight: z.number().nonnegative().default(1),
  /** Per-source deadline inside the request's deadline. */
  timeoutMs: z.number().positive().default(30),
};

/** The config block of an i2i recall source over one of `tables` (the first is the default). */
function i2iSourceBlock<const T extends readonly [string, ...string[]]>(tables: T, weight: number) {
  return z
    .object({
      ...sourceBase,
      weight: z.number().nonnegative().default(weight),
      /** Most recent history items used as triggers. */
      triggers: positiveInt.default(500),
      triggerDecay: z.number().positive().max(1).default(1),
      /** Rating weight of a trigger: (rating / 5)^ratingPower, 1 where the rating is unknown; 0 = off. */
      ratingPower: z.number().nonnegative().max(10).default(0),
      /** Most entries summed from each trigger's row (target rows are stored largest |score| first); 0 = the whole row. */
      rowLimit: z.number().int().nonnegative().default(0),
      table: z.enum(tables).default(tables[0]),
    })
    .strict()
    .prefault({});
}

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
        /** Item vectors (two-tower): search backend and the embedded HNSW index's parameters. */
        vectors: z
          .object({
            /** embedded:// (exact or HNSW from the bundle) or milvus://host:19530 (written by train). */
            uri: z.string().regex(/^(embedded:\/\/|milvus:\/\/.+)$/, 'expected embedded:// or milvus://host[:port]').default('embedded://'),
            /** Catalogues of at least this many items also get a persisted HNSW index; smaller ones are searched exactly. */
            hnswAbove: positiveInt.default(10_000),
            /** HNSW graph space: ip (hnswlib inner product) or l2-augmented (MIPS-to-L2); ip measured better (hnsw-vector-index.ts). */
            space: z.enum(['ip', 'l2-augmented']).default('ip'),
            /** HNSW graph degree (hnswlib M; Milvus HNSW M). */
            m: positiveInt.max(128).default(32),
            /** HNSW build beam width. */
            efConstruction: positiveInt.max(4096).default(200),
            /** HNSW search beam width (raised to k when k is larger). */
            efSearch: positiveInt.max(4096).default(250),
            /** Seed of the HNSW level generator: the same vectors give the same index bytes. */
            seed: z.number().int().nonnegative().default(100),
            /** milvus:// only: alias that names the current version; collections are <alias>_<version>. */
            collection: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(128).default('recsys_item_vectors'),
            /** milvus:// only: per-call deadline in ms. */
            timeoutMs: positiveInt.default(2000),
          })
          .strict()
          .prefault({}),
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
        ease: z
          .object({
            enabled: z.boolean().default(true),
            /** L2 regularisation added to the Gram matrix's diagonal. */
            lambda: z.number().positive().default(1000),
            /** Weights kept per target item (largest magnitude, negative ones included). */
            neighbours: positiveInt.max(5000).default(500),
            /** Most items in the dense model (the most popular): memory 8·n² bytes, time n³. */
            maxItems: positiveInt.max(20_000).default(5000),
            /** Worker threads of the inverse; 0 = one per available core. */
            threads: z.number().int().min(0).max(256).default(0),
          })
          .strict()
          .prefault({}),
        'two-tower': z
          .object({
            enabled: z.boolean().default(true),
            /** Output dimension of both towers (the item vectors). */
            dim: positiveInt.max(1024).default(64),
            userIdDim: positiveInt.max(1024).default(32),
            historyDim: positiveInt.max(1024).default(64),
            itemIdDim: positiveInt.max(1024).default(64),
            /** Width of each side-feature embedding (genre, year bucket, gender, age, occupation). */
            featureDim: positiveInt.max(256).default(8),
            userHidden: z.array(positiveInt.max(4096)).max(4).default([128]),
            itemHidden: z.array(positiveInt.max(4096)).max(4).default([]),
            /** Most recent items pooled into the user tower (training and serving). */
            maxHistory: positiveInt.max(1000).default(500),
            batchSize: z.number().int().min(2).max(8192).default(512),
            epochs: positiveInt.max(1000).default(4),
            patience: positiveInt.default(1),
            learningRate: z.number().positive().max(1).default(0.003),
            /** Learning rate multiplier after each epoch (1 = constant). */
            learningRateDecay: z.number().positive().max(1).default(0.6),
            temperature: z.number().positive().max(10).default(0.07),
            logQ: z.number().min(0).max(2).default(1),
            userIdDropout: z.number().min(0).max(1).default(0.1),
            evalUsers: positiveInt.default(3000),
            /** Candidate weights of the popularity prior served with the item vectors; the best on validation is kept. */
            popularityPriors: z.array(z.number().min(0).max(4)).min(1).max(16).default([0, 0.25, 0.5, 0.75, 1]),
            /** Weight of validation recall@50 beside NDCG@10 when choosing the prior (0 = NDCG@10 alone). */
            priorRecallWeight: z.number().min(0).max(10).default(1),
            seed: z.number().int().default(17),
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
        merge: z
          .object({
            rrfK: z.number().nonnegative().default(60),
            /** rrf (weighted reciprocal rank), max or weighted-sum (of per-source min-max normalised scores); scenes may override. */
            strategy: z.enum(['rrf', 'max', 'weighted-sum']).default('rrf'),
          })
          .strict()
          .prefault({}),
        /** Scene files (scenes → layers → experiments); '' = the scenes of serving.scenes, each running the plain config. */
        scenesDir: z.string().default(''),
        sources: z
          .object({
            'item-cf': i2iSourceBlock(['item-cf-target', 'item-cf'], 1),
            /** Small merge weight: swing agrees closely with item-cf and is weaker on ml-1m. */
            swing: i2iSourceBlock(['swing-target', 'swing'], 0.1),
            ease: i2iSourceBlock(['ease-target', 'ease'], 1),
            popular: z
              .object({ ...sourceBase, weight: z.number().nonnegative().default(0.01) })
              .strict()
              .prefault({}),
            'two-tower': z
              .object({
                ...sourceBase,
                weight: z.number().nonnegative().default(1),
                /** Extra results asked of the vector index to make up for blocked ones an approximate index drops. */
                overFetch: z.number().int().nonnegative().max(10_000).default(100),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        /** Which services this process serves: all in one, or one role of the split topology. */
        role: z.enum(['all', 'recommend', 'recall', 'rank']).default('all'),
        /** Role recommend: where recall and rank roles listen (client-side round-robin over each list). */
        backends: z
          .object({
            recall: z.array(backendAddress).default([]),
            rank: z.array(backendAddress).default([]),
            /** HTTP/2 keepalive ping interval on backend channels (ms). */
            keepaliveMs: positiveInt.default(10_000),
            /** Added to a backend call's deadline for transport (the sources keep their own deadlines). */
            marginMs: z.number().nonnegative().default(5),
          })
          .strict()
          .prefault({}),
        /** Largest gRPC message accepted or sent (bytes). */
        maxMessageBytes: positiveInt.max(64 * 1024 * 1024).default(4 * 1024 * 1024),
        /** Optional TLS for the server and the backend clients; empty paths = plaintext. */
        tls: z
          .object({
            cert: z.string().default(''),
            key: z.string().default(''),
            /** Server: require client certificates signed by this CA (mTLS). Clients: the CA that signed the backends. */
            ca: z.string().default(''),
            /** Client certificate and key the recommend role presents to its backends (mTLS). */
            clientCert: z.string().default(''),
            clientKey: z.string().default(''),
          })
          .strict()
          .prefault({}),
        /** Optional API keys, checked from `x-api-key` or `authorization: Bearer` metadata; empty = no check. */
        apiKeys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).default([]),
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
            negativeRate: z.number().positive().max(1).default(0.3),
            /** Fractions of sampled users whose pairs are held back for early stopping and for the report. */
            validFraction: z.number().positive().max(0.5).default(0.1),
            testFraction: z.number().positive().max(0.5).default(0.1),
            epochs: positiveInt.max(100).default(10),
            /** Epochs without a better validation AUC before training stops. */
            patience: positiveInt.default(2),
            batchSize: positiveInt.default(512),
            learningRate: z.number().positive().default(0.001),
            /** L2 penalty on id weights and embedding rows, applied to the rows each batch touches. */
            embeddingL2: z.number().nonnegative().max(10).default(0.001),
            /** Decay (cap) of the moving average of the parameters that is validated and exported (lib/nn ParameterAverage); 0 = off. */
            weightAverage: z.number().nonnegative().lt(1).default(0.999),
            embeddingDim: positiveInt.max(256).default(16),
            hidden: z.array(positiveInt).min(1).default([256, 128, 64]),
            /** Wide & deep models trained from seeds seed, seed+1, ...; served as one graph (mean logit). */
            members: positiveInt.max(8).default(1),
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
        /** Implicit ALS behind the rankers' `affinity` feature (lib/features/implicit-als.ts); trained by the rank job. */
        als: z
          .object({
            enabled: z.boolean().default(true),
            factors: positiveInt.max(512).default(64),
            /** Confidence of an observed interaction: 1 + alpha. */
            alpha: z.number().nonnegative().default(3),
            lambda: z.number().positive().default(30),
            iterations: positiveInt.max(100).default(12),
            seed: z.number().int().default(11),
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
