#!/usr/bin/env node
import { checkNode } from '@stampede/cli/node-check';

// Before anything else is imported: on an old Node the rest would fail with a confusing error.
checkNode('stampede-contend');
const { runContendCli } = await import('./contend-cli.js');
process.exitCode = await runContendCli(process.argv.slice(2));
