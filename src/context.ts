/**
 * Everything a feature needs, built once by app.ts and passed explicitly (no globals, no
 * clients created at import time).
 */
import type { Settings } from "./config/settings.ts";
import type { Infra } from "./infra/clients.ts";
import type { Logger } from "./infra/logger.ts";
import { EventBus } from "./infra/events.ts";
import { Fernet } from "./lib/fernet.ts";
import { apiPrefix } from "./http/urls.ts";
import { authPlugin, type AuthPlugin } from "./http/auth.ts";
import { createTokenCodec, type TokenCodec } from "./features/auth/tokens.ts";

export interface AppContext {
  settings: Settings;
  infra: Infra;
  logger: Logger;
  events: EventBus;
  codec: TokenCodec;
  fernet: Fernet;
  /** The auth/permission macros: `.use(ctx.auth)` in a feature's routes. */
  auth: AuthPlugin;
  /** The path of IMBI_API_URL ("" or e.g. "/api"). */
  prefix: string;
}

export function createContext(settings: Settings, infra: Infra, logger: Logger): AppContext {
  const events = new EventBus(logger);
  const codec = createTokenCodec(settings.auth);
  return {
    settings, infra, logger, events, codec,
    fernet: new Fernet(settings.auth.encryption_key),
    auth: authPlugin({ sql: infra.sql, auth: settings.auth, codec, events }),
    prefix: apiPrefix(settings.server),
  };
}
