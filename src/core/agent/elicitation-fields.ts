import type { ElicitationResult, ElicitationSchema } from "./interaction.js";

export type ElicitValue = string | number | boolean | string[];

/** One question of an MCP form (its primitive schema), in the shape every front-end asks it. */
export interface ElicitField {
  name: string;
  /** The title, else the name. */
  label: string;
  description?: string;
  kind: "string" | "number" | "integer" | "boolean" | "enum" | "multi";
  /** enum / multi: the values sent, and what the user sees for each. */
  options?: Array<{ value: string; label: string }>;
  default?: ElicitValue;
  required: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** enum (+ enumNames), oneOf/anyOf of `const`s, or an array's items in either form. */
function optionsOf(prop: Record<string, unknown>): Array<{ value: string; label: string }> | undefined {
  if (Array.isArray(prop.enum)) {
    const names = Array.isArray(prop.enumNames) ? prop.enumNames : [];
    return prop.enum.map((v, i) => ({ value: String(v), label: str(names[i]) ?? String(v) }));
  }
  const alternatives = Array.isArray(prop.oneOf)
    ? prop.oneOf
    : Array.isArray(prop.anyOf)
      ? prop.anyOf
      : undefined;
  if (!alternatives) return undefined;
  return alternatives
    .filter((a): a is Record<string, unknown> => typeof a === "object" && a !== null && "const" in a)
    .map((a) => ({ value: String(a.const), label: str(a.title) ?? String(a.const) }));
}

function kindOf(prop: Record<string, unknown>): ElicitField["kind"] | undefined {
  if (prop.type === "array" && typeof prop.items === "object" && prop.items) {
    return optionsOf(prop.items as Record<string, unknown>) ? "multi" : undefined;
  }
  if (optionsOf(prop)) return "enum";
  if (
    prop.type === "string" ||
    prop.type === "number" ||
    prop.type === "integer" ||
    prop.type === "boolean"
  ) {
    return prop.type;
  }
  return undefined;
}

function defaultOf(prop: Record<string, unknown>): ElicitValue | undefined {
  const d = prop.default;
  if (typeof d === "string" || typeof d === "number" || typeof d === "boolean") return d;
  if (Array.isArray(d) && d.every((v) => typeof v === "string")) return d;
  return undefined;
}

/** The form's fields in schema order; properties of a type MCP forms do not allow are left out. */
export function elicitFields(schema: ElicitationSchema): ElicitField[] {
  const required = new Set(schema.required ?? []);
  const fields: ElicitField[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const kind = kindOf(prop);
    if (!kind) continue;
    const options =
      kind === "multi"
        ? optionsOf(prop.items as Record<string, unknown>)
        : kind === "enum"
          ? optionsOf(prop)
          : undefined;
    const def = defaultOf(prop);
    const description = str(prop.description);
    fields.push({
      name,
      label: str(prop.title) ?? name,
      kind,
      required: required.has(name),
      ...(description ? { description } : {}),
      ...(options ? { options } : {}),
      ...(def !== undefined ? { default: def } : {}),
    });
  }
  return fields;
}

/** A typed answer as the field's value, or the one-line reason it is not one. */
export function parseElicitValue(
  field: ElicitField,
  text: string,
): { value: ElicitValue } | { error: string } {
  const t = text.trim();
  switch (field.kind) {
    case "string":
      return { value: text };
    case "number":
    case "integer": {
      const n = Number(t);
      if (t === "" || !Number.isFinite(n)) return { error: `${field.label}: "${t}" is not a number` };
      if (field.kind === "integer" && !Number.isInteger(n))
        return { error: `${field.label}: ${t} is not a whole number` };
      return { value: n };
    }
    case "boolean": {
      if (/^(y|yes|true|on|1)$/i.test(t)) return { value: true };
      if (/^(n|no|false|off|0)$/i.test(t)) return { value: false };
      return { error: `${field.label}: answer yes or no` };
    }
    case "enum": {
      const hit = field.options?.find(
        (o) => o.value.toLowerCase() === t.toLowerCase() || o.label.toLowerCase() === t.toLowerCase(),
      );
      if (hit) return { value: hit.value };
      return { error: `${field.label}: one of ${field.options?.map((o) => o.value).join(", ")}` };
    }
    case "multi": {
      const picked = t
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
      const values: string[] = [];
      for (const p of picked) {
        const hit = field.options?.find(
          (o) => o.value.toLowerCase() === p.toLowerCase() || o.label.toLowerCase() === p.toLowerCase(),
        );
        if (!hit)
          return {
            error: `${field.label}: "${p}" is not one of ${field.options?.map((o) => o.value).join(", ")}`,
          };
        values.push(hit.value);
      }
      return { value: values };
    }
  }
}

/** The required fields an accepted answer leaves without a value or a default. */
export function missingRequired(fields: ElicitField[], content: Record<string, ElicitValue>): string[] {
  return fields
    .filter((f) => f.required && content[f.name] === undefined && f.default === undefined)
    .map((f) => f.label);
}

/** Accepting without changing anything: every field that has a default gets it. */
export function acceptDefaults(fields: ElicitField[]): ElicitationResult {
  const content: Record<string, ElicitValue> = {};
  for (const f of fields) if (f.default !== undefined) content[f.name] = f.default;
  return { action: "accept", content };
}
