/** What a provider tells us about the person who signed in, normalized across types. */
export interface Profile {
  /** Stable per provider: OIDC `sub`, GitHub's numeric id. */
  subject: string;
  email: string | null;
  /** Only a provider's explicit statement counts (OIDC email_verified, GitHub's verified flag). */
  emailVerified: boolean;
  name: string | null;
  avatarUrl: string | null;
}

export interface ProviderTokens {
  accessToken: string | null;
  refreshToken: string | null;
  expiresAt: Date | null;
}

/** The IdP misbehaved or refused; `reason` goes to the audit log, never to the browser. */
export class UpstreamError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

const OUTBOUND_TIMEOUT_MS = 10_000;

/** A JSON request to the IdP, with a timeout; non-2xx and non-JSON answers are UpstreamErrors. */
export async function fetchJson(url: string, init: RequestInit, what: string): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(OUTBOUND_TIMEOUT_MS) });
  } catch (error) {
    throw new UpstreamError("provider_unreachable", `${what}: ${(error as Error).message}`);
  }
  const body = await response.json().catch(() => undefined) as Record<string, unknown> | undefined;
  if (!response.ok || !body || typeof body !== "object") {
    const code = typeof body?.error === "string" ? body.error : `HTTP ${response.status}`;
    throw new UpstreamError("provider_error", `${what}: ${code}`);
  }
  return body;
}

export function tokensFrom(body: Record<string, unknown>, now = Date.now()): ProviderTokens {
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in);
  return {
    accessToken: typeof body.access_token === "string" ? body.access_token : null,
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now + expiresIn * 1000) : null,
  };
}

export const stringOrNull = (value: unknown): string | null => (typeof value === "string" && value ? value : null);

/** The email's domain, lowercased, when it is listed (an empty list allows every domain). */
export function domainAllowed(email: string, allowed: string[]): boolean {
  if (!allowed.length) return true;
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  return allowed.includes(domain);
}
