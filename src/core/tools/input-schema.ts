import type * as z from "zod";

/**
 * A zod schema as the JSON Schema a provider is given: what the model may send (`io: "input"`), bare
 * (no `$schema` draft marker, which only adds tokens). Through the schema's own method, so this module
 * loads no zod: the registry and the tool catalog share it.
 */
export function inputSchemaOf(parameters: z.ZodType): Record<string, unknown> {
  const { $schema: _draft, ...rest } = parameters.toJSONSchema({ io: "input", unrepresentable: "any" });
  return rest;
}
