// The shape of @cloudflare/workers-types' globals, in brief: fetch types are
// classes (not on `globalThis`), fetch a function, WebAssembly a namespace.
declare class Response {
  constructor(body?: string | null, init?: { status?: number; headers?: Record<string, string> });
  readonly status: number;
  readonly ok: boolean;
  readonly cfWorkerOnly: true;
  json(): Promise<unknown>;
  text(): Promise<string>;
}
declare class Request {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
}
declare function fetch(input: string | Request, init?: { headers?: Record<string, string> }): Promise<Response>;
declare namespace WebAssembly {
  class Module {
    readonly cfModule: true;
  }
}
