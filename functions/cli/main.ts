// The `ltv` command line. Each command is a thin shell around the same functions the Lambda
// handlers call; nothing here computes a number.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load.ts';
import { closestName } from '../text/closestName.ts';
import { reportCommand } from './reportCommand.ts';
import { sampleCommand } from './sampleCommand.ts';
import { ingestCommand } from './ingestCommand.ts';
import { queryCommand } from './queryCommand.ts';
import { clvCommands } from './clvCommand.ts';
import { backfillCommand } from './backfillCommand.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  description: string;
}

export interface Command {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

/** A command with sub-commands (`ltv clv fit`), each parsed and helped like a command. */
export interface CommandGroup {
  summary: string;
  subcommands: Record<string, Command>;
}

const COMMANDS: Record<string, Command | CommandGroup> = {
  report: reportCommand,
  sample: sampleCommand,
  ingest: ingestCommand,
  query: queryCommand,
  clv: clvCommands,
  backfill: backfillCommand,
};

function mainHelp(): string {
  const lines = ['ltv: weekly customer-lifetime-value reporting', '', 'Usage: ltv <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push('', 'Run `ltv <command> --help` for the options of a command, `ltv --version` for the version.');
  return lines.join('\n');
}

function groupHelp(name: string, g: CommandGroup): string {
  const lines = [`ltv ${name}: ${g.summary}`, '', `Usage: ltv ${name} <sub-command> [options]`, '', 'Sub-commands:'];
  for (const [sub, c] of Object.entries(g.subcommands)) lines.push(`  ${sub.padEnd(8)} ${c.summary}`);
  lines.push('', `Run \`ltv ${name} <sub-command> --help\` for its options.`);
  return lines.join('\n');
}

function commandHelp(name: string, c: Command): string {
  const lines = [`ltv ${name}: ${c.summary}`, '', `Usage: ${c.usage}`, '', 'Options:'];
  for (const [opt, s] of Object.entries(c.options)) {
    lines.push(`  --${opt}${s.type === 'string' ? ' <value>' : ''}${s.short ? `, -${s.short}` : ''}  ${s.description}`);
  }
  lines.push('  --help  show this help');
  return lines.join('\n');
}

const didYouMean = (word: string, known: readonly string[], prefix = ''): string => {
  const guess = closestName(word, known);
  return guess === undefined ? '' : `; did you mean ${prefix}${guess}?`;
};

function version(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

/**
 * Options are checked before parsing, so a typo gets the option meant rather than Node's advice
 * about positionals.
 */
function unknownOption(args: readonly string[], command: Command): string | undefined {
  const known = [...Object.keys(command.options), 'help'];
  const shorts = ['h', ...Object.values(command.options).flatMap((o) => (o.short ? [o.short] : []))];
  for (const arg of args) {
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const option = arg.slice(2).split('=')[0]!;
      if (!known.includes(option)) return `unknown option --${option}${didYouMean(option, known, '--')}`;
    } else if (/^-[A-Za-z]/.test(arg) && ![...arg.slice(1)].every((c) => shorts.includes(c))) {
      return `unknown option ${arg}`;
    }
  }
  return undefined;
}

/** What parseArgs still refuses once every option is known: a value missing or one too many. */
function parseProblem(err: unknown): string {
  const message = (err as Error).message;
  if ((err as { code?: string }).code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return message;
  const option = /'(--?[\w-]+)/.exec(message)?.[1] ?? 'an option';
  return /does not take an argument/.test(message) ? `${option} is a switch and takes no value` : `${option} needs a value`;
}

export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(version());
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`ltv: unknown command "${name}"${didYouMean(name, Object.keys(COMMANDS))}\n\n${mainHelp()}`);
    return 2;
  }
  let command: Command;
  if ('subcommands' in entry) {
    const [sub, ...subRest] = rest;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(groupHelp(name, entry));
      return sub ? 0 : 1;
    }
    const found = entry.subcommands[sub];
    if (!found) {
      console.error(`ltv ${name}: unknown sub-command "${sub}"${didYouMean(sub, Object.keys(entry.subcommands))}\n\n${groupHelp(name, entry)}`);
      return 2;
    }
    [command, name, rest] = [found, `${name} ${sub}`, subRest];
  } else command = entry;
  const typo = unknownOption(rest, command);
  if (typo !== undefined) {
    console.error(`ltv ${name}: ${typo}\n\n${commandHelp(name, command)}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(
          Object.entries(command.options).map(([k, o]) => [k, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    console.error(`ltv ${name}: ${parseProblem(err)}\n\n${commandHelp(name, command)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(commandHelp(name, command));
    return 0;
  }
  try {
    return await command.run(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals);
  } catch (err) {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`ltv ${name} failed: ${(err as Error).message}`);
    if (process.env.LTV_DEBUG) console.error(err);
    return 1;
  }
}
