#!/usr/bin/env node
import { checkNode } from '@stampede/cli/node-check';

// Before anything else is imported: on an old Node the rest would fail with a confusing error.
checkNode('stampede-load');
const { runLoadCli } = await import('./run-cli.js');
process.exitCode = await runLoadCli(process.argv.slice(2));
