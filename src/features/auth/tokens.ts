/**
 * Access and refresh JWTs (jose). Claims as the reference: sub (email or service-account
 * slug), jti, type, iat, exp, plus auth_method and scope when they apply. Verification
 * accepts only the configured HMAC algorithm (never `none`), requires every claim we rely
 * on, and checks the token type. The audience is checked by authenticate.ts, which knows
 * which resource is being called.
 */
import { errors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { Settings } from "../../config/settings.ts";
import { AuthenticationError } from "../../http/errors.ts";

export type TokenType = "access" | "refresh";

export interface TokenClaims {
  sub: string;
  jti: string;
  type: TokenType;
  iat: number;
  exp: number;
  auth_method?: string;
  scope?: string;
  /**
   * The resource the token was minted for (RFC 8707, set by the authorization-code grant):
   * the API or the MCP endpoint. Tokens without it (password login, client credentials)
   * are accepted wherever bearer tokens are.
   */
  aud?: string;
  /** The OAuth client the token was issued to (authorization-code and refresh grants). */
  client_id?: string;
}

export interface TokenCodec {
  sign(claims: Omit<TokenClaims, "iat" | "exp">, issuedAt: Date, ttlSeconds: number): Promise<string>;
  verify(token: string, type: TokenType): Promise<TokenClaims>;
}

export function createTokenCodec(auth: Settings["auth"]): TokenCodec {
  const key = new TextEncoder().encode(auth.jwt_secret);
  const algorithm = auth.jwt_algorithm;
  const label = (type: TokenType) => (type === "refresh" ? "Refresh token" : "Token");
  return {
    async sign(claims, issuedAt, ttlSeconds) {
      const iat = Math.floor(issuedAt.getTime() / 1000);
      return new SignJWT({ ...claims } as JWTPayload)
        .setProtectedHeader({ alg: algorithm, typ: "JWT" })
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
    },
    async verify(token, type) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, { algorithms: [algorithm], requiredClaims: ["sub", "jti", "exp", "type"] }));
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new AuthenticationError(`${label(type)} has expired`);
        throw new AuthenticationError(type === "refresh" ? "Invalid refresh token" : "Invalid token");
      }
      if (payload.type !== type) throw new AuthenticationError("Invalid token type");
      if (typeof payload.sub !== "string" || !payload.sub) throw new AuthenticationError("Token missing subject");
      if (payload.aud !== undefined && typeof payload.aud !== "string") throw new AuthenticationError("Invalid token audience");
      return payload as unknown as TokenClaims;
    },
  };
}

