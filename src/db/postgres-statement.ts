// Statement text is shared with SQLite (sql.ts): parameters are `?` (bound from an array, in
// order) or `@name` (bound from an object), and rows come back under camelCase aliases
// (`created_at AS createdAt`). PostgreSQL numbers its parameters (`$1`) and folds unquoted names
// to lower case, so the text is rewritten once per statement: placeholders become `$n` and every
// bare camelCase name is quoted (the schema's own names are snake_case, so a camelCase name is
// always an alias, whether it is being defined or used in ORDER BY or an outer query).
//
// What is not code is copied as it is: string literals ('it''s'), quoted identifiers, -- and /* */
// comments, dollar-quoted bodies ($fn$ ... $fn$), and `::` casts.
import type { Params } from './sql';

export interface PostgresStatement {
  text: string;
  /** Positional: `?` count. Named: the names, in the order of their `$n`. */
  params: { kind: 'none' } | { kind: 'positional'; count: number } | { kind: 'named'; names: string[] };
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$]/;
const CAMEL_CASE = /^[a-z][a-z0-9_]*[A-Z][A-Za-z0-9_]*$/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** The index just past the literal or comment whose opening character is at `at` and which ends with `close` (a doubled `close` stays inside when `doubled`: 'it''s'). */
function skipQuoted(sql: string, at: number, close: string, doubled: boolean): number {
  let i = at + 1;
  for (;;) {
    const end = sql.indexOf(close, i);
    if (end === -1) throw new Error(`unterminated ${close} in statement: ${sql}`);
    if (doubled && sql.startsWith(close, end + close.length)) {
      i = end + 2 * close.length;
      continue;
    }
    return end + close.length;
  }
}

export function rewriteForPostgres(sql: string): PostgresStatement {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  const numbers = new Map<string, number>();
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    let end: number;
    if (c === "'") end = skipQuoted(sql, i, "'", true);
    else if (c === '"') end = skipQuoted(sql, i, '"', true);
    else if (c === '-' && next === '-') end = sql.includes('\n', i) ? sql.indexOf('\n', i) + 1 : sql.length;
    else if (c === '/' && next === '*') end = skipQuoted(sql, i + 1, '*/', false);
    else if (c === ':' && next === ':') end = i + 2;
    else if (c === '$' && DOLLAR_TAG.test(sql.slice(i))) {
      const tag = DOLLAR_TAG.exec(sql.slice(i))![0];
      const close = sql.indexOf(tag, i + tag.length);
      if (close === -1) throw new Error(`unterminated ${tag} in statement: ${sql}`);
      end = close + tag.length;
    } else if (c === '?') {
      out += `$${++positional}`;
      i++;
      continue;
    } else if (c === '@' && next !== undefined && IDENTIFIER_START.test(next)) {
      let j = i + 1;
      while (j < sql.length && IDENTIFIER_PART.test(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      let number = numbers.get(name);
      if (number === undefined) {
        names.push(name);
        numbers.set(name, (number = names.length));
      }
      out += `$${number}`;
      i = j;
      continue;
    } else if (IDENTIFIER_START.test(c)) {
      let j = i + 1;
      while (j < sql.length && IDENTIFIER_PART.test(sql[j]!)) j++;
      const word = sql.slice(i, j);
      out += CAMEL_CASE.test(word) ? `"${word}"` : word;
      i = j;
      continue;
    } else {
      end = i + 1;
    }
    out += sql.slice(i, end);
    i = end;
  }
  if (positional > 0 && names.length > 0) throw new Error(`a statement takes either ? or @name parameters, not both: ${sql}`);
  const params: PostgresStatement['params'] =
    positional > 0 ? { kind: 'positional', count: positional } : names.length > 0 ? { kind: 'named', names } : { kind: 'none' };
  return { text: out, params };
}

/** The values for `$1..$n`, refusing what better-sqlite3 would refuse: a wrong count, a missing name. */
export function bindForPostgres(statement: PostgresStatement, params: Params | undefined, sql: string): unknown[] {
  const { params: shape } = statement;
  if (shape.kind === 'none') {
    if (params !== undefined && (!Array.isArray(params) || params.length > 0)) throw new RangeError(`the statement takes no parameters: ${sql}`);
    return [];
  }
  if (shape.kind === 'positional') {
    if (!Array.isArray(params) || params.length !== shape.count) {
      throw new RangeError(`the statement takes ${shape.count} positional parameter(s), got ${Array.isArray(params) ? params.length : 'none'}: ${sql}`);
    }
    return params as unknown[];
  }
  if (params === undefined || Array.isArray(params)) throw new RangeError(`the statement takes named parameters (@${shape.names.join(', @')}): ${sql}`);
  const named = params as Readonly<Record<string, unknown>>;
  return shape.names.map((name) => {
    if (!Object.hasOwn(named, name)) throw new RangeError(`missing named parameter @${name}: ${sql}`);
    return named[name];
  });
}
