export interface SiteServer {
  url: string; // ends with the base path, e.g. "http://127.0.0.1:4321/"
  close(): Promise<void>;
}
export function serveSite(dir: string, opts?: { port?: number; host?: string; base?: string }): Promise<SiteServer>;
