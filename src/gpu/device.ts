// Getting a ready GPUDevice, in Node (Dawn through the `webgpu` package) or in a browser
// (`navigator.gpu`). Requests the adapter's real limits instead of WebGPU's defaults, so that
// large tensors and big workgroups work where the hardware allows them.
//
// Environment (Node):
//   GATYS_BACKEND   vulkan | opengles | opengl | metal | d3d12 | ... (Dawn backend names).
//                   opengles runs in WebGPU compatibility mode (featureLevel 'compatibility').
//   GATYS_ADAPTER   adapter name as Dawn lists it (a wrong name makes Dawn list the real ones).
//   GATYS_POWER     low-power | high-performance
//   GATYS_DAWN_TOGGLES  comma-separated Dawn toggles to enable (experiments, e.g.
//                   allow_unsafe_apis,disable_robustness)

export type BackendName = 'vulkan' | 'opengles' | 'opengl' | 'metal' | 'd3d12' | 'd3d11' | 'null' | string;

export interface DeviceOptions {
  backend?: BackendName;
  adapter?: string;
  powerPreference?: GPUPowerPreference;
  /**
   * The adapter's feature level to ask for (Dawn's OpenGL backends are always compatibility mode).
   * Unset in a browser: core, and where the browser's core adapter is only its software fallback
   * (Chromium's SwiftShader), a compatibility-mode adapter instead when one is a real driver
   * (Chromium with --use-webgpu-adapter=opengles: OpenGL ES through ANGLE).
   */
  featureLevel?: 'core' | 'compatibility';
  /** Print the driver's own messages (Dawn's native warnings), which are otherwise filtered. */
  verbose?: boolean;
}

export interface AcquiredDevice {
  device: GPUDevice;
  /** The GPU object the adapter came from (navigator.gpu, or Dawn's instance in Node). */
  instance: GPU;
  adapterInfo: AdapterDescription;
  /** Releases the device and everything that keeps the process alive (Dawn's instance). */
  release(): void;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
  featureLevel: 'core' | 'compatibility';
  isFallbackAdapter: boolean;
  /** Why this backend, when it was chosen automatically. */
  chosenBecause?: string;
  features: string[];
  limits: Record<string, number>;
}

/** The limits we ask for at their adapter maximum (everything else stays at the default). */
const LIMITS_WE_RAISE = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxBindGroups',
] as const;

/** Features used when the adapter has them. */
const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'shader-f16', 'subgroups' as GPUFeatureName];

export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
}

