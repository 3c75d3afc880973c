// Reading the x86 code that Mesa's gallivm prints with GALLIVM_DEBUG=asm (bench/llvmpipe-asm.ts):
// the compute shaders in a dump, and the loops of one (a backward jump closes each).

export interface Instruction {
  offset: number;
  op: string;
  args: string;
}

export interface Shader {
  name: string;
  lines: Instruction[];
}

export interface Loop {
  /** Offsets of the loop's first and last (the backward jump's) instruction. */
  start: number;
  end: number;
  instructions: number;
  /** Instructions per mnemonic. */
  counts: Record<string, number>;
  /** vmovaps/vmovups/vmovdqa/vmovdqu/vmovdqa64/...: register copies and spills. */
  moves: number;
}

const LABEL = /^([A-Za-z_][\w]*):\s*$/;
const INSTRUCTION = /^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$/;

/** The dump cut at its labels: each label with the instructions up to the next one. */
function sections(dump: string): { label: string; lines: Instruction[] }[] {
  const out: { label: string; lines: Instruction[] }[] = [];
  for (const line of dump.split('\n')) {
    const label = LABEL.exec(line);
    if (label) {
      out.push({ label: label[1], lines: [] });
      continue;
    }
    const m = out.length > 0 && INSTRUCTION.exec(line);
    if (m) out[out.length - 1].lines.push({ offset: parseInt(m[1], 16), op: m[2], args: m[3].trim() });
  }
  return out;
}

/**
 * The compute shaders' code in a dump: each `cs_co_variant` (the shader itself; `cs_variant` is
 * the loop over a workgroup's invocations that calls it), up to the next label.
 */
export function splitShaders(dump: string): Shader[] {
  return sections(dump)
    .filter((s) => s.label === 'cs_co_variant')
    .map((s, i) => ({ name: `shader ${i + 1}`, lines: s.lines }));
}

/**
 * The instructions of each texel-fetch function in a dump (labels `texfunc_…`, which the shaders
 * call once per fetch), by name.
 */
export function fetchFunctions(dump: string): Map<string, number> {
  return new Map(sections(dump).filter((s) => s.label.startsWith('texfunc')).map((s) => [s.label, s.lines.length]));
}

/**
 * Every loop of a shader: a jump to a lower offset (the printed relative displacement, from the
 * next instruction) closes one, from its target to the jump. Ordered by multiplies, most first:
 * the hot loop of an arithmetic kernel comes first, its enclosing loops after it.
 */
export function summariseLoops(code: Instruction[]): Loop[] {
  const loops: Loop[] = [];
  for (let i = 0; i + 1 < code.length; i++) {
    const { op, args } = code[i];
    if (!op.startsWith('j') || !/^-\d+$/.test(args)) continue;
    const target = code[i + 1].offset + Number(args);
    const first = code.findIndex((c) => c.offset >= target);
    if (first < 0 || first > i) continue;
    const counts: Record<string, number> = {};
    let moves = 0;
    for (const c of code.slice(first, i + 1)) {
      counts[c.op] = (counts[c.op] ?? 0) + 1;
      if (/^vmov(aps|ups|dqa|dqu|dqa32|dqa64|dqu32|dqu64)$/.test(c.op)) moves++;
    }
    loops.push({ start: code[first].offset, end: code[i].offset, instructions: i + 1 - first, counts, moves });
  }
  return loops.sort((a, b) => (b.counts.vmulps ?? 0) - (a.counts.vmulps ?? 0) || a.instructions - b.instructions);
}
