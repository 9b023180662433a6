/**
 * Hashing and comparing high-entropy secrets (API keys, client secrets, refresh tokens).
 * 256-bit random secrets need no slow hash; SHA-256 plus a constant-time comparison is
 * enough and cheap enough to run on every request.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time for equal lengths; digests always have equal lengths. */
export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), "hex");
  const expected = Buffer.from(expectedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
