#!/usr/bin/env node
import { runLookupCli } from './lookup-cli.js';
import { runServeCli } from './serve-cli.js';

// `stampede-lookup serve ...` runs the service; anything else is the lookup command.
const [first, ...rest] = process.argv.slice(2);
const status = first === 'serve' ? await runServeCli(rest) : await runLookupCli(process.argv.slice(2));
process.exitCode = status;
