import { describeObjectStorageContract, makeTempDir } from '@stereo-spot/testing';
import { SqliteQueue } from '../src/queue/sqlite-queue';
import { openDatabase } from '../src/sqlite/database';
import { FsObjectStorage } from '../src/storage/fs-object-storage';
import { localObjectEventFormat } from '../src/storage/object-events';
import { loadOrCreateSecret, PresignSigner } from '../src/storage/presign';
import { createPresignedRequestHandler } from '../src/storage/presigned-handler';
import { startPresignedServer } from './support/presigned-server';

describeObjectStorageContract('filesystem', async () => {
  const home = await makeTempDir('storage');
  const db = openDatabase(`${home.path}/stereo-spot.db`);
  const closed = new AbortController();
  const queue = new SqliteQueue({ db, name: 'uploads', visibilityTimeoutSeconds: 30, closed: closed.signal });
  const signer = new PresignSigner(loadOrCreateSecret(home.path));
  let baseUrl = '';
  const storage = new FsObjectStorage({
    bucket: 'contract-bucket',
    home: home.path,
    signer,
    publicBaseUrl: () => baseUrl,
    notifications: [{ prefix: 'input/', suffix: '.mp4', queue }],
  });
  const server = await startPresignedServer(() => createPresignedRequestHandler({ signer, storages: [storage] }));
  baseUrl = server.baseUrl;
  return {
    storage,
    notification: { prefix: 'input/', suffix: '.mp4', queue, format: localObjectEventFormat },
    async cleanup() {
      await server.close();
      closed.abort();
      db.close();
      await home.remove();
    },
  };
});
