// A restricted unpickler: enough of Python's pickle protocol (2-5) to read a PyTorch state dict,
// and nothing that executes code. Globals resolve only through an allow-list given by the caller
// (anything else is an error that names it); the persistent-id hook turns PyTorch's storage
// references into descriptors. Every read is bounds-checked and every count bounded by the input.

export class PickleError extends Error {
  override name = 'PickleError';
}

/** A call recorded by REDUCE/NEWOBJ on an allowed global: the caller's factory builds the value. */
export type GlobalFactory = (args: unknown[]) => unknown;

export interface UnpickleOptions {
  /** 'module name' -> factory. Anything else raises. */
  globals: Record<string, GlobalFactory>;
  /** Called for BINPERSID with the persistent id. */
  persistentLoad?: (pid: unknown) => unknown;
  source?: string;
}

const MARK = Symbol('mark');

/** A Python object whose class was allowed but whose state is ignored (BUILD on it is a no-op). */
export class PyObject {
  constructor(readonly cls: string, readonly args: unknown[]) {}
  state: unknown = undefined;
}

/** A Python dict with insertion order: string keys become Map keys as they are. */
export type PyDict = Map<unknown, unknown>;

export function unpickle(data: Uint8Array, o: UnpickleOptions): unknown {
  const source = o.source ?? '(pickle)';
  const fail = (what: string): never => {
    throw new PickleError(`${source}: ${what}`);
  };
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pos = 0;
  const need = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > data.length) fail(`truncated: needs ${n} bytes at offset ${pos}, has ${data.length - pos}`);
  };
  const u8 = () => (need(1), data[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), dv.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(data.length)) fail(`a length of ${v} bytes exceeds the input`);
    return Number(v);
  };
  const bytes = (n: number) => (need(n), (pos += n), data.subarray(pos - n, pos));
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('truncated: unterminated text line');
    const s = decoder.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };

  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const pop = () => (stack.length ? stack.pop() : fail('stack underflow'));
  const top = () => (stack.length ? stack[stack.length - 1] : fail('stack underflow'));
  const popMark = (): unknown[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no MARK on the stack');
    const items = stack.splice(at);
    items.shift();
    return items;
  };
  const resolve = (module: string, name: string): GlobalFactory => {
    const f = o.globals[`${module} ${name}`];
    if (!f) fail(`refusing to load the Python global '${module}.${name}' (not a plain tensor state dict?)`);
    return f!;
  };
  const call = (fn: unknown, args: unknown) => {
    if (typeof fn !== 'function') fail('REDUCE on something that is not an allowed global');
    if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
    return (fn as GlobalFactory)(args as unknown[]);
  };
  const setItems = (d: unknown, kv: unknown[]) => {
    if (!(d instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    if (kv.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < kv.length; i += 2) (d as PyDict).set(kv[i], kv[i + 1]);
  };
  const append = (l: unknown, items: unknown[]) => {
    if (!Array.isArray(l)) fail('APPEND(S) on something that is not a list');
    (l as unknown[]).push(...items);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} items on the stack`);
        return stack[0];
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x63: { // GLOBAL
        const module = line();
        stack.push(resolve(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolve(module as string, name as string));
        break;
      }
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const d = new Map(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo key ${k} is not defined`);
        stack.push(memo.get(k));
        break;
      }
      case 0x58: stack.push(decoder.decode(bytes(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(decoder.decode(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(decoder.decode(bytes(u64()))); break; // BINUNICODE8
      case 0x42: stack.push(bytes(u32())); break; // BINBYTES
      case 0x43: stack.push(bytes(u8())); break; // SHORT_BINBYTES
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: { // LONG1
        const n = u8();
        const b = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail(`integer ${v} is too large`);
        stack.push(Number(v));
        break;
      }
      case 0x47: need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4e: stack.push(null); break; // NONE
      case 0x52: { const args = pop(); stack.push(call(pop(), args)); break; } // REDUCE
      case 0x81: { const args = pop(); stack.push(call(pop(), args)); break; } // NEWOBJ
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) obj.state = state;
        else if (!(obj instanceof Map) && !(typeof obj === 'object' && obj !== null)) fail('BUILD on a value that takes no state');
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x51: { // BINPERSID
        if (!o.persistentLoad) fail('a persistent id appears but no loader was given');
        stack.push(o.persistentLoad!(pop()));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)} at offset ${pos - 1}`);
    }
  }
}
