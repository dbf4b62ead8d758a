import type { CliContext } from "../context.js";
import { notAvailable } from "../errors.js";

export default async function start(_ctx: CliContext): Promise<number> {
  notAvailable("start");
}
