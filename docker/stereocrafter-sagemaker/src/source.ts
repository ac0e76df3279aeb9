/**
 * The CodeBuild project builds from a zip in S3 (CODEBUILD_SOURCE_BUCKET/KEY): the repository at
 * one commit, made with `git archive`, so what is built is exactly what was committed.
 */
import { execFileSync } from 'node:child_process';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SageMakerOpsError } from './errors';

function git(root: string, args: string[]): Buffer {
  try {
    return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 ** 3 });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new SageMakerOpsError('BUILD_FAILED', `git ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** The commit's 12-character hash: the default image tag. */
export function commitOf(root: string, ref: string): string {
  return git(root, ['rev-parse', '--short=12', `${ref}^{commit}`]).toString().trim();
}

export function archiveSource(root: string, ref: string): Buffer {
  return git(root, ['archive', '--format=zip', ref]);
}

/** True when the working tree has changes that the archive of HEAD leaves out. */
export function hasUncommittedChanges(root: string): boolean {
  return git(root, ['status', '--porcelain', '--untracked-files=no']).toString().trim() !== '';
}

/** Uploads the zip; returns the object's version when the bucket is versioned. */
export async function uploadSource(s3: S3Client, bucket: string, key: string, zip: Buffer): Promise<string | undefined> {
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: zip, ContentType: 'application/zip' }),
  );
  return put.VersionId;
}
