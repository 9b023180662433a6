/** What every grant handler of the token endpoint receives and returns. */
import type { RequestMeta } from "../../infra/events.ts";
import type { AppContext } from "../../context.ts";
import type { ClientAuthentication } from "./client-auth.ts";

/** The form parameters, each at most once; a parameter sent without a value is absent (RFC 6749 §3.1). */
export type TokenParams = Map<string, string>;

export interface TokenSuccess {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  scope: string | null;
  refresh_token: string;
}

export interface GrantContext {
  ctx: AppContext;
  params: TokenParams;
  client: ClientAuthentication;
  meta: RequestMeta;
}

/** Resolves to tokens or throws an OAuthError. */
export type GrantHandler = (grant: GrantContext) => Promise<TokenSuccess>;
