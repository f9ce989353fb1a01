// One load through the library's loadFile, in a process of its own (no node flags), for the
// bench's peak-RSS figure of that entry point: prints the summary as JSON.
import { loadFile } from '@stampede/loader';

const [input, db, table] = process.argv.slice(2);
const summary = await loadFile({ input, db, table });
process.stdout.write(`${JSON.stringify(summary)}\n`);
