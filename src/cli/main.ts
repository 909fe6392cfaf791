// Dispatches `meshaccess <command>` to the module that implements it. Each
// command module is loaded only when asked for, so `render` never pays for the
// Kubernetes or Google client libraries.

type CommandModule = { run(argv: string[]): Promise<number> };

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  run: { summary: 'run the controller', load: () => import('./run.ts') },
  render: { summary: 'print the Google Cloud objects manifests produce', load: () => import('./render.ts') },
  check: { summary: 'evaluate one request against the rendered policy', load: () => import('./check.ts') },
  emulator: { summary: 'serve the Google Cloud emulator', load: () => import('./emulator.ts') },
  dev: { summary: 'run everything locally for a first look', load: () => import('./dev.ts') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: meshaccess <command> [flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

/** Runs the command named by argv[0]; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`meshaccess: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}
