#!/usr/bin/env node
import { runDatagenCli } from './run-cli.js';

process.exitCode = await runDatagenCli(process.argv.slice(2));
