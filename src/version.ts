/** The release version, read from package.json at build time (the binary embeds it). */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
