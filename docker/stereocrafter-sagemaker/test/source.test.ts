import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { archiveSource, commitOf, uploadSource } from '../src/source';
import { workspaceRoot } from '../src/workspace';
import { startMotoServer, type MotoServer } from '@stereo-spot/aws-emulator';

let moto: MotoServer;
let s3: S3Client;
beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'codebuild-source' }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: 'codebuild-source', VersioningConfiguration: { Status: 'Enabled' } }),
  );
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

it('uploads the committed repository as the CodeBuild source zip and returns its version', async () => {
  // Prepare
  const root = workspaceRoot(__dirname);
  const zip = archiveSource(root, 'HEAD');
  // Act
  const version = await uploadSource(s3, 'codebuild-source', 'stereo-spot-source.zip', zip);
  // Assess
  expect(version).toBeTruthy();
  const stored = await s3.send(new GetObjectCommand({ Bucket: 'codebuild-source', Key: 'stereo-spot-source.zip' }));
  const bytes = Buffer.from(await stored.Body!.transformToByteArray());
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  // Zip headers store member names as plain text: the build's inputs are in it, node_modules is not.
  expect(bytes.includes('docker/stereocrafter-sagemaker/buildspec.yml')).toBe(true);
  expect(bytes.includes('docker/stereocrafter-sagemaker/Dockerfile')).toBe(true);
  expect(bytes.includes('node_modules/')).toBe(false);
  expect(commitOf(root, 'HEAD')).toMatch(/^[0-9a-f]{12}$/);
});

it('names a ref that does not exist', () => {
  expect(() => commitOf(workspaceRoot(__dirname), 'no-such-branch-xyz')).toThrow(/^git rev-parse failed: /);
});
