// A strict reader of Prometheus' text exposition format (0.0.4), enough to prove that what
// GET /metrics serves parses, and to read figures out of it. Any line it does not understand
// throws, naming the line.
export interface Sample {
  name: string;
  labels: Map<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The sample with exactly these labels (others absent), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function number(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`not a number in: ${line}`);
  return value;
}

function labelsOf(text: string, line: string): Map<string, string> {
  const labels = new Map<string, string>();
  let rest = text;
  while (rest !== '') {
    const match = LABEL.exec(rest);
    if (!match) throw new Error(`bad labels in: ${line}`);
    if (labels.has(match[1]!)) throw new Error(`label ${match[1]} twice in: ${line}`);
    labels.set(match[1]!, match[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const comment = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (comment?.[1] === 'TYPE') {
        if (!TYPES.has(comment[3]!)) throw new Error(`unknown type in: ${line}`);
        if (types.has(comment[2]!)) throw new Error(`second TYPE in: ${line}`);
        types.set(comment[2]!, comment[3]!);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample: ${line}`);
    samples.push({ name: match[1]!, labels: labelsOf(match[2] ?? '', line), value: number(match[3]!, line) });
  }
  return {
    samples,
    types,
    value(name, labels = {}) {
      const wanted = Object.entries(labels);
      return samples.find((s) => s.name === name && s.labels.size === wanted.length && wanted.every(([k, v]) => s.labels.get(k) === v))?.value;
    },
  };
}
