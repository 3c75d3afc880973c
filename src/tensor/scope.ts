// Scopes: every tensor created inside `tidy(fn)` is disposed when fn returns, except the tensors
// fn returns (a tensor, or an array / object of tensors) and those passed to `keep()`.
// This is what keeps GPU memory flat over thousands of iterations.

export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const stack: Set<Disposable>[] = [];

/** Called by every tensor at construction. */
export function track(t: Disposable): void {
  stack[stack.length - 1]?.add(t);
}

/** Takes a tensor out of the current scope (and every enclosing one) so it outlives them. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of stack) s.delete(t);
  return t;
}

function collect(value: unknown, into: Set<Disposable>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 4) return;
  if ('dispose' in value && 'isDisposed' in value) {
    into.add(value as Disposable);
    return;
  }
  const items = Array.isArray(value) ? value : Object.values(value);
  for (const v of items) collect(v, into, depth + 1);
}

function close(scope: Set<Disposable>, result: unknown): void {
  const at = stack.lastIndexOf(scope);
  stack.splice(at, 1);
  const parent = stack[at - 1];
  const survivors = new Set<Disposable>();
  collect(result, survivors);
  for (const t of scope) {
    if (survivors.has(t)) parent?.add(t); // hand it to the enclosing scope
    else if (!t.isDisposed) t.dispose();
  }
}

export type Scope = Set<Disposable>;

/** Opens a scope: what tidy() does before it calls its function. Close it with closeScope(). */
export function openScope(): Scope {
  const scope: Scope = new Set();
  stack.push(scope);
  return scope;
}

/** Closes a scope: disposes every tensor created in it except those in `survivors` (a tensor, array or object). */
export function closeScope(scope: Scope, survivors?: unknown): void {
  close(scope, survivors);
}

/** Runs fn; disposes every tensor it created except what it returns. */
export function tidy<T>(fn: () => T): T {
  const scope = openScope();
  let result: T | undefined;
  try {
    result = fn();
    return result;
  } finally {
    close(scope, result);
  }
}

/**
 * The async form of tidy. Tensors created by other async work while fn awaits would land in this
 * scope too: run one tidyAsync at a time.
 */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const scope = openScope();
  let result: T | undefined;
  try {
    result = await fn();
    return result;
  } finally {
    close(scope, result);
  }
}
