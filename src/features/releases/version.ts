/**
 * IMBI_RELEASES_VERSION_FORMAT (D3): the reference defines the setting but enforces it
 * nowhere; we enforce it on the release's version, which is its `tag` (the reference's
 * Release has no other version field). An untagged release has no version to check.
 *   semver    a SemVer 2.0.0 version (the `semver` package, strict mode), optionally with
 *             one leading `v` as git tags usually carry it (`v1.2.3`, the reference's
 *             SEMVER_TAG_PATTERN); the stored `version` drops the `v`.
 *   commitish 7–40 lowercase hex characters (a short or full commit SHA).
 */
import semver from "semver";
import type { VERSION_FORMATS } from "../../config/settings.ts";
import { UnprocessableError } from "../../http/errors.ts";

export type VersionFormat = (typeof VERSION_FORMATS)[number];

const COMMITISH = /^[0-9a-f]{7,40}$/;

/** The normalized version of `tag` under `format`, or undefined when it does not conform. */
export function versionOf(tag: string, format: VersionFormat): string | undefined {
  if (format === "commitish") return COMMITISH.test(tag) ? tag : undefined;
  const bare = tag.startsWith("v") ? tag.slice(1) : tag;
  // strict semver, no surrounding space (semver trims), no second prefix ("vv1", "=1")
  if (!/^\d/.test(bare) || bare !== bare.trim()) return undefined;
  return semver.valid(bare, { loose: false }) === null ? undefined : bare;
}

/** `tag`'s version, or a 422 on `loc` naming the configured format. */
export function checkVersion(tag: string | null, format: VersionFormat, loc: (string | number)[] = ["body", "tag"]): string | null {
  if (tag === null) return null;
  const version = versionOf(tag, format);
  if (version === undefined) {
    const expected = format === "semver" ? "a SemVer 2.0.0 version such as 1.2.3 or v1.2.3-rc.1" : "a commit SHA of 7 to 40 lowercase hex characters";
    throw new UnprocessableError([{
      type: "version_format", loc,
      msg: `Tag '${tag}' does not match IMBI_RELEASES_VERSION_FORMAT=${format}: expected ${expected}`, input: tag,
    }]);
  }
  return version;
}
