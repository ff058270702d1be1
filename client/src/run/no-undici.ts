/**
 * rc13's manifest check evaluates the global `Response` (`candidate instanceof Response`) even for a manifest
 * object, and Node's lazy `Response` getter then loads its whole fetch implementation (undici): ~30 ms of a
 * `wharf run` that never makes an HTTP request. For the one check of our own manifest, `Response` is a stand-in
 * that answers "not a Response" for that object and forwards everything else (construction, statics, instanceof
 * of any other value) to Node's real one, loading it only then. The real getter is back as soon as Extism asked
 * about the manifest, or when `start` settles, whichever comes first. Nothing changes once undici is loaded or
 * when `Response` is not Node's lazy accessor.
 */
export function skipResponseLoad<T>(manifest: object, start: () => Promise<T>): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const original = Object.getOwnPropertyDescriptor(g, 'Response');
  const lazy = original?.get;
  if (!original || !lazy || !original.configurable) return start();
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    Object.defineProperty(g, 'Response', original);
  };
  const real = () => lazy.call(g) as new (...args: unknown[]) => object;
  const hasInstance = (x: unknown): boolean => {
    if (x === manifest) {
      restore();
      return false;
    }
    return x instanceof real();
  };
  const standIn: object = new Proxy(function Response() {}, {
    get: (_t, k) => (k === Symbol.hasInstance ? hasInstance : Reflect.get(real(), k)),
    construct: (_t, args, newTarget): object =>
      Reflect.construct(real(), args, newTarget === standIn ? real() : newTarget),
    apply: (_t, self, args) => Reflect.apply(real() as unknown as (...a: unknown[]) => unknown, self, args),
  });
  Object.defineProperty(g, 'Response', {
    configurable: true,
    enumerable: original.enumerable,
    get: () => standIn,
    set: (v) => {
      restore();
      g.Response = v;
    },
  });
  let p: Promise<T>;
  try {
    p = start();
  } catch (e) {
    restore();
    throw e;
  }
  return p.finally(restore);
}
