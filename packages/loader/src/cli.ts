#!/usr/bin/env -S node --max-semi-space-size=2
// The flag: a loader allocates fast and keeps little, and V8 would otherwise grow the
// young generation to tens of MB per semi-space — most of the peak RSS (measured: 298 MB
// → 163 MB for 300k rows, same speed). It cannot be set at run time, hence the shebang.
import { runLoadCli } from './run-cli.js';

process.exitCode = await runLoadCli(process.argv.slice(2));
