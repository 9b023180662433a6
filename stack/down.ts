// Stops the native stack: only the processes recorded in <dir>/state.json (PID
// plus kernel start time, so a recycled PID is never touched), PostgreSQL via
// `pg_ctl stop -m fast`, the rest with SIGTERM then SIGKILL. Removes the
// directory unless --keep. Exits 0 when nothing was running.
//
// Usage: bun stack/down.ts [--dir DIR] [--keep]
import { parseArgs } from "node:util";
import { removeStackFiles, stopStack } from "./lifecycle.ts";
import { isStackDir, readState, removeDir, resolveDir, runCli } from "./state.ts";

const { values } = parseArgs({ options: { dir: { type: "string" }, keep: { type: "boolean", default: false } } });
const dir = resolveDir(values.dir);

runCli(async () => {
  const state = readState(dir);
  if (state === null) {
    console.log(`no stack recorded in ${dir}; nothing to stop`);
    if (!values.keep && isStackDir(dir)) {
      removeDir(dir);
      console.log(`removed ${dir}`);
    }
    return;
  }

  const survivors = await stopStack(state);
  if (survivors.length > 0) {
    throw new Error(`still running after SIGKILL: ${survivors.join(", ")}; ${dir} left in place`);
  }
  console.log("all stack processes stopped");

  if (values.keep) {
    console.log(`kept ${dir} (logs and data)`);
  } else {
    removeStackFiles(state);
    console.log(`removed ${dir}`);
  }
});
