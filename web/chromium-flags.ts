// Command-line flags that give headless Chromium a WebGPU adapter on a machine without a GPU, for
// the page's end-to-end test and bench/page-large.ts.
//   opengles     OpenGL ES through ANGLE on the system's GL driver (Mesa's llvmpipe here): the page
//                takes it in compatibility mode (src/gpu/device.ts, DeviceOptions.featureLevel);
//                more than ten times faster than SwiftShader on this machine
//   swiftshader  Chromium's own Vulkan software renderer (its core adapter, the fallback)

export const CHROMIUM_ADAPTERS = ['opengles', 'swiftshader'] as const;
export type ChromiumAdapter = (typeof CHROMIUM_ADAPTERS)[number];

export function chromiumWebGpuFlags(adapter: ChromiumAdapter): string[] {
  const common = ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-webgpu-developer-features', '--disable-background-networking', '--no-first-run'];
  switch (adapter) {
    case 'opengles':
      return [...common, '--use-webgpu-adapter=opengles', '--use-gl=angle', '--use-angle=gl-egl'];
    case 'swiftshader':
      return [...common, '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface'];
    default:
      throw new Error(`the Chromium adapter is opengles or swiftshader, not '${adapter as string}'`);
  }
}
