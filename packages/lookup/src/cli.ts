#!/usr/bin/env node
import { checkNode } from '@stampede/cli/node-check';

// Before anything else is imported: on an old Node the rest would fail with a confusing error.
checkNode('stampede-lookup');
const { runLookupCli } = await import('./lookup-cli.js');
const { runServeCli } = await import('./serve-cli.js');
// `stampede-lookup serve ...` runs the service; anything else is the lookup command.
const [first, ...rest] = process.argv.slice(2);
process.exitCode = first === 'serve' ? await runServeCli(rest) : await runLookupCli(process.argv.slice(2));
