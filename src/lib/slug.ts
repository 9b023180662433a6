/** Slugs (D2): lower-case letters, digits, `_` and `-`, starting with a letter or digit, 1–64. */
export const SLUG_PATTERN = "^[a-z0-9][a-z0-9_-]*$";
export const SLUG_MAX = 64;

/** A slug from a display name: "My Service!" → "my-service". */
export function slugify(name: string): string {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, SLUG_MAX);
}
