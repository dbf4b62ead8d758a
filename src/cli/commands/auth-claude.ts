import type { CliContext } from "../context.js";
import { notAvailable } from "../errors.js";

// Claude subscription OAuth has no issue scheduled yet: each verb says so and exits 2.
export async function login(_ctx: CliContext): Promise<number> {
  notAvailable("auth claude login");
}
export async function status(_ctx: CliContext): Promise<number> {
  notAvailable("auth claude status");
}
export async function logout(_ctx: CliContext): Promise<number> {
  notAvailable("auth claude logout");
}
