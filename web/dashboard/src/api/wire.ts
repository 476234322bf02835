/**
 * The API's wire types, generated from its OpenAPI document (`make wire-types` writes
 * `schema.gen.ts` from `../../openapi.json`; docs/dashboard.md "Wire types"). Service modules alias
 * these (`type SessionDetailWire = Schemas["SessionOut"]`) instead of describing the API by hand.
 */

import type { components } from "./schema.gen";

export type Schemas = components["schemas"];
