#!/usr/bin/env node
import { checkNode } from '@stampede/cli/node-check';

// Before anything else is imported: on an old Node the rest would fail with a confusing error.
checkNode('stampede');
const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
