/** Sources merged per key: env > ./config.toml > ~/.config/imbi/config.toml > /etc/imbi/config.toml > default. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { configSandbox, SECRETS } from "../helpers/config.ts";

describe("configuration sources", () => {
  test("each key comes from the highest-priority source that has it", () => {
    const box = configSandbox();
    box.write(box.systemFile, `[server]\nhost = "system"\nport = 1001\nurl = "https://system.example.com/api"\n[postgres]\nmax_pool_size = 33\n`);
    box.write(join(box.home, ".config/imbi/config.toml"), `[server]\nhost = "user"\nport = 1002\n`);
    box.write(join(box.cwd, "config.toml"), `[server]\nport = 1003\n`);
    const { settings, sources } = box.load({ ...SECRETS, IMBI_API_CORS_ALLOWED_ORIGINS: '["https://a.example.com"]' });

    expect(settings.server.port).toBe(1003);
    expect(sources.get("server.port")).toEqual({ kind: "file", path: join(box.cwd, "config.toml"), key: "[server] port" });
    expect(settings.server.host).toBe("user");
    expect(settings.server.url).toBe("https://system.example.com/api");
    expect(settings.postgres.max_pool_size).toBe(33);
    expect(settings.server.cors_allowed_origins).toEqual(["https://a.example.com"]);
    expect(sources.get("server.cors_allowed_origins")).toEqual({ kind: "env", name: "IMBI_API_CORS_ALLOWED_ORIGINS" });
    expect(settings.server.environment).toBe("development");
    expect(sources.get("server.environment")).toEqual({ kind: "default" });
  });

  test("the environment wins over every file", () => {
    const box = configSandbox();
    box.write(join(box.cwd, "config.toml"), `[server]\nport = 1003\n`);
    expect(box.load({ ...SECRETS, IMBI_API_PORT: "9000" }).settings.server.port).toBe(9000);
  });

  test(".env in the working directory is read as environment, and the real environment beats it", () => {
    const box = configSandbox();
    box.write(join(box.cwd, ".env"), `# comment\nexport IMBI_API_HOST=from-dotenv\nIMBI_API_PORT="7001"\nIMBI_EMAIL_FROM_NAME='Imbi # Dev'\n`);
    box.write(join(box.cwd, "config.toml"), `[server]\nhost = "from-file"\n`);
    const { settings, sources } = box.load({ ...SECRETS, IMBI_API_PORT: "7002" });
    expect(settings.server.host).toBe("from-dotenv");
    expect(sources.get("server.host")).toEqual({ kind: "dotenv", name: "IMBI_API_HOST", path: join(box.cwd, ".env") });
    expect(settings.server.port).toBe(7002);
    expect(settings.email.from_name).toBe("Imbi # Dev");
  });

  test("TOML keys follow the seed's example file", () => {
    const box = configSandbox();
    box.write(join(box.cwd, "config.toml"), `
[server]
environment = "staging"
host = "0.0.0.0"
port = 8080
cors_allowed_origins = ["https://imbi.example.com"]
forwarded_allow_ips = "10.0.0.0/8"
url = "https://imbi.example.com/api"
[postgres]
url = "postgresql://imbi:secret@db-prod:5432/imbi"
graph_name = "imbi"
min_pool_size = 5
max_pool_size = 50
[clickhouse]
url = "clickhouse+http://clickhouse-prod:8123/imbi"
[valkey]
url = "valkey://valkey-prod:6379/0"
[auth]
jwt_algorithm = "HS256"
access_token_expire_seconds = 3600
refresh_token_expire_seconds = 2592000
password_min_length = 14
max_concurrent_sessions = 5
oauth_auto_link_by_email = true
oauth_auto_create_users = false
[email]
enabled = true
smtp_host = "smtp.example.com"
smtp_port = 587
smtp_use_tls = true
from_email = "noreply@example.com"
from_name = "Imbi Platform"
[storage]
bucket = "imbi-uploads-prod"
region = "us-east-1"
create_bucket_on_init = false
[releases]
version_format = "semver"
`);
    const { settings } = box.load(SECRETS);
    expect(settings.server.environment).toBe("staging");
    expect(settings.postgres.max_pool_size).toBe(50);
    expect(settings.auth.password_min_length).toBe(14);
    expect(settings.auth.oauth_auto_create_users).toBe(false);
    expect(settings.storage.bucket).toBe("imbi-uploads-prod");
    expect(settings.email.from_name).toBe("Imbi Platform");
  });

  test("IMBI_API_PORT in Kubernetes' tcp://ip:port form yields the port", () => {
    expect(configSandbox().load({ ...SECRETS, IMBI_API_PORT: "tcp://10.0.0.5:8000" }).settings.server.port).toBe(8000);
  });

  test("JSON settings accept JSON from the environment", () => {
    const { settings } = configSandbox().load({
      ...SECRETS,
      S3_ALLOWED_CONTENT_TYPES: '["image/png"]',
      EMBEDDINGS_MODELS: '{"big": {"fastembed_id": "BAAI/bge-base-en-v1.5", "dimensions": 768}}',
      EMBEDDINGS_DEFAULT_MODEL: "big",
      IMBI_RELOAD_DIRS: "../a:../b",
    });
    expect(settings.storage.allowed_content_types).toEqual(["image/png"]);
    expect(settings.embeddings.models.big!.dimensions).toBe(768);
    expect(settings.server.reload_dirs).toEqual(["../a", "../b"]);
  });

  test("booleans accept the usual spellings", () => {
    for (const [raw, expected] of [["false", false], ["0", false], ["no", false], ["TRUE", true], ["1", true], ["on", true]] as const) {
      expect(configSandbox().load({ ...SECRETS, IMBI_EMAIL_DRY_RUN: raw }).settings.email.dry_run).toBe(expected);
    }
  });
});
