// This module must itself run on an old Node: a bin imports it before anything else and only then
// imports the rest, dynamically. No dependencies, no syntax newer than Node 18's.

/** The oldest Node Stampede runs on. */
export const REQUIRED_NODE = '22.12.0';

/** Whether `version` (`20.20.2`, `v24.1.0`) is at least `required`. */
export function isNodeSupported(version: string, required: string = REQUIRED_NODE): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = required.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

// Quote an argument for a POSIX shell, so the printed command can be pasted as it is.
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * The one line an old Node gets: what was found, what is needed, and the command that fixes it —
 * this very invocation (`script` and `argv`), run by Node 24 from the npm registry.
 */
export function nodeVersionMessage(program: string, version: string, script: string, argv: readonly string[]): string {
  const again = ['npx', '-y', '-p', 'node@24', 'node', script, ...argv].map(shellQuote).join(' ');
  return (
    `${program}: Node.js ${version} is too old; Stampede needs Node.js >= ${REQUIRED_NODE.replace(/\.0$/, '')} (24 LTS recommended).\n` +
    `Run it with Node 24 from the npm registry: ${again}\n`
  );
}

// The script as the user can type it again: relative to where they are, when it is below it.
function scriptAsTyped(): string {
  const script = process.argv[1] ?? 'stampede';
  const cwd = `${process.cwd()}/`;
  return script.startsWith(cwd) ? script.slice(cwd.length) : script;
}

/**
 * Exit with status 2 and {@link nodeVersionMessage} when this Node is older than Stampede needs.
 * Call it first in every bin, before importing anything else.
 */
export function checkNode(program: string): void {
  if (isNodeSupported(process.versions.node)) return;
  process.stderr.write(
    nodeVersionMessage(program, `v${process.versions.node}`, scriptAsTyped(), process.argv.slice(2)),
  );
  process.exit(2);
}
