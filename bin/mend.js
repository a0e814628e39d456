#!/usr/bin/env node
// Entry point for the `mend` command. Node >= 22.12 runs the TypeScript sources directly
// (type stripping); older Node gets a clear message instead of a syntax error.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `mend needs Node.js >= 22.12 (found ${process.versions.node}).\n` +
      'Run it through npm (npm start, npx mend ...): the project installs Node 24 as a dev dependency.\n',
  );
  process.exit(2);
}
const { NODE_FLAGS, nodeEnvironment } = await import('../src/support/node-flags.ts');
const missing = NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
if (missing.length > 0 && typeof process.execve === 'function') {
  // Same process id, same stdio: V8 flags and the compile cache only take effect at start-up.
  process.execve(
    process.execPath,
    [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)],
    nodeEnvironment(process.env),
  );
}
await import('../src/cli/main.ts');
