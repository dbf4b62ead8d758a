/**
 * Whether a sender may talk to kavilo. `allowFrom` holds ids or names (a leading "@" is ignored,
 * names compare case-insensitively) or "*". An empty list admits nobody: an open bot must be opted into.
 */
export function isSenderAllowed(
  allowFrom: readonly string[],
  identities: readonly (string | undefined)[],
): boolean {
  if (allowFrom.includes("*")) return true;
  const wanted = new Set(allowFrom.map(normalize));
  return identities.some((id) => id !== undefined && id !== "" && wanted.has(normalize(id)));
}

function normalize(id: string): string {
  return id.trim().replace(/^@/, "").toLowerCase();
}
