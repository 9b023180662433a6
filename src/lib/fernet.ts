/**
 * Fernet (https://github.com/fernet/spec), byte-compatible with Python's
 * `cryptography.fernet`: tokens made by either side decrypt on the other.
 * Layout: 0x80 | timestamp (u64 BE) | IV (16) | AES-128-CBC ciphertext | HMAC-SHA256 (32),
 * url-safe base64 with padding. Key: url-safe base64 of 32 bytes (signing half, then encryption half).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const VERSION = 0x80;

export class InvalidToken extends Error {
  constructor() {
    super("Invalid Fernet token");
  }
}

function decodeKey(key: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]{43}=?$/.test(key.trim())) return undefined;
  const bytes = Buffer.from(key.trim(), "base64url");
  return bytes.length === 32 ? bytes : undefined;
}

export function isFernetKey(key: string): boolean {
  return decodeKey(key) !== undefined;
}

export function generateFernetKey(): string {
  return randomBytes(32).toString("base64url") + "=";
}

export class Fernet {
  readonly #signingKey: Buffer;
  readonly #encryptionKey: Buffer;

  constructor(key: string) {
    const bytes = decodeKey(key);
    if (!bytes) throw new Error("Fernet key must be url-safe base64 of 32 bytes");
    this.#signingKey = bytes.subarray(0, 16);
    this.#encryptionKey = bytes.subarray(16);
  }

  /** `now` and `iv` are parameters only so the spec's test vectors can be reproduced. */
  encrypt(plaintext: string | Uint8Array, now = Date.now(), iv: Uint8Array = randomBytes(16)): string {
    const header = Buffer.alloc(9);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(Math.floor(now / 1000)), 1);
    const cipher = createCipheriv("aes-128-cbc", this.#encryptionKey, iv);
    const body = Buffer.concat([header, iv, cipher.update(plaintext), cipher.final()]);
    const mac = createHmac("sha256", this.#signingKey).update(body).digest();
    return Buffer.concat([body, mac]).toString("base64url").padEnd(Math.ceil((body.length + 32) / 3) * 4, "=");
  }

  /** Throws InvalidToken on any tampering, a wrong key or (with ttlSeconds) an expired token. */
  decrypt(token: string, ttlSeconds?: number, now = Date.now()): Buffer {
    if (!/^[A-Za-z0-9_-]+=*$/.test(token)) throw new InvalidToken();
    const data = Buffer.from(token, "base64url");
    if (data.length < 9 + 16 + 16 + 32 || data[0] !== VERSION) throw new InvalidToken();
    const body = data.subarray(0, data.length - 32);
    const expected = createHmac("sha256", this.#signingKey).update(body).digest();
    if (!timingSafeEqual(expected, data.subarray(data.length - 32))) throw new InvalidToken();
    const issuedAt = Number(data.readBigUInt64BE(1));
    const nowSeconds = Math.floor(now / 1000);
    // Python's implementation rejects tokens from more than 60 s in the future (clock skew).
    if (issuedAt > nowSeconds + 60) throw new InvalidToken();
    if (ttlSeconds !== undefined && issuedAt + ttlSeconds < nowSeconds) throw new InvalidToken();
    try {
      const decipher = createDecipheriv("aes-128-cbc", this.#encryptionKey, body.subarray(9, 25));
      return Buffer.concat([decipher.update(body.subarray(25)), decipher.final()]);
    } catch {
      throw new InvalidToken();
    }
  }

  decryptText(token: string, ttlSeconds?: number): string {
    return this.decrypt(token, ttlSeconds).toString("utf8");
  }
}
