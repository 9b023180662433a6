/** The provider cache on its own: TTL, invalidation, and a load racing an invalidation. */
import { describe, expect, test } from "bun:test";
import { ENABLED_LIST, ProviderCache } from "../../../src/features/oauth-providers/cache.ts";

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("ProviderCache", () => {
  test("serves a value for the TTL, then loads again", async () => {
    const time = clock();
    const cache = new ProviderCache(30_000, time.now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.through("okta", load)).toBe(1);
    time.advance(29_999);
    expect(await cache.through("okta", load)).toBe(1);
    time.advance(1);
    expect(await cache.through("okta", load)).toBe(2);
  });

  test("invalidating a slug drops it and the enabled list, not other slugs", async () => {
    const cache = new ProviderCache();
    let loads = 0;
    const load = async () => ++loads;
    await cache.through("okta", load);
    await cache.through("auth0", load);
    await cache.through(ENABLED_LIST, load);
    cache.invalidate("okta");
    expect(await cache.through("okta", load)).toBe(4);
    expect(await cache.through(ENABLED_LIST, load)).toBe(5);
    expect(await cache.through("auth0", load)).toBe(2);
    cache.clear();
    expect(await cache.through("auth0", load)).toBe(6);
  });

  test("a load that was under way when the entry was invalidated is returned but not cached", async () => {
    const cache = new ProviderCache();
    let release!: () => void;
    const slow = cache.through("okta", () => new Promise<string>((resolve) => (release = () => resolve("stale"))));
    cache.invalidate("okta");
    release();
    expect(await slow).toBe("stale");
    expect(await cache.through("okta", async () => "fresh")).toBe("fresh");
  });
});
