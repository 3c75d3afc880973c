// The reader of Mesa's GALLIVM_DEBUG=asm dumps (bench/llvmpipe-asm.ts): shaders split at their
// labels, loops found from backward jumps, counts per loop.
import { describe, expect, it } from 'vitest';
import { fetchFunctions, splitShaders, summariseLoops } from '../../bench/llvmpipe-asm-summary.ts';

// Two shaders as Mesa prints them (offset: mnemonic operands; jumps with the displacement from
// the next instruction): the first has an outer loop (0x10-0x30) around an inner one (0x14-0x24).
const DUMP = `noise before any label
cs_variant:
     0:	pushq	%rbp
     1:	retq
cs_co_variant:
     0:	pushq	%rbp
    10:	vmovups	16(%rsp), %ymm1
    14:	vmulps	%ymm1, %ymm2, %ymm3
    18:	vaddps	%ymm3, %ymm4, %ymm4
    1c:	vblendvps	%ymm5, %ymm4, %ymm6, %ymm6
    20:	cmpl	%esi, %edi
    22:	jb	-16
    24:	callq	*%r15
    27:	jae	8
    29:	vmovaps	%ymm6, %ymm7
    2e:	jne	-32
    30:	retq
texfunc_res_0_sam_0_24:
     0:	vmulps	%ymm1, %ymm2, %ymm3
     4:	retq
cs_co_variant:
     0:	vmulps	%ymm1, %ymm2, %ymm3
     4:	retq
`;

describe('llvmpipe asm summary', () => {
  const shaders = splitShaders(DUMP);

  it('keeps only the compute shaders (cs_co_variant), each up to the next label', () => {
    expect(shaders.map((s) => s.lines.length)).toEqual([12, 2]);
    expect(shaders[0].lines[2]).toEqual({ offset: 0x14, op: 'vmulps', args: '%ymm1, %ymm2, %ymm3' });
  });

  it('finds each loop from its backward jump and counts what it holds, the hot inner loop first', () => {
    const loops = summariseLoops(shaders[0].lines);
    expect(loops.map((l) => [l.start, l.end, l.instructions])).toEqual([[0x14, 0x22, 5], [0x10, 0x2e, 10]]);
    expect(loops[0].counts).toEqual({ vmulps: 1, vaddps: 1, vblendvps: 1, cmpl: 1, jb: 1 });
    expect(loops[1].moves).toBe(2);
    expect(loops[1].counts.callq).toBe(1);
    expect(loops[1].counts.jae).toBe(1);
    expect(summariseLoops(shaders[1].lines)).toEqual([]);
  });

  it('measures each texel-fetch function, which the shaders call', () => {
    expect([...fetchFunctions(DUMP)]).toEqual([['texfunc_res_0_sam_0_24', 2]]);
  });
});
