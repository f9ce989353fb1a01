import type { OptionSpec, OptionSpecs } from './options.js';

/** What a command's help is made of, besides its options. */
export interface HelpText {
  /** The command as a user types it: `stampede load`, `stampede-load`. */
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** The usage line after `Usage: `. */
  usage: string;
  /** Paragraphs between the usage line and the options. */
  description?: string;
  /** Paragraphs after the options: examples, environment, exit statuses. */
  epilog?: string;
}

function shown(value: unknown): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (Array.isArray(value)) return value.length ? value.join(',') : undefined;
  if (typeof value === 'object') return undefined;
  return String(value);
}

function optionLeft(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.kind === 'value' ? ` ${spec.placeholder ?? '<value>'}` : '';
  return `  ${short}--${name}${value}`;
}

function optionRight(spec: OptionSpec, name: string): string {
  const notes: string[] = [];
  const def = spec.defaultHelp ?? shown(spec.default);
  if (spec.env && def) notes.push(`default: $${spec.env}, else ${def}`);
  else if (spec.env) notes.push(`default: $${spec.env}`);
  else if (def) notes.push(`default ${def}`);
  if (spec.negatable) notes.push(spec.negatedHelp ?? `--no-${name} to turn off`);
  if (spec.multiple) notes.push('repeat for more');
  return notes.length ? `${spec.help} (${notes.join('; ')})` : spec.help;
}

const COLUMN = 26;
const WIDTH = 100;

// Wrap the help text of one option under its own column, so long lines stay readable at 100 columns.
function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The `--help` text of a command: summary, usage, description, every option with its default, epilog. */
export function formatHelp(text: HelpText, specs: OptionSpecs): string {
  const out = [`${text.name} — ${text.summary}`, '', `Usage: ${text.usage}`];
  if (text.description) out.push('', text.description.trimEnd());
  out.push('', 'Options:');
  for (const [name, spec] of Object.entries(specs)) {
    const left = optionLeft(name, spec);
    const [first = '', ...rest] = wrap(optionRight(spec, name), COLUMN);
    out.push(left.length < COLUMN ? `${left.padEnd(COLUMN)}${first}` : `${left}\n${' '.repeat(COLUMN)}${first}`);
    for (const line of rest) out.push(`${' '.repeat(COLUMN)}${line}`);
  }
  if (text.epilog) out.push('', text.epilog.trimEnd());
  return `${out.join('\n')}\n`;
}
