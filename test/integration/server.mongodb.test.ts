import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../lib/config/load-config.js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import { connectMongo, openHistoryStore, openSimilarityStore } from '../../lib/stores/store-uri.js';
import { publishToStores } from '../../offline/publish-stores.js';
import { startServer, type RunningServer } from '../../services/server/grpc-server.js';
import { RecommendClient } from '../../services/server/recommend-client.js';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';
import { MONGODB_SKIP, MONGODB_URI } from '../support/mongo.js';


/** The same user and bundle served from embedded tables and from MongoDB give the same items. */
void describe('server on MongoDB stores (mongodb)', { skip: MONGODB_SKIP }, () => {
  let tiny: TinyBundle;
  let uri: string;
  const servers: RunningServer[] = [];
  const clients: RecommendClient[] = [];

  before(async () => {
    tiny = await makeTinyBundle();
    const url = new URL(MONGODB_URI!);
    url.pathname = `/recsys_it_${randomBytes(4).toString('hex')}`;
    uri = url.toString();
    const config = parseConfig({ ...tiny.config, stores: { similarity: uri, history: uri } });
    await publishToStores(config, tiny.store, await tiny.store.readManifest(tiny.version), () => undefined);
    const embedded = await loadServingBundle(tiny.store, tiny.version);
    const similarity = await openSimilarityStore(uri, embedded.similarity, { version: tiny.version });
    const onMongo = await startServer({ config, bundle: { ...embedded, similarity }, history: await openHistoryStore(uri), host: '127.0.0.1', port: 0 });
    const onEmbedded = await startServer({ config: tiny.config, bundle: embedded, history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
    servers.push(onMongo, onEmbedded);
    clients.push(new RecommendClient(`127.0.0.1:${onMongo.port}`), new RecommendClient(`127.0.0.1:${onEmbedded.port}`));
  });

  after(async () => {
    for (const client of clients) client.close();
    for (const server of servers) await server.stop(2);
    const { client, db } = await connectMongo({ uri, database: new URL(uri).pathname.slice(1) });
    await db.dropDatabase();
    await client.close();
    await tiny.cleanup();
  });

  void it('recommends the same items from MongoDB tables as from the embedded bundle', async () => {
    const users = [...servers[1]!.state().bundle.userIndex.keys()].slice(0, 5);
    for (const user of users) {
      const [mongo, embedded] = await Promise.all(clients.map((client) => client.recommend({ user_id: user, count: 10 })));
      assert.deepEqual(mongo!.items.map((item) => item.item_id), embedded!.items.map((item) => item.item_id));
    }
  });

  void it('keeps feedback in MongoDB and reflects it in the next call', async () => {
    const client = clients[0]!;
    const first = await client.recommend({ user_id: 'mongo-feedback-user', count: 5 });
    const clicked = first.items[0]!.item_id;
    await client.feedback({ user_id: 'mongo-feedback-user', item_id: clicked, event: 'click' });
    const next = await client.recommend({ user_id: 'mongo-feedback-user', count: 5 });
    assert.ok(!next.items.some((item) => item.item_id === clicked));
  });
});
