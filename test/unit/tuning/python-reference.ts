// The PyTorch references (tools/reference/peft_reference.py, peft_mix.py) through one long-lived
// Python process per test file (reference_server.py): each call runs the script's own main() with
// the same arguments a `python3 <script>.py ...` child would get, so the reference is unchanged;
// only PyTorch's import, most of a one-shot call's time, is paid once instead of once per call.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), 'reference_server.py');

export type ReferenceScript = 'peft_reference' | 'peft_mix';

export interface PythonReference {
  /** The script's stdout for these arguments; rejects with the Python traceback when it fails. */
  run(script: ReferenceScript, argv: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

/** Starts the process; requests are answered in order, one at a time. */
export function startPythonReference(): PythonReference {
  const child: ChildProcessWithoutNullStreams = spawn('/usr/bin/python3', [SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const waiting: { resolve(line: string): void; reject(error: Error): void }[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`reference_server.py exited (${code ?? signal}): ${stderr}`));
  });
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  return {
    run(script, argv) {
      return new Promise<string>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`reference_server.py has exited: ${stderr}`));
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify({ script, argv })}\n`);
      }).then((line) => {
        const answer = JSON.parse(line) as { stdout?: string; error?: string };
        if (answer.error !== undefined) throw new Error(`${script}.py ${argv.join(' ')} failed:\n${answer.error}`);
        return answer.stdout!;
      });
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
