/** The release version (package.json, embedded at build) and the commit the binary was built from. */
import pkg from "../package.json" with { type: "json" };

declare const IMBI_COMMIT: string | undefined;

export const VERSION: string = pkg.version;

/** Set by scripts/build.ts; "source" when running from a checkout. */
export const COMMIT: string = typeof IMBI_COMMIT === "string" ? IMBI_COMMIT : "source";
