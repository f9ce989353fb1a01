// Run by the root scripts before anything else (turbo, vitest, tsc): on a Node older than Stampede
// supports they fail in confusing ways (a segfault in a test worker, "is not a function" in execa).
// Plain JavaScript that any Node runs. Usage: node scripts/check-node.mjs <what is being run>
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  const what = process.argv[2] ?? 'start';
  process.stderr.write(
    `stampede: Node.js v${process.versions.node} is too old for \`pnpm ${what}\`; Stampede needs Node.js >= 22.12 (24 LTS recommended).\n` +
      `Run it with Node 24 from the npm registry: npx -y -p node@24 -p pnpm@12.21.0 -c 'pnpm install && pnpm ${what}'\n`,
  );
  process.exit(2);
}
