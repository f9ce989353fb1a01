#!/usr/bin/env node
import { runContendCli } from './contend-cli.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort(signal));
}
process.exitCode = await runContendCli(process.argv.slice(2), { signal: controller.signal });
