/**
 * D3: IMBI_RELEASES_VERSION_FORMAT is enforced on the release's version (its tag), on
 * create and when PATCH changes the tag. semver accepts SemVer 2.0.0 with an optional
 * leading v; commitish accepts 7–40 lowercase hex. Each refuses the other's values.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { createCast, send, type Cast } from "../helpers/catalog.ts";
import { createProjectCatalog, postProject, projectBody } from "../helpers/catalog-factories.ts";

interface Setup { t: TestApp; cast: Cast; releases: string }
const opened: TestApp[] = [];

async function setup(env: Record<string, string>): Promise<Setup> {
  const t = await startTestApp(env);
  opened.push(t);
  const cast = await createCast(t);
  const catalog = await createProjectCatalog(t, cast.orgA.id);
  const project = await postProject(t, cast.orgA.slug, cast.developerA.headers, projectBody(catalog));
  return { t, cast, releases: `/organizations/${cast.orgA.slug}/projects/${project.id}/releases/` };
}

let semverApp: Setup;
let commitishApp: Setup;
let defaultApp: Setup;
beforeAll(async () => {
  [semverApp, commitishApp, defaultApp] = await Promise.all([
    setup({ IMBI_RELEASES_VERSION_FORMAT: "semver" }),
    setup({ IMBI_RELEASES_VERSION_FORMAT: "commitish" }),
    setup({}),
  ]);
});
afterAll(() => Promise.all(opened.map((t) => t.close())));

let n = 0;
const create = (s: Setup, tag: string) => {
  n += 1;
  return send(s.t, "POST", s.releases, { committish: (0xb000000 + n).toString(16), title: `r${n}`, tag }, s.cast.developerA.headers);
};

const SEMVER = ["1.0.0", "v1.2.3", "0.0.1-alpha.1", "2.0.0-rc.1+build.42", "10.20.30"];
const COMMITISH = ["abc1234", "0123456789abcdef0123456789abcdef01234567", "deadbeefcafe"];
const NEITHER = ["latest", "1.2", "v1", "01.2.3", "ABC1234", "abc123", "a".repeat(41), "1.2.3 ", "vv1.2.3"];

describe("IMBI_RELEASES_VERSION_FORMAT=semver", () => {
  test.each(SEMVER)("accepts %s", async (tag) => {
    const sent = await create(semverApp, tag);
    expect(sent.status).toBe(201);
    expect(sent.body.version).toBe(tag.replace(/^v/, ""));
  });
  test.each([...COMMITISH, ...NEITHER])("refuses %s with a 422 naming semver", async (tag) => {
    const sent = await create(semverApp, tag);
    expect(sent.status).toBe(422);
    expect(sent.body.detail[0]).toMatchObject({ type: "version_format", loc: ["body", "tag"], input: tag });
    expect(sent.body.detail[0].msg).toContain("IMBI_RELEASES_VERSION_FORMAT=semver");
  });
  test("PATCH to a commit-style tag is refused; the default format is semver", async () => {
    const created = await create(semverApp, "3.0.0");
    const path = `${semverApp.releases}${created.body.id}`;
    const sent = await send(semverApp.t, "PATCH", path, [{ op: "replace", path: "/tag", value: "abc1234" }], semverApp.cast.developerA.headers);
    expect(sent.status).toBe(422);
    expect((await create(defaultApp, "abc1234")).status).toBe(422);
    expect((await create(defaultApp, "v4.0.0")).status).toBe(201);
  });
});

describe("IMBI_RELEASES_VERSION_FORMAT=commitish", () => {
  test.each(COMMITISH)("accepts %s", async (tag) => {
    const sent = await create(commitishApp, tag);
    expect(sent.status).toBe(201);
    expect(sent.body.version).toBe(tag);
  });
  test.each([...SEMVER, ...NEITHER])("refuses %s with a 422 naming commitish", async (tag) => {
    const sent = await create(commitishApp, tag);
    expect(sent.status).toBe(422);
    expect(sent.body.detail[0].msg).toContain("IMBI_RELEASES_VERSION_FORMAT=commitish");
  });
  test("PATCH to a semver tag is refused; other fields of a release stay patchable", async () => {
    const created = await create(commitishApp, "fedcba9");
    const path = `${commitishApp.releases}${created.body.id}`;
    const headers = commitishApp.cast.developerA.headers;
    expect((await send(commitishApp.t, "PATCH", path, [{ op: "replace", path: "/tag", value: "1.0.0" }], headers)).status).toBe(422);
    const ok = await send(commitishApp.t, "PATCH", path, [{ op: "replace", path: "/title", value: "renamed" }], headers);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tag: "fedcba9", version: "fedcba9", title: "renamed" });
  });
});
