/**
 * RFC 6749 §5.2 errors for the token endpoint (D5): `{"error", "error_description"}`,
 * status 400, or 401 + `WWW-Authenticate: Basic` for invalid_client when the client tried
 * HTTP Basic. These bodies are built here and only here; everything else uses {"detail"}.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target";

export const BASIC_CHALLENGE = 'Basic realm="imbi"';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    /** invalid_client after a Basic attempt answers 401 with a Basic challenge. */
    readonly usedBasic = false,
  ) {
    super(`${error}: ${description}`);
  }

  get status(): number {
    return this.error === "invalid_client" && this.usedBasic ? 401 : 400;
  }

  get headers(): Record<string, string> {
    return this.status === 401 ? { "WWW-Authenticate": BASIC_CHALLENGE } : {};
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const invalidRequest = (description: string) => new OAuthError("invalid_request", description);
export const invalidScope = (description: string) => new OAuthError("invalid_scope", description);
export const invalidGrant = (description: string) => new OAuthError("invalid_grant", description);
export const unsupportedGrantType = (description: string) => new OAuthError("unsupported_grant_type", description);
/** RFC 8707 §2: the `resource` is not one this server issues tokens for. */
export const invalidTarget = (description: string) => new OAuthError("invalid_target", description);
export const invalidClient = (description: string, usedBasic: boolean) => new OAuthError("invalid_client", description, usedBasic);
