import type { CliContext } from "../context.js";
import { notAvailable } from "../errors.js";

export async function install(_ctx: CliContext): Promise<number> {
  notAvailable("service install");
}
export async function uninstall(_ctx: CliContext): Promise<number> {
  notAvailable("service uninstall");
}
export async function status(_ctx: CliContext): Promise<number> {
  notAvailable("service status");
}
