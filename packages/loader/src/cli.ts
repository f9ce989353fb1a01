#!/usr/bin/env -S node --max-semi-space-size=4
// The flag is `loaderNodeFlags` (cli-path.ts, where its measurements are): a small young
// generation keeps peak RSS low. It cannot be set at run time, hence the shebang.
import { checkNode } from '@stampede/cli/node-check';

// Before anything else is imported: on an old Node the rest would fail with a confusing error.
checkNode('stampede-load');
const { runLoadCli } = await import('./run-cli.js');
process.exitCode = await runLoadCli(process.argv.slice(2));
