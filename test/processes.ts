// Real processes for crash and concurrency tests: the `ltv` command line and small scripts, run
// by Node with the TypeScript loader the command line uses, killed with SIGKILL when a test says.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '..');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Resolves with the first line of output matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  finished: Promise<Finished>;
}

function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const scan = (): void => {
    for (const w of [...waiting]) {
      const match = (stdout + stderr).split('\n').find((l) => w.pattern.test(l));
      if (match !== undefined) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(match);
      }
    }
  };
  child.stdout!.on('data', (c: Buffer) => ((stdout += c.toString('utf8')), scan()));
  child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString('utf8')), scan()));
  const finished = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        waiting.push({ pattern, resolve });
        scan();
        void finished.then((f) => reject(new Error(`the process ended (${f.code ?? f.signal}) before printing ${pattern}:\n${f.stdout}\n${f.stderr}`)));
      }),
    finished,
  };
}

/** `ltv <args>` in a process of its own. */
export function ltv(args: string[], env: Record<string, string> = {}): Running {
  return start([path.join(REPO, 'bin', 'ltv.js'), ...args], env);
}

/** A TypeScript script (test/fixtures/processes) in a process of its own. */
export function script(file: string, args: string[], env: Record<string, string> = {}): Running {
  return start(['--import', 'tsx', path.join(REPO, 'test', 'fixtures', 'processes', file), ...args], env);
}
