/**
 * Entry point of the `imbi` executable. The only module with side effects at import time.
 * From source, argv[1] is this file (used by `serve --dev` to respawn itself); inside the
 * compiled binary it is a virtual path and the binary respawns itself instead.
 */
import { buildProgram } from "./cli/program.ts";

const compiled = import.meta.path.startsWith("/$bunfs/");
await buildProgram(compiled ? undefined : import.meta.path).parseAsync(process.argv);
