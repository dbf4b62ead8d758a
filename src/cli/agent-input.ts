import { fstatSync, readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import type { ContentPart } from "../providers/types.js";
import { CliError } from "./errors.js";

/** What `agent -m` sends: the message, piped text as a fenced block, then each --file. */
export interface OneShotInputParts {
  message: string;
  /** Text piped on stdin alongside a -m message (not with -m -, where stdin is the message). */
  piped?: string | undefined;
  files?: readonly string[] | undefined;
  cwd?: string;
}

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};
/** Providers reject larger inline images; a text file past this is more than a turn can hold. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const MAX_TEXT_BYTES = 1024 * 1024;

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
export function fenced(text: string, info = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${info}\n${text.endsWith("\n") ? text : `${text}\n`}${fence}`;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function fileParts(path: string, cwd: string): Promise<{ text?: string; image?: ContentPart[] }> {
  const full = resolve(cwd, path);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile()) throw new CliError(`--file ${path}: no such file`, 2);
  const mediaType = IMAGE_TYPES[extname(full).toLowerCase()];
  if (mediaType) {
    if (info.size > MAX_IMAGE_BYTES)
      throw new CliError(`--file ${path}: the image is ${mb(info.size)}; attach one under 10 MB`, 2);
    const data = (await readFile(full)).toString("base64");
    return {
      image: [
        { type: "text", text: `[image: ${full} (${mediaType})]` },
        { type: "image", mediaType, data },
      ],
    };
  }
  if (info.size > MAX_TEXT_BYTES)
    throw new CliError(`--file ${path}: the file is ${mb(info.size)}; attach a part under 1 MB`, 2);
  const bytes = await readFile(full);
  if (bytes.includes(0))
    throw new CliError(`--file ${path}: not a text file or an image (png, jpg, gif, webp)`, 2);
  return { text: `${basename(full)} (${full}):\n${fenced(bytes.toString("utf8"))}` };
}

/** The turn input: plain text when nothing is an image, else text first and then the images. */
export async function oneShotInput(parts: OneShotInputParts): Promise<string | ContentPart[]> {
  const blocks = [parts.message];
  if (parts.piped?.trim()) blocks.push(fenced(parts.piped));
  const images: ContentPart[] = [];
  for (const f of parts.files ?? []) {
    const got = await fileParts(f, parts.cwd ?? process.cwd());
    if (got.text) blocks.push(got.text);
    if (got.image) images.push(...got.image);
  }
  const text = blocks.join("\n\n");
  return images.length === 0 ? text : [{ type: "text", text }, ...images];
}

/**
 * Stdin at once when it is a regular file or /dev/null (`< file`, `< /dev/null`, the stdin a
 * spawner ignores): their end is known, and a stream over them costs milliseconds of fs.ReadStream
 * reads through the thread pool. Undefined for anything else (a pipe, another device).
 */
function stdinAtOnce(): string | undefined {
  try {
    const info = fstatSync(0);
    if (info.isFile()) return readFileSync(0, "utf8");
    if (info.isCharacterDevice() && info.rdev === statSync("/dev/null").rdev) return "";
  } catch {
    // no fd 0, or no /dev/null here: read it as a stream
  }
  return undefined;
}

/**
 * Reads stdin to its end. When nothing has come after a few seconds it says so once on stderr, so
 * an open but idle stdin (a script that never closes it) is not a silent wait.
 */
export async function readAllStdin(
  stream: NodeJS.ReadableStream = process.stdin,
  note: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  afterMs = 3_000,
): Promise<string> {
  const now = stream === process.stdin ? stdinAtOnce() : undefined;
  if (now !== undefined) return now;
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => {
    if (chunks.length === 0)
      note("kavilo: waiting for stdin to end (add < /dev/null to send only the -m text)");
  }, afterMs);
  try {
    for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
