// Prints each service of the native stack: ports, PID, whether the process is
// alive and whether it answers. Exit code 0 only when everything answers
// (--quiet: print nothing, for scripts that only need the exit code).
//
// Usage: bun stack/status.ts [--dir DIR] [--quiet]
import { parseArgs } from "node:util";
import { serviceStatuses } from "./lifecycle.ts";
import { readState, resolveDir, runCli, SERVICES } from "./state.ts";

const { values } = parseArgs({ options: { dir: { type: "string" }, quiet: { type: "boolean", default: false } } });
const dir = resolveDir(values.dir);
const say = (line: string) => {
  if (!values.quiet) console.log(line);
};

runCli(async () => {
  const state = readState(dir);
  if (state === null) {
    say(`no stack recorded in ${dir} (start one with: bun stack/up.ts)`);
    process.exit(1);
  }

  const statuses = await serviceStatuses(state);
  say(`stack in ${dir}, started ${state.startedAt}\n`);
  say(`${"service".padEnd(11)}${"ports".padEnd(26)}${"pid".padEnd(9)}${"alive".padEnd(7)}answering`);
  for (const name of SERVICES) {
    const status = statuses.find((s) => s.name === name);
    if (status === undefined) {
      say(`${name.padEnd(11)}${"-".padEnd(26)}${"-".padEnd(9)}${"no".padEnd(7)}no (never started)`);
      continue;
    }
    const ports = Object.entries(status.record.ports).map(([k, v]) => `${k}=${v}`).join(" ");
    const answering = status.problem === null ? "yes" : `no (${status.problem})`;
    const alive = status.alive ? "yes" : "no";
    say(`${name.padEnd(11)}${ports.padEnd(26)}${String(status.record.pid).padEnd(9)}${alive.padEnd(7)}${answering}`);
  }
  say(`\nlogs: ${dir}/<service>.log`);
  const healthy = statuses.length === SERVICES.length && statuses.every((s) => s.problem === null);
  process.exit(healthy ? 0 : 1);
});
