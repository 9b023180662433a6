/** GET /organizations/{org}/projects/ §7.5: integration and attribute filters are answered, never ignored. */
import { beforeAll, describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
beforeAll(async () => {
  await w.create({ name: "Listed" });
});

describe("GET /organizations/{org}/projects/ integration and attribute filters", () => {
  test.each([
    ["integration_slug=github", 200],
    ["integration_slug=github&identifier=x", 200],
    ["identifier=x", 422],
    ["filter=nonsense", 400],
    ["filter=tier:between:1", 400],
    ["filter=tier:eq", 400],
    ["filter=tier:exists:yes", 400],
    ["filter=tier:eq:gold", 400],
  ])("?%s → %i, never the unfiltered list", async (query, status) => {
    const response = await send(w.t, "GET", `${w.base}/?${query}`, undefined, w.cast.readonlyA.headers);
    expect(response.status).toBe(status);
    if (status === 200) expect(response.body).toEqual([]);
    else expect(response.body).toHaveProperty("detail");
  });
});
