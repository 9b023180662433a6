/** Identifiers: 21-char nanoids for rows, and the credential formats of the reference. */
import { randomBytes } from "node:crypto";
import { nanoid } from "nanoid";

export const newId = (): string => nanoid();

/** 256 random bits, url-safe: secrets of API keys, client credentials and refresh-free tokens. */
export const newSecret = (): string => randomBytes(32).toString("base64url");

/** `ik_` + 32 hex chars (the API key's public half). */
export const newApiKeyId = (): string => `ik_${randomBytes(16).toString("hex")}`;

/** `cc_` + 22 url-safe chars (a client credential's id). */
export const newClientId = (): string => `cc_${randomBytes(16).toString("base64url")}`;

/** 22 url-safe chars, the reference's jti length. */
export const newJti = (): string => randomBytes(16).toString("base64url");
