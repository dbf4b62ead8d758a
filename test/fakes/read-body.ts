import type { IncomingMessage } from "node:http";

/** A request's whole body as UTF-8 text: the fakes read it before parsing JSON or a form. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
