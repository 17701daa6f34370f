// attune: the model runtime (and later training) from Node. `npm run cli -- <command> ...`.
// Errors print one line and exit non-zero (2: usage, 1: anything else).
import { spawnSync } from 'node:child_process';
import { formatFlags, parseFlags, UsageError } from './args';
import type { CliIo, Command } from './command';
import { COMMANDS } from './commands';
import { webGpuRelaunchEnv } from './node-backend';

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function usage(): string {
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  return `usage: attune <command> [flags]\n\ncommands:\n${list}\n\nattune <command> --help shows its flags.\n`;
}

function commandHelp(command: Command): string {
  return `usage: attune ${command.name} [flags]\n${command.summary}\n\n${formatFlags(command.flags)}\n`;
}

/** WebGPU through Dawn needs loader variables set before the process starts: rerun with them. */
function relaunchForWebGpu(argv: readonly string[]): number | null {
  const wantsWebGpu = argv.some((a, i) => a === '--backend=webgpu' || (a === '--backend' && argv[i + 1] === 'webgpu'));
  const env = wantsWebGpu ? webGpuRelaunchEnv(process.env) : null;
  if (!env) return null;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
  return child.status ?? 1;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`attune: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help')) {
    io.out(commandHelp(command));
    return 0;
  }
  const relaunched = relaunchForWebGpu(rest);
  if (relaunched !== null) return relaunched;
  try {
    await command.run(parseFlags(rest, command.flags), io);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`attune ${name}: ${message.split('\n')[0]}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

// Silence tfjs's "install tfjs-node" banner: it is not installable here and not actionable.
const originalWarn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('tfjs-node')) return;
  originalWarn(...args);
};

process.exitCode = await main(process.argv.slice(2));
