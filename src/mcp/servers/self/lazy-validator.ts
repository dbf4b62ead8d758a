import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";

/**
 * The SDK Server's default JSON Schema validator, built on first use. A Server builds its own in its
 * constructor (an Ajv instance compiling its meta-schemas: ~4 ms of start-up) and uses it only to check
 * a client's answer to an elicitation, which the self server never asks for.
 */
export class LazyJsonSchemaValidator implements jsonSchemaValidator {
  private real: AjvJsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    this.real ??= new AjvJsonSchemaValidator();
    return this.real.getValidator<T>(schema);
  }
}
