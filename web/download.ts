// A download with progress: the bytes of a URL, reporting (received, total) as they arrive
// (total 0 when the server gives no Content-Length). The browser's cache answers a repeated
// request with a 304 revalidation, so a reload does not download the weights again.

export async function download(url: string, onProgress: (received: number, total: number) => void): Promise<Uint8Array> {
  const res = await fetch(url, { cache: 'no-cache' });
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received, total);
  }
  if (total && received !== total) throw new Error(`${url}: the download stopped at ${received} of ${total} bytes`);
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}
