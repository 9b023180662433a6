/**
 * The S3 client. With S3_ENDPOINT_URL (LocalStack, MinIO, s3rver) path-style addressing
 * is used; without access keys the default AWS credential chain applies.
 */
import { CreateBucketCommand, HeadBucketCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import type { Settings } from "../config/settings.ts";
import { withTimeout } from "./retry.ts";
import { telemetry } from "./telemetry.ts";

/** Traced (telemetry/clients.ts) when OpenTelemetry runs. */
export function createS3(settings: Settings["storage"]): S3Client {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint_url ? { endpoint: settings.endpoint_url, forcePathStyle: true } : {}),
    ...(settings.access_key && settings.secret_key
      ? { credentials: { accessKeyId: settings.access_key, secretAccessKey: settings.secret_key } }
      : {}),
    maxAttempts: 2,
  });
  return telemetry()?.instrumentS3(client) ?? client;
}

export async function pingS3(client: S3Client, bucket: string): Promise<void> {
  await withTimeout(client.send(new HeadBucketCommand({ Bucket: bucket })), 3000, "S3 HeadBucket");
}

/** Creates the bucket if it is missing (S3_CREATE_BUCKET_ON_INIT); us-east-1 takes no location. */
export async function ensureBucket(client: S3Client, settings: Settings["storage"]): Promise<"exists" | "created"> {
  try {
    await pingS3(client, settings.bucket);
    return "exists";
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw error;
  }
  await client.send(new CreateBucketCommand({
    Bucket: settings.bucket,
    ...(settings.region === "us-east-1"
      ? {}
      : { CreateBucketConfiguration: { LocationConstraint: settings.region as BucketLocationConstraint } }),
  }));
  return "created";
}
