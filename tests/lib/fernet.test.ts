/** Fernet: the spec's test vectors and a token made by Python's cryptography.fernet. */
import { describe, expect, test } from "bun:test";
import { Fernet, InvalidToken, generateFernetKey, isFernetKey } from "../../src/lib/fernet.ts";

// https://github.com/fernet/spec generate.json / verify.json
const SPEC_KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const SPEC_TOKEN = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
const SPEC_NOW = Date.parse("1985-10-26T01:20:00-07:00");
const SPEC_IV = Uint8Array.from({ length: 16 }, (_, i) => i);

// Made with: Fernet(SPEC_KEY).encrypt_at_time(b"secret from python", 1700000000) (cryptography 48.0.0)
const PYTHON_TOKEN = "gAAAAABlU_EAamBXsbwdhn8MmizaSwlMpuUOfHTG5kgrhJECJmS56uiqFaGP3kVzfDOaWsbyhHgR7aN0-Vyo_5ot3i58IlyKgZP6Mrl-or949XHdcYPRTtA=";

describe("Fernet", () => {
  test("reproduces the spec's generate vector byte for byte", () => {
    expect(new Fernet(SPEC_KEY).encrypt("hello", SPEC_NOW, SPEC_IV)).toBe(SPEC_TOKEN);
  });

  test("verifies the spec's token within its TTL", () => {
    expect(new Fernet(SPEC_KEY).decrypt(SPEC_TOKEN, 60, SPEC_NOW + 1000).toString()).toBe("hello");
  });

  test("decrypts a token made by Python", () => {
    expect(new Fernet(SPEC_KEY).decryptText(PYTHON_TOKEN)).toBe("secret from python");
  });

  test("round-trips with a generated key", () => {
    const key = generateFernetKey();
    expect(isFernetKey(key)).toBe(true);
    const f = new Fernet(key);
    expect(f.decryptText(f.encrypt("ünïcødé secret"))).toBe("ünïcødé secret");
  });

  test.each([
    ["expired", (t: string) => t, 60, SPEC_NOW + 120_000],
    ["tampered", (t: string) => t.slice(0, 30) + (t[30] === "A" ? "B" : "A") + t.slice(31), undefined, SPEC_NOW],
    ["truncated", (t: string) => t.slice(0, 40), undefined, SPEC_NOW],
    ["not base64", () => "%%%%", undefined, SPEC_NOW],
    ["from the future", (t: string) => t, undefined, SPEC_NOW - 3_600_000],
  ])("rejects a %s token", (_, mangle, ttl, now) => {
    expect(() => new Fernet(SPEC_KEY).decrypt(mangle(SPEC_TOKEN), ttl, now)).toThrow(InvalidToken);
  });

  test("rejects another key's token", () => {
    expect(() => new Fernet(generateFernetKey()).decrypt(SPEC_TOKEN)).toThrow(InvalidToken);
  });

  test("refuses malformed keys", () => {
    expect(isFernetKey("short")).toBe(false);
    expect(() => new Fernet("short")).toThrow();
  });
});