/** A setting (environment variable or option) with a value that cannot be used. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

/** An environment variable in Node (unset or empty: undefined); undefined in a browser. */
export function readEnv(name: string): string | undefined {
  if (!isNode()) return undefined;
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** Dawn's backend names (what GATYS_BACKEND and --backend accept). */
export const DAWN_BACKENDS = ['vulkan', 'opengles', 'opengl', 'metal', 'd3d12', 'd3d11', 'webgpu', 'null'];

export function optionsFromEnvironment(): DeviceOptions {
  const power = readEnv('GATYS_POWER');
  if (power !== undefined && power !== 'low-power' && power !== 'high-performance') {
    throw new ConfigurationError(`GATYS_POWER must be low-power or high-performance, got '${power}'`);
  }
  return {
    backend: readEnv('GATYS_BACKEND'),
    adapter: readEnv('GATYS_ADAPTER'),
    powerPreference: power as GPUPowerPreference | undefined,
    verbose: readEnv('GATYS_VERBOSE') === '1',
  };
}

function howToGetAGpu(options: DeviceOptions): string {
  // A backend or adapter that was asked for by name: the way out is another name, not a driver.
  if (options.backend && !DAWN_BACKENDS.includes(options.backend)) {
    return `'${options.backend}' is not one of Dawn's backends (${DAWN_BACKENDS.join(', ')}); check GATYS_BACKEND / --backend.`;
  }
  if (options.adapter) return `Check the adapter name (GATYS_ADAPTER); \`gatys --info\` without it shows the adapter Dawn picks.`;
  if (options.backend) return `Dawn found no '${options.backend}' adapter here; unset GATYS_BACKEND to let it choose.`;
  if (!isNode()) {
    return 'This browser exposes no WebGPU adapter. Use a recent Chrome/Edge (or Chromium with --enable-unsafe-webgpu).';
  }
  if (process.platform === 'linux') {
    return [
      'On Linux without a GPU, install Mesa\'s software Vulkan driver (lavapipe) from bookworm-backports:',
      '  echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list',
      '  apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1',
      'or run `bash scripts/install-software-gpu.sh` (as root). Debian bookworm\'s own Mesa (22.x) is too old for Dawn.',
      'For OpenGL ES instead of Vulkan: GATYS_BACKEND=opengles EGL_PLATFORM=surfaceless.',
    ].join('\n');
  }
  return 'Install the GPU vendor\'s driver, or choose another backend with GATYS_BACKEND.';
}

/** Mesa's llvmpipe/lavapipe/softpipe and Google's SwiftShader: GPUs emulated on the CPU. */
const SOFTWARE_RENDERER = /llvmpipe|lavapipe|softpipe|swiftshader/i;

/** Whether an adapter is a CPU-emulated GPU: kernels are chosen differently there. */
export function isSoftwareAdapter(i: Pick<AdapterDescription, 'device' | 'description' | 'isFallbackAdapter'>): boolean {
  return i.isFallbackAdapter || SOFTWARE_RENDERER.test(`${i.device} ${i.description}`);
}

/** Identifies an adapter (and backend), e.g. for the kernel-choice cache. */
export const adapterKey = (i: AdapterDescription) => [i.backend, i.featureLevel, i.vendor, i.architecture, i.device, i.description].join('|');

/**
 * Acquires a device. Throws NoAdapterError with a way out when there is none.
 *
 * In Node without a backend named (GATYS_BACKEND unset): when Dawn's default adapter is Mesa's
 * software Vulkan (lavapipe) and Mesa's software OpenGL ES (llvmpipe) is available too, the latter
 * is taken, in WebGPU compatibility mode: the same WGSL runs 1.5-2x faster through it on the same
 * CPU (bench/RESULTS.md). GATYS_BACKEND=vulkan keeps Vulkan.
 */
export async function acquireDevice(options: DeviceOptions = optionsFromEnvironment()): Promise<AcquiredDevice> {
  if (options.backend && !DAWN_BACKENDS.includes(options.backend)) throw new ConfigurationError(howToGetAGpu(options));
  if (!isNode()) return chooseDevice(options);
  const { withNativeStderrCaptured, echoCaptured } = await import('./native-stderr.ts');
  try {
    const { result, captured } = await withNativeStderrCaptured(() => chooseDevice(options));
    echoCaptured(captured, !!options.verbose);
    return result;
  } catch (e) {
    echoCaptured((e as { nativeStderr?: string }).nativeStderr ?? '', !!options.verbose);
    throw e;
  }
}

async function chooseDevice(options: DeviceOptions): Promise<AcquiredDevice> {
  const first = await openAdapter(options);
  if (!isNode() || options.backend || options.adapter || process.platform !== 'linux' || !isSoftwareRenderer(first.adapter)) {
    return openDevice(first, options);
  }
  // Only adapters so far: no device is made for the backend that is not taken.
  const glOptions = { ...options, backend: 'opengles' };
  let gl: OpenedAdapter;
  try {
    gl = await openAdapter(glOptions);
  } catch {
    return openDevice(first, options); // no EGL/GLES: stay on Vulkan
  }
  if (!isSoftwareRenderer(gl.adapter)) {
    gl.drop();
    return openDevice(first, options);
  }
  first.drop();
  const acquired = await openDevice(gl, glOptions);
  acquired.adapterInfo.chosenBecause = `chosen automatically over ${first.adapter.info.description} (Vulkan): faster on a CPU; GATYS_BACKEND=vulkan to override`;
  return acquired;
}

/** Dawn's OpenGL backends run WebGPU in compatibility mode. */
const isCompatibility = (backend?: string) => backend === 'opengles' || backend === 'opengl';

const isSoftwareRenderer = (a: GPUAdapter) => SOFTWARE_RENDERER.test(`${a.info.device} ${a.info.description}`);

/** A WebGPU instance (Dawn's or the browser's) and its adapter; drop() lets Node exit. */
interface OpenedAdapter {
  gpu: GPU;
  adapter: GPUAdapter;
  featureLevel: 'core' | 'compatibility';
  drop(): void;
}

async function openAdapter(options: DeviceOptions): Promise<OpenedAdapter> {
  const backend = options.backend;
  const compatibility = isCompatibility(backend);
  let gpu: GPU | null;
  let dropInstance = () => {};
  if (isNode()) {
    if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = '/tmp'; // keeps Mesa quiet
    if (compatibility && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
    const dawnPackage = 'webgpu';
    const { create, globals } = (await import(/* @vite-ignore */ dawnPackage)) as {
      create(flags: string[]): GPU;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, globals);
    const flags: string[] = [];
    if (backend) flags.push(`backend=${backend}`);
    const toggles = readEnv('GATYS_DAWN_TOGGLES');
    if (toggles) flags.push(`enable-dawn-features=${toggles}`);
    if (options.adapter) flags.push(`adapter=${options.adapter}`);
    try {
      gpu = create(flags);
    } catch (e) {
      throw new NoAdapterError(`Dawn could not start with ${JSON.stringify(flags)}: ${(e as Error).message}\n${howToGetAGpu(options)}`);
    }
    dropInstance = () => {
      gpu = null;
    };
  } else {
    gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? null;
    if (!gpu) throw new NoAdapterError(`navigator.gpu is undefined: this browser has no WebGPU.\n${howToGetAGpu(options)}`);
  }

  let adapter: GPUAdapter | null;
  let level: 'core' | 'compatibility' = compatibility || options.featureLevel === 'compatibility' ? 'compatibility' : 'core';
  const request = (featureLevel: 'core' | 'compatibility') =>
    gpu!.requestAdapter({ powerPreference: options.powerPreference, ...(featureLevel === 'compatibility' ? { featureLevel } : {}) } as GPURequestAdapterOptions);
  try {
    adapter = await request(level);
    if (!isNode() && options.featureLevel === undefined && (!adapter || isFallback(adapter))) {
      const compat = await request('compatibility');
      if (compat && !isFallback(compat) && !compat.features.has('core-features-and-limits')) {
        adapter = compat;
        level = 'compatibility';
      }
    }
  } catch (e) {
    dropInstance();
    const what = [backend && `backend '${backend}'`, options.adapter && `adapter '${options.adapter}'`].filter(Boolean).join(', ');
    throw new NoAdapterError(`No WebGPU adapter${what ? ` for ${what}` : ''}: ${(e as Error).message}\n${howToGetAGpu(options)}`);
  }
  if (!adapter) {
    dropInstance();
    throw new NoAdapterError(`No WebGPU adapter found${backend ? ` for backend '${backend}'` : ''}.\n${howToGetAGpu(options)}`);
  }
  return { gpu: gpu!, adapter, featureLevel: level, drop: dropInstance };
}

/** The browser's software fallback adapter (GPUAdapterInfo.isFallbackAdapter; older: GPUAdapter's). */
const isFallback = (a: GPUAdapter) => !!((a.info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (a as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter);

async function openDevice({ gpu, adapter, featureLevel, drop }: OpenedAdapter, options: DeviceOptions): Promise<AcquiredDevice> {
  const backend = options.backend;
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS_WE_RAISE) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });

  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const key in device.limits) {
    const v = (device.limits as unknown as Record<string, number>)[key];
    if (typeof v === 'number') limits[key] = v;
  }
  const adapterInfo: AdapterDescription = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    backend: backend ?? (isNode() ? 'default' : 'browser'),
    featureLevel,
    isFallbackAdapter: isFallback(adapter),
    features: [...device.features].sort(),
    limits,
  };
  return {
    device,
    instance: gpu,
    adapterInfo,
    release() {
      device.destroy();
      drop();
    },
  };
}
