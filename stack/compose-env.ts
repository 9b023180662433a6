// The compose.yaml path's counterpart of up.ts's .env writing: given the host
// ports Docker published (looked up by stack/compose-env.sh), creates the S3
// bucket and merges the same keys into .env with the same rules.
//
// Usage: bun stack/compose-env.ts [--env-file PATH] --postgres N --clickhouse N
//          --valkey N --s3 N --smtp N --mailpit-http N
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { CreateBucketCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { mergeEnvFile, serviceEnv } from "./env-file.ts";
import { DEFAULT_ENV_FILE } from "./state.ts";

// Must match compose.yaml.
const PG = { user: "imbi", password: "imbi", database: "imbi" };
const CH = { user: "default", password: "imbi", database: "imbi" };
const S3 = { accessKey: "imbi-minio", secretKey: "imbi-minio-secret", bucket: "imbi-uploads", region: "us-east-1" };

const PORTS = ["postgres", "clickhouse", "valkey", "s3", "smtp", "mailpit-http"] as const;
const { values } = parseArgs({
  options: {
    "env-file": { type: "string" },
    ...Object.fromEntries(PORTS.map((name) => [name, { type: "string" as const }])),
  },
});
const port = (name: (typeof PORTS)[number]): number => {
  const value = Number((values as Record<string, string | undefined>)[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} PORT is required`);
  return value;
};

const s3 = new S3Client({
  endpoint: `http://127.0.0.1:${port("s3")}`,
  region: S3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: S3.accessKey, secretAccessKey: S3.secretKey },
});
try {
  // MinIO starts empty; the native stack's s3rver creates the bucket at startup.
  await s3.send(new CreateBucketCommand({ Bucket: S3.bucket }));
  console.log(`created bucket ${S3.bucket}`);
} catch (err) {
  if (!(err instanceof S3ServiceException && err.name === "BucketAlreadyOwnedByYou")) throw err;
} finally {
  s3.destroy();
}

const envFile = resolve(values["env-file"] ?? DEFAULT_ENV_FILE);
const keys = mergeEnvFile(
  envFile,
  serviceEnv({
    postgres: { ...PG, port: port("postgres") },
    clickhouse: { ...CH, port: port("clickhouse") },
    valkeyPort: port("valkey"),
    s3: { ...S3, port: port("s3") },
    smtpPort: port("smtp"),
    mailpitHttpPort: port("mailpit-http"),
  }),
);
console.log(`wrote ${keys.length} keys to ${envFile}: ${keys.join(", ")}`);
