// A command's flags declared once, as a table: the parser (node:util parseArgs, strict), the help
// text (every flag with its default) and the other spellings a flag accepts (jcjohnson/neural-style's
// single-dash names) all come from it.

import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

export interface Flag {
  /** The long name, without the dashes. */
  name: string;
  short?: string;
  kind: 'string' | 'boolean';
  /** What the value is, in the help (FILE, N, ...). */
  value?: string;
  help: string;
  /** The default, as the help prints it (omit when there is none). */
  default?: string;
}

export interface FlagGroup {
  title: string;
  flags: Flag[];
}

/** Another tool's spelling of a flag: `-content_image X` is `--content X`; `map` may rewrite the value. */
export interface Alias {
  from: string;
  to: string;
  /** Rewrites the value (return null to drop the flag, as neural-style's `-original_colors 0`). */
  map?: (value: string) => string | null;
  /** The alias takes no value (`-normalize_gradients`). */
  boolean?: boolean;
}

/**
 * Rewrites aliases to the flags they stand for, and `--flag -1` to `--flag=-1` so that a negative
 * value reaches its validation (and its message) instead of being read as a flag.
 */
function normalise(argv: string[], aliases: Alias[], booleans: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [head, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const alias = aliases.find((a) => a.from === head);
    if (alias) {
      if (alias.boolean) {
        out.push(`--${alias.to}`);
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${head} needs a value (it stands for --${alias.to})`);
      const mapped = alias.map ? alias.map(value) : value;
      if (mapped === null) continue;
      out.push(booleans.has(alias.to) ? `--${alias.to}` : `--${alias.to}=${mapped}`);
      continue;
    }
    const next = argv[i + 1];
    if (/^--[a-z][a-z0-9-]*$/.test(arg) && !booleans.has(arg.slice(2)) && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

export interface ParsedFlags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseFlags(argv: string[], groups: FlagGroup[], o: { aliases?: Alias[]; positionals?: boolean } = {}): ParsedFlags {
  const flags = groups.flatMap((g) => g.flags);
  const booleans = new Set(flags.filter((f) => f.kind === 'boolean').map((f) => f.name));
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const f of flags) options[f.name] = { type: f.kind, ...(f.short ? { short: f.short } : {}) };
  try {
    const { values, positionals } = parseArgs({ args: normalise(argv, o.aliases ?? [], booleans), options, strict: true, allowPositionals: !!o.positionals });
    return { values: values as ParsedFlags['values'], positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
}

/** The help text of the flag groups: each flag, its value, what it does and its default. */
/** Help lines fit an 80-column terminal. */
const HELP_WIDTH = 80;

/** A paragraph of help text broken into lines of at most 80 columns (at spaces). */
export function wrapHelp(text: string, indent = ''): string {
  const lines: string[] = [];
  let line = indent;
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line.trim() && line.length + 1 + w.length > HELP_WIDTH) {
      lines.push(line);
      line = indent;
    }
    line += `${line.trim() ? ' ' : ''}${w}`;
  }
  lines.push(line);
  return lines.join('\n');
}

export function formatFlags(groups: FlagGroup[]): string {
  const lines: string[] = [];
  for (const g of groups) {
    lines.push('', `${g.title}:`);
    for (const f of g.flags) {
      const name = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
      const text = `${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ''}`;
      const pad = 30;
      const words = text.split(' ');
      let line = `  ${name.padEnd(pad)}`;
      if (name.length >= pad) {
        lines.push(`  ${name}`);
        line = `  ${''.padEnd(pad)}`;
      }
      let width = line.length;
      let first = true;
      for (const w of words) {
        if (!first && width + 1 + w.length > HELP_WIDTH) {
          lines.push(line);
          line = `  ${''.padEnd(pad)}${w}`;
          width = line.length;
        } else {
          line += `${first ? '' : ' '}${w}`;
          width += (first ? 0 : 1) + w.length;
        }
        first = false;
      }
      lines.push(line);
    }
  }
  return lines.join('\n');
}

/** The defaults a help text states, by flag name (what the help test compares with the resolver's). */
export function helpDefaults(help: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | null = null;
  let text = '';
  const flush = () => {
    if (!current) return;
    const m = /\(default: (.*?)\)\s*$/.exec(text.trim());
    if (m) out.set(current, m[1]);
  };
  for (const line of help.split('\n')) {
    const m = /^\s+(?:-\w, )?\s*--([a-z][a-z0-9-]*)/.exec(line);
    if (m) {
      flush();
      current = m[1];
      text = line;
    } else if (current && /^\s{20,}\S/.test(line)) text += ` ${line.trim()}`;
    else {
      flush();
      current = null;
      text = '';
    }
  }
  flush();
  return out;
}
